//! Published test vectors: RFC 7515 A.1 (HS256), RFC 7515 A.3 (ES256) and RFC 8037 A.4
//! (EdDSA), recorded verbatim under `tests/data/`.
#![cfg(all(feature = "hs", feature = "es256", feature = "eddsa"))]

mod common;

use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{
    verify, verify_registered, Algorithm, Error, FixedClock, SigningKey, Validation, VerifyingKey,
};
use common::{b64d, b64e, Vector};
use serde::Deserialize;

const A1: &str = include_str!("data/rfc7515_a1_hs256.txt");
const A3: &str = include_str!("data/rfc7515_a3_es256.txt");
const EDDSA: &str = include_str!("data/rfc8037_a4_eddsa.txt");

/// The A.1/A.3 claims, including the collision-resistant name of RFC 7519 §4.2.
#[derive(Debug, Deserialize)]
struct JoeClaims<'a> {
    iss: &'a str,
    exp: u64,
    #[serde(rename = "http://example.com/is_root")]
    is_root: bool,
}

/// The vector files agree with themselves (decoded with the independent `base64` crate).
#[test]
fn vector_files_are_consistent() {
    for text in [A1, A3, EDDSA] {
        let v = Vector::parse(text);
        assert_eq!(b64e(v.get("header_json")), v.get("header_b64"));
        let payload = if text == EDDSA { v.get("payload") } else { v.get("payload_json") };
        assert_eq!(b64e(payload), v.get("payload_b64"));
        let token = format!("{}.{}.{}", v.get("header_b64"), v.get("payload_b64"), v.get("signature_b64"));
        assert_eq!(token, v.get("token"));
    }
    // The A.1 header really is the CR LF form with `typ` first and no `alg` first.
    let a1 = Vector::parse(A1);
    assert!(a1.get("header_json").starts_with("{\"typ\":\"JWT\",\r\n \"alg\""));
    assert_eq!(a1.bytes("signature_b64").len(), 32);
    assert_eq!(Vector::parse(A3).bytes("signature_b64").len(), 64);
    assert_eq!(Vector::parse(EDDSA).bytes("signature_b64").len(), 64);
}

#[test]
fn rfc7515_a1_hs256_verifies() {
    let v = Vector::parse(A1);
    let secret = v.bytes("jwk_k");
    assert_eq!(secret.len(), 64);
    let vk = VerifyingKey::hs256(&secret).unwrap();
    let exp: u64 = v.get("exp").parse().unwrap();
    let token = v.get("token");
    let mut scratch = [0u8; 512];

    let (header, claims, payload) =
        verify_registered(token, &vk, &Validation::new(), &FixedClock(exp - 1), &mut scratch).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    assert!(header.typ.unwrap().eq_str("JWT"));
    assert!(claims.iss.unwrap().eq_str("joe"));
    assert_eq!(claims.exp, Some(exp));
    assert_eq!(payload, v.get("payload_json").as_bytes());

    let ok =
        verify::<JoeClaims, _>(token, &vk, &Validation::new(), &FixedClock(exp - 1), &mut scratch).unwrap();
    assert_eq!((ok.claims().iss, ok.claims().exp, ok.claims().is_root), ("joe", exp, true));

    // RFC 7519 §4.1.4: at `exp` itself the token has expired (and today it long has).
    let mut scratch = [0u8; 512];
    let expired = verify_registered(token, &vk, &Validation::new(), &FixedClock(exp), &mut scratch);
    assert_eq!(expired.err(), Some(Error::Expired));
}

#[test]
fn rfc7515_a1_hs256_signature_is_reproduced() {
    let v = Vector::parse(A1);
    let key = SigningKey::hs256(&v.bytes("jwk_k")).unwrap();
    let signing_input = format!("{}.{}", v.get("header_b64"), v.get("payload_b64"));
    let mut sig = [0u8; 64];
    let n = key.sign_raw(signing_input.as_bytes(), &mut sig).unwrap();
    assert_eq!(&sig[..n], &v.bytes("signature_b64")[..]);
}

#[test]
fn rfc7515_a1_wrong_key_or_altered_token_fails() {
    let v = Vector::parse(A1);
    let mut secret = v.bytes("jwk_k");
    secret[0] ^= 1;
    let wrong = VerifyingKey::hs256(&secret).unwrap();
    let mut scratch = [0u8; 512];
    let exp: u64 = v.get("exp").parse().unwrap();
    let r = verify_registered(v.get("token"), &wrong, &Validation::new(), &FixedClock(exp - 1), &mut scratch);
    assert_eq!(r.err(), Some(Error::InvalidSignature));

    // "joe" -> "jof" in the payload, signature kept.
    let payload = v.get("payload_json").replace("joe", "jof");
    let token = format!("{}.{}.{}", v.get("header_b64"), b64e(payload), v.get("signature_b64"));
    let right = VerifyingKey::hs256(&v.bytes("jwk_k")).unwrap();
    let r = verify_registered(&token, &right, &Validation::new(), &FixedClock(exp - 1), &mut scratch);
    assert_eq!(r.err(), Some(Error::InvalidSignature));
}

fn a3_public_sec1(v: &Vector) -> Vec<u8> {
    let mut sec1 = vec![0x04];
    sec1.extend(v.bytes("jwk_x"));
    sec1.extend(v.bytes("jwk_y"));
    assert_eq!(sec1.len(), 65);
    sec1
}

