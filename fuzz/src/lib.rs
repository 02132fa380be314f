//! The fuzz harness shared by the targets in `fuzz_targets/`.
//!
//! Every target asserts more than "no panic": each result of ciphertoken is compared with an
//! independent model written here on top of other crates (serde_json for JSON, the `base64`
//! crate for base64url, `hmac`/`sha2` for HMAC, `p256` for ECDSA), so a token that ciphertoken
//! accepts but should refuse, or refuses but should accept, is a crash.
//!
//! The fixed keys are the RFC examples' keys (RFC 7515 A.1 and A.3, RFC 8037 A.4), so the RFC
//! tokens in the seed corpora verify, and `NOW` lies before the RFC 7515 example's `exp`.

pub mod model;
pub mod verify;

use ciphertoken::SigningKey;

/// The fuzzers' "now": 2011-03-22T18:36:40Z, 380 s before the RFC 7515 example's `exp`.
pub const NOW: u64 = 1_300_819_000;

/// Decodes unpadded base64url with the `base64` crate (independent of ciphertoken).
pub fn b64d(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()
}

/// Encodes unpadded base64url with the `base64` crate.
pub fn b64e(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn key_bytes(b64: &str) -> Vec<u8> {
    b64d(b64).unwrap_or_default()
}

/// RFC 7515 A.1's HS256 key (64 octets).
pub fn hs256_secret() -> Vec<u8> {
    key_bytes("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
}

/// RFC 7515 A.3's P-256 private scalar.
pub fn es256_scalar() -> Vec<u8> {
    key_bytes("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")
}

/// RFC 8037 A.1's Ed25519 seed.
pub fn ed25519_seed() -> Vec<u8> {
    key_bytes("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
}

/// The fixed signing key of a verify target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixed {
    /// RFC 7515 A.1.
    Hs256 = 0,
    /// RFC 7515 A.3.
    Es256,
    /// RFC 8037 A.4.
    EdDSA,
}

impl Fixed {
    /// The signing key (the harness cannot work without it: a failure here is a bug).
    pub fn signing_key(self) -> SigningKey {
        let key = match self {
            Fixed::Hs256 => SigningKey::hs256(&hs256_secret()),
            Fixed::Es256 => SigningKey::es256(&es256_scalar()),
            Fixed::EdDSA => SigningKey::ed25519(&ed25519_seed()),
        };
        match key {
            Ok(k) => k,
            Err(e) => panic!("fixed key {self:?} refused: {e:?}"),
        }
    }
}
