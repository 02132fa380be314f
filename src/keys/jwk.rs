//! JSON Web Keys (RFC 7517): JWK Set import into a fixed-capacity set borrowing the input,
//! key selection for a token, and public JWK export with RFC 7638 thumbprints. No heap.
//!
//! Import rules:
//! - the document is at most [`MAX_JWKS_LEN`] bytes and [`MAX_JWKS_DEPTH`] levels deep,
//!   checked before it is parsed; then it is read with the crate's strict JSON reader (no
//!   duplicate names, valid escapes and UTF-8);
//! - keys that cannot be used to verify a JWS with this build are skipped and counted, never
//!   a reason to refuse the whole set: an unknown `kty`, `crv` or `alg`, a `use` other than
//!   `sig`, `key_ops` without `verify` (RFC 7517 §4.2, §4.3), sizes this library does not
//!   take (RSA outside 2048–4096 bits, a `kid` over [`MAX_KID_LEN`] bytes), malformed members,
//!   algorithms whose feature is not compiled in, and keys beyond the set's capacity;
//! - private key members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, and the symmetric `k` in a
//!   set loaded with [`JwkSet::load_public`]) refuse the whole set: a provider publishing them
//!   has leaked them;
//! - every kept key's members are checked for shape (canonical base64url, lengths, RSA modulus
//!   size and parity, exponent rules); the key selected for a token is then validated fully
//!   (RSA key preparation, P-256 point on the curve, Ed25519 point decoding) when its
//!   [`VerifyingKey`] is built;
//! - `x5c`, `x5t`, `x5u` members are ignored (no X.509 here), and so are `jwk`, `jku`, `x5u`
//!   and `x5c` in token headers: a token only ever names a `kid` among the set's keys.
//!
//! Selection ([`JwkSet::select`]): by `kid`, compared exactly after decoding JSON escapes on
//! both sides, then by the header's `alg`, which must fit the key's `kty`/`crv` (and its `alg`
//! if the JWK has one). Exactly one key must fit; a token without `kid` is accepted only when
//! exactly one key of the set fits its `alg`.

use crate::codec::json::{self, JsonStr, Value};
use crate::codec::ser::{self, Counter, Sink, SliceSink};
use crate::codec::{base64ct, base64url};
use crate::jwt::verify::{KeySource, Verified};
use crate::{
    Algorithm, AnyVerifyingKey, Clock, Error, Header, KeyRef, RegisteredClaims, Validation, VerifyingKey,
    MAX_KID_LEN,
};
use core::fmt;
use serde::Deserialize;
use sha2::Digest;

/// The largest JWK Set document accepted, in bytes.
pub const MAX_JWKS_LEN: usize = 64 * 1024;
/// The deepest nesting of objects and arrays accepted in a JWK Set (`{"keys":[{"x5c":[…]}]}`
/// is 4; multi-prime `oth` members reach 5).
pub const MAX_JWKS_DEPTH: usize = 6;
/// The longest symmetric (`oct`) key accepted from a trusted set, in bytes.
pub const MAX_OCT_KEY_LEN: usize = 256;
/// The longest public JWK [`write_public_jwk`] writes, in bytes: a 4096-bit RSA key with a
/// [`MAX_KID_LEN`]-byte kid in which every byte needs a six-byte escape.
pub const MAX_PUBLIC_JWK_LEN: usize = 64 + 683 + 8 + 6 * MAX_KID_LEN;

/// The RSA modulus in base64url can be at most this long (513 bytes: 4096 bits and a zero).
#[cfg(feature = "rsa")]
const MAX_N_B64: usize = 684;
/// A public exponent below 2^33 has at most 5 bytes, 7 base64url characters.
#[cfg(feature = "rsa")]
const MAX_E_B64: usize = 7;

/// A key type (`kty`, RFC 7518 §6.1, RFC 8037 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// `RSA`: RS256/384/512, PS256/384/512.
    Rsa,
    /// `EC` with `crv` `P-256`: ES256.
    P256,
    /// `OKP` with `crv` `Ed25519`: EdDSA.
    Ed25519,
    /// `oct`: HS256/384/512 (only from sets loaded with [`JwkSet::load_trusted`]).
    Oct,
}

/// The members of one key, as base64url text borrowed from the document, shape-checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Material<'a> {
    Rsa { n: &'a str, e: &'a str },
    P256 { x: &'a str, y: &'a str },
    Ed25519 { x: &'a str },
    Oct { k: &'a str },
}

/// One usable key of a [`JwkSet`], borrowing the document.
#[derive(Clone, Copy)]
pub struct Jwk<'a> {
    kid: Option<JsonStr<'a>>,
    alg: Option<Algorithm>,
    material: Material<'a>,
}

