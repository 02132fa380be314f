//! RSA verification (RS256/PS256, 2048 to 4096 bits) with keys prepared once from the JWK
//! fixtures in `tests/data/jwk/` and the PyJWT-made tokens of `tokens.json`.
//!
//! Input: byte 0 picks the case (key and token) and the mode, the rest is the mode's data:
//! 0. the bytes are a whole token, verified with the case's key;
//! 1. the bytes replace the genuine signature (any length, any value);
//! 2. pairs (position, xor mask) flip bytes of the genuine signature;
//! 3. pairs (position, xor mask) flip bytes of the modulus, then a length change and an
//!    exponent byte: the altered key is prepared, and if accepted, the genuine token checked.
//!
//! Oracle: an RSA signature over fixed bytes with a fixed key is unique for PKCS#1 v1.5 and
//! cannot be found without the private key for PSS, so anything accepted must be the genuine
//! token, signature and key; everything else must be refused with an error (never a panic).
#![no_main]

use ciphertoken::jwk::JwkSet;
use ciphertoken::{Algorithm, AnyVerifyingKey, Error, FixedClock, RsaVerifyingKey, Validation};
use std::sync::OnceLock;

/// Before the fixtures' `exp` (2100-01-01).
const NOW: u64 = 1_700_000_000;

struct Case {
    token: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    alg: Algorithm,
    key: AnyVerifyingKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

fn b64d(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).expect("fixture base64url")
}

fn b64e(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn case(jwks: &'static [u8], token: &str) -> Case {
    let set: JwkSet<'_, 16> = JwkSet::from_public(jwks).expect("fixture JWKS");
    let mut scratch = vec![0u8; token.len()];
    let header = ciphertoken::hazmat::decode_header(token.as_bytes(), &mut scratch).expect("fixture header");
    let alg = header.alg;
    let key = set.verifying_key_for(&header).expect("fixture key");
    let public = key.as_rsa().expect("an RSA key").public_key();
    let mut n = vec![0u8; 600];
    let n = public.write_modulus(&mut n).expect("modulus").to_vec();
    let mut e = vec![0u8; 16];
    let e = public.write_exponent(&mut e).expect("exponent").to_vec();
    let dot = token.rfind('.').expect("three segments");
    let c = Case {
        token: token.to_owned(),
        signing_input: token.as_bytes()[..dot].to_vec(),
        signature: b64d(&token[dot + 1..]),
        alg,
        key,
        n,
        e,
    };
    // The harness is only meaningful if the genuine token verifies.
    assert_eq!(verify(&c.key, c.token.as_bytes()), Ok(()), "genuine fixture token refused");
    c
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let tokens: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../tests/data/jwk/tokens.json")).expect("tokens.json");
        let token = |name: &str| tokens[name].as_str().expect("token string").to_owned();
        let google: &'static [u8] = include_bytes!("../../tests/data/jwk/google_like.json");
        let ms: &'static [u8] = include_bytes!("../../tests/data/jwk/ms_like.json");
        let mixed: &'static [u8] = include_bytes!("../../tests/data/jwk/mixed.json");
        vec![
            case(google, &token("google_rs256")),
            case(google, &token("google_rs256_3072")),
            case(ms, &token("ms_rs256_4096")),
            case(ms, &token("ms_ps256")),
            case(mixed, &token("mixed_ps256_3073")),
        ]
    })
}

fn verify(key: &(impl ciphertoken::KeySource + ?Sized), token: &[u8]) -> Result<(), Error> {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let validation = Validation::new();
    ciphertoken::verify_registered(token, key, &validation, &FixedClock(NOW), &mut scratch).map(|_| ())
}

fn flip(bytes: &mut [u8], pairs: &[u8]) {
    for pair in pairs.chunks_exact(2) {
        if !bytes.is_empty() {
            let i = usize::from(pair[0]) * 3 % bytes.len();
            bytes[i] ^= pair[1];
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let cases = cases();
    let c = &cases[usize::from(selector) % cases.len()];
    match (selector / 8) % 4 {
        0 => {
            if verify(&c.key, rest).is_ok() {
                assert_eq!(rest, c.token.as_bytes(), "a token other than the genuine one verified");
            }
        }
        1 => {
            let forged = format!("{}.{}", std::str::from_utf8(&c.signing_input).unwrap(), b64e(rest));
            let whole = verify(&c.key, forged.as_bytes());
            let raw = c.key.as_rsa().unwrap().public_key().verify(c.alg, &c.signing_input, rest);
            assert_eq!(whole.is_ok(), raw.is_ok(), "token and raw verification disagree");
            if raw.is_ok() {
                assert_eq!(rest, &c.signature[..], "a forged signature verified");
            } else {
                assert_ne!(rest, &c.signature[..], "the genuine signature was refused");
            }
        }
        2 => {
            let mut sig = c.signature.clone();
            flip(&mut sig, rest);
            let raw = c.key.as_rsa().unwrap().public_key().verify(c.alg, &c.signing_input, &sig);
            assert_eq!(raw.is_ok(), sig == c.signature, "flipped signature: {raw:?}");
        }
        _ => {
            let pairs = &rest[..rest.len() & !1];
            let mut n = c.n.clone();
            let (pairs, extra) = match pairs.len() {
                0 => (pairs, &[][..]),
                l => pairs.split_at(l - 2),
            };
            flip(&mut n, pairs);
            let mut e = c.e.clone();
            if let [len_op, e_op] = *extra {
                match len_op % 4 {
                    0 => n.truncate(n.len().saturating_sub(usize::from(len_op / 4))),
                    1 => n.insert(0, len_op / 4),
                    2 => n.push(len_op),
                    _ => {}
                }
                match e_op % 4 {
                    0 => e = vec![e_op / 4],
                    1 => e.insert(0, e_op / 4),
                    2 => e.clear(),
                    _ => {}
                }
            }
            match RsaVerifyingKey::new(c.alg, &n, &e) {
                Ok(key) => {
                    let result = verify(&key, c.token.as_bytes());
                    if result.is_ok() {
                        let same_n =
                            n.iter().skip_while(|&&b| b == 0).eq(c.n.iter().skip_while(|&&b| b == 0));
                        let same_e =
                            e.iter().skip_while(|&&b| b == 0).eq(c.e.iter().skip_while(|&&b| b == 0));
                        assert!(same_n && same_e, "the genuine token verified under an altered key");
                    }
                }
                Err(err) => assert!(
                    matches!(err, Error::InvalidKey | Error::KeyTooShort | Error::UnsupportedAlgorithm),
                    "unexpected key error {err:?}"
                ),
            }
        }
    }
});
