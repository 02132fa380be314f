//! Wycheproof's JSON Web Signature vectors (`json_web_signature_test.json`) for the
//! algorithms ciphertoken implements, extracted into `tests/data/wycheproof_jws.json`.
//!
//! Their payloads ("foo", "Test", RFC 7520's text) are not JSON objects, so they are no JWTs:
//! each vector is checked at the JWS layer (three segments, canonical base64url, header,
//! `alg` fixed by the key, signature) and through `verify_registered`:
//! - a valid vector passes every JWS step, and `verify_registered` then refuses it only at
//!   the claims step, with exactly `InvalidJson` for the non-object payload;
//! - an invalid vector fails a JWS step, and `verify_registered` fails with that same error,
//!   before any claim is looked at.
//!
//! Four vectors of the "base64" group contradict RFC 7515 and are listed in [`DEVIATIONS`]
//! with the behaviour asserted instead.

use ciphertoken::hazmat::base64url;
use ciphertoken::hazmat::RawVerifier;
#[cfg(feature = "rsa")]
use ciphertoken::RsaVerifyingKey;
use ciphertoken::{
    Algorithm, AnyVerifyingKey, Error, FixedClock, RegisteredClaims, RequiredClaims, Validation, VerifyingKey,
};
use serde_json::Value;

mod common;
use common::b64d;

