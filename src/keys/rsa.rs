//! RSA verification keys (RS256..RS512, PS256..PS512; RFC 7518 §3.3, §3.5), a type of their
//! own: a prepared RSA key (modulus, Montgomery constants) is ~1 KiB, and keeping it out of
//! [`VerifyingKey`](crate::VerifyingKey) keeps every other key, and every stack and C object
//! that holds one, the same size whatever features are on.

use crate::crypto::rsa::{RsaKey, RsaPublicKey, VerifyFn};
use crate::keys::key::KeyId;
use crate::{Algorithm, Error};
use core::fmt;

/// An RSA public key bound to one algorithm, prepared once (modulus checked, Montgomery
/// constants computed) when made, never per token. Verify only. The key fixes the
/// algorithm: an RS256 key never verifies PS256 or anything else, and it is never an HMAC
/// secret.
#[derive(Clone)]
pub struct RsaVerifyingKey {
    key: RsaKey,
    kid: Option<KeyId>,
}

impl RsaVerifyingKey {
    /// An RSA key for `alg` (one of `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`)
    /// from the modulus `n` and public exponent `e`, big-endian unsigned (leading zero bytes
    /// ignored).
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] when `alg` is not an RSA algorithm; otherwise as
    /// [`RsaPublicKey::new`]: [`Error::KeyTooShort`] under 2048 bits, [`Error::InvalidKey`]
    /// over 4096 bits, an even modulus or a bad exponent.
    ///
    /// Inlined so that, when `alg` is a constant, only that algorithm's code is linked (an
    /// RS256-only device does not carry SHA-512).
    #[inline(always)]
    pub fn new(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<RsaVerifyingKey, Error> {
        // Only the choice of the algorithm's code is inlined; the key is prepared out of line
        // (the ~1 KiB key built once, not copied through the caller's frame).
        let verify = crate::crypto::rsa::verifier(alg).ok_or(Error::UnsupportedAlgorithm)?;
        RsaVerifyingKey::prepared(alg, verify, n, e)
    }

    #[inline(never)]
    fn prepared(alg: Algorithm, verify: VerifyFn, n: &[u8], e: &[u8]) -> Result<RsaVerifyingKey, Error> {
        let key = RsaPublicKey::new(n, e)?;
        Ok(RsaVerifyingKey { key: RsaKey::with_verifier(alg, key, verify), kid: None })
    }

    /// An RSA key for `alg` from an already prepared [`RsaPublicKey`].
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] when `alg` is not an RSA algorithm.
    #[inline(always)]
    pub fn from_public(alg: Algorithm, key: RsaPublicKey) -> Result<RsaVerifyingKey, Error> {
        Ok(RsaVerifyingKey { key: RsaKey::new(alg, key)?, kid: None })
    }

    /// The RSA public key (modulus and exponent).
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.key.key
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.key.alg
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(KeyId::as_str)
    }

    /// The same key with a `kid`.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`].
    pub fn with_kid(mut self, kid: &str) -> Result<RsaVerifyingKey, Error> {
        self.set_kid(kid)?;
        Ok(self)
    }

    /// [`RsaVerifyingKey::with_kid`] in place (no copy of a ~1 KiB key).
    pub(crate) fn set_kid(&mut self, kid: &str) -> Result<(), Error> {
        self.kid = Some(KeyId::new(kid)?);
        Ok(())
    }

    /// The length in bytes of this key's signatures: the modulus length.
    pub fn signature_len(&self) -> usize {
        self.key.key.modulus_len()
    }

    /// Verifies `signature` over `message` (the JWS signing input), signature only.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`].
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != self.signature_len() {
            return Err(Error::InvalidSignature);
        }
        self.key.verify(message, signature)
    }
}

impl fmt::Debug for RsaVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaVerifyingKey")
            .field("alg", &self.algorithm())
            .field("bits", &self.key.key.modulus_bits())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
