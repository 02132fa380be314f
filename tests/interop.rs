//! Interoperability with independent implementations:
//! - the `jsonwebtoken` crate (RustCrypto backend), both ways, for all five algorithms,
//!   with its validation on (exp, nbf, iss, aud, sub);
//! - the `hmac` + `sha2` crates for HMAC-SHA-256/384/512 over every message length 0..300
//!   and key length 1..=200.
#![cfg(all(feature = "hs", feature = "es256", feature = "eddsa"))]

mod common;

use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{sign, verify, Algorithm, Error, FixedClock, SigningKey, Validation};
use common::{b64d, b64e, key_material, segments, signing_key, ALGS};
use hmac::{Hmac, Mac};
use jsonwebtoken as jwt;
use serde::{Deserialize, Serialize};

/// Claims as the other library sees them (owned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Owned {
    iss: String,
    sub: String,
    aud: Vec<String>,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    name: String,
    roles: Vec<String>,
    meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meta {
    fw: String,
    boot: u32,
    tags: Vec<u8>,
}

/// The same claims as ciphertoken's callers see them (borrowed from the scratch buffer).
#[derive(Debug, Deserialize)]
struct Borrowed<'a> {
    iss: &'a str,
    sub: &'a str,
    exp: u64,
    name: &'a str,
    #[serde(borrow)]
    roles: heapless::Vec<&'a str, 4>,
    meta: BorrowedMeta<'a>,
}

#[derive(Debug, Deserialize)]
struct BorrowedMeta<'a> {
    fw: &'a str,
    boot: u32,
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn claims(now: u64) -> Owned {
    Owned {
        iss: "gateway-1".into(),
        sub: "sensor-42".into(),
        aud: vec!["telemetry".into(), "api".into()],
        exp: now + 600,
        nbf: now - 5,
        iat: now - 5,
        jti: "a1b2c3".into(),
        // Non-ASCII, sent as UTF-8 by both libraries (no escapes), so it borrows.
        name: "Zoë 🌡 Gerät".into(),
        roles: vec!["read".into(), "write".into()],
        meta: Meta { fw: "1.4.2".into(), boot: 17, tags: vec![1, 2, 3] },
    }
}

fn jwt_alg(alg: Algorithm) -> jwt::Algorithm {
    match alg {
        Algorithm::HS256 => jwt::Algorithm::HS256,
        Algorithm::HS384 => jwt::Algorithm::HS384,
        Algorithm::HS512 => jwt::Algorithm::HS512,
        Algorithm::ES256 => jwt::Algorithm::ES256,
        Algorithm::EdDSA => jwt::Algorithm::EdDSA,
        other => panic!("{other:?}"),
    }
}

/// PKCS#8 v1 (RFC 5208) wrapping an RFC 5915 ECPrivateKey for P-256, without the optional
/// public key: a fixed 35-byte prefix and the 32-byte scalar.
fn p256_pkcs8(scalar: &[u8]) -> Vec<u8> {
    assert_eq!(scalar.len(), 32);
    let mut der = vec![
        0x30, 0x41, // PrivateKeyInfo, 65 bytes
        0x02, 0x01, 0x00, // version 0
        0x30, 0x13, // AlgorithmIdentifier
        0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, // id-ecPublicKey
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, // prime256v1
        0x04, 0x27, // OCTET STRING, 39 bytes
        0x30, 0x25, // ECPrivateKey
        0x02, 0x01, 0x01, // version 1
        0x04, 0x20, // privateKey, 32 bytes
    ];
    der.extend_from_slice(scalar);
    assert_eq!(der.len(), 67);
    der
}

/// PKCS#8 v1 for Ed25519 (RFC 8410 §7): a fixed 16-byte prefix and the 32-byte seed.
fn ed25519_pkcs8(seed: &[u8]) -> Vec<u8> {
    assert_eq!(seed.len(), 32);
    let mut der =
        vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(seed);
    der
}

fn jwt_keys(alg: Algorithm) -> (jwt::EncodingKey, jwt::DecodingKey) {
    let material = key_material(alg);
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            (jwt::EncodingKey::from_secret(&material), jwt::DecodingKey::from_secret(&material))
        }
        Algorithm::ES256 => {
            let mut public = [0u8; 65];
            signing_key(alg).verifying_key().public_key_bytes(&mut public).unwrap();
            let decoding =
                jwt::DecodingKey::from_ec_components(&b64e(&public[1..33]), &b64e(&public[33..])).unwrap();
            (jwt::EncodingKey::from_ec_der(&p256_pkcs8(&material)), decoding)
        }
        Algorithm::EdDSA => {
            let mut public = [0u8; 32];
            signing_key(alg).verifying_key().public_key_bytes(&mut public).unwrap();
            let decoding = jwt::DecodingKey::from_ed_components(&b64e(public)).unwrap();
            (jwt::EncodingKey::from_ed_der(&ed25519_pkcs8(&material)), decoding)
        }
        other => panic!("{other:?}"),
    }
}

