//! JWK Set import, selection and export (`jwk` feature), with provider-shaped fixtures and
//! tokens signed by PyJWT (tests/data/jwk, made by make_fixtures.py; no Python needed here).
#![cfg(all(feature = "jwk", feature = "rsa", feature = "es256", feature = "eddsa", feature = "hs"))]

use ciphertoken::hazmat::decode_header;
use ciphertoken::hazmat::RawSigner;
use ciphertoken::jwk::{
    thumbprint, thumbprint_b64, verify_registered_with_jwks, write_public_jwk, JwkSet, KeyType, Skipped,
    MAX_JWKS_DEPTH, MAX_JWKS_LEN, MAX_PUBLIC_JWK_LEN,
};
use ciphertoken::{Algorithm, Error, FixedClock, RsaVerifyingKey, Validation, VerifyingKey};
use std::collections::HashMap;

const NOW: u64 = 1_900_000_000;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/jwk/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn tokens() -> HashMap<String, String> {
    serde_json::from_slice(&fixture("tokens.json")).unwrap()
}

fn check(token: &str, set: &JwkSet<'_, 8>) -> Result<(), Error> {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let v = Validation::new().issuer("https://idp.example");
    let (_, claims, _) = verify_registered_with_jwks(token, set, &v, &FixedClock(NOW), &mut scratch)?;
    assert!(claims.sub.unwrap().eq_str("user-42"));
    Ok(())
}

#[test]
fn provider_shaped_sets_verify_pyjwt_tokens() {
    let tokens = tokens();
    let google = fixture("google_like.json");
    let mut set = JwkSet::<8>::new();
    set.load_public(&google).unwrap();
    assert_eq!(set.keys().len(), 2);
    assert_eq!(set.skipped(), Skipped::default());
    assert!(set
        .keys()
        .iter()
        .all(|k| k.key_type() == KeyType::Rsa && k.algorithm() == Some(Algorithm::RS256)));
    check(&tokens["google_rs256"], &set).unwrap();
    check(&tokens["google_rs256_3072"], &set).unwrap();
    // A token of the other set: its kid is unknown here.
    assert_eq!(check(&tokens["ms_rs256_4096"], &set), Err(Error::UnknownKey));

    let ms = fixture("ms_like.json");
    let mut set = JwkSet::<8>::new();
    set.load_public(&ms).unwrap();
    assert_eq!(set.keys().len(), 2);
    check(&tokens["ms_rs256_4096"], &set).unwrap();
    // No `alg` in these JWKs: the RSA key takes RS* and PS* (the header decides, the key
    // type must fit).
    check(&tokens["ms_ps256"], &set).unwrap();
    assert_eq!(check(&tokens["google_rs256"], &set), Err(Error::UnknownKey));
    // Loading again replaces the previous contents.
    let mut both = JwkSet::<8>::from_public(&google).unwrap();
    check(&tokens["google_rs256"], &both).unwrap();
    both.load_public(&ms).unwrap();
    assert_eq!(check(&tokens["google_rs256"], &both), Err(Error::UnknownKey));
}

