//! Keys. A key fixes its algorithm: the header's `alg` must equal it (RFC 8725 §3.1).
//!
//! Private material is zeroized on drop (by the primitives' own `Drop`, with their `zeroize`
//! features on) and `Debug` never prints key bytes.

// Without a signing algorithm no `SigningKey` can exist: its code is dead by construction.
#![cfg_attr(
    not(any(feature = "hs", feature = "es256", feature = "eddsa")),
    allow(unused_variables, unreachable_code, dead_code)
)]

#[cfg(feature = "rsa")]
use crate::keys::rsa::RsaVerifyingKey;
use crate::{Algorithm, Error};
use core::fmt;

/// The longest `kid` accepted, in bytes.
pub const MAX_KID_LEN: usize = 64;

/// A key id (`kid`, RFC 7515 §4.1.4): up to [`MAX_KID_LEN`] bytes of UTF-8 without control
/// characters. It only ever selects among keys the application supplied.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct KeyId(heapless::String<MAX_KID_LEN>);

impl KeyId {
    /// A validated key id.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`] if `kid` is empty, longer than [`MAX_KID_LEN`] bytes or
    /// contains a control character.
    ///
    /// ```
    /// assert!(ciphertoken::KeyId::new("2026-11").is_ok());
    /// assert!(ciphertoken::KeyId::new("a\u{0}b").is_err());
    /// ```
    pub fn new(kid: &str) -> Result<KeyId, Error> {
        if kid.is_empty() || kid.chars().any(char::is_control) {
            return Err(Error::InvalidKeyId);
        }
        let mut s = heapless::String::new();
        s.push_str(kid).map_err(|_| Error::InvalidKeyId)?;
        Ok(KeyId(s))
    }

    /// The key id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

/// The smallest HMAC secret accepted for `alg`: the hash output size (RFC 7518 §3.2).
pub const fn min_hmac_secret_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    }
}

#[cfg(feature = "hs")]
use crate::crypto::hmac::HmacKey;

#[derive(Clone)]
// With `eddsa-dalek` an Ed25519 key keeps ed25519-dalek's expanded key (~200 bytes inline).
#[cfg_attr(feature = "eddsa-dalek", allow(clippy::large_enum_variant))]
enum Secret {
    #[cfg(feature = "hs")]
    Hmac(HmacKey),
    #[cfg(feature = "es256")]
    Es256(crate::crypto::es256::SecretKey),
    #[cfg(feature = "eddsa")]
    EdDSA(crate::crypto::ed25519::KeyPair),
    /// No signing algorithm compiled in: no secret can exist (keeps the matches exhaustive).
    #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
    None(core::convert::Infallible),
}

// RSA keys are their own type (`RsaVerifyingKey`, keys/rsa.rs): a `VerifyingKey` is the
// same size whatever features are on, so C objects and firmware stacks that hold one stay
// small.
#[derive(Clone)]
enum Public {
    #[cfg(feature = "hs")]
    Hmac(HmacKey),
    #[cfg(feature = "es256")]
    Es256(crate::crypto::es256::PublicKey),
    #[cfg(feature = "eddsa")]
    EdDSA(crate::crypto::ed25519::PublicKey),
    /// No algorithm compiled in: no key can exist (keeps the matches exhaustive).
    #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
    None(core::convert::Infallible),
}

/// Always inlined (as [`HmacKey::new`]): a constant `alg` links only its own hash.
#[cfg(feature = "hs")]
#[inline(always)]
fn hmac_secret(alg: Algorithm, secret: &[u8], allow_short: bool) -> Result<Public, Error> {
    if secret.is_empty() || (!allow_short && secret.len() < min_hmac_secret_len(alg)) {
        return Err(Error::KeyTooShort);
    }
    if !alg.is_hmac() {
        return Err(Error::UnsupportedAlgorithm);
    }
    HmacKey::new(alg, secret).map(Public::Hmac)
}

/// A key that signs tokens. It fixes the algorithm and optionally carries a `kid`.
///
/// ```
/// # #[cfg(feature = "hs")] {
/// use ciphertoken::SigningKey;
/// let key = SigningKey::hs256(b"an example secret of at least 32 bytes!")?.with_kid("k1")?;
/// assert_eq!(key.algorithm(), ciphertoken::Algorithm::HS256);
/// assert!(SigningKey::hs256(b"short").is_err());
/// // Debug never prints key material.
/// assert!(!format!("{key:?}").contains("secret"));
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    secret: Secret,
    kid: Option<KeyId>,
}

