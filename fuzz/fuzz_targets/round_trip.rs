//! sign → verify round trip with arbitrary claims: a JSON object built from the fuzz input
//! (arbitrary names, strings, numbers, nesting past the depth limit, registered claims both
//! well- and ill-typed) is signed with `sign` (ciphertoken's serializer) and with `sign_json`
//! (serde_json's bytes), by a key of each algorithm, then verified. Asserted: `token_len` is
//! exact; a short buffer gives `BufferTooSmall` and is left untouched; `sign_json` accepts
//! exactly what the model calls well-formed claims; verification succeeds exactly when the
//! model says it must; the verified payload is the signed one and decodes to the same claims.
#![no_main]

use arbitrary::{Arbitrary, Result, Unstructured};
use ciphertoken::{Algorithm, Error, FixedClock, SigningKey};
use ciphertoken_fuzz::model::{self, Policy, Strict};
use ciphertoken_fuzz::NOW;
use serde_json::{Map, Number, Value};

const REGISTERED: [&str; 10] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "ver", "fam"];

fn number(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Value::from(u64::arbitrary(u)?),
        1 => Value::from(i64::arbitrary(u)?),
        // A time near NOW: the validation rules are reached both ways.
        2 => Value::from(NOW.wrapping_add_signed(i64::from(i16::arbitrary(u)?))),
        _ => Number::from_f64(f64::arbitrary(u)?).map_or(Value::Null, Value::Number),
    })
}

fn value(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    let deep = depth >= 20;
    Ok(match u.int_in_range(0..=6)? {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => number(u)?,
        3 | 4 => Value::String(String::arbitrary(u)?),
        5 if !deep => {
            let n = u.int_in_range(0..=4)?;
            Value::Array((0..n).map(|_| value(u, depth + 1)).collect::<Result<_>>()?)
        }
        6 if !deep => Value::Object(object(u, depth + 1)?),
        _ => Value::Null,
    })
}

fn object(u: &mut Unstructured<'_>, depth: usize) -> Result<Map<String, Value>> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=5)? {
        map.insert(String::arbitrary(u)?, value(u, depth)?);
    }
    Ok(map)
}

fn claims(u: &mut Unstructured<'_>) -> Result<Map<String, Value>> {
    let mut map = object(u, 1)?;
    for name in REGISTERED {
        if u.ratio(1, 3)? {
            let v = match (name, u.int_in_range(0..=3)?) {
                ("exp" | "nbf" | "iat" | "ver", 0..=2) => number(u)?,
                ("aud", 0) => Value::Array(
                    (0..u.int_in_range(0..=3)?)
                        .map(|_| String::arbitrary(u).map(Value::String))
                        .collect::<Result<_>>()?,
                ),
                (_, 0..=2) => Value::String(String::arbitrary(u)?),
                _ => value(u, 2)?,
            };
            map.insert(name.to_owned(), v);
        }
    }
    Ok(map)
}

/// The signing key and its verifying key for `alg` (cached: deriving a public key costs a
/// scalar multiplication).
fn keys(alg: Algorithm) -> &'static (SigningKey, ciphertoken::VerifyingKey) {
    static KEYS: std::sync::OnceLock<Vec<(SigningKey, ciphertoken::VerifyingKey)>> =
        std::sync::OnceLock::new();
    let all = KEYS.get_or_init(|| {
        ALGS.iter()
            .map(|&a| {
                let k = signing_key(a);
                let vk = k.verifying_key();
                (k, vk)
            })
            .collect()
    });
    &all[ALGS.iter().position(|&a| a == alg).unwrap_or(0)]
}

const ALGS: [Algorithm; 5] =
    [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512, Algorithm::ES256, Algorithm::EdDSA];

fn signing_key(alg: Algorithm) -> SigningKey {
    let key = match alg {
        Algorithm::HS256 => SigningKey::hs256(&[0x11; 32]),
        Algorithm::HS384 => SigningKey::hs384(&[0x22; 48]),
        Algorithm::HS512 => SigningKey::hs512(&[0x33; 64]),
        Algorithm::ES256 => SigningKey::es256(&ciphertoken_fuzz::es256_scalar()),
        _ => SigningKey::ed25519(&ciphertoken_fuzz::ed25519_seed()),
    };
    key.unwrap_or_else(|e| panic!("key {alg:?}: {e:?}"))
}

/// `v` with every float replaced by the number ciphertoken's serializer writes for it
/// (`core::fmt`'s shortest form, without an exponent: `0.0` becomes `0`).
fn as_ciphertoken_writes(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            serde_json::from_str(&format!("{f}")).unwrap_or_else(|e| panic!("{f}: {e}"))
        }
        Value::Array(items) => Value::Array(items.iter().map(as_ciphertoken_writes).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), as_ciphertoken_writes(v))).collect())
        }
        other => other.clone(),
    }
}

