//! Helpers shared by the integration tests: test-vector files, an independent base64url
//! codec (the `base64` crate, so vectors are not decoded by the code under test), keys for
//! every algorithm, and a way to sign arbitrary header/payload text.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciphertoken::hazmat::RawSigner;
use ciphertoken::{Algorithm, Error, FixedClock, SigningKey, Validation};

/// A fixed "now" for tests: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000;

/// A test vector file (`name = value` lines, see `tests/data/rfc7515_a1_hs256.txt`).
pub struct Vector {
    entries: Vec<(String, String)>,
}

impl Vector {
    pub fn parse(text: &str) -> Vector {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) = line
                .split_once(" = ")
                .unwrap_or_else(|| panic!("line {}: expected `name = value`: {line:?}", n + 1));
            let value = if value.starts_with('"') {
                serde_json::from_str::<String>(value)
                    .unwrap_or_else(|e| panic!("line {}: bad JSON string literal: {e}", n + 1))
            } else {
                value.to_string()
            };
            assert!(!entries.iter().any(|(k, _): &(String, String)| k == name), "duplicate entry {name}");
            entries.push((name.to_string(), value));
        }
        Vector { entries }
    }

    pub fn get(&self, name: &str) -> &str {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("vector has no `{name}`"))
    }

    /// A base64url entry, decoded.
    pub fn bytes(&self, name: &str) -> Vec<u8> {
        b64d(self.get(name))
    }
}

/// Decodes unpadded base64url with the `base64` crate (independent of ciphertoken).
pub fn b64d(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap_or_else(|e| panic!("bad base64url {s:?}: {e}"))
}

/// Encodes unpadded base64url with the `base64` crate.
pub fn b64e(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Secret / seed material for each algorithm (deterministic, test-only).
pub fn key_material(alg: Algorithm) -> Vec<u8> {
    match alg {
        Algorithm::HS256 => (0u8..32).map(|i| i.wrapping_mul(7).wrapping_add(1)).collect(),
        Algorithm::HS384 => (0u8..48).map(|i| i.wrapping_mul(11).wrapping_add(3)).collect(),
        Algorithm::HS512 => (0u8..64).map(|i| i.wrapping_mul(13).wrapping_add(5)).collect(),
        // A valid P-256 scalar (far below n).
        Algorithm::ES256 => (0u8..32).map(|i| i.wrapping_mul(17).wrapping_add(9) & 0x7f).collect(),
        Algorithm::EdDSA => (0u8..32).map(|i| i.wrapping_mul(19).wrapping_add(2)).collect(),
        other => panic!("no key material for {other:?}"),
    }
}

/// A signing key for `alg` built from [`key_material`].
pub fn signing_key(alg: Algorithm) -> SigningKey {
    let m = key_material(alg);
    let key = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => SigningKey::hmac(alg, &m),
        Algorithm::ES256 => SigningKey::es256(&m),
        Algorithm::EdDSA => SigningKey::ed25519(&m),
        other => panic!("no key for {other:?}"),
    };
    key.unwrap_or_else(|e| panic!("key for {alg:?}: {e}"))
}

/// `header_b64.payload_b64` signed with `key` over exactly that text: lets a test put any
/// bytes (even invalid base64url or JSON) in the first two segments behind a valid
/// signature, so that the rule under test, not the signature, decides the outcome.
pub fn sign_segments(key: &SigningKey, header_b64: &str, payload_b64: &str) -> String {
    let signing_input = format!("{header_b64}.{payload_b64}");
    let mut sig = [0u8; ciphertoken::MAX_SIGNATURE_LEN];
    let n = key.sign_raw(signing_input.as_bytes(), &mut sig).expect("sign_raw");
    format!("{signing_input}.{}", b64e(&sig[..n]))
}

/// A token with this exact header and payload JSON text, validly signed by `key`.
pub fn forge(key: &SigningKey, header_json: &str, payload_json: &str) -> String {
    sign_segments(key, &b64e(header_json), &b64e(payload_json))
}

/// Verifies `token` with `key`'s verifying key, returning only the outcome.
pub fn check_with(token: &str, key: &SigningKey, v: &Validation<'_>, now: u64) -> Result<(), Error> {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    ciphertoken::verify_registered(token, &key.verifying_key(), v, &FixedClock(now), &mut scratch).map(|_| ())
}

/// Verifies `token` and returns its decoded payload (the verified claims JSON).
pub fn verified_payload(
    token: &str,
    key: &SigningKey,
    v: &Validation<'_>,
    now: u64,
) -> Result<Vec<u8>, Error> {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let (_header, _claims, payload) =
        ciphertoken::verify_registered(token, &key.verifying_key(), v, &FixedClock(now), &mut scratch)?;
    Ok(payload.to_vec())
}

/// The segments of a compact token.
pub fn segments(token: &str) -> (String, String, String) {
    let mut it = token.split('.');
    let (h, p, s) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    assert!(it.next().is_none());
    (h.to_string(), p.to_string(), s.to_string())
}

/// Every algorithm.
pub const ALGS: [Algorithm; 5] =
    [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512, Algorithm::ES256, Algorithm::EdDSA];