impl SigningKey {
    /// An HS256 key. Secrets shorter than 32 bytes are refused (RFC 7518 §3.2).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs256(secret: &[u8]) -> Result<SigningKey, Error> {
        SigningKey::hmac(Algorithm::HS256, secret)
    }

    /// An HS384 key. Secrets shorter than 48 bytes are refused.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs384(secret: &[u8]) -> Result<SigningKey, Error> {
        SigningKey::hmac(Algorithm::HS384, secret)
    }

    /// An HS512 key. Secrets shorter than 64 bytes are refused.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs512(secret: &[u8]) -> Result<SigningKey, Error> {
        SigningKey::hmac(Algorithm::HS512, secret)
    }

    /// An HMAC key for `alg` (one of the `HS*` algorithms), refusing short secrets.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`], or [`Error::UnsupportedAlgorithm`] when `alg` is not HMAC.
    #[cfg(feature = "hs")]
    #[inline(always)]
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<SigningKey, Error> {
        Ok(SigningKey { secret: Public::into_secret(hmac_secret(alg, secret, false)?)?, kid: None })
    }

    /// An HMAC key that accepts a secret shorter than the hash output.
    ///
    /// **Insecure**: only for interoperating with legacy systems whose secrets cannot change.
    /// An empty secret is still refused.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for an empty secret, [`Error::UnsupportedAlgorithm`].
    #[cfg(feature = "hs")]
    pub fn hmac_allowing_short_secret(alg: Algorithm, secret: &[u8]) -> Result<SigningKey, Error> {
        Ok(SigningKey { secret: Public::into_secret(hmac_secret(alg, secret, true)?)?, kid: None })
    }

    /// An ES256 key from a 32-byte big-endian P-256 private scalar.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless `scalar` is 32 bytes encoding a value in `[1, n-1]`.
    #[cfg(feature = "es256")]
    pub fn es256(scalar: &[u8]) -> Result<SigningKey, Error> {
        let key = crate::crypto::es256::secret(scalar)?;
        Ok(SigningKey { secret: Secret::Es256(key), kid: None })
    }

    /// An Ed25519 key from a 32-byte seed (RFC 8032 §5.1.5).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless `seed` is 32 bytes.
    #[cfg(feature = "eddsa")]
    pub fn ed25519(seed: &[u8]) -> Result<SigningKey, Error> {
        Ok(SigningKey { secret: Secret::EdDSA(crate::crypto::ed25519::KeyPair::from_seed(seed)?), kid: None })
    }

    /// The same key with a `kid`, which signing puts into the header.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`] (see [`KeyId::new`]).
    pub fn with_kid(mut self, kid: &str) -> Result<SigningKey, Error> {
        self.kid = Some(KeyId::new(kid)?);
        Ok(self)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match &self.secret {
            #[cfg(feature = "hs")]
            Secret::Hmac(k) => k.algorithm(),
            #[cfg(feature = "es256")]
            Secret::Es256(_) => Algorithm::ES256,
            #[cfg(feature = "eddsa")]
            Secret::EdDSA(_) => Algorithm::EdDSA,
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Secret::None(never) => match *never {},
        }
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(KeyId::as_str)
    }

    /// The key that verifies this key's tokens (for HMAC, the same secret), with the same `kid`.
    pub fn verifying_key(&self) -> VerifyingKey {
        let public = match &self.secret {
            #[cfg(feature = "hs")]
            Secret::Hmac(k) => Public::Hmac(k.clone()),
            #[cfg(feature = "es256")]
            Secret::Es256(k) => Public::Es256(crate::crypto::es256::public_of(k)),
            #[cfg(feature = "eddsa")]
            Secret::EdDSA(k) => Public::EdDSA(k.pk),
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Secret::None(never) => match *never {},
        };
        VerifyingKey { public, kid: self.kid.clone() }
    }

    /// Signs `message` (the JWS signing input) into `out`, returning the signature length.
    ///
    /// Deterministic: RFC 6979 nonces for ES256, RFC 8032 for Ed25519; no RNG needed.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than [`Algorithm::signature_len`].
    pub(crate) fn sign_raw(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let needed = self.algorithm().signature_len();
        let out = out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
        match &self.secret {
            #[cfg(feature = "hs")]
            Secret::Hmac(k) => k.sign(message, out),
            #[cfg(feature = "es256")]
            Secret::Es256(k) => crate::crypto::es256::sign(k, message, out).map(|()| needed),
            #[cfg(feature = "eddsa")]
            Secret::EdDSA(k) => {
                crate::copy_bytes(out, &k.sign(message));
                Ok(needed)
            }
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Secret::None(never) => match *never {},
        }
    }
}