/// jsonwebtoken's validation, switched fully on.
fn jwt_validation(alg: Algorithm, aud: &str) -> jwt::Validation {
    let mut v = jwt::Validation::new(jwt_alg(alg));
    v.leeway = 0;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_audience(&[aud]);
    v.set_issuer(&["gateway-1"]);
    v.sub = Some("sensor-42".into());
    v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    v
}

fn our_validation() -> Validation<'static> {
    Validation::new().issuer("gateway-1").audience("telemetry").subject("sensor-42")
}

#[test]
fn ciphertoken_tokens_verify_in_jsonwebtoken() {
    let now = now();
    let claims = claims(now);
    for alg in ALGS {
        for kid in [None, Some("dev-key-7")] {
            let mut key = signing_key(alg);
            if let Some(kid) = kid {
                key = key.with_kid(kid).unwrap();
            }
            let mut out = [0u8; 1024];
            let token = sign(&key, &claims, &mut out).unwrap();

            let (_, decoding) = jwt_keys(alg);
            let data = jwt::decode::<Owned>(token, &decoding, &jwt_validation(alg, "telemetry"))
                .unwrap_or_else(|e| panic!("{alg:?} kid {kid:?}: jsonwebtoken refused our token: {e:?}"));
            assert_eq!(data.claims, claims, "{alg:?}");
            assert_eq!(data.header.alg, jwt_alg(alg));
            assert_eq!(data.header.kid.as_deref(), kid);
            assert_eq!(data.header.typ.as_deref(), Some("JWT"));

            // Its validation is really on: a wrong audience, a tampered token, the wrong
            // algorithm are all refused.
            assert!(jwt::decode::<Owned>(token, &decoding, &jwt_validation(alg, "other")).is_err());
            let (h, p, s) = segments(token);
            let mut sig = b64d(&s);
            sig[0] ^= 1;
            let tampered = format!("{h}.{p}.{}", b64e(sig));
            assert!(jwt::decode::<Owned>(&tampered, &decoding, &jwt_validation(alg, "telemetry")).is_err());
        }
    }
}

#[test]
fn jsonwebtoken_tokens_verify_in_ciphertoken() {
    let now = now();
    let claims = claims(now);
    for alg in ALGS {
        for kid in [None, Some("dev-key-7")] {
            let (encoding, _) = jwt_keys(alg);
            let mut header = jwt::Header::new(jwt_alg(alg));
            header.kid = kid.map(str::to_string);
            let token = jwt::encode(&header, &claims, &encoding).unwrap();

            let vk = signing_key(alg).verifying_key();
            let mut scratch = [0u8; 1024];
            let ok = verify::<Borrowed, _>(&token, &vk, &our_validation(), &FixedClock(now), &mut scratch)
                .unwrap_or_else(|e| {
                    panic!("{alg:?} kid {kid:?}: ciphertoken refused jsonwebtoken's token: {e}")
                });
            let c = ok.claims();
            assert_eq!((c.iss, c.sub, c.exp, c.name), ("gateway-1", "sensor-42", now + 600, "Zoë 🌡 Gerät"));
            assert_eq!(&c.roles[..], &["read", "write"]);
            assert_eq!((c.meta.fw, c.meta.boot), ("1.4.2", 17));
            assert_eq!(ok.header().alg, alg);
            assert_eq!(ok.header().kid.and_then(|k| k.as_str()), kid);
            let reg = ok.registered();
            assert_eq!((reg.nbf, reg.iat), (Some(now - 5), Some(now - 5)));
            assert!(reg.jti.unwrap().eq_str("a1b2c3"));

            // And refused for the reasons it should be.
            let mut scratch = [0u8; 1024];
            let wrong_aud = Validation::new().issuer("gateway-1").audience("other");
            let r = verify::<Borrowed, _>(&token, &vk, &wrong_aud, &FixedClock(now), &mut scratch);
            assert_eq!(r.err(), Some(Error::InvalidAudience));
            let r =
                verify::<Borrowed, _>(&token, &vk, &our_validation(), &FixedClock(now + 600), &mut scratch);
            assert_eq!(r.err(), Some(Error::Expired));
            let other_key = if alg.is_hmac() {
                SigningKey::hmac(alg, &[0x99; 64]).unwrap().verifying_key()
            } else if alg == Algorithm::ES256 {
                SigningKey::es256(&[0x42; 32]).unwrap().verifying_key()
            } else {
                SigningKey::ed25519(&[0x42; 32]).unwrap().verifying_key()
            };
            let r =
                verify::<Borrowed, _>(&token, &other_key, &our_validation(), &FixedClock(now), &mut scratch);
            assert_eq!(r.err(), Some(Error::InvalidSignature));
        }
    }
}