#[test]
fn rfc7515_a3_es256_verifies() {
    let v = Vector::parse(A3);
    let vk = VerifyingKey::es256_sec1(&a3_public_sec1(&v)).unwrap();
    let exp: u64 = v.get("exp").parse().unwrap();
    let mut scratch = [0u8; 512];
    let (header, claims, _) =
        verify_registered(v.get("token"), &vk, &Validation::new(), &FixedClock(exp - 1), &mut scratch)
            .unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.typ, None);
    assert!(claims.iss.unwrap().eq_str("joe"));

    // The same key in compressed SEC1 form (prefix 02/03 by the parity of y).
    let y = v.bytes("jwk_y");
    let mut compressed = vec![if y[31] & 1 == 1 { 0x03 } else { 0x02 }];
    compressed.extend(v.bytes("jwk_x"));
    let vk_c = VerifyingKey::es256_sec1(&compressed).unwrap();
    let signing_input = format!("{}.{}", v.get("header_b64"), v.get("payload_b64"));
    vk_c.verify_raw(signing_input.as_bytes(), &v.bytes("signature_b64")).unwrap();

    let mut scratch = [0u8; 512];
    let expired = verify_registered(v.get("token"), &vk, &Validation::new(), &FixedClock(exp), &mut scratch);
    assert_eq!(expired.err(), Some(Error::Expired));
}

#[test]
fn rfc7515_a3_private_key_matches_and_signs_verifiably() {
    let v = Vector::parse(A3);
    let key = SigningKey::es256(&v.bytes("jwk_d")).unwrap();
    let mut public = [0u8; 65];
    let n = key.verifying_key().public_key_bytes(&mut public).unwrap();
    assert_eq!(&public[..n], &a3_public_sec1(&v)[..], "d·G must be the RFC's (x, y)");

    // ECDSA in the RFC was randomized; ours is deterministic (RFC 6979): a different but
    // valid signature, the same each time.
    let signing_input = format!("{}.{}", v.get("header_b64"), v.get("payload_b64"));
    let mut sig1 = [0u8; 64];
    let mut sig2 = [0u8; 64];
    key.sign_raw(signing_input.as_bytes(), &mut sig1).unwrap();
    key.sign_raw(signing_input.as_bytes(), &mut sig2).unwrap();
    assert_eq!(sig1, sig2);
    let vk = VerifyingKey::es256_sec1(&a3_public_sec1(&v)).unwrap();
    vk.verify_raw(signing_input.as_bytes(), &sig1).unwrap();
    sig1[10] ^= 0x20;
    assert_eq!(vk.verify_raw(signing_input.as_bytes(), &sig1), Err(Error::InvalidSignature));
}

#[test]
fn rfc8037_a4_eddsa_signature_verifies() {
    let v = Vector::parse(EDDSA);
    let vk = VerifyingKey::ed25519(&v.bytes("jwk_x")).unwrap();
    assert_eq!(b64d(v.get("payload_b64")), b"Example of Ed25519 signing");
    let signing_input = v.get("signing_input");
    let sig = v.bytes("signature_b64");
    vk.verify_raw(signing_input.as_bytes(), &sig).unwrap();

    let mut bad = sig.clone();
    bad[0] ^= 1;
    assert_eq!(vk.verify_raw(signing_input.as_bytes(), &bad), Err(Error::InvalidSignature));
    let mut other_input = signing_input.as_bytes().to_vec();
    other_input.push(b'x');
    assert_eq!(vk.verify_raw(&other_input, &sig), Err(Error::InvalidSignature));
}

#[test]
fn rfc8037_a4_signature_is_reproduced_from_the_a1_secret_key() {
    let v = Vector::parse(EDDSA);
    let key = SigningKey::ed25519(&v.bytes("jwk_d")).unwrap();
    let mut public = [0u8; 32];
    key.verifying_key().public_key_bytes(&mut public).unwrap();
    assert_eq!(public.to_vec(), v.bytes("jwk_x"), "the A.2 public key derives from the A.1 seed");
    // Ed25519 is deterministic (RFC 8032 §5.1.6): the signature must match bit for bit.
    let mut sig = [0u8; 64];
    let n = key.sign_raw(v.get("signing_input").as_bytes(), &mut sig).unwrap();
    assert_eq!(&sig[..n], &v.bytes("signature_b64")[..]);
}

#[test]
fn rfc8037_a4_token_is_no_jwt() {
    // Through the JWT layer the signature passes and then the payload is refused as not
    // being a JSON object; with a damaged signature the signature fails first.
    let v = Vector::parse(EDDSA);
    let vk = VerifyingKey::ed25519(&v.bytes("jwk_x")).unwrap();
    let policy = Validation::new().required(ciphertoken::RequiredClaims::NONE);
    let mut scratch = [0u8; 256];
    let r = verify_registered(v.get("token"), &vk, &policy, &FixedClock(0), &mut scratch);
    assert_eq!(r.err(), Some(Error::InvalidJson));

    let mut sig = v.bytes("signature_b64");
    sig[5] ^= 0x80;
    let token = format!("{}.{}", v.get("signing_input"), b64e(sig));
    let r = verify_registered(&token, &vk, &policy, &FixedClock(0), &mut scratch);
    assert_eq!(r.err(), Some(Error::InvalidSignature));
}
