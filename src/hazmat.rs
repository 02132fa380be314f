//! Low-level pieces for those who need them: the base64url codecs (table-driven for public
//! data, constant-time for secrets), the strict JSON reader,
//! reading a header before verification, and raw signatures over arbitrary bytes.
//!
//! Nothing here validates a token. Use [`crate::sign`] and [`crate::verify`] unless you are
//! building a protocol of your own on top of these.

pub use crate::codec::{base64ct, base64url, json};
pub use crate::jwt::verify::decode_header;

use crate::{Error, SigningKey, VerifyingKey};

/// Signatures over arbitrary bytes with a [`SigningKey`]: no header, no claims.
///
/// ```
/// # #[cfg(feature = "eddsa")] {
/// use ciphertoken::hazmat::{RawSigner, RawVerifier};
/// let key = ciphertoken::SigningKey::ed25519(&[7u8; 32])?;
/// let mut sig = [0u8; 64];
/// let n = key.sign_raw(b"header.payload", &mut sig)?;
/// key.verifying_key().verify_raw(b"header.payload", &sig[..n])?;
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub trait RawSigner {
    /// Signs `message` (for a JWS, the signing input) into `out`, returning the signature
    /// length. Deterministic: RFC 6979 nonces for ES256, RFC 8032 for Ed25519; no RNG needed.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than the algorithm's signature.
    fn sign_raw(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error>;
}

/// Signature checks over arbitrary bytes with a [`VerifyingKey`]: no header, no claims.
pub trait RawVerifier {
    /// Verifies `signature` over `message`. MACs are compared in constant time; ES256
    /// signatures are raw `r‖s` with `0 < r, s < n`; Ed25519 rejects `S ≥ L` and small-order
    /// points.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`], and nothing more specific.
    fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error>;
}

impl RawSigner for SigningKey {
    fn sign_raw(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        SigningKey::sign_raw(self, message, out)
    }
}

impl RawVerifier for VerifyingKey {
    fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        VerifyingKey::verify_raw(self, message, signature)
    }
}

#[cfg(feature = "rsa")]
impl RawVerifier for crate::RsaVerifyingKey {
    fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        crate::RsaVerifyingKey::verify_raw(self, message, signature)
    }
}

impl RawVerifier for crate::AnyVerifyingKey {
    fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        crate::KeyRef::from(self).verify_raw(message, signature)
    }
}
