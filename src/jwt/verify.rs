//! The one verify pipeline (RFC 7515 §5.2, RFC 7519 §7.2, RFC 8725 §3.1) and the key
//! sources it asks for a key.
//!
//! [`verify_token`] is the only function that checks a token. It splits the token once,
//! decodes and parses the header once, asks a [`KeySource`] for the key (lent, or built for
//! this token in storage the pipeline provides), checks that the key's algorithm equals the
//! header's, verifies the signature over the signing input *before* the payload is decoded
//! or read, decodes and parses the payload once, validates the registered claims, and hands
//! back a [`VerifiedToken`]: the header, the registered claims and where the payload lies in
//! the scratch buffer. Every other verify entry point — [`verify`], [`verify_selecting_key`],
//! [`verify_registered`], the JWK Set, RSA and life-cycle calls, and each `ct_verify*` /
//! `ct_issuer_verify_*` of the C ABI — is an adapter over it.

use crate::codec::base64url;
use crate::jws::header::{Header, MAX_HEADER_B64_LEN};
use crate::jwt::claims::RegisteredClaims;
use crate::jwt::size::b64_len;
#[allow(unused_imports)] // doc links
use crate::jwt::size::{verify_scratch_len, verify_scratch_len_unescaped};
use crate::keys::key::{KeyRef, MAX_KID_LEN};
use crate::{Clock, Error, KeySet, UnixSeconds, Validation, VerifyingKey};
use core::fmt;
use core::marker::PhantomData;
use core::ops::Range;
use serde::Deserialize;

/// Where the verify pipeline gets the key for a token, given its (still unverified) header.
///
/// A source either lends a key it holds ([`VerifyingKey`], a [`KeySet`] at a given time,
/// a selection closure) or builds one for this token into `built`, storage the pipeline
/// provides on its stack for the duration of one verification (a JWK Set: the selected
/// JWK becomes a key without the header being decoded or parsed a second time). The key's
/// algorithm must equal the header's `alg`; the pipeline checks it.
pub trait KeySource {
    /// Storage for a key built for one token; `()` for sources that lend their keys.
    type Built: Default;

    /// The key for a token with this header.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when no key fits, or whatever building the key returns.
    fn key_for<'a>(&'a self, header: &Header<'_>, built: &'a mut Self::Built) -> Result<KeyRef<'a>, Error>;
}

impl KeySource for VerifyingKey {
    type Built = ();

    fn key_for<'a>(&'a self, _: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        Ok(KeyRef::from(self))
    }
}

#[cfg(feature = "rsa")]
impl KeySource for crate::RsaVerifyingKey {
    type Built = ();

    fn key_for<'a>(&'a self, _: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        Ok(KeyRef::from(self))
    }
}

/// A signing key verifies its own tokens with its public half (for HMAC, the secret),
/// lent in place: nothing is copied or decoded per token.
impl KeySource for crate::SigningKey {
    type Built = ();

    fn key_for<'a>(&'a self, _: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        Ok(KeyRef::from(self))
    }
}

impl KeySource for crate::AnyVerifyingKey {
    type Built = ();

    fn key_for<'a>(&'a self, _: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        Ok(KeyRef::from(self))
    }
}

impl<K: KeySource + ?Sized> KeySource for &K {
    type Built = K::Built;

    fn key_for<'a>(&'a self, header: &Header<'_>, built: &'a mut Self::Built) -> Result<KeyRef<'a>, Error> {
        (**self).key_for(header, built)
    }
}

/// A [`KeySet`] at a given time (see [`KeySet::select`]): `KeySet::at(now)`.
#[derive(Debug, Clone, Copy)]
pub struct KeySetAt<'k, const N: usize> {
    set: &'k KeySet<N>,
    now: UnixSeconds,
}

impl<const N: usize> KeySet<N> {
    /// This set as a [`KeySource`] at `now` (keys whose rotation window closed are not used).
    pub fn at(&self, now: UnixSeconds) -> KeySetAt<'_, N> {
        KeySetAt { set: self, now }
    }
}

impl<const N: usize> KeySource for KeySetAt<'_, N> {
    type Built = ();

    fn key_for<'a>(&'a self, header: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        self.set.select(header, self.now).map(KeyRef::from)
    }
}

/// A selection function as a [`KeySource`] (what [`verify_selecting_key`] takes).
pub struct SelectKey<'k, F> {
    select: F,
    _keys: PhantomData<&'k VerifyingKey>,
}

impl<'k, F: Fn(&Header<'_>) -> Result<&'k VerifyingKey, Error>> SelectKey<'k, F> {
    /// `select` picks a key from the (unverified) header among the application's own keys.
    pub fn new(select: F) -> Self {
        SelectKey { select, _keys: PhantomData }
    }
}

