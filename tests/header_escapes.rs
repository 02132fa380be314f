//! JOSE header members written with JSON escapes compare by their decoded value
//! (RFC 7515 §4: the header is a JSON object; RFC 8259 §7/§8.3: strings are equal when
//! their decoded code points are). Each test first checks the unescaped form behaves the
//! same way, so a failure can only come from escape handling.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciphertoken::hazmat::RawSigner;
use ciphertoken::{
    verify_registered, verify_selecting_key, Error, FixedClock, KeySet, SigningKey, Validation,
};
use serde::de::IgnoredAny;

const NOW: u64 = 1_800_000_000;
const CLAIMS: &str = r#"{"sub":"device-7","exp":1900000000}"#;

fn key() -> SigningKey {
    SigningKey::hs256(b"header-escapes-secret-32-bytes-long!").unwrap()
}

/// A token with `header` (raw JSON text) validly signed by `key`.
fn token(key: &SigningKey, header: &str) -> String {
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(CLAIMS));
    let mut sig = [0u8; 64];
    let n = key.sign_raw(input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig[..n]))
}

fn check(header: &str, validation: &Validation<'_>) -> Result<(), Error> {
    let key = key();
    let t = token(&key, header);
    let mut scratch = vec![0u8; t.len() + 16];
    verify_registered(&t, &key.verifying_key(), validation, &FixedClock(NOW), &mut scratch).map(|_| ())
}

#[test]
fn escaped_alg_is_the_decoded_algorithm() {
    let v = Validation::new();
    assert_eq!(check(r#"{"alg":"HS256"}"#, &v), Ok(()));
    // Each character of the value escaped in turn, all of them, and the member name too.
    assert_eq!(check(r#"{"alg":"HS\u0032\u0035\u0036"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"alg":"\u0048\u0053\u0032\u0035\u0036"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"alg":"\u0048S256"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"\u0061lg":"HS256"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"al\u0067":"H\u00532\u00356"}"#, &v), Ok(()));
    // Decoding never widens what is accepted: other algorithms, case changes and `none`
    // stay refused however they are written.
    assert_eq!(check(r#"{"alg":"HS\u0033\u0038\u0034"}"#, &v), Err(Error::AlgorithmMismatch));
    assert_eq!(check(r#"{"alg":"\u0068s256"}"#, &v), Err(Error::UnsupportedAlgorithm));
    assert_eq!(check(r#"{"alg":"\u006eone"}"#, &v), Err(Error::UnsupportedAlgorithm));
    assert_eq!(check(r#"{"alg":"HS256\u0000"}"#, &v), Err(Error::UnsupportedAlgorithm));
    assert_eq!(check(r#"{"alg":"HS2560000"}"#, &v), Err(Error::UnsupportedAlgorithm));
    // A duplicate `alg`, one of them escaped, is a duplicate name (RFC 7515 §4).
    assert_eq!(check(r#"{"alg":"HS256","\u0061lg":"HS256"}"#, &v), Err(Error::InvalidJson));
}

#[test]
fn escaped_typ_compares_decoded() {
    let v = Validation::new();
    assert_eq!(check(r#"{"alg":"HS256","typ":"JWT"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"alg":"HS256","typ":"\u004aWT"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"alg":"HS256","t\u0079p":"jwt"}"#, &v), Ok(()));
    assert_eq!(check(r#"{"alg":"HS256","typ":"J\u0057X"}"#, &v), Err(Error::InvalidTokenType));
    let at = Validation::new().header_type("at+jwt");
    assert_eq!(check(r#"{"alg":"HS256","typ":"at\u002bjwt"}"#, &at), Ok(()));
    assert_eq!(check(r#"{"alg":"HS256","typ":"at\u002bJWS"}"#, &at), Err(Error::InvalidTokenType));
}

#[test]
fn escaped_crit_is_still_critical() {
    let v = Validation::new();
    assert_eq!(check(r#"{"alg":"HS256","crit":["exp"]}"#, &v), Err(Error::UnsupportedCritical));
    assert_eq!(check(r#"{"alg":"HS256","cr\u0069t":["exp"]}"#, &v), Err(Error::UnsupportedCritical));
    assert_eq!(
        check(r#"{"alg":"HS256","\u0063\u0072\u0069\u0074":[]}"#, &v),
        Err(Error::UnsupportedCritical)
    );
    // `b64` (RFC 7797) likewise: escaped name, value other than true.
    assert_eq!(check(r#"{"alg":"HS256","b\u0036\u0034":false}"#, &v), Err(Error::UnsupportedCritical));
    assert_eq!(check(r#"{"alg":"HS256","b\u00364":true}"#, &v), Ok(()));
}

#[test]
fn escaped_cty_jwt_is_refused_as_nested() {
    let v = Validation::new();
    assert_eq!(check(r#"{"alg":"HS256","cty":"JWT"}"#, &v), Err(Error::InvalidTokenType));
    assert_eq!(check(r#"{"alg":"HS256","cty":"J\u0057T"}"#, &v), Err(Error::InvalidTokenType));
    assert_eq!(check(r#"{"alg":"HS256","\u0063ty":"jwt"}"#, &v), Err(Error::InvalidTokenType));
    assert_eq!(check(r#"{"alg":"HS256","cty":"J\u0057S"}"#, &v), Ok(()));
}

#[test]
fn escaped_kid_selects_by_decoded_value() {
    let a = SigningKey::hs256(&[1; 32]).unwrap().with_kid("2026/a").unwrap();
    let b = SigningKey::hs256(&[2; 32]).unwrap().with_kid("2026-b").unwrap();
    let mut set = KeySet::<2>::new();
    set.insert(a.verifying_key()).unwrap();
    set.insert(b.verifying_key()).unwrap();
    let run = |key: &SigningKey, header: &str| {
        let t = token(key, header);
        let mut scratch = vec![0u8; t.len() + 16];
        verify_selecting_key::<IgnoredAny, _, _>(
            &t,
            |h| set.select(h, NOW),
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        )
        .map(|_| ())
    };
    assert_eq!(run(&a, r#"{"alg":"HS256","kid":"2026/a"}"#), Ok(()));
    assert_eq!(run(&a, r#"{"alg":"HS256","kid":"2026\/a"}"#), Ok(()));
    assert_eq!(run(&b, r#"{"alg":"HS256","k\u0069d":"\u0032026-\u0062"}"#), Ok(()));
    // The decoded kid picks its key: a token signed by `a` naming `b` (escaped) fails.
    assert_eq!(run(&a, r#"{"alg":"HS256","kid":"2026-\u0062"}"#), Err(Error::InvalidSignature));
    assert_eq!(run(&a, r#"{"alg":"HS256","kid":"2026\u002fc"}"#), Err(Error::UnknownKey));
}