impl SigningKey {
    /// Verifies `signature` over `message` with this key's public half (for HMAC, the
    /// prepared secret itself), without copying it out: what a verifier holding the signing
    /// key (a C `ct_key` made from a private key) uses.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`].
    ///
    /// Out of line: a verifier that only ever holds `VerifyingKey`s must not carry this
    /// branch's frame in the pipeline's.
    #[inline(never)]
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != self.algorithm().signature_len() {
            return Err(Error::InvalidSignature);
        }
        let _ = (&message, &signature);
        match &self.secret {
            #[cfg(feature = "hs")]
            Secret::Hmac(k) => k.verify(message, signature),
            // The backend's public key of this secret: declassified (`crate::ct`), as it is
            // public, so that verifying with it branches on public data only (the Cortex-M4
            // backend keeps it beside the scalar; the others re-encode it from `p256`'s copy).
            #[cfg(feature = "es256")]
            Secret::Es256(k) => {
                crate::crypto::es256::verify(&crate::crypto::es256::public_of(k), message, signature)
            }
            #[cfg(feature = "eddsa")]
            Secret::EdDSA(k) => k.pk.verify(message, signature),
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Secret::None(never) => match *never {},
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Public {
    #[cfg(feature = "hs")]
    fn into_secret(self) -> Result<Secret, Error> {
        match self {
            Public::Hmac(k) => Ok(Secret::Hmac(k)),
            #[allow(unreachable_patterns)]
            _ => Err(Error::InvalidKey),
        }
    }
}

/// A key that verifies tokens. It fixes the algorithm; for HMAC it is the shared secret.
///
/// ```
/// # #[cfg(feature = "eddsa")] {
/// use ciphertoken::{Algorithm, VerifyingKey};
/// // RFC 8037 A.2's public key.
/// let x = [0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
///          0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
///          0xf7, 0x07, 0x51, 0x1a];
/// let vk = VerifyingKey::ed25519(&x)?;
/// assert_eq!(vk.algorithm(), Algorithm::EdDSA);
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    public: Public,
    kid: Option<KeyId>,
}

impl VerifyingKey {
    /// An HS256 verification key (the shared secret, at least 32 bytes).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs256(secret: &[u8]) -> Result<VerifyingKey, Error> {
        VerifyingKey::hmac(Algorithm::HS256, secret)
    }