#[test]
fn deterministic_signatures_agree_with_jsonwebtoken() {
    // HMAC and Ed25519 are deterministic: for the same signing input both libraries must
    // produce the same signature bytes. (ECDSA nonces are RFC 6979 in both, but
    // jsonwebtoken signs via a recoverable-signature path; only verification is compared.)
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512, Algorithm::EdDSA] {
        let now = now();
        let mut out = [0u8; 1024];
        let token = sign(&signing_key(alg), &claims(now), &mut out).unwrap();
        let (h, p, s) = segments(token);
        let (encoding, _) = jwt_keys(alg);
        let theirs = jwt::crypto::sign(format!("{h}.{p}").as_bytes(), &encoding, jwt_alg(alg)).unwrap();
        assert_eq!(theirs, s, "{alg:?}");
    }
}

fn ours(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    let k = SigningKey::hmac_allowing_short_secret(alg, key).unwrap();
    let mut out = [0u8; 64];
    let n = k.sign_raw(msg, &mut out).unwrap();
    out[..n].to_vec()
}

fn reference(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    macro_rules! mac {
        ($hash:ty) => {
            Hmac::<$hash>::new_from_slice(key).unwrap().chain_update(msg).finalize().into_bytes().to_vec()
        };
    }
    match alg {
        Algorithm::HS256 => mac!(sha2::Sha256),
        Algorithm::HS384 => mac!(sha2::Sha384),
        Algorithm::HS512 => mac!(sha2::Sha512),
        other => panic!("{other:?}"),
    }
}

/// Key lengths around every size that changes HMAC's key handling: 32/48/64 (the minimum
/// secrets), 64 (SHA-256 block) and 128 (SHA-384/512 block), above which keys are hashed.
const KEY_EDGES: [usize; 16] = [1, 2, 31, 32, 33, 47, 48, 49, 63, 64, 65, 127, 128, 129, 199, 200];
/// Message lengths around SHA-2's padding boundaries for 64- and 128-byte blocks (the
/// length field takes 8 resp. 16 bytes), and multi-block messages.
const MSG_EDGES: [usize; 22] =
    [0, 1, 55, 56, 57, 63, 64, 65, 111, 112, 113, 119, 120, 127, 128, 129, 183, 239, 240, 256, 257, 299];

#[test]
fn hmac_matches_the_hmac_crate_for_all_key_and_message_lengths() {
    // Every message length 0..300 under each edge key length, and every key length
    // 1..=200 under each edge message length (the full 200 × 300 product takes ~30 s in a
    // debug build and adds nothing these two sweeps miss).
    let data: Vec<u8> = (0..600u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let pairs: Vec<(usize, usize)> = KEY_EDGES
        .iter()
        .flat_map(|&k| (0..300).map(move |m| (k, m)))
        .chain((1..=200).flat_map(|k| MSG_EDGES.iter().map(move |&m| (k, m))))
        .collect();
    let mut checked = 0usize;
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        for &(key_len, msg_len) in &pairs {
            let key = &data[key_len..2 * key_len];
            let msg = &data[250..250 + msg_len];
            let want = reference(alg, key, msg);
            assert_eq!(ours(alg, key, msg), want, "{alg:?} key {key_len} msg {msg_len}");
            checked += 1;
            if (key_len + msg_len) % 23 == 0 {
                let vk = ciphertoken::VerifyingKey::hmac_allowing_short_secret(alg, key).unwrap();
                assert_eq!(vk.verify_raw(msg, &want), Ok(()));
                let mut bad = want.clone();
                bad[msg_len % want.len()] ^= 0x10;
                assert_eq!(vk.verify_raw(msg, &bad), Err(Error::InvalidSignature));
                assert_eq!(vk.verify_raw(msg, &want[..want.len() - 1]), Err(Error::InvalidSignature));
            }
        }
    }
    assert_eq!(checked, 3 * (16 * 300 + 200 * 22));
    // RFC 4231 test case 2 ("Jefe"), HMAC-SHA-256.
    assert_eq!(
        b64e(ours(Algorithm::HS256, b"Jefe", b"what do ya want for nothing?")),
        b64e([
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
            0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
        ])
    );
}