impl<'a> Jwk<'a> {
    /// The key's `kid`, escapes not yet decoded.
    pub fn kid(&self) -> Option<JsonStr<'a>> {
        self.kid
    }

    /// The key's `alg` member, if it has one.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self.material {
            Material::Rsa { .. } => KeyType::Rsa,
            Material::P256 { .. } => KeyType::P256,
            Material::Ed25519 { .. } => KeyType::Ed25519,
            Material::Oct { .. } => KeyType::Oct,
        }
    }

    /// Whether a token signed with `alg` may be verified with this key: `alg` fits the key
    /// type (and the key's length, for `oct`) and equals the key's `alg` member if any.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        self.alg.is_none_or(|mine| mine == alg) && fits(self.material, alg)
    }

    /// Builds the verification key for `alg`, validating the key fully (RSA preparation,
    /// P-256 point on the curve, Ed25519 point decoding, HMAC key length). The key carries
    /// the JWK's `kid`.
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the key does not accept `alg`;
    /// [`Error::UnsupportedAlgorithm`] when `alg`'s feature is not compiled in;
    /// [`Error::InvalidKey`] for key material that fails validation.
    pub fn verifying_key(&self, alg: Algorithm) -> Result<AnyVerifyingKey, Error> {
        if !self.accepts(alg) {
            return Err(Error::AlgorithmMismatch);
        }
        let mut key = build_key(self.material, alg)?;
        if let Some(kid) = self.kid {
            let mut buf = [0u8; MAX_KID_LEN];
            let kid = kid.unescape_into(&mut buf).map_err(|_| Error::InvalidKeyId)?;
            key.set_kid(kid)?;
        }
        Ok(key)
    }
}

impl fmt::Debug for Jwk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key material (an `oct` key is a secret).
        f.debug_struct("Jwk")
            .field("kty", &self.key_type())
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// How many keys of a document a [`JwkSet`] left out, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Keys not meant for signatures: `use` other than `sig`, `key_ops` without `verify`.
    pub not_for_signatures: usize,
    /// Keys this build cannot use: unknown `kty`/`crv`/`alg`, unsupported sizes, malformed
    /// members, an algorithm whose feature is not compiled in, or a non-object entry.
    pub unusable: usize,
    /// Usable keys beyond the set's capacity.
    pub over_capacity: usize,
}

impl Skipped {
    /// All keys left out.
    pub fn total(&self) -> usize {
        self.not_for_signatures.saturating_add(self.unusable).saturating_add(self.over_capacity)
    }
}

/// Up to `N` usable keys of a JWK Set, borrowing the document (which must outlive the set).
///
/// ```
/// # #[cfg(feature = "eddsa")] {
/// use ciphertoken::jwk::JwkSet;
/// let doc = br#"{"keys":[
///   {"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///   {"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},
///   {"kty":"EC","crv":"P-521","x":"AQAB","y":"AQAB"}]}"#;
/// let mut set = JwkSet::<4>::new();
/// set.load_public(doc)?;
/// assert_eq!(set.keys().len(), 1);
/// assert_eq!(set.skipped().total(), 2);
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct JwkSet<'a, const N: usize> {
    keys: heapless::Vec<Jwk<'a>, N>,
    skipped: Skipped,
}

impl<'a, const N: usize> JwkSet<'a, N> {
    /// An empty set.
    pub const fn new() -> Self {
        JwkSet {
            keys: heapless::Vec::new(),
            skipped: Skipped { not_for_signatures: 0, unusable: 0, over_capacity: 0 },
        }
    }

    /// A set holding the public keys of `json`; see [`JwkSet::load_public`].
    ///
    /// # Errors
    /// As [`JwkSet::load_public`].
    pub fn from_public(json: &'a [u8]) -> Result<Self, Error> {
        let mut set = JwkSet::new();
        set.load_public(json)?;
        Ok(set)
    }

    /// A set holding the keys of the trusted `json`; see [`JwkSet::load_trusted`].
    ///
    /// # Errors
    /// As [`JwkSet::load_trusted`].
    pub fn from_trusted(json: &'a [u8]) -> Result<Self, Error> {
        let mut set = JwkSet::new();
        set.load_trusted(json)?;
        Ok(set)
    }

