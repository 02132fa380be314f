//! JWK Set import and key selection: arbitrary documents into a `JwkSet` of capacity 4
//! (public or trusted), then an arbitrary token's header selects a key and the token is
//! verified with it.
//!
//! Input: byte 0 = flags (bit 0: trusted), bytes 1..3 = the token's length (little endian),
//! then the token, then the JWK Set document.
//!
//! Oracles: a document the strict reader accepts is valid JSON for serde_json, and every
//! element of its `keys` array is either kept or counted as skipped; a kept key exports to a
//! public JWK that loads back as one key with the same thumbprint; a selected key accepts the
//! header's `alg`; a token that verifies is one of the genuine fixture tokens (signatures
//! cannot be forged), and it verifies with the key built directly from its JWK too.
#![no_main]

use ciphertoken::jwk::{self, JwkSet, KeyType};
use ciphertoken::{Error, FixedClock, Validation};
use std::sync::OnceLock;

/// Before the fixtures' `exp` (2100-01-01).
const NOW: u64 = 1_700_000_000;
const CAPACITY: usize = 4;

fn genuine() -> &'static [String] {
    static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let tokens: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../tests/data/jwk/tokens.json")).expect("tokens.json");
        tokens.values().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [flags, l0, l1, rest @ ..] = data else { return };
    let token_len = usize::from(u16::from_le_bytes([*l0, *l1])).min(rest.len());
    let (token, json) = rest.split_at(token_len);
    let trusted = flags & 1 == 1;

    let mut set: JwkSet<'_, CAPACITY> = JwkSet::new();
    let loaded = if trusted { set.load_trusted(json) } else { set.load_public(json) };
    match loaded {
        Ok(()) => {
            let doc: serde_json::Value =
                serde_json::from_slice(json).expect("ciphertoken accepted a document serde_json refuses");
            let elements = doc.get("keys").and_then(|k| k.as_array()).expect("accepted without a keys array");
            assert_eq!(set.keys().len() + set.skipped().total(), elements.len(), "keys lost or invented");
            assert!(set.keys().len() <= CAPACITY);
            if set.keys().len() < CAPACITY {
                assert_eq!(set.skipped().over_capacity, 0);
            }
        }
        Err(_) => {
            assert!(set.keys().is_empty() && set.skipped().total() == 0, "a failed load left keys behind");
            return;
        }
    }

    // Every kept key with a usable algorithm exports and re-imports.
    for key in set.keys() {
        if key.key_type() == KeyType::Oct {
            continue;
        }
        let Some(alg) = [
            ciphertoken::Algorithm::RS256,
            ciphertoken::Algorithm::PS256,
            ciphertoken::Algorithm::ES256,
            ciphertoken::Algorithm::EdDSA,
        ]
        .into_iter()
        .find(|&a| key.accepts(a)) else {
            continue;
        };
        let Ok(vk) = key.verifying_key(alg) else { continue };
        let mut out = vec![0u8; jwk::MAX_PUBLIC_JWK_LEN];
        let text = jwk::write_public_jwk(&vk, &mut out).expect("a kept key does not export");
        let doc = format!("{{\"keys\":[{text}]}}");
        let again: JwkSet<'_, 1> =
            JwkSet::from_public(doc.as_bytes()).expect("an exported key does not load");
        assert_eq!(again.keys().len(), 1, "an exported key was skipped: {text}");
        let back = again.keys()[0].verifying_key(alg).expect("an exported key does not rebuild");
        assert_eq!(jwk::thumbprint(&vk), jwk::thumbprint(&back), "thumbprint changed through export");
    }

    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let Ok(header) = ciphertoken::hazmat::decode_header(token, &mut scratch) else { return };
    let alg = header.alg;
    match set.select(&header) {
        Ok(selected) => assert!(selected.accepts(alg), "selected a key that refuses {alg:?}"),
        Err(e) => assert!(matches!(e, Error::UnknownKey | Error::AlgorithmMismatch), "select: {e:?}"),
    }
    let validation = Validation::new();
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let verified = jwk::verify_registered_with_jwks(token, &set, &validation, &FixedClock(NOW), &mut scratch);
    if verified.is_ok() {
        assert!(
            genuine().iter().any(|g| g.as_bytes() == token),
            "a token that is not a genuine fixture verified"
        );
    }
});