impl<'k, F: Fn(&Header<'_>) -> Result<&'k VerifyingKey, Error>> KeySource for SelectKey<'k, F> {
    type Built = ();

    fn key_for<'a>(&'a self, header: &Header<'_>, _: &'a mut ()) -> Result<KeyRef<'a>, Error> {
        (self.select)(header).map(KeyRef::from)
    }
}

impl<F> fmt::Debug for SelectKey<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectKey").finish_non_exhaustive()
    }
}

/// A token whose signature and claims have been verified.
///
/// Everything borrows the caller's scratch buffer.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'s, T> {
    header: Header<'s>,
    registered: RegisteredClaims<'s>,
    claims: T,
}

impl<'s, T> Verified<'s, T> {
    /// The verified header (`alg`, `kid`, `typ`).
    pub fn header(&self) -> &Header<'s> {
        &self.header
    }

    /// The registered claims, parsed and validated by the library.
    pub fn registered(&self) -> &RegisteredClaims<'s> {
        &self.registered
    }

    /// The application's claims.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The application's claims, by value.
    pub fn into_claims(self) -> T {
        self.claims
    }
}

/// What the pipeline hands back: a token whose signature verified and whose registered
/// claims were validated. Everything borrows the caller's scratch buffer.
pub struct VerifiedToken<'s> {
    header: Header<'s>,
    registered: RegisteredClaims<'s>,
    payload: &'s [u8],
    payload_start: usize,
    /// The scratch left behind the payload (for unescaping strings while deserializing).
    rest: &'s mut [u8],
}

impl<'s> VerifiedToken<'s> {
    /// The verified header (`alg`, `kid`, `typ`).
    pub fn header(&self) -> &Header<'s> {
        &self.header
    }

    /// The registered claims, parsed and validated.
    pub fn registered(&self) -> &RegisteredClaims<'s> {
        &self.registered
    }

    /// The verified payload: the claims JSON object, decoded.
    pub fn payload(&self) -> &'s [u8] {
        self.payload
    }

    /// Where the payload lies in the scratch buffer given to [`verify_token`] (byte offsets).
    pub fn payload_range(&self) -> Range<usize> {
        self.payload_start..self.payload_start.saturating_add(self.payload.len())
    }

    /// The header, the registered claims and the payload.
    #[inline(always)]
    pub fn into_parts(self) -> (Header<'s>, RegisteredClaims<'s>, &'s [u8]) {
        (self.header, self.registered, self.payload)
    }

    /// Deserializes the application's claims `T` from the payload.
    ///
    /// Strings with escapes are decoded into the scratch left behind the payload, so owned
    /// string fields (e.g. `heapless::String`) get the real text; a borrowed `&str` field
    /// can only hold a string without escapes and fails with
    /// [`Error::ClaimsDeserialization`] otherwise — never the escaped text.
    ///
    /// # Errors
    /// [`Error::ClaimsDeserialization`].
    #[inline(never)]
    pub fn deserialize<T: Deserialize<'s>>(self) -> Result<Verified<'s, T>, Error> {
        let (claims, _) = serde_json_core::from_slice_escaped::<T>(self.payload, self.rest)
            .map_err(|_| Error::ClaimsDeserialization)?;
        Ok(Verified { header: self.header, registered: self.registered, claims })
    }
}

impl fmt::Debug for VerifiedToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("header", &self.header)
            .field("registered", &self.registered)
            .field("payload_range", &self.payload_range())
            .finish_non_exhaustive()
    }
}

/// The three segments of a compact token, split strictly.
struct Segments<'t> {
    header: &'t [u8],
    payload: &'t [u8],
    signature: &'t [u8],
    signing_input: &'t [u8],
}

/// The index of the first `.` in `bytes` at or after `from`, eight bytes at a time.
fn find_dot(bytes: &[u8], from: usize) -> Option<usize> {
    const DOTS: u64 = u64::from_le_bytes([b'.'; 8]);
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut rest = bytes.get(from..)?;
    let mut pos = from;
    while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
        let x = u64::from_le_bytes(*chunk) ^ DOTS;
        // Flags the zero bytes of `x` (the dots); the lowest flag is always exact.
        let found = x.wrapping_sub(LOW) & !x & HIGH;
        if found != 0 {
            return pos.checked_add((found.trailing_zeros() / 8) as usize);
        }
        pos = pos.checked_add(8)?;
        rest = tail;
    }
    rest.iter().position(|&b| b == b'.').and_then(|i| i.checked_add(pos))
}