    /// Loads a JWK Set of **public** keys (e.g. an identity provider's `jwks_uri`), replacing
    /// the set's contents. `oct` keys and any private member refuse the whole document.
    ///
    /// # Errors
    /// [`Error::TooLong`] over [`MAX_JWKS_LEN`] bytes; [`Error::InvalidJson`] for a
    /// document that is not strict JSON, too deep, or has no `keys` array;
    /// [`Error::InvalidKey`] when a key has private members. On error the set is empty.
    pub fn load_public(&mut self, json: &'a [u8]) -> Result<(), Error> {
        self.load(json, false)
    }

    /// Loads a JWK Set the application trusts with secrets (its own configuration): like
    /// [`JwkSet::load_public`], but `oct` keys (`k`) are accepted for HS256/384/512.
    /// Private members of asymmetric keys still refuse the document.
    ///
    /// # Errors
    /// As [`JwkSet::load_public`].
    pub fn load_trusted(&mut self, json: &'a [u8]) -> Result<(), Error> {
        self.load(json, true)
    }

    fn load(&mut self, json: &'a [u8], trusted: bool) -> Result<(), Error> {
        self.keys.clear();
        self.skipped = Skipped::default();
        let result = self.fill(json, trusted);
        if result.is_err() {
            self.keys.clear();
            self.skipped = Skipped::default();
        }
        result
    }

    fn fill(&mut self, json: &'a [u8], trusted: bool) -> Result<(), Error> {
        if json.len() > MAX_JWKS_LEN {
            return Err(Error::TooLong);
        }
        check_depth(json, MAX_JWKS_DEPTH)?;
        let mut keys = None;
        json::parse_object(json, |name, value| {
            if name.eq_str("keys") {
                let Value::Array(array) = value else { return Err(Error::InvalidJson) };
                keys = Some(array);
            }
            Ok(())
        })?;
        let keys = keys.ok_or(Error::InvalidJson)?;
        for element in json::array_elements(keys) {
            let outcome = match element? {
                Value::Object(object) => classify(&Members::collect(object)?, trusted)?,
                _ => Outcome::Unusable,
            };
            let counter = match outcome {
                Outcome::Keep(jwk) => match self.keys.push(jwk) {
                    Ok(()) => continue,
                    Err(_) => &mut self.skipped.over_capacity,
                },
                Outcome::NotForSignatures => &mut self.skipped.not_for_signatures,
                Outcome::Unusable => &mut self.skipped.unusable,
            };
            *counter = counter.saturating_add(1);
        }
        Ok(())
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Jwk<'a>] {
        &self.keys
    }

    /// How many keys were left out, by reason.
    pub fn skipped(&self) -> Skipped {
        self.skipped
    }

    /// The key for a token with this (unverified) header: the keys whose `kid` equals the
    /// header's exactly (all keys when the header has none), narrowed to those accepting the
    /// header's `alg`; exactly one must remain.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when no key has the `kid`, or when several keys fit (or, without
    /// a `kid`, none or several); [`Error::AlgorithmMismatch`] when keys have the `kid` but
    /// none accepts the `alg`.
    pub fn select(&self, header: &Header<'_>) -> Result<&Jwk<'a>, Error> {
        let named = |k: &&Jwk<'a>| match (header.kid, k.kid) {
            (Some(wanted), Some(mine)) => wanted.raw() == mine.raw() || wanted.chars().eq(mine.chars()),
            (Some(_), None) => false,
            (None, _) => true,
        };
        let mut fitting = self.keys.iter().filter(named).filter(|k| k.accepts(header.alg));
        match (fitting.next(), fitting.next()) {
            (Some(only), None) => Ok(only),
            (None, _) if header.kid.is_some() && self.keys.iter().any(|k| named(&k)) => {
                Err(Error::AlgorithmMismatch)
            }
            _ => Err(Error::UnknownKey),
        }
    }

    /// [`JwkSet::select`], then [`Jwk::verifying_key`] for the header's `alg`.
    ///
    /// # Errors
    /// As those two.
    pub fn verifying_key_for(&self, header: &Header<'_>) -> Result<AnyVerifyingKey, Error> {
        self.select(header)?.verifying_key(header.alg)
    }
}

impl<const N: usize> fmt::Debug for JwkSet<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwkSet").field("keys", &self.keys).field("skipped", &self.skipped).finish()
    }
}

/// A JWK Set is a [`KeySource`]: the key [`JwkSet::select`] picks for the header is built
/// (and fully validated) into the pipeline's storage for this one token, from the header
/// the pipeline already parsed.
impl<const N: usize> KeySource for JwkSet<'_, N> {
    type Built = Option<AnyVerifyingKey>;

    fn key_for<'k>(&'k self, header: &Header<'_>, built: &'k mut Self::Built) -> Result<KeyRef<'k>, Error> {
        Ok(KeyRef::from(&*built.insert(self.verifying_key_for(header)?)))
    }
}

