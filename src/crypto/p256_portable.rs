//! The portable ES256 backend: RustCrypto `p256` (the reference for the other backends).
//! With `es256-tables`, signing multiplies the base point with a precomputed table
//! ([`super::super::p256_sign`]); same signatures.

use super::Backend;
use crate::Error;

/// RustCrypto `p256`.
pub(crate) struct Es256;

impl Backend for Es256 {
    type Secret = p256::ecdsa::SigningKey;
    type Public = p256::ecdsa::VerifyingKey;

    fn secret(scalar: &[u8; 32]) -> Result<Self::Secret, Error> {
        p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| Error::InvalidKey)
    }

    fn public_of(secret: &Self::Secret) -> Self::Public {
        *secret.verifying_key()
    }

    fn public(sec1: &[u8]) -> Result<Self::Public, Error> {
        // SEC 1 §2.3.4: only the uncompressed (04) and compressed (02, 03) forms.
        match (sec1.first(), sec1.len()) {
            (Some(4), 65) | (Some(2 | 3), 33) => {}
            _ => return Err(Error::InvalidKey),
        }
        p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(|_| Error::InvalidKey)
    }

    fn encode(public: &Self::Public) -> [u8; 65] {
        let point = public.to_encoded_point(false);
        let mut out = [0u8; 65];
        crate::copy_bytes(&mut out, point.as_bytes());
        out
    }

    fn sign(secret: &Self::Secret, message: &[u8], out: &mut [u8; 64]) -> Result<(), Error> {
        #[cfg(feature = "es256-tables")]
        {
            crate::crypto::p256_sign::sign(secret.as_nonzero_scalar(), message, out)
        }
        #[cfg(not(feature = "es256-tables"))]
        {
            use p256::ecdsa::signature::Signer;
            let sig: p256::ecdsa::Signature = secret.try_sign(message).map_err(|_| Error::InvalidKey)?;
            *out = sig.to_bytes().into();
            Ok(())
        }
    }

    fn verify(public: &Self::Public, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
        use p256::ecdsa::signature::Verifier;
        let sig = p256::ecdsa::Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
        public.verify(message, &sig).map_err(|_| Error::InvalidSignature)
    }
}