/// JSON equality with numbers compared by value (ciphertoken writes `1.0` as `1`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_u64(), y.as_u64(), x.as_i64(), y.as_i64()) {
            (Some(p), Some(q), _, _) => p == q,
            (_, _, Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn verify_and_compare(
    key: &SigningKey,
    vk: &ciphertoken::VerifyingKey,
    token: &str,
    claims: &Value,
    policy: &Policy,
) {
    let payload_b64 = token.split('.').nth(1).unwrap_or_default();
    let payload = ciphertoken_fuzz::b64d(payload_b64).unwrap_or_else(|| panic!("payload not base64url"));
    let decoded: Value = serde_json::from_slice(&payload).unwrap_or_else(|e| panic!("payload not JSON: {e}"));
    assert!(json_eq(&decoded, claims), "payload {decoded} differs from the claims {claims}");

    let expected = match model::strict_object(&payload) {
        Strict::Valid(obj) => model::claims(&obj).filter(|c| policy.claims_ok(c, NOW)),
        Strict::Invalid => None,
        Strict::Unknown => return,
    };
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let got = ciphertoken::verify_registered(token, vk, &policy.validation(), &FixedClock(NOW), &mut scratch);
    match (&got, &expected) {
        (Ok((header, registered, verified)), Some(m)) => {
            assert_eq!(*verified, &payload[..]);
            assert_eq!(header.alg, key.algorithm());
            assert!(model::same_str(header.kid, &key.kid().map(str::to_owned)));
            model::assert_same_claims(registered, m);
            typed_claims_agree(vk, token, policy, m);
        }
        (Err(e), None) => assert!(
            !matches!(e, Error::InvalidSignature | Error::AlgorithmMismatch | Error::BufferTooSmall { .. }),
            "own token refused for {e:?}"
        ),
        _ => panic!("verify: {got:?}, model: {expected:?}, claims {claims}"),
    }
}

/// Application claims with owned strings: `verify` decodes their escapes into the scratch
/// behind the payload (`verify_scratch_len_unescaped`).
#[derive(serde::Deserialize)]
struct AppClaims {
    iss: Option<String>,
    sub: Option<String>,
    jti: Option<String>,
    exp: Option<u64>,
}

/// Typed verification of a token `verify_registered` accepted: it may only fail to
/// deserialize (serde-json-core's limits), and what it returns is the decoded text.
fn typed_claims_agree(vk: &ciphertoken::VerifyingKey, token: &str, policy: &Policy, m: &model::ClaimsModel) {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len_unescaped(token.len())];
    let typed =
        ciphertoken::verify::<AppClaims, _>(token, vk, &policy.validation(), &FixedClock(NOW), &mut scratch);
    match typed {
        Ok(v) => {
            let c = v.claims();
            assert_eq!((&c.iss, &c.sub, &c.jti, c.exp), (&m.iss, &m.sub, &m.jti, m.exp), "typed claims");
        }
        Err(Error::ClaimsDeserialization) => {}
        Err(e) => panic!("typed verify refused an accepted token: {e:?}"),
    }
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let alg = *u.choose(&ALGS)?;
    let (key, vk) = keys(alg);
    let mut key = key.clone();
    if u.ratio(1, 2)? {
        let kid = String::arbitrary(u)?;
        if let Ok(k) = key.clone().with_kid(&kid) {
            key = k;
        }
    }
    let policy = Policy::pick(u.int_in_range(0..=4)?);
    let claims = Value::Object(claims(u)?);

    // Whether the claims are a token a verifier accepts the shape of: a strict object with
    // well-typed registered claims, judged on the JSON each signer writes (ciphertoken writes
    // an integral float such as `0.0` as `0`, an integer; serde_json keeps `0.0`).
    let well_formed_json = |json: &[u8]| match model::strict_object(json) {
        Strict::Valid(obj) => Some(model::claims(&obj).is_some()),
        Strict::Invalid => Some(false),
        Strict::Unknown => None,
    };
    let json = serde_json::to_vec(&claims).unwrap_or_else(|e| panic!("serde_json: {e}"));
    let as_written = serde_json::to_vec(&as_ciphertoken_writes(&claims)).unwrap_or_default();
    let well_formed = well_formed_json(&json);

    // sign: ciphertoken's own serializer; it refuses claims its verifier would refuse.
    let len = ciphertoken::token_len(&key, &claims).unwrap_or_else(|e| panic!("token_len: {e:?}"));
    let mut short = vec![0xA5u8; len - 1];
    assert_eq!(ciphertoken::sign(&key, &claims, &mut short), Err(Error::BufferTooSmall { needed: len }));
    assert!(short.iter().all(|&b| b == 0xA5), "sign wrote into a short buffer");
    let mut out = vec![0xA5u8; len + 8];
    let signed = ciphertoken::sign(&key, &claims, &mut out).map(str::to_owned);
    assert!(out[len..].iter().all(|&b| b == 0xA5), "sign wrote past the token");
    match (&signed, well_formed_json(&as_written)) {
        (Ok(token), Some(true) | None) => {
            assert_eq!(token.len(), len);
            let payload_len =
                ciphertoken_fuzz::b64d(token.split('.').nth(1).unwrap_or_default()).map_or(0, |p| p.len());
            assert!(len <= ciphertoken::max_token_len(payload_len), "max_token_len({payload_len}) < {len}");
            verify_and_compare(&key, vk, token, &claims, &policy);
        }
        (Err(Error::InvalidJson | Error::InvalidClaim(_)), Some(false) | None) => {
            // No partial token: the whole token's space is wiped.
            assert!(out[..len].iter().all(|&b| b == 0), "sign left a partial token");
        }
        (_, expected) => panic!("sign: {signed:?}, model well-formed: {expected:?}, claims {claims}"),
    }

    // sign_json: serde_json's bytes, validated strictly before signing.
    let mut out = vec![0u8; ciphertoken::max_token_len(json.len())];
    let signed = ciphertoken::sign_json(&key, &json, &mut out).map(str::to_owned);
    match (&signed, well_formed) {
        (_, None) => {}
        (Ok(token), Some(true)) => verify_and_compare(&key, vk, token, &claims, &policy),
        (Err(Error::InvalidJson | Error::InvalidClaim(_)), Some(false)) => {}
        _ => panic!("sign_json: {signed:?}, model well-formed: {well_formed:?}"),
    }
    Ok(())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