#[test]
fn mixed_set_keeps_skips_and_counts() {
    let tokens = tokens();
    let mixed = fixture("mixed.json");
    let mut set = JwkSet::<8>::new();
    set.load_public(&mixed).unwrap();
    let kinds: Vec<KeyType> = set.keys().iter().map(|k| k.key_type()).collect();
    assert_eq!(kinds, [KeyType::Rsa, KeyType::P256, KeyType::Ed25519]);
    // use=enc and key_ops without verify; AKP, P-384, X25519, alg RS1, 1024-bit RSA, 65-byte kid.
    assert_eq!(set.skipped(), Skipped { not_for_signatures: 2, unusable: 6, over_capacity: 0 });
    for name in ["mixed_ps256_3073", "mixed_es256", "mixed_eddsa", "mixed_eddsa_escaped_kid"] {
        check(&tokens[name], &set).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The PS256-only RSA key refuses an RS256 token with its kid.
    let header = decode(&tokens["mixed_ps256_3073"]).replace("PS256", "RS256");
    let mut scratch = [0u8; 1024];
    let h = ciphertoken::Header::parse(header.as_bytes()).unwrap();
    assert_eq!(set.select(&h).err(), Some(Error::AlgorithmMismatch));
    let _ = &mut scratch;
}

fn decode(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    String::from_utf8(URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

/// A header as JSON text, for `select`.
fn select_kid(set: &JwkSet<'_, 8>, header_json: &str) -> Result<Option<String>, Error> {
    let h = ciphertoken::Header::parse(header_json.as_bytes()).unwrap();
    set.select(&h).map(|k| k.kid().map(|kid| kid.chars().collect()))
}

#[test]
fn kid_matching_is_exact_with_escapes() {
    let mixed = fixture("mixed.json");
    let mut set = JwkSet::<8>::new();
    set.load_public(&mixed).unwrap();
    let ed = Ok(Some("k\u{e9}y/ed".to_owned()));
    assert_eq!(select_kid(&set, r#"{"alg":"EdDSA","kid":"k\u00e9y/ed"}"#), ed);
    assert_eq!(select_kid(&set, r#"{"alg":"EdDSA","kid":"k\u00E9y\/ed"}"#), ed);
    assert_eq!(select_kid(&set, "{\"alg\":\"EdDSA\",\"kid\":\"k\u{e9}y/ed\"}"), ed);
    for near in ["k\\u00e9y/e", "k\\u00e9y/edx", "K\\u00e9y/ed", "key/ed", "k\\u00e9y/ed ", ""] {
        let header = format!(r#"{{"alg":"EdDSA","kid":"{near}"}}"#);
        assert_eq!(select_kid(&set, &header), Err(Error::UnknownKey), "{near}");
    }
    // Without kid: several keys in the set, but exactly one takes EdDSA.
    assert_eq!(select_kid(&set, r#"{"alg":"EdDSA"}"#), ed);
    // The right kid with an algorithm its key type cannot do.
    assert_eq!(select_kid(&set, r#"{"alg":"ES256","kid":"k\u00e9y/ed"}"#), Err(Error::AlgorithmMismatch));
    assert_eq!(select_kid(&set, r#"{"alg":"HS256","kid":"ec-1"}"#), Err(Error::AlgorithmMismatch));
}

#[test]
fn header_keys_are_never_used() {
    // A token carrying its own key in `jwk` (and `jku`/`x5u`/`x5c`), signed by that key,
    // with a kid the set does not have: refused, whatever the embedded key says.
    let attacker = ciphertoken::SigningKey::ed25519(&[9u8; 32]).unwrap();
    let mut pk = [0u8; 32];
    attacker.verifying_key().public_key_bytes(&mut pk).unwrap();
    let x = {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        URL_SAFE_NO_PAD.encode(pk)
    };
    let mixed = fixture("mixed.json");
    let mut set = JwkSet::<8>::new();
    set.load_public(&mixed).unwrap();
    for kid in ["attacker", "k\\u00e9y/ed"] {
        let header = format!(
            r#"{{"alg":"EdDSA","kid":"{kid}","jwk":{{"kty":"OKP","crv":"Ed25519","x":"{x}"}},"jku":"https://evil.example/jwks","x5u":"https://evil.example/c","x5c":["MIIB"]}}"#
        );
        let payload = r#"{"iss":"https://idp.example","sub":"user-42","exp":4102444800}"#;
        let mut out = vec![0u8; 1024];
        let token = forge(&attacker, &header, payload, &mut out);
        let expected = if kid == "attacker" { Error::UnknownKey } else { Error::InvalidSignature };
        assert_eq!(check(&token, &set), Err(expected), "{kid}");
    }
}

fn forge(key: &ciphertoken::SigningKey, header: &str, payload: &str, out: &mut [u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let n = key.sign_raw(input.as_bytes(), out).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(&out[..n]))
}

#[test]
fn private_members_refuse_the_set() {
    let ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let ok = format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"ok","x":"{ed_x}"}}"#);
    for private in [
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ed_x}","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}"#),
        r#"{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQAB"}"#.to_owned(),
        r#"{"kty":"RSA","n":"AQAB","e":"AQAB","qi":"AQAB"}"#.to_owned(),
        r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#.to_owned(),
    ] {
        let doc = format!(r#"{{"keys":[{ok},{private}]}}"#);
        let mut set = JwkSet::<8>::new();
        assert_eq!(set.load_public(doc.as_bytes()), Err(Error::InvalidKey), "{private}");
        assert!(set.keys().is_empty(), "nothing kept after a refusal");
    }
    // The application's own trusted set may hold HMAC keys...
    let secret = [0x5au8; 32];
    let k = {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        URL_SAFE_NO_PAD.encode(secret)
    };
    let doc = format!(r#"{{"keys":[{{"kty":"oct","kid":"hmac-1","alg":"HS256","k":"{k}"}},{ok}]}}"#);
    let set = JwkSet::<8>::from_trusted(doc.as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 2);
    let signer = ciphertoken::SigningKey::hs256(&secret).unwrap();
    let mut out = vec![0u8; 512];
    let token = forge(
        &signer,
        r#"{"alg":"HS256","kid":"hmac-1"}"#,
        r#"{"iss":"https://idp.example","sub":"user-42","exp":4102444800}"#,
        &mut out,
    );
    check(&token, &set).unwrap();
    // ...but an HS384 token against a 32-byte key with alg HS256 is refused, and a short
    // `oct` key is unusable.
    let short = format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, &k[..40]);
    let set = JwkSet::<8>::from_trusted(short.as_bytes()).unwrap();
    assert_eq!(set.skipped().unusable, 1);
    // Still no private asymmetric members in a trusted set.
    let doc = format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{ed_x}","d":"AQAB"}}]}}"#);
    assert_eq!(JwkSet::<8>::from_trusted(doc.as_bytes()).err(), Some(Error::InvalidKey));
}

#[test]
fn capacity_size_and_depth() {
    let google = fixture("google_like.json");
    let mut small = JwkSet::<1>::new();
    small.load_public(&google).unwrap();
    assert_eq!(small.keys().len(), 1);
    assert_eq!(small.skipped(), Skipped { not_for_signatures: 0, unusable: 0, over_capacity: 1 });
    let tokens = tokens();
    let mut scratch = vec![0u8; 2048];
    let v = Validation::new();
    assert!(verify_registered_with_jwks(&tokens["google_rs256"], &small, &v, &FixedClock(NOW), &mut scratch)
        .is_ok());
    assert_eq!(
        verify_registered_with_jwks(&tokens["google_rs256_3072"], &small, &v, &FixedClock(NOW), &mut scratch)
            .err(),
        Some(Error::UnknownKey)
    );

    // Too long, checked before parsing.
    let mut long = br#"{"keys":[],"pad":""#.to_vec();
    long.resize(MAX_JWKS_LEN + 1, b'a');
    long.extend_from_slice(b"\"}");
    assert_eq!(JwkSet::<8>::from_public(&long).err(), Some(Error::TooLong));
    // Too deep, checked before parsing.
    let deep = format!(r#"{{"keys":[],"x":{}{}}}"#, "[".repeat(MAX_JWKS_DEPTH), "]".repeat(MAX_JWKS_DEPTH));
    assert_eq!(JwkSet::<8>::from_public(deep.as_bytes()).err(), Some(Error::InvalidJson));
    let fine =
        format!(r#"{{"keys":[],"x":{}{}}}"#, "[".repeat(MAX_JWKS_DEPTH - 1), "]".repeat(MAX_JWKS_DEPTH - 1));
    assert!(JwkSet::<8>::from_public(fine.as_bytes()).is_ok());
    let mut set = JwkSet::<8>::new();
    // Not a set, duplicates, junk entries.
    for bad in [
        &b"[]"[..],
        b"{}",
        br#"{"keys":{}}"#,
        br#"{"keys":[],"keys":[]}"#,
        br#"{"keys":[{"kty":"RSA","kty":"EC"}]}"#,
    ] {
        assert_eq!(set.load_public(bad), Err(Error::InvalidJson), "{}", String::from_utf8_lossy(bad));
    }
    set.load_public(br#"{"keys":[1,"x",null,[],{}]}"#).unwrap();
    assert_eq!(set.skipped().unusable, 5);
}

#[test]
fn malformed_members_are_unusable() {
    let ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    for key in [
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ed_x}="}}"#), // padding
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, &ed_x[..42]), // 31.5 bytes
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, ed_x.replace('_', "/")), // alphabet
        r#"{"kty":"OKP","crv":"Ed25519","x":1}"#.to_owned(),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":7,"x":"{ed_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","alg":"ES256","x":"{ed_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","key_ops":"verify","x":"{ed_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"a\u0000b","x":"{ed_x}"}}"#),
        r#"{"kty":"rsa","n":"AQAB","e":"AQAB"}"#.to_owned(),
        format!(r#"{{"crv":"Ed25519","x":"{ed_x}"}}"#),
    ] {
        let doc = format!(r#"{{"keys":[{key}]}}"#);
        let set = JwkSet::<8>::from_public(doc.as_bytes()).unwrap();
        assert_eq!((set.keys().len(), set.skipped().unusable), (0, 1), "{key}");
    }
}

#[test]
fn rsa_members_are_checked() {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let pem = std::fs::read_to_string(format!("{}/tests/data/rsa/key_2049.pem", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let sk = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let b = |bytes: &[u8]| {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let n = sk.n().to_bytes_be();
    let mut set = JwkSet::<8>::new();
    let load = |set: &mut JwkSet<'_, 8>, doc: &str| {
        let leaked: &'static [u8] = Box::leak(doc.as_bytes().to_vec().into_boxed_slice());
        set.load_public(leaked).unwrap();
        set.keys().len()
    };
    let doc = |n: &[u8], e: &str| format!(r#"{{"keys":[{{"kty":"RSA","n":"{}","e":"{e}"}}]}}"#, b(n));
    assert_eq!(load(&mut set, &doc(&n, "AQAB")), 1);
    // One leading zero byte is tolerated (and the key is the same); two are not.
    assert_eq!(load(&mut set, &doc(&[&[0u8][..], &n].concat(), "AQAB")), 1);
    let with_zero = set.keys()[0].verifying_key(Algorithm::RS256).unwrap();
    let plain = RsaVerifyingKey::new(Algorithm::RS256, &n, &[1, 0, 1]).unwrap();
    assert_eq!(thumbprint(&with_zero).unwrap(), thumbprint(&plain).unwrap());
    assert_eq!(load(&mut set, &doc(&[&[0u8, 0][..], &n].concat(), "AQAB")), 0);
    // Even modulus; exponents 1, 2, 2^33 + 1; 4097 bits.
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(load(&mut set, &doc(&even, "AQAB")), 0);
    for e in ["AQ", "Ag", "AgAAAAE"] {
        assert_eq!(load(&mut set, &doc(&n, e)), 0, "{e}");
    }
    assert_eq!(load(&mut set, &doc(&[&[1u8][..], &vec![0xffu8; 512]].concat(), "AQAB")), 0);
    assert_eq!(load(&mut set, &doc(&n, "Aw")), 1); // e = 3 is fine
}

#[test]
fn thumbprints_match_rfc_examples() {
    // RFC 7638 §3.1 (the RSA key of RFC 7517 A.1).
    let doc = br#"{"keys":[{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}]}"#;
    let mut set = JwkSet::<2>::new();
    set.load_public(doc).unwrap();
    let key = set.keys()[0].verifying_key(Algorithm::RS256).unwrap();
    assert_eq!(key.kid(), Some("2011-04-29"));
    let mut out = [0u8; 43];
    assert_eq!(thumbprint_b64(&key, &mut out).unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_eq!(set.keys()[0].verifying_key(Algorithm::ES256).err(), Some(Error::AlgorithmMismatch));
    assert_eq!(set.keys()[0].verifying_key(Algorithm::PS256).err(), Some(Error::AlgorithmMismatch));
    // RFC 8037 A.3 (Ed25519).
    let x = [
        0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e,
        0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    ];
    let ed = VerifyingKey::ed25519(&x).unwrap();
    assert_eq!(thumbprint_b64(&ed, &mut out).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    // HMAC keys have no public JWK.
    let hs = VerifyingKey::hs256(&[1u8; 32]).unwrap();
    assert_eq!(thumbprint(&hs), Err(Error::InvalidKey));
    let mut big = [0u8; 64];
    assert_eq!(write_public_jwk(&hs, &mut big).err(), Some(Error::InvalidKey));
    assert_eq!(thumbprint_b64(&ed, &mut out[..42]).err(), Some(Error::BufferTooSmall { needed: 43 }));
}

#[test]
fn export_round_trips() {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let pem = std::fs::read_to_string(format!("{}/tests/data/rsa/key_4096.pem", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let sk = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let es = ciphertoken::SigningKey::es256(&[7u8; 32]).unwrap().verifying_key();
    let keys = [
        // The longest kid, every byte escaped in JSON.
        RsaVerifyingKey::new(Algorithm::PS512, &sk.n().to_bytes_be(), &sk.e().to_bytes_be())
            .unwrap()
            .with_kid(&"\"\\".repeat(32))
            .unwrap()
            .into(),
        es.with_kid("ec/1").unwrap().into(),
        ciphertoken::SigningKey::ed25519(&[3u8; 32]).unwrap().verifying_key().into(),
    ];
    let keys: [ciphertoken::AnyVerifyingKey; 3] = keys;
    for key in keys {
        let mut out = vec![0u8; MAX_PUBLIC_JWK_LEN];
        let jwk = write_public_jwk(&key, &mut out).unwrap().to_owned();
        let value: serde_json::Value = serde_json::from_str(&jwk).unwrap();
        assert_eq!(value["alg"], key.algorithm().name());
        assert_eq!(value["use"], "sig");
        // Exactly the size needed, and nothing written when short.
        let mut short = vec![0u8; jwk.len() - 1];
        assert_eq!(
            write_public_jwk(&key, &mut short).err(),
            Some(Error::BufferTooSmall { needed: jwk.len() })
        );
        assert!(short.iter().all(|&b| b == 0));
        // Import again: same key (thumbprint), same kid, same algorithm.
        let doc = format!(r#"{{"keys":[{jwk}]}}"#);
        let mut set = JwkSet::<1>::new();
        set.load_public(doc.as_bytes()).unwrap();
        let back = set.keys()[0].verifying_key(key.algorithm()).unwrap();
        assert_eq!(thumbprint(&back).unwrap(), thumbprint(&key).unwrap());
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.algorithm(), key.algorithm());
    }
}

#[test]
fn selecting_a_key_validates_it_fully() {
    // Shape is right (32 bytes each), but (1, 1) is not on P-256 and y = 2^255 − 1 is not a
    // canonical Ed25519 encoding.
    let b = |bytes: &[u8]| {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let mut one = [0u8; 32];
    one[31] = 1;
    let doc = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"bad-ec","x":"{0}","y":"{0}"}},
        {{"kty":"OKP","crv":"Ed25519","kid":"bad-ed","x":"{1}"}}]}}"#,
        b(&one),
        b(&[0xff; 32])
    );
    let mut set = JwkSet::<2>::new();
    set.load_public(doc.as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 2);
    assert_eq!(set.keys()[0].verifying_key(Algorithm::ES256).err(), Some(Error::InvalidKey));
    assert_eq!(set.keys()[1].verifying_key(Algorithm::EdDSA).err(), Some(Error::InvalidKey));
    let mut scratch = [0u8; 256];
    let h = decode_header(b"eyJhbGciOiJFUzI1NiIsImtpZCI6ImJhZC1lYyJ9.e30.AAAA", &mut scratch).unwrap();
    assert_eq!(set.verifying_key_for(&h).err(), Some(Error::InvalidKey));
    // Debug never shows key material.
    assert!(!format!("{set:?}").contains("AQAAAAAA"));
}