/// Verifies `token` with the key `set` selects for its header (see [`JwkSet::select`]),
/// then validates it like [`crate::verify`] (an adapter over [`crate::verify_token`]: the
/// header is decoded and parsed once). The key is built (and fully validated) per call; a
/// gateway verifying many tokens with one key can keep [`Jwk::verifying_key`]'s result
/// instead.
///
/// # Errors
/// As [`JwkSet::verifying_key_for`] and [`crate::verify`].
pub fn verify_with_jwks<'s, T, C, const N: usize>(
    token: impl AsRef<[u8]>,
    set: &JwkSet<'_, N>,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Verified<'s, T>, Error>
where
    T: Deserialize<'s>,
    C: Clock + ?Sized,
{
    crate::verify(token, set, validation, clock, scratch)
}

/// Like [`verify_with_jwks`], returning only the registered claims (as
/// [`crate::verify_registered`]).
///
/// # Errors
/// As [`verify_with_jwks`].
pub fn verify_registered_with_jwks<'s, C: Clock + ?Sized, const N: usize>(
    token: impl AsRef<[u8]>,
    set: &JwkSet<'_, N>,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<(Header<'s>, RegisteredClaims<'s>, &'s [u8]), Error> {
    crate::verify_registered(token, set, validation, clock, scratch)
}

/// Rejects documents nested deeper than `max` before parsing them (a linear scan that
/// steps over strings).
fn check_depth(json: &[u8], max: usize) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth = depth.saturating_add(1);
                if depth > max {
                    return Err(Error::InvalidJson);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The members of one JWK object that matter here.
#[derive(Default)]
struct Members<'a> {
    kty: Option<JsonStr<'a>>,
    kid: Option<JsonStr<'a>>,
    use_: Option<JsonStr<'a>>,
    key_ops: Option<&'a str>,
    alg: Option<JsonStr<'a>>,
    crv: Option<JsonStr<'a>>,
    n: Option<JsonStr<'a>>,
    e: Option<JsonStr<'a>>,
    x: Option<JsonStr<'a>>,
    y: Option<JsonStr<'a>>,
    k: Option<JsonStr<'a>>,
    /// `d`, `p`, `q`, `dp`, `dq`, `qi` or `oth` (RFC 7518 §6.2.2, §6.3.2).
    private: bool,
    /// A member we read has the wrong JSON type.
    wrong_type: bool,
}

/// Private members of EC, OKP and RSA keys.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