fn split(token: &[u8], max_len: usize) -> Result<Segments<'_>, Error> {
    if token.len() > max_len {
        return Err(Error::TooLong);
    }
    // RFC 7515 §7.1: exactly three segments separated by two periods.
    let dot = |from: usize| find_dot(token, from);
    let first = dot(0).ok_or(Error::Malformed)?;
    let second = dot(first.saturating_add(1)).ok_or(Error::Malformed)?;
    if dot(second.saturating_add(1)).is_some() {
        return Err(Error::Malformed);
    }
    let header = token.get(..first).ok_or(Error::Malformed)?;
    let payload = token.get(first.saturating_add(1)..second).ok_or(Error::Malformed)?;
    let signature = token.get(second.saturating_add(1)..).ok_or(Error::Malformed)?;
    let signing_input = token.get(..second).ok_or(Error::Malformed)?;
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(Error::Malformed);
    }
    if header.len() > MAX_HEADER_B64_LEN {
        return Err(Error::TooLong);
    }
    Ok(Segments { header, payload, signature, signing_input })
}

/// Decodes a token's header without verifying anything, to choose a key by `kid`.
///
/// **Unverified**: never trust what it returns beyond selecting among your own keys.
///
/// # Errors
/// As for [`verify`]'s parsing steps.
pub fn decode_header<'s>(token: &[u8], scratch: &'s mut [u8]) -> Result<Header<'s>, Error> {
    let seg = split(token, usize::MAX)?;
    let decoded = base64url::decode(seg.header, scratch)?;
    Header::parse(decoded)
}

/// **The** verify pipeline: verifies `token` with the key `keys` gives for its header and
/// validates it with `validation` at `clock`'s time.
///
/// Order: length limit; exactly three non-empty segments; canonical base64url; a strict
/// header (parsed once) that `validation` accepts; the key from `keys`, whose algorithm
/// must equal the header's `alg` (RFC 8725 §3.1); the signature over the signing input;
/// only then the payload, decoded and parsed once; the registered claims validated.
/// `scratch` needs [`verify_scratch_len`]`(token.len())` bytes at most; the size is checked
/// before anything is decoded into it ([`Error::BufferTooSmall`] with the exact need).
///
/// # Errors
/// Any parsing, key selection, signature or validation error.
///
/// Always inlined into its adapters (each is a distinct instantiation anyway): the
/// verified token is then built in the adapter's own frame instead of being copied out of
/// this one (~350 B less stack on a Cortex-M4).
#[inline(always)]
pub fn verify_token<'s, K, C>(
    token: &[u8],
    keys: &K,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<VerifiedToken<'s>, Error>
where
    K: KeySource + ?Sized,
    C: Clock + ?Sized,
{
    let seg = split(token, validation.token_len_limit())?;
    let header_len = base64url::decoded_len_max(seg.header.len());
    let payload_len = base64url::decoded_len_max(seg.payload.len());
    let needed = header_len.checked_add(payload_len).ok_or(Error::TooLong)?;
    // The signature is decoded into the scratch behind the payload (see `check_signature`):
    // count it up front so the size reported is exact and nothing is written first.
    let needed = needed.checked_add(base64url::decoded_len_max(seg.signature.len())).ok_or(Error::TooLong)?;
    if scratch.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let (header_buf, payload_buf) = scratch.split_at_mut_checked(header_len).ok_or(Error::Malformed)?;

    let header_json: &'s [u8] = base64url::decode(seg.header, header_buf)?;
    let header = Header::parse(header_json)?;
    validation.check_header(&header)?;
    if let Some(kid) = header.kid {
        if kid.unescaped_len() > MAX_KID_LEN {
            return Err(Error::InvalidKeyId);
        }
    }
    let mut built = K::Built::default();
    let key = keys.key_for(&header, &mut built)?;
    // RFC 8725 §3.1: the key decides the algorithm, never the token.
    if header.alg != key.algorithm() {
        return Err(Error::AlgorithmMismatch);
    }

    check_signature(key, &seg, payload_buf, payload_len, needed)?;

    let decoded_len = base64url::decode(seg.payload, payload_buf)?.len();
    let (payload, rest) = payload_buf.split_at_mut_checked(decoded_len).ok_or(Error::Malformed)?;
    let payload: &'s [u8] = payload;
    let registered = RegisteredClaims::parse(payload)?;
    validation.validate(&registered, clock)?;
    Ok(VerifiedToken { header, registered, payload, payload_start: header_len, rest })
}

