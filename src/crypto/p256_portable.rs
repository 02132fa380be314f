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
        signing_key(scalar)
    }

    fn public_of(secret: &Self::Secret) -> Self::Public {
        declassified_public(secret)
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

/// A `p256` signing key from a 32-byte scalar, with the range check (1 <= d < n) in constant
/// time and only its answer declassified (`p256`'s own `from_slice` branches inside on the
/// secret-derived check). Shared by the portable and host backends.
pub(crate) fn signing_key(scalar: &[u8; 32]) -> Result<p256::ecdsa::SigningKey, Error> {
    let candidate = p256::NonZeroScalar::from_repr(p256::FieldBytes::from(*scalar));
    if !crate::ct::declassify_choice(candidate.is_some()) {
        return Err(Error::InvalidKey);
    }
    // A public fallback for the constant-time select (never taken: the check passed).
    let one = Option::<p256::NonZeroScalar>::from(p256::NonZeroScalar::new(p256::Scalar::ONE))
        .ok_or(Error::InvalidKey)?;
    Ok(p256::ecdsa::SigningKey::from(candidate.unwrap_or(one)))
}

/// The public key of an ES256 signing key, declassified: it is computed from the secret
/// scalar (constant time), but public by design. Encoded compressed with constant-time
/// accessors (`x`, the parity of `y`), declassified (`crate::ct`), then decoded: after this,
/// the variable-time encoding and comparisons of public points see public data only.
pub(crate) fn declassified_public(k: &p256::ecdsa::SigningKey) -> p256::ecdsa::VerifyingKey {
    use p256::elliptic_curve::point::AffineCoordinates;
    let point = k.verifying_key().as_affine();
    let mut sec1 = [0u8; 33];
    // SEC 1 §2.3.3: 0x02 | (y mod 2), then x.
    let (tag, x) = sec1.split_at_mut(1);
    if let Some(t) = tag.first_mut() {
        *t = 0x02 | point.y_is_odd().unwrap_u8();
    }
    crate::copy_bytes(x, &point.x());
    let public = crate::ct::declassify_bytes(&sec1);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&public).unwrap_or(*k.verifying_key())
}