/// Vectors whose Wycheproof verdict ciphertoken does not follow, and why.
const DEVIATIONS: [(u64, Expect, &str); 4] = [
    (
        367,
        Expect::SameAs(357),
        "\"invalidBase64Padding\", but its text is byte for byte the valid tcId 357 (the padding \
         the comment refers to is not in the file): it is accepted like 357",
    ),
    (
        370,
        Expect::SameAs(357),
        "\"invalidBase64PaddingInPayload\", but its text is byte for byte tcId 357: accepted like 357",
    ),
    (
        372,
        Expect::Refused(Error::InvalidBase64),
        "'?' inserted in the header segment, marked valid for decoders that skip unknown \
         characters; RFC 7515 §2 / RFC 4648 §3.3 base64url has no '?', so it is refused",
    ),
    (
        373,
        Expect::Refused(Error::InvalidSignature),
        "'?' inserted in the payload segment, marked valid; the MAC covers the segments as \
         received (RFC 7515 §5.2 step 8), so the signature fails before the non-base64url \
         payload would be refused",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    SameAs(u64),
    Refused(Error),
}

fn b64(v: &Value, name: &str) -> Vec<u8> {
    b64d(v[name].as_str().unwrap_or_else(|| panic!("key has no {name}")))
}

/// The group's verification key, or `None` when this build lacks its algorithm.
fn key(jwk: &Value) -> Option<AnyVerifyingKey> {
    let alg = jwk["alg"].as_str().unwrap();
    let key = match (jwk["kty"].as_str().unwrap(), alg) {
        ("oct", "HS256") => VerifyingKey::hs256(&b64(jwk, "k")).map(AnyVerifyingKey::from),
        ("EC", "ES256") => {
            assert_eq!(jwk["crv"], "P-256");
            let sec1 = [&[4u8][..], &b64(jwk, "x"), &b64(jwk, "y")].concat();
            VerifyingKey::es256_sec1(&sec1).map(AnyVerifyingKey::from)
        }
        #[cfg(feature = "rsa")]
        ("RSA", "RS256") => {
            RsaVerifyingKey::new(Algorithm::RS256, &b64(jwk, "n"), &b64(jwk, "e")).map(AnyVerifyingKey::from)
        }
        #[cfg(not(feature = "rsa"))]
        ("RSA", _) => return None,
        other => panic!("unexpected key {other:?}"),
    };
    Some(key.unwrap_or_else(|e| panic!("key {jwk}: {e}")))
}

/// The JWS steps one by one with the public building blocks: split, header, `alg`,
/// signature, payload encoding. Returns the decoded payload.
fn jws_layer(token: &str, key: &AnyVerifyingKey) -> Result<Vec<u8>, Error> {
    let mut scratch = vec![0u8; token.len()];
    let header = ciphertoken::hazmat::decode_header(token.as_bytes(), &mut scratch)?;
    if header.alg != key.algorithm() {
        return Err(Error::AlgorithmMismatch);
    }
    let (signing_input, sig_b64) = token.rsplit_once('.').ok_or(Error::Malformed)?;
    let mut sig = vec![0u8; sig_b64.len()];
    let sig = base64url::decode(sig_b64.as_bytes(), &mut sig).map_err(|_| Error::InvalidSignature)?;
    key.verify_raw(signing_input.as_bytes(), sig)?;
    let payload_b64 = signing_input.split('.').nth(1).ok_or(Error::Malformed)?;
    let mut payload = vec![0u8; payload_b64.len()];
    Ok(base64url::decode(payload_b64.as_bytes(), &mut payload)?.to_vec())
}

fn verify(token: &str, key: &AnyVerifyingKey) -> Result<(), Error> {
    // No claim is required: the payload's shape alone must decide.
    let v = Validation::new().required(RequiredClaims::NONE);
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    ciphertoken::verify_registered(token, key, &v, &FixedClock(1_700_000_000), &mut scratch).map(|_| ())
}

fn assert_valid(tc: u64, token: &str, key: &AnyVerifyingKey) {
    let payload = jws_layer(token, key).unwrap_or_else(|e| panic!("tcId {tc}: JWS layer refused: {e:?}"));
    assert_eq!(RegisteredClaims::parse(&payload), Err(Error::InvalidJson), "tcId {tc}: payload");
    assert_eq!(verify(token, key), Err(Error::InvalidJson), "tcId {tc}: must fail at the claims step only");
}

#[test]
fn wycheproof_json_web_signature_vectors() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wycheproof_jws.json"))
            .expect("tests/data/wycheproof_jws.json");
    let data: Value = serde_json::from_str(&text).expect("valid JSON");
    let groups = data["testGroups"].as_array().unwrap();

    let mut tokens = std::collections::HashMap::new();
    for g in groups {
        for t in g["tests"].as_array().unwrap() {
            tokens.insert(t["tcId"].as_u64().unwrap(), t["jws"].as_str().unwrap().to_owned());
        }
    }

    let (mut valid, mut invalid, mut deviations, mut skipped) = (0, 0, 0, 0);
    for g in groups {
        let Some(key) = key(&g["key"]) else {
            skipped += g["tests"].as_array().unwrap().len();
            continue;
        };
        for t in g["tests"].as_array().unwrap() {
            let tc = t["tcId"].as_u64().unwrap();
            let token = t["jws"].as_str().unwrap();
            if let Some((_, expect, why)) = DEVIATIONS.iter().find(|(id, _, _)| *id == tc) {
                match *expect {
                    Expect::SameAs(other) => {
                        assert_eq!(token, tokens[&other], "tcId {tc}: {why}");
                        assert_valid(tc, token, &key);
                    }
                    Expect::Refused(e) => {
                        assert_eq!(jws_layer(token, &key).map(|_| ()), Err(e), "tcId {tc}: {why}");
                        assert_eq!(verify(token, &key), Err(e), "tcId {tc}: {why}");
                    }
                }
                deviations += 1;
                continue;
            }
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_valid(tc, token, &key);
                    valid += 1;
                }
                "invalid" => {
                    let step = jws_layer(token, &key).map(|_| ());
                    let e = step.expect_err(&format!("tcId {tc} ({}) passed the JWS layer", t["comment"]));
                    assert_eq!(verify(token, &key), Err(e), "tcId {tc}: verify must fail at the same step");
                    invalid += 1;
                }
                other => panic!("tcId {tc}: result {other}"),
            }
        }
    }
    println!(
        "wycheproof JWS: {valid} valid, {invalid} invalid, {deviations} documented deviations, {skipped} \
         skipped (RSA, without the rsa feature)"
    );
    assert_eq!(valid + invalid + deviations + skipped, 80);
    assert_eq!(deviations, DEVIATIONS.len());
    #[cfg(feature = "rsa")]
    assert_eq!(skipped, 0);
}

#[test]
fn wycheproof_jws_alg_confusion_vector_is_an_algorithm_mismatch() {
    // tcId 31: an HS256 token whose MAC key is the EC public key's bytes.
    let token =
        "eyJhbGciOiJIUzI1NiIsImtpZCI6ImtpZC1lYy1zaWduIn0.Zm9v.TgWtz2FIRukBQ_mA5sgHa0Ybtgn7bl-YBPAi7Z0XdHU";
    let x = b64d("04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY");
    let y = b64d("UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw");
    let key = AnyVerifyingKey::from(VerifyingKey::es256_sec1(&[&[4u8][..], &x, &y].concat()).unwrap());
    assert_eq!(key.algorithm(), Algorithm::ES256);
    assert_eq!(verify(token, &key), Err(Error::AlgorithmMismatch));
}
