//! sign → verify round trips for every algorithm, buffer sizing (`token_len`,
//! `max_token_len`, `BufferTooSmall`) and the shape of what `sign` writes.
#![cfg(all(feature = "hs", feature = "es256", feature = "eddsa"))]

mod common;

use ciphertoken::{
    max_token_len, sign, sign_json, token_len, verify, verify_registered, verify_scratch_len, Algorithm,
    Error, FixedClock, SigningKey, Validation, VerifyingKey,
};
use common::{b64d, segments, signing_key, ALGS, NOW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Simple<'a> {
    iss: &'a str,
    sub: &'a str,
    exp: u64,
    n: i64,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct Rich {
    iss: &'static str,
    sub: String,
    aud: Vec<&'static str>,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: &'static str,
    escaped: &'static str,
    unicode: &'static str,
    nested: Nested,
    list: Vec<Value>,
    maybe: Option<u8>,
    big: u64,
    neg: i64,
}

#[derive(Debug, Serialize)]
struct Nested {
    level: u8,
    inner: Inner,
    tags: [&'static str; 2],
}

#[derive(Debug, Serialize)]
struct Inner {
    deep: bool,
    empty: Vec<u8>,
}

fn rich() -> Rich {
    Rich {
        iss: "gateway-1",
        sub: "sensor \"42\"".into(),
        aud: vec!["telemetry", "api"],
        exp: NOW + 600,
        nbf: NOW - 10,
        iat: NOW - 10,
        jti: "7f3c",
        escaped: "quote\" backslash\\ slash/ nl\n cr\r tab\t bs\u{8} ff\u{c} nul\u{0} us\u{1f} del\u{7f}",
        unicode: "ünïcødé ✓ 日本語 😀 \u{2028}\u{fffd}",
        nested: Nested { level: 3, inner: Inner { deep: true, empty: vec![] }, tags: ["a", "b"] },
        list: vec![json!(1), json!("two"), json!([3, [4]]), json!({"five": null}), json!(false)],
        maybe: None,
        big: u64::MAX,
        neg: i64::MIN,
    }
}

fn keys() -> Vec<SigningKey> {
    let mut keys = Vec::new();
    for alg in ALGS {
        keys.push(signing_key(alg));
        keys.push(signing_key(alg).with_kid("key-2026-11").unwrap());
        // A kid that needs escaping in the header, at the maximum length.
        let kid = format!("\"q\"/\\ü{}", "k".repeat(ciphertoken::MAX_KID_LEN - 7));
        assert_eq!(kid.len(), ciphertoken::MAX_KID_LEN);
        keys.push(signing_key(alg).with_kid(&kid).unwrap());
    }
    keys
}

fn scratch_for(token: &str) -> Vec<u8> {
    vec![0u8; verify_scratch_len(token.len())]
}

#[test]
fn simple_claims_round_trip_every_algorithm_and_kid() {
    for key in keys() {
        let claims = Simple { iss: "dev", sub: "sensor-7", exp: NOW + 60, n: -5, ok: true };
        let mut out = [0u8; max_token_len(128)];
        let token = sign(&key, &claims, &mut out).unwrap();
        assert_eq!(token.len(), token_len(&key, &claims).unwrap());

        let mut scratch = scratch_for(token);
        let v = Validation::new().issuer("dev").subject("sensor-7");
        let ok =
            verify::<Simple, _>(token, &key.verifying_key(), &v, &FixedClock(NOW), &mut scratch).unwrap();
        assert_eq!(ok.claims(), &claims);
        assert_eq!(ok.header().alg, key.algorithm());
        match key.kid() {
            Some(kid) => assert!(ok.header().kid.unwrap().eq_str(kid)),
            None => assert_eq!(ok.header().kid, None),
        }
        assert!(ok.header().typ.unwrap().eq_str("JWT"));
        assert_eq!(ok.registered().exp, Some(NOW + 60));
    }
}

#[test]
fn header_is_exactly_alg_typ_and_kid() {
    for key in keys() {
        let mut out = [0u8; 512];
        let token = sign(&key, &json!({"exp": NOW + 1}), &mut out).unwrap();
        let (h, _, s) = segments(token);
        let header: Value = serde_json::from_slice(&b64d(&h)).unwrap();
        let mut want = json!({"alg": key.algorithm().name(), "typ": "JWT"});
        if let Some(kid) = key.kid() {
            want["kid"] = json!(kid);
        }
        assert_eq!(header, want);
        // RFC 7515 §5.1 / RFC 7518 §3.4: raw signature bytes (ES256 is r‖s, 64 bytes).
        assert_eq!(b64d(&s).len(), key.algorithm().signature_len());
    }
}

#[test]
fn rich_claims_round_trip_escapes_unicode_nesting_arrays() {
    let claims = rich();
    let expected = serde_json::to_value(&claims).unwrap();
    for key in keys() {
        let mut out = vec![0u8; 2048];
        let token = sign(&key, &claims, &mut out).unwrap().to_string();
        assert_eq!(token.len(), token_len(&key, &claims).unwrap());

        // What was signed is JSON that serde_json reads back as the same value.
        let payload = b64d(&segments(&token).1);
        let reread: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(reread, expected);
        assert!(token.len() <= max_token_len(payload.len()));

        let v = Validation::new().issuer("gateway-1").audience("api").subject("sensor \"42\"");
        let mut scratch = scratch_for(&token);
        let (_, reg, verified) =
            verify_registered(&token, &key.verifying_key(), &v, &FixedClock(NOW), &mut scratch).unwrap();
        assert_eq!(verified, &payload[..]);
        assert!(reg.sub.unwrap().eq_str("sensor \"42\""));
        assert!(reg.aud.unwrap().contains("telemetry") && reg.aud.unwrap().contains("api"));
        assert_eq!((reg.exp, reg.nbf, reg.iat), (Some(NOW + 600), Some(NOW - 10), Some(NOW - 10)));
        assert!(reg.jti.unwrap().eq_str("7f3c"));
    }
}

#[test]
fn sign_json_round_trip_keeps_bytes() {
    let json = br#"{"sub":"a\u00e9\"b","aud":["x","y"],"exp":1700000600,"x":{"y":[1,2.5e3,null]}}"#;
    for key in keys() {
        let mut out = [0u8; 512];
        let token = sign_json(&key, json, &mut out).unwrap();
        assert_eq!(b64d(&segments(token).1), json.to_vec(), "sign_json signs the bytes as given");
        assert!(token.len() <= max_token_len(json.len()));
        let mut scratch = scratch_for(token);
        let v = Validation::new().audience("y").subject("a\u{e9}\"b");
        let (_, reg, _) =
            verify_registered(token, &key.verifying_key(), &v, &FixedClock(NOW), &mut scratch).unwrap();
        assert_eq!(reg.exp, Some(1_700_000_600));
    }
}

#[test]
fn deterministic_signatures() {
    // HMAC, RFC 6979 ECDSA and RFC 8032 Ed25519 need no RNG: the same input gives the same token.
    for key in keys() {
        let mut a = [0u8; 512];
        let mut b = [0u8; 512];
        let claims = json!({"exp": NOW + 5, "sub": "x"});
        assert_eq!(sign(&key, &claims, &mut a).unwrap(), sign(&key, &claims, &mut b).unwrap());
    }
}

#[test]
fn token_len_is_exact_and_max_token_len_bounds_it() {
    for key in keys() {
        for n in [0usize, 1, 2, 3, 10, 47, 48, 49, 100, 255, 1000] {
            let claims = json!({"exp": NOW + 60, "pad": "p".repeat(n)});
            let json_len = serde_json::to_vec(&claims).unwrap().len();
            let mut out = vec![0u8; 4096];
            let token = sign(&key, &claims, &mut out).unwrap();
            assert_eq!(token_len(&key, &claims).unwrap(), token.len());
            assert!(token.len() <= max_token_len(json_len), "n={n} {:?}", key.algorithm());
        }
    }
    assert!(max_token_len(usize::MAX) == usize::MAX, "saturates instead of overflowing");
}

#[test]
fn worst_case_kid_fits_the_header_bound() {
    // A 64-byte kid of which every byte needs a two-byte escape: the longest header `sign`
    // writes. (Regression: the internal header buffer was one byte short for it.)
    let worst_kid: String = "\"".repeat(ciphertoken::MAX_KID_LEN);
    for alg in ALGS {
        let key = signing_key(alg).with_kid(&worst_kid).unwrap();
        let claims = json!({"exp": NOW + 1});
        let mut out = [0u8; 512];
        let token = sign(&key, &claims, &mut out).unwrap();
        assert_eq!(token_len(&key, &claims).unwrap(), token.len());
        let header = b64d(&segments(token).0);
        assert!(header.len() <= ciphertoken::MAX_SIGNED_HEADER_JSON_LEN);
        assert!(token.len() <= max_token_len(serde_json::to_vec(&claims).unwrap().len()));
        let mut scratch = scratch_for(token);
        let (h, _, _) = verify_registered(
            token,
            &key.verifying_key(),
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        )
        .unwrap();
        assert!(h.kid.unwrap().eq_str(&worst_kid));
    }
}

#[test]
fn buffer_too_small_is_exact_and_leaves_buffer_untouched() {
    for key in keys() {
        let claims = rich();
        let needed = token_len(&key, &claims).unwrap();
        for size in (0..needed).rev().take(70).chain([0, 1, needed / 2]) {
            let mut out = vec![0xA5u8; size];
            assert_eq!(sign(&key, &claims, &mut out), Err(Error::BufferTooSmall { needed }), "size {size}");
            assert!(out.iter().all(|&b| b == 0xA5), "buffer written on failure (size {size})");
        }
        let mut out = vec![0xA5u8; needed];
        assert_eq!(sign(&key, &claims, &mut out).unwrap().len(), needed);
        // A larger buffer: only the token's prefix is written.
        let mut out = vec![0xA5u8; needed + 10];
        let token_len = sign(&key, &claims, &mut out).unwrap().len();
        assert_eq!(token_len, needed);
        assert!(out[needed..].iter().all(|&b| b == 0xA5));

        // sign_json: same contract.
        let json = br#"{"exp":1700000600,"sub":"x"}"#;
        let mut probe = [0u8; 512];
        let needed = sign_json(&key, json, &mut probe).unwrap().len();
        let mut out = vec![0x5Au8; needed - 1];
        assert_eq!(sign_json(&key, json, &mut out), Err(Error::BufferTooSmall { needed }));
        assert!(out.iter().all(|&b| b == 0x5A));
        let mut out = vec![0u8; needed];
        assert!(sign_json(&key, json, &mut out).is_ok());
    }
}

#[test]
fn unserializable_claims_leave_no_partial_token() {
    let key = signing_key(Algorithm::HS256);
    let mut out = [0xA5u8; 256];
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        #[derive(Serialize)]
        struct F {
            exp: u64,
            x: f64,
        }
        assert_eq!(sign(&key, &F { exp: 1, x: bad }, &mut out), Err(Error::ClaimsSerialization));
        assert_eq!(token_len(&key, &F { exp: 1, x: bad }), Err(Error::ClaimsSerialization));
        assert!(out.iter().all(|&b| b == 0xA5));
    }
    // Claims must be a JSON object (a JWT Claims Set, RFC 7519 §7.2 step 10).
    for (json, err) in [
        (&br#"[1]"#[..], Error::InvalidJson),
        (br#"{"a":1,"a":2}"#, Error::InvalidJson),
        (br#"{"exp":"1"}"#, Error::InvalidClaim(ciphertoken::Claim::ExpirationTime)),
        (br#"{"exp":1} x"#, Error::InvalidJson),
    ] {
        assert_eq!(sign_json(&key, json, &mut out), Err(err), "{}", String::from_utf8_lossy(json));
        assert!(out.iter().all(|&b| b == 0xA5));
    }
}

#[test]
fn verify_scratch_too_small_is_exact() {
    for key in keys() {
        let mut out = [0u8; 1024];
        let token = sign(&key, &rich(), &mut out).unwrap();
        let (h, p, sig) = segments(token);
        let exact = b64d(&h).len() + b64d(&p).len() + b64d(&sig).len();
        let v = Validation::new().audience("api");
        let vk = key.verifying_key();
        // `needed` is the decoded header + payload + signature size (the signature is decoded
        // into the scratch too), and verify_scratch_len bounds it.
        let mut small = vec![0u8; 0];
        let needed = match verify_registered(token, &vk, &v, &FixedClock(NOW), &mut small) {
            Err(Error::BufferTooSmall { needed }) => needed,
            other => panic!("expected BufferTooSmall, got {other:?}"),
        };
        assert!(needed >= exact && needed <= exact + 6, "needed {needed}, decoded {exact}");
        assert!(needed <= verify_scratch_len(token.len()));
        let mut short = vec![0u8; needed - 1];
        assert_eq!(
            verify_registered(token, &vk, &v, &FixedClock(NOW), &mut short).err(),
            Some(Error::BufferTooSmall { needed })
        );
        let mut enough = vec![0u8; needed];
        assert!(verify_registered(token, &vk, &v, &FixedClock(NOW), &mut enough).is_ok());
    }
}

#[test]
fn public_keys_round_trip_through_bytes() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let key = signing_key(alg);
        let mut public = [0u8; 65];
        let n = key.verifying_key().public_key_bytes(&mut public).unwrap();
        let vk = match alg {
            Algorithm::ES256 => VerifyingKey::es256_sec1(&public[..n]).unwrap(),
            _ => VerifyingKey::ed25519(&public[..n]).unwrap(),
        };
        let mut out = [0u8; 512];
        let token = sign(&key, &json!({"exp": NOW + 1}), &mut out).unwrap();
        let mut scratch = scratch_for(token);
        assert!(verify_registered(token, &vk, &Validation::new(), &FixedClock(NOW), &mut scratch).is_ok());
        let mut tiny = [0u8; 8];
        assert_eq!(key.verifying_key().public_key_bytes(&mut tiny), Err(Error::BufferTooSmall { needed: n }));
    }
    // A secret is not public.
    let mut buf = [0u8; 128];
    assert_eq!(
        signing_key(Algorithm::HS256).verifying_key().public_key_bytes(&mut buf),
        Err(Error::InvalidKey)
    );
}

#[test]
fn app_claims_of_the_wrong_shape_are_a_deserialization_error() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wants {
        exp: u64,
        level: u8,
    }
    let key = signing_key(Algorithm::EdDSA);
    let mut out = [0u8; 512];
    for claims in [
        json!({"exp": NOW + 1}),
        json!({"exp": NOW + 1, "level": "high"}),
        json!({"exp": NOW + 1, "level": 300}),
    ] {
        let token = sign(&key, &claims, &mut out).unwrap();
        let mut scratch = scratch_for(token);
        let r = verify::<Wants, _>(
            token,
            &key.verifying_key(),
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        );
        assert_eq!(r.err(), Some(Error::ClaimsDeserialization), "{claims}");
    }
}

#[test]
fn debug_never_prints_key_material() {
    for alg in ALGS {
        let key = signing_key(alg).with_kid("k").unwrap();
        let material = common::key_material(alg);
        for text in [format!("{key:?}"), format!("{:?}", key.verifying_key()), format!("{key:#?}")] {
            assert!(text.contains(alg.name()), "{text}");
            // Neither the bytes as a Debug list nor as hex appear.
            assert!(!text.contains(&format!("{:?}", &material[..4]).trim_end_matches(']').to_string()));
            let hex: String = material[..4].iter().map(|b| format!("{b:02x}")).collect();
            assert!(!text.contains(&hex), "{text}");
        }
    }
}

/// Escaped strings in application claims arrive decoded (owned strings) or refused
/// (borrowed strings): never as raw escaped text.
#[test]
fn escaped_application_strings_are_decoded_or_refused() {
    #[derive(serde::Deserialize)]
    struct Owned {
        name: heapless::String<32>,
    }
    #[derive(serde::Deserialize)]
    struct Borrowed<'a> {
        #[allow(dead_code)]
        name: &'a str,
    }
    let key = ciphertoken::SigningKey::hs256(&[7; 32]).unwrap();
    let mut out = [0u8; 300];
    let token =
        ciphertoken::sign_json(&key, br#"{"exp":2000000000,"name":"Jos\u00e9 \"x\""}"#, &mut out).unwrap();
    let vk = key.verifying_key();
    let v = ciphertoken::Validation::new();
    let clock = ciphertoken::FixedClock(1_900_000_000);
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len_unescaped(token.len())];
    let ok = ciphertoken::verify::<Owned, _>(token, &vk, &v, &clock, &mut scratch).unwrap();
    assert_eq!(ok.claims().name.as_str(), "Jos\u{e9} \"x\"");
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len_unescaped(token.len())];
    let r = ciphertoken::verify::<Borrowed, _>(token, &vk, &v, &clock, &mut scratch);
    assert_eq!(r.err(), Some(ciphertoken::Error::ClaimsDeserialization));
    // With a scratch of exactly the size `verify` asks for, the room left behind the payload
    // is the decoded signature's (it is verified before the claims are read): a short string
    // is unescaped there...
    let needed = match ciphertoken::verify::<Owned, _>(token, &vk, &v, &clock, &mut []) {
        Err(ciphertoken::Error::BufferTooSmall { needed }) => needed,
        other => panic!("{:?}", other.err()),
    };
    let mut tight = vec![0u8; needed];
    let ok = ciphertoken::verify::<Owned, _>(token, &vk, &v, &clock, &mut tight).unwrap();
    assert_eq!(ok.claims().name.as_str(), "Jos\u{e9} \"x\"");
    // ...but without room to unescape, owned strings with escapes are refused, not mangled.
    #[derive(serde::Deserialize)]
    struct Long {
        name: heapless::String<128>,
    }
    let long = "\\u00e9".repeat(40);
    let json = format!(r#"{{"exp":2000000000,"name":"{long}"}}"#);
    let mut out = [0u8; 600];
    let token = ciphertoken::sign_json(&key, json.as_bytes(), &mut out).unwrap();
    let needed = match ciphertoken::verify::<Long, _>(token, &vk, &v, &clock, &mut []) {
        Err(ciphertoken::Error::BufferTooSmall { needed }) => needed,
        other => panic!("{:?}", other.err()),
    };
    let mut tight = vec![0u8; needed];
    let r = ciphertoken::verify::<Long, _>(token, &vk, &v, &clock, &mut tight);
    assert_eq!(r.err(), Some(ciphertoken::Error::ClaimsDeserialization));
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len_unescaped(token.len())];
    let ok = ciphertoken::verify::<Long, _>(token, &vk, &v, &clock, &mut scratch).unwrap();
    assert_eq!(ok.claims().name.as_str(), "\u{e9}".repeat(40));
}

