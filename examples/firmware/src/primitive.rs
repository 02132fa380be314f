//! The primitives alone: the crypto crates ciphertoken uses, called directly, so the
//! library's own cost (base64url, JSON, validation) shows as the difference.

/// Signs and verifies raw bytes with one algorithm's primitive.
pub trait Primitive {
    /// Signs `message` into `out`, returning the signature's length (0 on failure).
    fn sign(&self, message: &[u8], out: &mut [u8; 64]) -> usize;
    /// Whether `signature` is valid for `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// HMAC-SHA-256 from the `hmac` crate (the core has its own HMAC over `sha2`'s compression
/// function, which keeps the keyed pad states; this one re-keys per call, as a caller of the
/// `hmac` crate would).
#[cfg(feature = "hs")]
pub struct Hs256<'k> {
    secret: &'k [u8],
}

#[cfg(feature = "hs")]
impl<'k> Hs256<'k> {
    pub fn new(secret: &'k [u8]) -> Self {
        Hs256 { secret }
    }
}

#[cfg(feature = "hs")]
impl Primitive for Hs256<'_> {
    fn sign(&self, message: &[u8], out: &mut [u8; 64]) -> usize {
        use hmac::Mac;
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.secret) else {
            return 0;
        };
        mac.update(message);
        let tag = mac.finalize().into_bytes();
        match out.get_mut(..tag.len()) {
            Some(dst) => {
                dst.copy_from_slice(&tag);
                tag.len()
            }
            None => 0,
        }
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use hmac::Mac;
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.secret) else {
            return false;
        };
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }
}

/// ECDSA P-256 with SHA-256 from `p256` (RFC 6979 nonces).
#[cfg(feature = "es256")]
pub struct Es256 {
    key: Option<p256::ecdsa::SigningKey>,
}

#[cfg(feature = "es256")]
impl Es256 {
    pub fn new(scalar: &[u8; 32]) -> Self {
        Es256 { key: p256::ecdsa::SigningKey::from_slice(scalar).ok() }
    }
}

#[cfg(feature = "es256")]
impl Primitive for Es256 {
    fn sign(&self, message: &[u8], out: &mut [u8; 64]) -> usize {
        use p256::ecdsa::signature::Signer;
        let Some(key) = &self.key else { return 0 };
        let Ok(sig) = key.try_sign(message) else { return 0 };
        let sig: p256::ecdsa::Signature = sig;
        out.copy_from_slice(&sig.to_bytes());
        64
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        let Some(key) = &self.key else { return false };
        let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else { return false };
        key.verifying_key().verify(message, &sig).is_ok()
    }
}

/// Ed25519 from `ed25519-compact` (`opt_size`).
#[cfg(feature = "eddsa")]
pub struct Ed25519 {
    pair: ed25519_compact::KeyPair,
}

#[cfg(feature = "eddsa")]
impl Ed25519 {
    pub fn new(seed: &[u8; 32]) -> Self {
        Ed25519 { pair: ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(*seed)) }
    }
}

#[cfg(feature = "eddsa")]
impl Primitive for Ed25519 {
    fn sign(&self, message: &[u8], out: &mut [u8; 64]) -> usize {
        out.copy_from_slice(&self.pair.sk.sign(message, None)[..]);
        64
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match ed25519_compact::Signature::from_slice(signature) {
            Ok(sig) => self.pair.pk.verify(message, &sig).is_ok(),
            Err(_) => false,
        }
    }
}