/// Decodes the signature segment and verifies it with `key` over the signing input.
///
/// The signature must be exactly as long as the key's (RFC 8017 §8.2.2 step 1 / §8.1.2 step 1
/// for RSA; the fixed lengths of HS*, ES256 and EdDSA), and is decoded into the scratch
/// buffer behind the payload's `payload_len` bytes rather than into a stack buffer: 64 bytes
/// less stack on every verify, and RSA's up to 512 bytes cost no stack at all. `needed`
/// counted it before anything was written; [`verify_scratch_len`] covers it.
fn check_signature(
    key: KeyRef<'_>,
    seg: &Segments<'_>,
    payload_buf: &mut [u8],
    payload_len: usize,
    needed: usize,
) -> Result<(), Error> {
    let sig_len = key.signature_len();
    if seg.signature.len() != b64_len(sig_len) {
        return Err(Error::InvalidSignature);
    }
    let end = payload_len.checked_add(sig_len).ok_or(Error::TooLong)?;
    let sig_buf = payload_buf.get_mut(payload_len..end).ok_or(Error::BufferTooSmall { needed })?;
    let signature = base64url::decode(seg.signature, sig_buf).map_err(|_| Error::InvalidSignature)?;
    key.verify_raw(seg.signing_input, signature)
}

/// Verifies `token` with `key` and validates it with `validation` at `clock`'s time, then
/// deserializes the application's claims `T` (an adapter over [`verify_token`]).
///
/// `key` is any [`KeySource`]: a [`VerifyingKey`], a [`KeySet`] at a time
/// ([`KeySet::at`]), a JWK Set, an RSA key. `scratch` needs
/// [`verify_scratch_len`]`(token.len())` bytes at most, or [`verify_scratch_len_unescaped`]
/// when owned string claims may contain JSON escapes (escapes are decoded into the scratch
/// behind the payload; a borrowed `&str` field cannot hold an escaped string and fails with
/// [`Error::ClaimsDeserialization`]).
///
/// # Errors
/// Any parsing, signature or validation error; [`Error::BufferTooSmall`] for a short scratch.
pub fn verify<'s, T, C>(
    token: impl AsRef<[u8]>,
    key: &(impl KeySource + ?Sized),
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Verified<'s, T>, Error>
where
    T: Deserialize<'s>,
    C: Clock + ?Sized,
{
    verify_token(token.as_ref(), key, validation, clock, scratch)?.deserialize()
}

/// Like [`verify`], but `select` picks the key from the (still unverified) header, e.g. by
/// `kid` among the application's own keys (an adapter over [`verify_token`] with a
/// [`SelectKey`] source). The key's algorithm must equal the header's.
///
/// # Errors
/// As [`verify`], plus whatever `select` returns (e.g. [`Error::UnknownKey`]).
pub fn verify_selecting_key<'s, 'k, T, C, F>(
    token: impl AsRef<[u8]>,
    select: F,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Verified<'s, T>, Error>
where
    T: Deserialize<'s>,
    C: Clock + ?Sized,
    F: Fn(&Header<'_>) -> Result<&'k VerifyingKey, Error>,
{
    verify_token(token.as_ref(), &SelectKey::new(select), validation, clock, scratch)?.deserialize()
}

/// Verifies and validates `token` like [`verify`], returning only the header, the
/// registered claims and the verified payload JSON (no `serde` deserialization of
/// application claims); an adapter over [`verify_token`].
///
/// # Errors
/// As [`verify`].
pub fn verify_registered<'s, C: Clock + ?Sized>(
    token: impl AsRef<[u8]>,
    key: &(impl KeySource + ?Sized),
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<(Header<'s>, RegisteredClaims<'s>, &'s [u8]), Error> {
    verify_token(token.as_ref(), key, validation, clock, scratch).map(VerifiedToken::into_parts)
}

#[cfg(test)]
mod find_dot_tests {
    use super::find_dot;

    #[test]
    fn agrees_with_a_plain_scan() {
        // Dots at every position of 0..40-byte inputs (and none), from every start, with
        // bytes that differ from '.' by one bit around them.
        for len in 0..40usize {
            for dot in (0..len).map(Some).chain([None]) {
                let mut bytes = [0u8; 40];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = if i % 2 == 0 { b'.' ^ 1 } else { b'.' ^ 0x80 };
                }
                if let Some(d) = dot {
                    bytes[d] = b'.';
                }
                let bytes = &bytes[..len];
                for from in 0..=len + 1 {
                    let want =
                        bytes.get(from..).and_then(|r| r.iter().position(|&b| b == b'.')).map(|i| i + from);
                    assert_eq!(find_dot(bytes, from), want, "len {len} dot {dot:?} from {from}");
                }
            }
        }
    }
}