impl<'a> Members<'a> {
    fn collect(object: &'a str) -> Result<Members<'a>, Error> {
        let mut m = Members::default();
        json::parse_object(object.as_bytes(), |name, value| {
            if PRIVATE_MEMBERS.iter().any(|p| name.eq_str(p)) {
                m.private = true;
                return Ok(());
            }
            if name.eq_str("key_ops") {
                match value {
                    Value::Array(a) => m.key_ops = Some(a),
                    _ => m.wrong_type = true,
                }
                return Ok(());
            }
            let slot = match () {
                () if name.eq_str("kty") => &mut m.kty,
                () if name.eq_str("kid") => &mut m.kid,
                () if name.eq_str("use") => &mut m.use_,
                () if name.eq_str("alg") => &mut m.alg,
                () if name.eq_str("crv") => &mut m.crv,
                () if name.eq_str("n") => &mut m.n,
                () if name.eq_str("e") => &mut m.e,
                () if name.eq_str("x") => &mut m.x,
                () if name.eq_str("y") => &mut m.y,
                () if name.eq_str("k") => &mut m.k,
                // Anything else (x5c, x5t, x5u, ext, …) is ignored (RFC 7517 §4).
                () => return Ok(()),
            };
            match value {
                Value::String(s) => *slot = Some(s),
                _ => m.wrong_type = true,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

enum Outcome<'a> {
    Keep(Jwk<'a>),
    NotForSignatures,
    Unusable,
}

/// Decides what to do with one key; `Err` refuses the whole document.
fn classify<'a>(m: &Members<'a>, trusted: bool) -> Result<Outcome<'a>, Error> {
    // Private members are refused where public keys are expected; `k` is a secret unless
    // the application loads its own trusted set.
    if m.private || (m.k.is_some() && !trusted) {
        return Err(Error::InvalidKey);
    }
    if m.wrong_type {
        return Ok(Outcome::Unusable);
    }
    // RFC 7517 §4.2, §4.3.
    if m.use_.is_some_and(|u| !u.eq_str("sig")) {
        return Ok(Outcome::NotForSignatures);
    }
    if let Some(ops) = m.key_ops {
        match key_ops_verify(ops) {
            Some(true) => {}
            Some(false) => return Ok(Outcome::NotForSignatures),
            None => return Ok(Outcome::Unusable),
        }
    }
    if let Some(kid) = m.kid {
        let len = kid.unescaped_len();
        if len == 0 || len > MAX_KID_LEN || kid.chars().any(char::is_control) {
            return Ok(Outcome::Unusable);
        }
    }
    let alg = match m.alg {
        None => None,
        Some(a) => match a.as_str().and_then(Algorithm::from_name) {
            Some(alg) => Some(alg),
            None => return Ok(Outcome::Unusable),
        },
    };
    let Some(material) = material(m) else { return Ok(Outcome::Unusable) };
    if !compiled_in(material) || alg.is_some_and(|a| !fits(material, a)) {
        return Ok(Outcome::Unusable);
    }
    Ok(Outcome::Keep(Jwk { kid: m.kid, alg, material }))
}

/// `Some(true)` when the `key_ops` array holds `verify`; `None` when it is malformed (a
/// non-string or a duplicate value, RFC 7517 §4.3).
fn key_ops_verify(ops: &str) -> Option<bool> {
    let mut verify = false;
    for (i, op) in json::array_elements(ops).enumerate() {
        let Ok(Value::String(op)) = op else { return None };
        let duplicate = json::array_elements(ops)
            .take(i)
            .any(|earlier| matches!(earlier, Ok(Value::String(e)) if e.chars().eq(op.chars())));
        if duplicate {
            return None;
        }
        verify |= op.eq_str("verify");
    }
    Some(verify)
}

/// The key's material for its `kty`/`crv`, shape-checked; `None` when unusable.
fn material<'a>(m: &Members<'a>) -> Option<Material<'a>> {
    let plain = |s: Option<JsonStr<'a>>| s.and_then(|s| s.as_str());
    let kty = m.kty?;
    if kty.eq_str("RSA") {
        let (n, e) = (plain(m.n)?, plain(m.e)?);
        rsa_shape_ok(n, e).then_some(Material::Rsa { n, e })
    } else if kty.eq_str("EC") {
        let (x, y) = (plain(m.x)?, plain(m.y)?);
        let ok = m.crv?.eq_str("P-256") && b64_len(x) == Some(32) && b64_len(y) == Some(32);
        ok.then_some(Material::P256 { x, y })
    } else if kty.eq_str("OKP") {
        let x = plain(m.x)?;
        (m.crv?.eq_str("Ed25519") && b64_len(x) == Some(32)).then_some(Material::Ed25519 { x })
    } else if kty.eq_str("oct") {
        let k = plain(m.k)?;
        let len = b64_len(k)?;
        (len >= crate::min_hmac_secret_len(Algorithm::HS256) && len <= MAX_OCT_KEY_LEN)
            .then_some(Material::Oct { k })
    } else {
        None
    }
}

/// Whether `alg` can be verified with `material`.
fn fits(material: Material<'_>, alg: Algorithm) -> bool {
    match material {
        Material::Rsa { .. } => alg.is_rsa(),
        Material::P256 { .. } => alg == Algorithm::ES256,
        Material::Ed25519 { .. } => alg == Algorithm::EdDSA,
        Material::Oct { k } => {
            alg.is_hmac() && b64_len(k).is_some_and(|len| len >= crate::min_hmac_secret_len(alg))
        }
    }
}

/// Whether this build has the algorithm family of `material`.
fn compiled_in(material: Material<'_>) -> bool {
    match material {
        Material::Rsa { .. } => cfg!(feature = "rsa"),
        Material::P256 { .. } => cfg!(feature = "es256"),
        Material::Ed25519 { .. } => cfg!(feature = "eddsa"),
        Material::Oct { .. } => cfg!(feature = "hs"),
    }
}

/// The decoded length of canonical unpadded base64url `text` (RFC 7515 §2), checked without
/// decoding it: alphabet, no impossible length, zero trailing bits. Constant time in the
/// characters (this also checks an `oct` key's secret `k`).
fn b64_len(text: &str) -> Option<usize> {
    if text.is_empty() {
        return None;
    }
    base64ct::decoded_len(text.as_bytes())
}

/// RSA `n` and `e` shape (RFC 7518 §6.3.1): canonical base64url, a modulus of 2048–4096
/// bits (one leading zero byte tolerated) that is odd, an exponent the `rsa` module takes.
#[cfg(feature = "rsa")]
fn rsa_shape_ok(n: &str, e: &str) -> bool {
    let rsa_shape = || -> Option<bool> {
        let len = b64_len(n)?;
        if n.len() > MAX_N_B64 || e.len() > MAX_E_B64 {
            return Some(false);
        }
        // The first group (3 bytes) gives the top byte; the last group the parity.
        let mut head = [0u8; 3];
        let head = base64url::decode(n.as_bytes().get(..4)?, &mut head).ok()?;
        let (top, len) = match head {
            [0, second, ..] => (*second, len.checked_sub(1)?),
            [first, ..] => (*first, len),
            [] => return None,
        };
        let top_bits = 8usize.saturating_sub(top.leading_zeros() as usize);
        let bits = len.checked_sub(1)?.checked_mul(8)?.checked_add(top_bits)?;
        let tail_len = match n.len() % 4 {
            0 => 4,
            r => r,
        };
        let mut tail = [0u8; 3];
        let tail = base64url::decode(n.as_bytes().get(n.len().checked_sub(tail_len)?..)?, &mut tail).ok()?;
        let odd = tail.last()? & 1 == 1;
        let mut e_buf = [0u8; 5];
        let e_bytes = base64url::decode(e.as_bytes(), &mut e_buf).ok()?;
        let e_ok = crate::crypto::rsa::parse_exponent(e_bytes).is_ok();
        Some(
            top != 0
                && odd
                && e_ok
                && (crate::crypto::rsa::MIN_MODULUS_BITS..=crate::crypto::rsa::MAX_MODULUS_BITS)
                    .contains(&bits),
        )
    };
    rsa_shape().unwrap_or(false)
}

#[cfg(not(feature = "rsa"))]
fn rsa_shape_ok(_n: &str, _e: &str) -> bool {
    false
}

/// Builds the key for `alg` from checked material (full validation happens here).
fn build_key(material: Material<'_>, alg: Algorithm) -> Result<AnyVerifyingKey, Error> {
    let _ = alg;
    match material {
        #[cfg(feature = "rsa")]
        Material::Rsa { n, e } => rsa_key(alg, n, e).map(AnyVerifyingKey::Rsa),
        #[cfg(feature = "es256")]
        Material::P256 { x, y } => {
            let mut sec1 = [0u8; 65];
            let (tag, xy) = sec1.split_first_mut().ok_or(Error::InvalidKey)?;
            *tag = 0x04;
            let (xb, yb) = xy.split_at_mut(32);
            decode_exact(x, xb)?;
            decode_exact(y, yb)?;
            VerifyingKey::es256_sec1(&sec1).map(AnyVerifyingKey::Key)
        }
        #[cfg(feature = "eddsa")]
        Material::Ed25519 { x } => {
            let mut pk = [0u8; 32];
            decode_exact(x, &mut pk)?;
            VerifyingKey::ed25519(&pk).map(AnyVerifyingKey::Key)
        }
        #[cfg(feature = "hs")]
        Material::Oct { k } => {
            use zeroize::Zeroize;
            let mut buf = [0u8; MAX_OCT_KEY_LEN];
            // The secret goes through the constant-time decoder (no secret-indexed table).
            let key = base64ct::decode(k.as_bytes(), &mut buf)
                .map_err(|_| Error::InvalidKey)
                .and_then(|secret| VerifyingKey::hmac(alg, secret))
                .map(AnyVerifyingKey::Key);
            buf.zeroize();
            key
        }
        #[allow(unreachable_patterns)]
        _ => Err(Error::UnsupportedAlgorithm),
    }
}

/// An RSA key from a JWK's base64url `n` and `e`. Out of line: the decoded modulus lives
/// in this frame only while the key is prepared.
#[cfg(feature = "rsa")]
#[inline(never)]
fn rsa_key(alg: Algorithm, n: &str, e: &str) -> Result<crate::RsaVerifyingKey, Error> {
    let mut n_buf = [0u8; 513];
    let mut e_buf = [0u8; 5];
    let n = base64url::decode(n.as_bytes(), &mut n_buf).map_err(|_| Error::InvalidKey)?;
    let e = base64url::decode(e.as_bytes(), &mut e_buf).map_err(|_| Error::InvalidKey)?;
    crate::RsaVerifyingKey::new(alg, n, e)
}

#[cfg(any(feature = "es256", feature = "eddsa"))]
fn decode_exact(text: &str, out: &mut [u8]) -> Result<(), Error> {
    let decoded = base64url::decode(text.as_bytes(), out).map_err(|_| Error::InvalidKey)?;
    if decoded.len() == out.len() {
        Ok(())
    } else {
        Err(Error::InvalidKey)
    }
}

// ---------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------

/// The public members of a verification key, big-endian (a short-lived stack value).
#[allow(clippy::large_enum_variant)]
enum PublicParts {
    #[cfg(feature = "rsa")]
    Rsa {
        n: [u8; 512],
        n_len: usize,
        e: [u8; 8],
        e_len: usize,
    },
    P256 {
        sec1: [u8; 65],
    },
    Ed25519 {
        x: [u8; 32],
    },
}

fn public_parts(key: KeyRef<'_>) -> Result<PublicParts, Error> {
    #[cfg(feature = "rsa")]
    if let Some(rsa) = key.as_rsa().map(crate::RsaVerifyingKey::public_key) {
        let (mut n, mut e) = ([0u8; 512], [0u8; 8]);
        let n_len = rsa.write_modulus(&mut n)?.len();
        let e_len = rsa.write_exponent(&mut e)?.len();
        return Ok(PublicParts::Rsa { n, n_len, e, e_len });
    }
    let key = key.as_verifying_key().ok_or(Error::InvalidKey)?;
    let mut bytes = [0u8; 65];
    match key.algorithm() {
        Algorithm::ES256 if key.public_key_bytes(&mut bytes)? == 65 => Ok(PublicParts::P256 { sec1: bytes }),
        Algorithm::EdDSA => {
            let mut x = [0u8; 32];
            if key.public_key_bytes(&mut x)? != 32 {
                return Err(Error::InvalidKey);
            }
            Ok(PublicParts::Ed25519 { x })
        }
        // HMAC keys are secrets, never a public JWK.
        _ => Err(Error::InvalidKey),
    }
}

/// Writes `bytes` base64url-encoded, in chunks (no buffer for the whole encoding).
fn put_b64<S: Sink>(sink: &mut S, bytes: &[u8]) -> Result<(), Error> {
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(48) {
        let len = base64url::encode(chunk, &mut buf)?;
        sink.put(buf.get(..len).ok_or(Error::BufferTooSmall { needed: len })?)?;
    }
    Ok(())
}

fn put_member<S: Sink>(sink: &mut S, first: bool, name: &str, b64: &[u8]) -> Result<(), Error> {
    sink.put(if first { b"{\"" } else { b",\"" })?;
    sink.put(name.as_bytes())?;
    sink.put(b"\":\"")?;
    put_b64(sink, b64)?;
    sink.put(b"\"")
}

/// RFC 7638 §3.2–3.3: the required members only, in lexicographic order, no white space.
fn write_thumbprint_input<S: Sink>(parts: &PublicParts, sink: &mut S) -> Result<(), Error> {
    match parts {
        #[cfg(feature = "rsa")]
        PublicParts::Rsa { n, n_len, e, e_len } => {
            put_member(sink, true, "e", e.get(..*e_len).ok_or(Error::InvalidKey)?)?;
            sink.put(b",\"kty\":\"RSA\"")?;
            put_member(sink, false, "n", n.get(..*n_len).ok_or(Error::InvalidKey)?)?;
        }
        PublicParts::P256 { sec1 } => {
            sink.put(b"{\"crv\":\"P-256\",\"kty\":\"EC\"")?;
            put_member(sink, false, "x", sec1.get(1..33).ok_or(Error::InvalidKey)?)?;
            put_member(sink, false, "y", sec1.get(33..65).ok_or(Error::InvalidKey)?)?;
        }
        PublicParts::Ed25519 { x } => {
            // RFC 8037 §2: crv, kty, x.
            sink.put(b"{\"crv\":\"Ed25519\",\"kty\":\"OKP\"")?;
            put_member(sink, false, "x", x)?;
        }
    }
    sink.put(b"}")
}

struct Sha256Sink(sha2::Sha256);

impl Sink for Sha256Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0.update(bytes);
        Ok(())
    }
}