    /// An HS384 verification key (at least 48 bytes).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs384(secret: &[u8]) -> Result<VerifyingKey, Error> {
        VerifyingKey::hmac(Algorithm::HS384, secret)
    }

    /// An HS512 verification key (at least 64 bytes).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`].
    #[cfg(feature = "hs")]
    pub fn hs512(secret: &[u8]) -> Result<VerifyingKey, Error> {
        VerifyingKey::hmac(Algorithm::HS512, secret)
    }

    /// An HMAC verification key for `alg`, refusing short secrets.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`], [`Error::UnsupportedAlgorithm`].
    #[cfg(feature = "hs")]
    #[inline(always)]
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<VerifyingKey, Error> {
        Ok(VerifyingKey { public: hmac_secret(alg, secret, false)?, kid: None })
    }

    /// An HMAC verification key that accepts a short secret. **Insecure**; see
    /// [`SigningKey::hmac_allowing_short_secret`].
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for an empty secret, [`Error::UnsupportedAlgorithm`].
    #[cfg(feature = "hs")]
    pub fn hmac_allowing_short_secret(alg: Algorithm, secret: &[u8]) -> Result<VerifyingKey, Error> {
        Ok(VerifyingKey { public: hmac_secret(alg, secret, true)?, kid: None })
    }

    /// An ES256 key from a SEC1 public point: 65 bytes uncompressed or 33 compressed.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the point is malformed, not on the curve, or the identity.
    #[cfg(feature = "es256")]
    pub fn es256_sec1(sec1: &[u8]) -> Result<VerifyingKey, Error> {
        let key = crate::crypto::es256::public(sec1)?;
        Ok(VerifyingKey { public: Public::Es256(key), kid: None })
    }

    /// An Ed25519 key from its 32-byte encoding (RFC 8032 §5.1.5).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the encoding is not canonical, not a point, or a point of
    /// small order.
    #[cfg(feature = "eddsa")]
    pub fn ed25519(public_key: &[u8]) -> Result<VerifyingKey, Error> {
        Ok(VerifyingKey {
            public: Public::EdDSA(crate::crypto::ed25519::PublicKey::new(public_key)?),
            kid: None,
        })
    }

    /// The length in bytes of this key's signatures ([`Algorithm::signature_len`]).
    pub fn signature_len(&self) -> usize {
        self.algorithm().signature_len()
    }

    /// The same key with a `kid`.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`].
    pub fn with_kid(mut self, kid: &str) -> Result<VerifyingKey, Error> {
        self.set_kid(kid)?;
        Ok(self)
    }

    /// [`VerifyingKey::with_kid`] in place.
    pub(crate) fn set_kid(&mut self, kid: &str) -> Result<(), Error> {
        self.kid = Some(KeyId::new(kid)?);
        Ok(())
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match &self.public {
            #[cfg(feature = "hs")]
            Public::Hmac(k) => k.algorithm(),
            #[cfg(feature = "es256")]
            Public::Es256(_) => Algorithm::ES256,
            #[cfg(feature = "eddsa")]
            Public::EdDSA(_) => Algorithm::EdDSA,
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Public::None(never) => match *never {},
        }
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(KeyId::as_str)
    }

    /// The public key's bytes: SEC1 uncompressed (65 bytes) for ES256, 32 bytes for Ed25519.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for HMAC keys (a secret is not public), [`Error::BufferTooSmall`].
    pub fn public_key_bytes(&self, out: &mut [u8]) -> Result<usize, Error> {
        let _ = &out;
        match &self.public {
            #[cfg(feature = "es256")]
            Public::Es256(k) => {
                let bytes = crate::crypto::es256::encode(k);
                let needed = bytes.len();
                crate::copy_bytes(out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?, &bytes);
                Ok(needed)
            }
            #[cfg(feature = "eddsa")]
            Public::EdDSA(k) => {
                let needed = k.len();
                crate::copy_bytes(out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?, &k[..]);
                Ok(needed)
            }
            #[allow(unreachable_patterns)]
            _ => Err(Error::InvalidKey),
        }
    }

    /// Verifies `signature` over `message` (the JWS signing input). Low level: it checks the
    /// signature only, no header or claims. MACs are compared in constant time; ES256
    /// signatures are raw `r‖s` with `0 < r, s < n`; Ed25519 rejects `S ≥ L` and small-order
    /// points.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`], and nothing more specific.
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != self.signature_len() {
            return Err(Error::InvalidSignature);
        }
        let _ = (&message, &signature);
        match &self.public {
            #[cfg(feature = "hs")]
            Public::Hmac(k) => k.verify(message, signature),
            #[cfg(feature = "es256")]
            Public::Es256(k) => crate::crypto::es256::verify(k, message, signature),
            #[cfg(feature = "eddsa")]
            Public::EdDSA(k) => k.verify(message, signature),
            #[cfg(not(any(feature = "hs", feature = "es256", feature = "eddsa")))]
            Public::None(never) => match *never {},
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A key lent to one verification: what a [`KeySource`](crate::KeySource) hands the verify
/// pipeline. Made from a `&VerifyingKey` (or, with `rsa`, a `&RsaVerifyingKey`) with `From`.
#[derive(Clone, Copy)]
pub struct KeyRef<'a>(KeyKind<'a>);

#[derive(Clone, Copy)]
enum KeyKind<'a> {
    Key(&'a VerifyingKey),
    /// A signing key's public half (for HMAC, the secret), lent in place.
    Signing(&'a SigningKey),
    #[cfg(feature = "rsa")]
    Rsa(&'a RsaVerifyingKey),
}

impl<'a> From<&'a VerifyingKey> for KeyRef<'a> {
    fn from(key: &'a VerifyingKey) -> Self {
        KeyRef(KeyKind::Key(key))
    }
}

impl<'a> From<&'a SigningKey> for KeyRef<'a> {
    fn from(key: &'a SigningKey) -> Self {
        KeyRef(KeyKind::Signing(key))
    }
}

#[cfg(feature = "rsa")]
impl<'a> From<&'a RsaVerifyingKey> for KeyRef<'a> {
    fn from(key: &'a RsaVerifyingKey) -> Self {
        KeyRef(KeyKind::Rsa(key))
    }
}

impl<'a> From<&'a AnyVerifyingKey> for KeyRef<'a> {
    fn from(key: &'a AnyVerifyingKey) -> Self {
        match key {
            AnyVerifyingKey::Key(k) => KeyRef::from(k),
            #[cfg(feature = "rsa")]
            AnyVerifyingKey::Rsa(k) => KeyRef::from(k),
        }
    }
}