/// `sign` refuses to produce a token its own verifier would refuse: a payload that is not
/// a JSON object, malformed registered claims, duplicate names.
#[test]
fn sign_checks_what_it_produces() {
    use std::collections::BTreeMap;
    let key = ciphertoken::SigningKey::hs256(&[7; 32]).unwrap();
    let mut out = [0u8; 400];
    assert_eq!(ciphertoken::sign(&key, &[1, 2, 3], &mut out).err(), Some(ciphertoken::Error::InvalidJson));
    assert_eq!(ciphertoken::sign(&key, &5u8, &mut out).err(), Some(ciphertoken::Error::InvalidJson));
    assert!(out.iter().all(|&b| b == 0), "no partial token left behind");
    let mut m = BTreeMap::new();
    m.insert("exp", "soon");
    assert_eq!(
        ciphertoken::sign(&key, &m, &mut out).err(),
        Some(ciphertoken::Error::InvalidClaim(ciphertoken::Claim::ExpirationTime))
    );
    let mut m = BTreeMap::new();
    m.insert("exp", -1i64);
    assert_eq!(
        ciphertoken::sign(&key, &m, &mut out).err(),
        Some(ciphertoken::Error::InvalidClaim(ciphertoken::Claim::ExpirationTime))
    );
    // Duplicate names through a hand-written Serialize.
    struct Dup;
    impl serde::Serialize for Dup {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("exp", &1u64)?;
            m.serialize_entry("exp", &9u64)?;
            m.end()
        }
    }
    assert_eq!(ciphertoken::sign(&key, &Dup, &mut out).err(), Some(ciphertoken::Error::InvalidJson));
}

/// The payload is encoded in place: every claims length round-trips.
#[test]
fn every_payload_length_round_trips() {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct P<'a> {
        exp: u64,
        pad: &'a str,
    }
    let pad = "x".repeat(400);
    for key in [
        ciphertoken::SigningKey::hs256(&[7; 32]).unwrap(),
        ciphertoken::SigningKey::ed25519(&[1; 32]).unwrap(),
    ] {
        for n in 0..400 {
            let claims = P { exp: 2_000_000_000, pad: &pad[..n] };
            let len = ciphertoken::token_len(&key, &claims).unwrap();
            let mut out = vec![0u8; len];
            let token = ciphertoken::sign(&key, &claims, &mut out).unwrap().to_string();
            let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
            let v = ciphertoken::verify::<P, _>(
                &token,
                &key.verifying_key(),
                &ciphertoken::Validation::new(),
                &ciphertoken::FixedClock(1),
                &mut scratch,
            )
            .unwrap();
            assert_eq!(v.claims().pad.len(), n);
        }
    }
}