/// The RFC 7638 JWK thumbprint of a public key: SHA-256 over its canonical JWK.
///
/// # Errors
/// [`Error::InvalidKey`] for HMAC keys (a secret has no public JWK).
pub fn thumbprint<'k>(key: impl Into<KeyRef<'k>>) -> Result<[u8; 32], Error> {
    let parts = public_parts(key.into())?;
    let mut sink = Sha256Sink(sha2::Sha256::new());
    write_thumbprint_input(&parts, &mut sink)?;
    Ok(sink.0.finalize().into())
}

/// The RFC 7638 thumbprint, base64url-encoded (43 characters), written into `out`: the
/// customary `kid` for a key that has none.
///
/// # Errors
/// As [`thumbprint`]; [`Error::BufferTooSmall`] under 43 bytes.
pub fn thumbprint_b64<'k, 'o>(key: impl Into<KeyRef<'k>>, out: &'o mut [u8]) -> Result<&'o str, Error> {
    let digest = thumbprint(key)?;
    let out = out.get_mut(..43).ok_or(Error::BufferTooSmall { needed: 43 })?;
    base64url::encode(&digest, out)?;
    core::str::from_utf8(out).map_err(|_| Error::InvalidKey)
}

/// Writes `key` as a public JWK: `kty`, `crv`, the public members, `alg`, `use: "sig"` and
/// `kid` when the key has one. Nothing is written unless it all fits.
///
/// # Errors
/// [`Error::InvalidKey`] for HMAC keys; [`Error::BufferTooSmall`] with the exact length
/// ([`MAX_PUBLIC_JWK_LEN`] always suffices).
pub fn write_public_jwk<'k, 'o>(key: impl Into<KeyRef<'k>>, out: &'o mut [u8]) -> Result<&'o str, Error> {
    let key = key.into();
    let parts = public_parts(key)?;
    let mut counter = Counter::default();
    write_jwk(&key, &parts, &mut counter)?;
    let needed = counter.0;
    let out = out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
    let mut sink = SliceSink { out, len: 0 };
    write_jwk(&key, &parts, &mut sink)?;
    core::str::from_utf8(sink.out).map_err(|_| Error::InvalidKey)
}