impl<'a> KeyRef<'a> {
    /// The key as a [`VerifyingKey`], `None` for an RSA key or a lent signing key.
    pub fn as_verifying_key(&self) -> Option<&'a VerifyingKey> {
        match self.0 {
            KeyKind::Key(k) => Some(k),
            KeyKind::Signing(_) => None,
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(_) => None,
        }
    }

    /// The key as an [`RsaVerifyingKey`], `None` for other keys.
    #[cfg(feature = "rsa")]
    pub fn as_rsa(&self) -> Option<&'a RsaVerifyingKey> {
        match self.0 {
            KeyKind::Rsa(k) => Some(k),
            KeyKind::Key(_) | KeyKind::Signing(_) => None,
        }
    }
}

impl KeyRef<'_> {
    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.0 {
            KeyKind::Key(k) => k.algorithm(),
            KeyKind::Signing(k) => k.algorithm(),
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(k) => k.algorithm(),
        }
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        match self.0 {
            KeyKind::Key(k) => k.kid(),
            KeyKind::Signing(k) => k.kid(),
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(k) => k.kid(),
        }
    }

    /// The length in bytes of this key's signatures.
    pub fn signature_len(&self) -> usize {
        match self.0 {
            KeyKind::Key(k) => k.signature_len(),
            KeyKind::Signing(k) => k.algorithm().signature_len(),
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(k) => k.signature_len(),
        }
    }

    /// Verifies `signature` over `message` (see [`VerifyingKey`]'s raw verification).
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self.0 {
            KeyKind::Key(k) => k.verify_raw(message, signature),
            KeyKind::Signing(k) => k.verify_raw(message, signature),
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(k) => k.verify_raw(message, signature),
        }
    }
}

impl fmt::Debug for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            KeyKind::Key(k) => fmt::Debug::fmt(k, f),
            KeyKind::Signing(k) => fmt::Debug::fmt(k, f),
            #[cfg(feature = "rsa")]
            KeyKind::Rsa(k) => fmt::Debug::fmt(k, f),
        }
    }
}

/// Any verification key, owned: a [`VerifyingKey`] or (with `rsa`) an
/// [`RsaVerifyingKey`](crate::RsaVerifyingKey). What a JWK becomes
/// ([`Jwk::verifying_key`](crate::jwk::Jwk::verifying_key)); with `rsa` on it is as large as
/// an RSA key (~1 KiB), so keep [`VerifyingKey`] where the algorithm is known.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "rsa", allow(clippy::large_enum_variant))]
pub enum AnyVerifyingKey {
    /// HMAC, ES256 or EdDSA.
    Key(VerifyingKey),
    /// RS256..PS512.
    #[cfg(feature = "rsa")]
    Rsa(RsaVerifyingKey),
}

impl AnyVerifyingKey {
    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        KeyRef::from(self).algorithm()
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        match self {
            AnyVerifyingKey::Key(k) => k.kid(),
            #[cfg(feature = "rsa")]
            AnyVerifyingKey::Rsa(k) => k.kid(),
        }
    }

    /// The key as a [`VerifyingKey`], `None` for an RSA key.
    pub fn as_verifying_key(&self) -> Option<&VerifyingKey> {
        KeyRef::from(self).as_verifying_key()
    }

    /// The key as an [`RsaVerifyingKey`](crate::RsaVerifyingKey), `None` for other keys.
    #[cfg(feature = "rsa")]
    pub fn as_rsa(&self) -> Option<&RsaVerifyingKey> {
        KeyRef::from(self).as_rsa()
    }

    /// As [`VerifyingKey::public_key_bytes`]; [`Error::InvalidKey`] for RSA keys (see
    /// [`RsaVerifyingKey::public_key`](crate::RsaVerifyingKey::public_key)).
    ///
    /// # Errors
    /// [`Error::InvalidKey`], [`Error::BufferTooSmall`].
    pub fn public_key_bytes(&self, out: &mut [u8]) -> Result<usize, Error> {
        self.as_verifying_key().ok_or(Error::InvalidKey)?.public_key_bytes(out)
    }

    #[cfg(feature = "jwk")]
    pub(crate) fn set_kid(&mut self, kid: &str) -> Result<(), Error> {
        match self {
            AnyVerifyingKey::Key(k) => k.set_kid(kid),
            #[cfg(feature = "rsa")]
            AnyVerifyingKey::Rsa(k) => k.set_kid(kid),
        }
    }
}

impl From<VerifyingKey> for AnyVerifyingKey {
    fn from(key: VerifyingKey) -> Self {
        AnyVerifyingKey::Key(key)
    }
}

#[cfg(feature = "rsa")]
impl From<RsaVerifyingKey> for AnyVerifyingKey {
    fn from(key: RsaVerifyingKey) -> Self {
        AnyVerifyingKey::Rsa(key)
    }
}