fn write_jwk<S: Sink>(key: &KeyRef<'_>, parts: &PublicParts, sink: &mut S) -> Result<(), Error> {
    match parts {
        #[cfg(feature = "rsa")]
        PublicParts::Rsa { n, n_len, e, e_len } => {
            sink.put(b"{\"kty\":\"RSA\"")?;
            put_member(sink, false, "n", n.get(..*n_len).ok_or(Error::InvalidKey)?)?;
            put_member(sink, false, "e", e.get(..*e_len).ok_or(Error::InvalidKey)?)?;
        }
        PublicParts::P256 { sec1 } => {
            sink.put(b"{\"kty\":\"EC\",\"crv\":\"P-256\"")?;
            put_member(sink, false, "x", sec1.get(1..33).ok_or(Error::InvalidKey)?)?;
            put_member(sink, false, "y", sec1.get(33..65).ok_or(Error::InvalidKey)?)?;
        }
        PublicParts::Ed25519 { x } => {
            sink.put(b"{\"kty\":\"OKP\",\"crv\":\"Ed25519\"")?;
            put_member(sink, false, "x", x)?;
        }
    }
    sink.put(b",\"alg\":\"")?;
    sink.put(key.algorithm().name().as_bytes())?;
    sink.put(b"\",\"use\":\"sig\"")?;
    if let Some(kid) = key.kid() {
        sink.put(b",\"kid\":\"")?;
        ser::escape_into(kid, |b| sink.put(b))?;
        sink.put(b"\"")?;
    }
    sink.put(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_shape() {
        assert_eq!(b64_len("AQAB"), Some(3));
        assert_eq!(b64_len("AQ"), Some(1));
        assert_eq!(b64_len("AR"), None); // trailing bits set
        assert_eq!(b64_len("AQA"), Some(2));
        assert_eq!(b64_len("AQB"), None);
        assert_eq!(b64_len("A"), None);
        assert_eq!(b64_len(""), None);
        assert_eq!(b64_len("AQ=="), None);
        assert_eq!(b64_len("A+/B"), None);
        assert_eq!(b64_len("-_-_"), Some(3));
    }

    #[test]
    fn depth_scan() {
        assert!(check_depth(br#"{"keys":[{"x5c":["a"]}]}"#, 4).is_ok());
        assert_eq!(check_depth(br#"{"keys":[{"x5c":[["a"]]}]}"#, 4), Err(Error::InvalidJson));
        // Brackets inside strings (and escaped quotes) do not count.
        assert!(check_depth(br#"{"a":"[[[[[[\"[[[[","b":[1]}"#, 2).is_ok());
    }

    #[test]
    fn key_ops_rules() {
        assert_eq!(key_ops_verify(r#"["sign","verify"]"#), Some(true));
        assert_eq!(key_ops_verify(r#"["sign"]"#), Some(false));
        assert_eq!(key_ops_verify(r#"[]"#), Some(false));
        assert_eq!(key_ops_verify(r#"["verify","verify"]"#), None);
        assert_eq!(key_ops_verify(r#"["verify","ver\u0069fy"]"#), None);
        assert_eq!(key_ops_verify(r#"["verify",1]"#), None);
    }
}
