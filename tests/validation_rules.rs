//! One test per validation rule: each builds a token that only that rule refuses (signed
//! validly, everything else in order) and asserts the exact error, next to a control that
//! passes, so removing or loosening the rule fails the test.
#![cfg(all(feature = "hs", feature = "es256", feature = "eddsa"))]

mod common;

use ciphertoken::hazmat::decode_header;
use ciphertoken::hazmat::RawVerifier;
use ciphertoken::{
    sign, verify_registered, verify_selecting_key, Algorithm, Claim, Error, FixedClock, MonotonicClock,
    NoClock, RequiredClaims, SigningKey, Validation, VerifyingKey, MAX_HEADER_B64_LEN, MAX_KID_LEN,
};
use common::{b64d, b64e, check_with, forge, segments, sign_segments, signing_key, ALGS, NOW};
use core::cell::Cell;

const HDR: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn hs() -> SigningKey {
    signing_key(Algorithm::HS256)
}

/// Verifies a token with header `HDR` and this payload under `v` at `NOW`.
fn claims(payload: &str, v: &Validation<'_>) -> Result<(), Error> {
    check_with(&forge(&hs(), HDR, payload), &hs(), v, NOW)
}

fn claims_at(payload: &str, v: &Validation<'_>, now: u64) -> Result<(), Error> {
    check_with(&forge(&hs(), HDR, payload), &hs(), v, now)
}

/// Verifies a token with this header and a valid payload.
fn header(header_json: &str) -> Result<(), Error> {
    header_with(header_json, &Validation::new())
}

fn header_with(header_json: &str, v: &Validation<'_>) -> Result<(), Error> {
    let payload = format!(r#"{{"exp":{}}}"#, NOW + 60);
    check_with(&forge(&hs(), header_json, &payload), &hs(), v, NOW)
}

fn exp_ok() -> String {
    format!(r#""exp":{}"#, NOW + 60)
}

// ---------------------------------------------------------------------------------------
// Time claims (RFC 7519 §4.1.4-§4.1.6)
// ---------------------------------------------------------------------------------------

#[test]
fn exp_is_required_by_default() {
    let v = Validation::new();
    assert_eq!(claims(r#"{"sub":"a"}"#, &v), Err(Error::MissingClaim(Claim::ExpirationTime)));
    assert_eq!(claims(r#"{}"#, &v), Err(Error::MissingClaim(Claim::ExpirationTime)));
    assert_eq!(claims(&format!("{{{}}}", exp_ok()), &v), Ok(()));
    // Turning the requirement off is explicit.
    assert_eq!(claims(r#"{"sub":"a"}"#, &v.required(RequiredClaims::NONE)), Ok(()));
    assert_eq!(
        Validation::default().validate(&Default::default(), &FixedClock(NOW)),
        v.validate(&Default::default(), &FixedClock(NOW))
    );
}

#[test]
fn exp_boundary_now_equal_to_exp_is_expired() {
    let v = Validation::new();
    assert_eq!(claims(&format!(r#"{{"exp":{}}}"#, NOW), &v), Err(Error::Expired));
    assert_eq!(claims(&format!(r#"{{"exp":{}}}"#, NOW - 1), &v), Err(Error::Expired));
    assert_eq!(claims(r#"{"exp":0}"#, &v), Err(Error::Expired));
    assert_eq!(claims(&format!(r#"{{"exp":{}}}"#, NOW + 1), &v), Ok(()));
    // A present exp is checked even when not required.
    let v = v.required(RequiredClaims::NONE);
    assert_eq!(claims(&format!(r#"{{"exp":{}}}"#, NOW), &v), Err(Error::Expired));
}

#[test]
fn leeway_applies_to_exp_nbf_and_iat() {
    let exp = format!(r#"{{"exp":{}}}"#, NOW - 10);
    assert_eq!(claims(&exp, &Validation::new().leeway(10)), Err(Error::Expired));
    assert_eq!(claims(&exp, &Validation::new().leeway(11)), Ok(()));

    let nbf = format!(r#"{{{},"nbf":{}}}"#, exp_ok(), NOW + 10);
    assert_eq!(claims(&nbf, &Validation::new().leeway(9)), Err(Error::NotYetValid));
    assert_eq!(claims(&nbf, &Validation::new().leeway(10)), Ok(()));

    let iat = format!(r#"{{{},"iat":{}}}"#, exp_ok(), NOW + 10);
    assert_eq!(claims(&iat, &Validation::new().leeway(9)), Err(Error::IssuedInFuture));
    assert_eq!(claims(&iat, &Validation::new().leeway(10)), Ok(()));

    // Huge leeway and huge times saturate instead of overflowing.
    let far = format!(r#"{{"exp":{}}}"#, u64::MAX);
    assert_eq!(claims_at(&far, &Validation::new().leeway(u64::MAX), u64::MAX - 1), Ok(()));
    assert_eq!(claims_at(r#"{"exp":5}"#, &Validation::new().leeway(u64::MAX), u64::MAX - 1), Ok(()));
}

#[test]
fn nbf_in_the_future_is_not_yet_valid() {
    let v = Validation::new();
    assert_eq!(claims(&format!(r#"{{{},"nbf":{}}}"#, exp_ok(), NOW + 1), &v), Err(Error::NotYetValid));
    assert_eq!(claims(&format!(r#"{{{},"nbf":{}}}"#, exp_ok(), NOW), &v), Ok(()));
    // Checked even without exp.
    let v = v.required(RequiredClaims::NONE);
    assert_eq!(claims(&format!(r#"{{"nbf":{}}}"#, NOW + 1), &v), Err(Error::NotYetValid));
}

#[test]
fn iat_in_the_future_is_refused() {
    let v = Validation::new();
    assert_eq!(claims(&format!(r#"{{{},"iat":{}}}"#, exp_ok(), NOW + 1), &v), Err(Error::IssuedInFuture));
    assert_eq!(claims(&format!(r#"{{{},"iat":{}}}"#, exp_ok(), NOW), &v), Ok(()));
    let v = v.required(RequiredClaims::NONE);
    assert_eq!(claims(&format!(r#"{{"iat":{}}}"#, NOW + 1), &v), Err(Error::IssuedInFuture));
}

#[test]
fn malformed_time_claims_are_errors_never_absent() {
    let bad_values = [
        r#""1800000000""#,
        "1800000000.0",
        "1800000000.5",
        "1.8e9",
        "18E8",
        "1e3",
        "-1",
        "-0",
        "-1800000000",
        "18446744073709551616",
        "99999999999999999999999999",
        "null",
        "true",
        "[1800000000]",
        r#"{"t":1800000000}"#,
    ];
    for (name, claim) in [("exp", Claim::ExpirationTime), ("nbf", Claim::NotBefore), ("iat", Claim::IssuedAt)]
    {
        for bad in bad_values {
            let payload = if name == "exp" {
                format!(r#"{{"exp":{bad}}}"#)
            } else {
                format!(r#"{{{},"{name}":{bad}}}"#, exp_ok())
            };
            for v in [Validation::new(), Validation::new().required(RequiredClaims::NONE).leeway(u64::MAX)] {
                assert_eq!(claims(&payload, &v), Err(Error::InvalidClaim(claim)), "{payload}");
            }
        }
    }
    // The largest integer is well-formed.
    assert_eq!(claims(&format!(r#"{{"exp":{}}}"#, u64::MAX), &Validation::new()), Ok(()));
    assert_eq!(claims(r#"{"exp":1800000000,"nbf":0,"iat":0}"#, &Validation::new()), Ok(()));
}

#[test]
fn escaped_registered_names_are_still_registered_claims() {
    // "\u0065xp" is "exp": it must be validated, not skipped as an unknown claim.
    let v = Validation::new();
    assert_eq!(claims(&format!(r#"{{"\u0065xp":{}}}"#, NOW - 1), &v), Err(Error::Expired));
    assert_eq!(claims(r#"{"\u0065xp":"soon"}"#, &v), Err(Error::InvalidClaim(Claim::ExpirationTime)));
    assert_eq!(claims(&format!(r#"{{"\u0065xp":{}}}"#, NOW + 1), &v), Ok(()));
    assert_eq!(claims(&format!(r#"{{{},"n\u0062f":{}}}"#, exp_ok(), NOW + 5), &v), Err(Error::NotYetValid));
    assert_eq!(
        claims(&format!(r#"{{{},"\u0069ss":"mallory"}}"#, exp_ok()), &v.issuer("gw")),
        Err(Error::InvalidIssuer)
    );
}

// ---------------------------------------------------------------------------------------
// Expected values make their claim required, and compare exactly
// ---------------------------------------------------------------------------------------

#[test]
fn expected_issuer_is_required_and_exact() {
    let v = Validation::new().issuer("gw");
    let e = exp_ok();
    assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(Claim::Issuer)));
    assert_eq!(claims(&format!(r#"{{{e},"iss":"gw"}}"#), &v), Ok(()));
    assert_eq!(claims(&format!(r#"{{{e},"iss":"g\u0077"}}"#), &v), Ok(()), "compared after unescaping");
    for wrong in ["g", "gw2", "GW", "gw ", " gw", "", "gw\\u0000"] {
        assert_eq!(claims(&format!(r#"{{{e},"iss":"{wrong}"}}"#), &v), Err(Error::InvalidIssuer), "{wrong}");
    }
    for not_string in ["1", "null", r#"["gw"]"#] {
        assert_eq!(
            claims(&format!(r#"{{{e},"iss":{not_string}}}"#), &v),
            Err(Error::InvalidClaim(Claim::Issuer))
        );
    }
}

#[test]
fn expected_subject_is_required_and_exact() {
    let v = Validation::new().subject("dev-1");
    let e = exp_ok();
    assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(Claim::Subject)));
    assert_eq!(claims(&format!(r#"{{{e},"sub":"dev-1"}}"#), &v), Ok(()));
    for wrong in ["dev-10", "dev-", "DEV-1", "dev-1\\n"] {
        assert_eq!(claims(&format!(r#"{{{e},"sub":"{wrong}"}}"#), &v), Err(Error::InvalidSubject), "{wrong}");
    }
    assert_eq!(claims(&format!(r#"{{{e},"sub":7}}"#), &v), Err(Error::InvalidClaim(Claim::Subject)));
}

#[test]
fn expected_token_type_is_required_and_exact() {
    let v = Validation::new().token_type("access");
    let e = exp_ok();
    assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(Claim::TokenType)));
    assert_eq!(claims(&format!(r#"{{{e},"type":"access"}}"#), &v), Ok(()));
    for wrong in ["refresh", "accesss", "acces", "Access"] {
        assert_eq!(claims(&format!(r#"{{{e},"type":"{wrong}"}}"#), &v), Err(Error::WrongTokenUse), "{wrong}");
    }
    assert_eq!(claims(&format!(r#"{{{e},"type":1}}"#), &v), Err(Error::InvalidClaim(Claim::TokenType)));
}

#[test]
fn expected_audience_is_required_exact_string_or_array() {
    let v = Validation::new().audience("api");
    let e = exp_ok();
    assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(Claim::Audience)));
    for ok in
        [r#""api""#, r#"["api"]"#, r#"["x","api"]"#, r#"["api","x"]"#, r#""\u0061pi""#, r#"[ "y" , "api" ]"#]
    {
        assert_eq!(claims(&format!(r#"{{{e},"aud":{ok}}}"#), &v), Ok(()), "{ok}");
    }
    for wrong in [r#""ap""#, r#""apis""#, r#""API""#, r#"["x"]"#, r#"[]"#, r#"["ap","pi"]"#, r#"[["api"]]"#] {
        let expected = if wrong == r#"[["api"]]"# {
            Error::InvalidClaim(Claim::Audience)
        } else {
            Error::InvalidAudience
        };
        assert_eq!(claims(&format!(r#"{{{e},"aud":{wrong}}}"#), &v), Err(expected), "{wrong}");
    }
    for malformed in ["1", "null", r#"{"a":"api"}"#, r#"["api",1]"#, r#"["api",null]"#] {
        assert_eq!(
            claims(&format!(r#"{{{e},"aud":{malformed}}}"#), &v),
            Err(Error::InvalidClaim(Claim::Audience)),
            "{malformed}"
        );
    }
    // Any of several acceptable audiences.
    let any = ["a", "b"];
    let v = Validation::new().audiences(&any);
    assert_eq!(claims(&format!(r#"{{{e},"aud":["c","b"]}}"#), &v), Ok(()));
    assert_eq!(claims(&format!(r#"{{{e},"aud":"a"}}"#), &v), Ok(()));
    assert_eq!(claims(&format!(r#"{{{e},"aud":["c"]}}"#), &v), Err(Error::InvalidAudience));
    assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(Claim::Audience)));
}

#[test]
fn audience_present_but_not_expected_is_refused_unless_allowed() {
    // RFC 7519 §4.1.3: a token meant for someone else must not be accepted by accident.
    let e = exp_ok();
    for aud in [r#""api""#, r#"["api","x"]"#, r#"[]"#] {
        let payload = format!(r#"{{{e},"aud":{aud}}}"#);
        assert_eq!(claims(&payload, &Validation::new()), Err(Error::InvalidAudience), "{aud}");
        assert_eq!(claims(&payload, &Validation::new().allow_unexpected_audience()), Ok(()));
    }
    assert_eq!(claims(&format!("{{{e}}}"), &Validation::new()), Ok(()));
}

#[test]
fn required_claims_each_enforced() {
    let e = exp_ok();
    for (bit, claim, present) in [
        (RequiredClaims::NBF, Claim::NotBefore, format!(r#""nbf":{NOW}"#)),
        (RequiredClaims::IAT, Claim::IssuedAt, format!(r#""iat":{NOW}"#)),
        (RequiredClaims::ISS, Claim::Issuer, r#""iss":"x""#.to_string()),
        (RequiredClaims::SUB, Claim::Subject, r#""sub":"x""#.to_string()),
        (RequiredClaims::JTI, Claim::JwtId, r#""jti":"x""#.to_string()),
        (RequiredClaims::AUD, Claim::Audience, r#""aud":"x""#.to_string()),
    ] {
        let v = Validation::new().required(RequiredClaims::EXP | bit).allow_unexpected_audience();
        assert_eq!(claims(&format!("{{{e}}}"), &v), Err(Error::MissingClaim(claim)), "{claim:?}");
        assert_eq!(claims(&format!("{{{e},{present}}}"), &v), Ok(()), "{claim:?}");
        // Replacing the set drops exp's requirement.
        assert_eq!(claims(&format!("{{{present}}}"), &v.required(bit)), Ok(()));
    }
    assert_eq!(
        claims(&format!("{{{e}}}"), &Validation::new().required(RequiredClaims::ALL)),
        Err(Error::MissingClaim(Claim::NotBefore))
    );
    assert_eq!(RequiredClaims::from_bits(0x80), None);
    assert_eq!(RequiredClaims::from_bits(0x7f), Some(RequiredClaims::ALL));
}

// ---------------------------------------------------------------------------------------
// Header rules (RFC 7515 §4.1, RFC 8725)
// ---------------------------------------------------------------------------------------

#[test]
fn typ_header_must_be_jwt_when_present() {
    assert_eq!(header(r#"{"alg":"HS256"}"#), Ok(()));
    assert_eq!(header(r#"{"alg":"HS256","typ":"JWT"}"#), Ok(()));
    assert_eq!(header(r#"{"alg":"HS256","typ":"jwt"}"#), Ok(()), "RFC 7515 §4.1.9: case-insensitive");
    for wrong in [r#""at+jwt""#, r#""JWS""#, r#""""#, r#""JWT ""#, "1", "null"] {
        assert_eq!(
            header(&format!(r#"{{"alg":"HS256","typ":{wrong}}}"#)),
            Err(Error::InvalidTokenType),
            "{wrong}"
        );
    }
    // A configured type replaces JWT and is then required.
    let v = Validation::new().header_type("at+jwt");
    assert_eq!(header_with(r#"{"alg":"HS256","typ":"AT+JWT"}"#, &v), Ok(()));
    assert_eq!(header_with(r#"{"alg":"HS256","typ":"JWT"}"#, &v), Err(Error::InvalidTokenType));
    assert_eq!(header_with(r#"{"alg":"HS256"}"#, &v), Err(Error::InvalidTokenType));
}

#[test]
fn crit_is_rejected() {
    // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand; we
    // understand none.
    for crit in [r#"["exp"]"#, r#"[]"#, r#"["b64"]"#, r#""x""#] {
        assert_eq!(
            header(&format!(r#"{{"alg":"HS256","crit":{crit},"exp":1,"b64":true}}"#)),
            Err(Error::UnsupportedCritical),
            "{crit}"
        );
    }
    assert_eq!(header(r#"{"alg":"HS256","exp":1,"b64":true}"#), Ok(()));
}

#[test]
fn b64_false_is_rejected() {
    // RFC 7797: an unencoded payload changes what is signed; not supported.
    assert_eq!(header(r#"{"alg":"HS256","b64":false}"#), Err(Error::UnsupportedCritical));
    assert_eq!(header(r#"{"alg":"HS256","b64":"false"}"#), Err(Error::UnsupportedCritical));
    assert_eq!(header(r#"{"alg":"HS256","b64":0}"#), Err(Error::UnsupportedCritical));
    assert_eq!(header(r#"{"alg":"HS256","b64":true}"#), Ok(()));
}

#[test]
fn cty_jwt_nested_tokens_are_rejected() {
    assert_eq!(header(r#"{"alg":"HS256","cty":"JWT"}"#), Err(Error::InvalidTokenType));
    assert_eq!(header(r#"{"alg":"HS256","cty":"jwt"}"#), Err(Error::InvalidTokenType));
    assert_eq!(header(r#"{"alg":"HS256","cty":"json"}"#), Ok(()));
}

#[test]
fn key_url_headers_are_ignored_never_followed() {
    // jku/x5u/jwk/x5c never choose the key (RFC 8725 §3.10): the token still needs our key.
    let attacker = SigningKey::hs256(&[0xEE; 32]).unwrap();
    let hdr = r#"{"alg":"HS256","jku":"https://evil.example/k","jwk":{"kty":"oct","k":"7u7u"},"x5u":"x","x5c":["AA"]}"#;
    let payload = format!("{{{}}}", exp_ok());
    assert_eq!(
        check_with(&forge(&attacker, hdr, &payload), &hs(), &Validation::new(), NOW),
        Err(Error::InvalidSignature)
    );
    assert_eq!(check_with(&forge(&hs(), hdr, &payload), &hs(), &Validation::new(), NOW), Ok(()));
}

#[test]
fn alg_must_match_the_key_for_every_pair() {
    // RFC 8725 §3.1: the key decides the algorithm. Token signed with A, verified with a
    // key of algorithm B ≠ A.
    for signer in ALGS {
        let key = signing_key(signer);
        let mut out = [0u8; 512];
        let token = sign(&key, &serde_json::json!({"exp": NOW + 60}), &mut out).unwrap();
        for verifier in ALGS {
            let vk = signing_key(verifier).verifying_key();
            let mut scratch = [0u8; 512];
            let r = verify_registered(token, &vk, &Validation::new(), &FixedClock(NOW), &mut scratch);
            if signer == verifier {
                assert!(r.is_ok(), "{signer:?}");
            } else {
                assert_eq!(r.err(), Some(Error::AlgorithmMismatch), "{signer:?} verified with {verifier:?}");
            }
        }
    }
}

#[test]
fn public_key_as_hmac_secret_confusion_is_refused() {
    // The classic attack: sign HS256 with the verifier's *public* key bytes as secret.
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let vk = signing_key(alg).verifying_key();
        let mut public = [0u8; 65];
        let n = vk.public_key_bytes(&mut public).unwrap();
        let evil = SigningKey::hmac_allowing_short_secret(Algorithm::HS256, &public[..n]).unwrap();
        let token = forge(&evil, HDR, &format!("{{{}}}", exp_ok()));
        let mut scratch = [0u8; 512];
        let r = verify_registered(&token, &vk, &Validation::new(), &FixedClock(NOW), &mut scratch);
        assert_eq!(r.err(), Some(Error::AlgorithmMismatch));
    }
}

#[test]
fn alg_none_in_any_case_is_unsupported() {
    for none in ["none", "None", "NONE", "nOnE", "NoNe"] {
        let hdr = format!(r#"{{"alg":"{none}","typ":"JWT"}}"#);
        let payload = format!("{{{}}}", exp_ok());
        // With some signature bytes (an empty third segment is already Malformed).
        let token = format!("{}.{}.AAAA", b64e(&hdr), b64e(&payload));
        assert_eq!(
            check_with(&token, &hs(), &Validation::new(), NOW),
            Err(Error::UnsupportedAlgorithm),
            "{none}"
        );
        let unsigned = format!("{}.{}.", b64e(&hdr), b64e(&payload));
        assert_eq!(check_with(&unsigned, &hs(), &Validation::new(), NOW), Err(Error::Malformed));
        // Even validly MACed.
        assert_eq!(header(&hdr), Err(Error::UnsupportedAlgorithm));
    }
}

#[test]
fn unknown_or_malformed_alg_is_unsupported() {
    // Names that are no JWS algorithm of ours: wrong case, JWE-only, other curves.
    for alg in [
        r#""hs256""#,
        r#""Hs256""#,
        r#""HS256 ""#,
        r#"" HS256""#,
        r#""HS1""#,
        r#""""#,
        r#""EDDSA""#,
        r#""eddsa""#,
        r#""Ed25519""#,
        r#""ES256K""#,
        r#""RSA-OAEP""#,
        r#""dir""#,
        r#""HS256\u0000""#,
        "256",
        "null",
        "true",
        r#"["HS256"]"#,
        r#"{"HS256":1}"#,
    ] {
        assert_eq!(
            header(&format!(r#"{{"alg":{alg},"typ":"JWT"}}"#)),
            Err(Error::UnsupportedAlgorithm),
            "{alg}"
        );
    }
    assert_eq!(header(r#"{"typ":"JWT"}"#), Err(Error::UnsupportedAlgorithm), "alg is required");
    assert_eq!(header(r#"{}"#), Err(Error::UnsupportedAlgorithm));
}

#[test]
fn kid_longer_than_64_bytes_is_refused() {
    assert_eq!(MAX_KID_LEN, 64);
    let k64 = "k".repeat(64);
    let k65 = "k".repeat(65);
    assert_eq!(header(&format!(r#"{{"alg":"HS256","kid":"{k64}"}}"#)), Ok(()));
    assert_eq!(header(&format!(r#"{{"alg":"HS256","kid":"{k65}"}}"#)), Err(Error::InvalidKeyId));
    // The limit is on the decoded kid: 64 escaped characters are fine, 65 are not.
    let e64 = "\\u0041".repeat(64);
    let e65 = "\\u0041".repeat(65);
    assert_eq!(header(&format!(r#"{{"alg":"HS256","kid":"{e64}"}}"#)), Ok(()));
    assert_eq!(header(&format!(r#"{{"alg":"HS256","kid":"{e65}"}}"#)), Err(Error::InvalidKeyId));
    assert_eq!(header(r#"{"alg":"HS256","kid":5}"#), Err(Error::InvalidJson));
    // Keys refuse such kids too.
    assert!(hs().with_kid(&k64).is_ok());
    assert_eq!(hs().with_kid(&k65).err(), Some(Error::InvalidKeyId));
    assert_eq!(hs().with_kid("").err(), Some(Error::InvalidKeyId));
    assert_eq!(hs().with_kid("a\nb").err(), Some(Error::InvalidKeyId));
    assert_eq!(hs().verifying_key().with_kid(&k65).err(), Some(Error::InvalidKeyId));
}

#[test]
fn kid_selects_only_among_our_keys() {
    let old = SigningKey::hs256(&[1; 32]).unwrap().with_kid("old").unwrap();
    let new = SigningKey::hs256(&[2; 32]).unwrap().with_kid("new").unwrap();
    let keys = [old.verifying_key(), new.verifying_key()];
    let select = |h: &ciphertoken::Header<'_>| -> Result<&VerifyingKey, Error> {
        let kid = h.kid.ok_or(Error::UnknownKey)?;
        keys.iter().find(|k| k.kid().is_some_and(|id| kid.eq_str(id))).ok_or(Error::UnknownKey)
    };
    let payload = format!("{{{}}}", exp_ok());
    for key in [&old, &new] {
        let token = forge(key, &format!(r#"{{"alg":"HS256","kid":"{}"}}"#, key.kid().unwrap()), &payload);
        let mut scratch = [0u8; 512];
        let r = verify_selecting_key::<serde::de::IgnoredAny, _, _>(
            &token,
            select,
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        );
        assert!(r.is_ok());
    }
    // A kid naming the other key: the signature does not verify.
    let token = forge(&old, r#"{"alg":"HS256","kid":"new"}"#, &payload);
    let mut scratch = [0u8; 512];
    let r = verify_selecting_key::<serde::de::IgnoredAny, _, _>(
        &token,
        select,
        &Validation::new(),
        &FixedClock(NOW),
        &mut scratch,
    );
    assert_eq!(r.err(), Some(Error::InvalidSignature));
    for hdr in [r#"{"alg":"HS256","kid":"other"}"#, r#"{"alg":"HS256"}"#] {
        let token = forge(&old, hdr, &payload);
        let r = verify_selecting_key::<serde::de::IgnoredAny, _, _>(
            &token,
            select,
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        );
        assert_eq!(r.err(), Some(Error::UnknownKey));
    }
}

// ---------------------------------------------------------------------------------------
// Strict JSON (RFC 8259; RFC 7515 §4 and RFC 7519 §4: duplicate names rejected)
// ---------------------------------------------------------------------------------------

#[test]
fn duplicate_header_members_are_rejected() {
    for hdr in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
        r#"{"\u0061lg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"JWT","t\u0079p":"JWT"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"a"}"#,
        r#"{"alg":"HS256","x":{"y":1,"\u0079":2}}"#,
    ] {
        assert_eq!(header(hdr), Err(Error::InvalidJson), "{hdr}");
    }
    assert_eq!(
        header(r#"{"alg":"HS256","x":{"alg":1},"y":{"alg":2}}"#),
        Ok(()),
        "same name in different objects"
    );
}

#[test]
fn duplicate_payload_members_are_rejected() {
    let v = Validation::new().required(RequiredClaims::NONE).allow_unexpected_audience();
    let (a, b) = (NOW + 60, NOW - 60);
    for payload in [
        format!(r#"{{"exp":{a},"exp":{b}}}"#),
        format!(r#"{{"exp":{a},"\u0065xp":{b}}}"#),
        format!(r#"{{"e\u0078p":{a},"exp":{b}}}"#),
        r#"{"sub":"a","sub":"a"}"#.to_string(),
        r#"{"aud":"a","aud":["b"]}"#.to_string(),
        r#"{"role":"user","role":"admin"}"#.to_string(),
        r#"{"x":[{"k":1,"k":2}]}"#.to_string(),
        r#"{"x":"\ud83d\ude00","\u0078":1}"#.to_string(),
    ] {
        assert_eq!(claims(&payload, &v), Err(Error::InvalidJson), "{payload}");
    }
}

#[test]
fn header_and_payload_must_be_strict_json_objects() {
    let v = Validation::new().required(RequiredClaims::NONE);
    for payload in [
        "[]",
        "\"x\"",
        "1",
        "null",
        " ",
        "{",
        "{}}",
        "{} {}",
        r#"{"a":1,}"#,
        r#"{'a':1}"#,
        r#"{"a":01}"#,
        r#"{"a":NaN}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\ud800"}"#,
        "{\"a\":\"\u{1}\"}",
        r#"{"a" 1}"#,
        "\u{feff}{}",
    ] {
        assert_eq!(claims(payload, &v), Err(Error::InvalidJson), "{payload:?}");
    }
    // Invalid UTF-8 in the payload.
    let token = sign_segments(&hs(), &b64e(HDR), &b64e(b"{\"a\":\"\xff\"}"));
    assert_eq!(check_with(&token, &hs(), &v, NOW), Err(Error::InvalidJson));
    // White space around and inside is fine (the A.1 vector has CR LF).
    assert_eq!(claims(" \r\n\t{ \"a\" : [ 1 , { } ] }\n", &v), Ok(()));
    for hdr in [r#"["HS256"]"#, r#""HS256""#, r#"{"alg":"HS256"} x"#, r#"{"alg":"HS256""#] {
        assert_eq!(header(hdr), Err(Error::InvalidJson), "{hdr}");
    }
}

#[test]
fn nesting_depth_and_member_count_are_bounded() {
    let v = Validation::new().required(RequiredClaims::NONE);
    let depth = ciphertoken::hazmat::json::MAX_DEPTH;
    // The top-level object counts as one level.
    let nested = |levels: usize| format!(r#"{{"a":{}1{}}}"#, "[".repeat(levels), "]".repeat(levels));
    assert_eq!(claims(&nested(depth - 1), &v), Ok(()));
    assert_eq!(claims(&nested(depth), &v), Err(Error::InvalidJson));
    let huge = v.max_token_len(1 << 20);
    assert_eq!(claims(&nested(100_000), &huge), Err(Error::InvalidJson), "no stack overflow");

    let members =
        |n: usize| format!("{{{}}}", (0..n).map(|i| format!(r#""m{i}":{i}"#)).collect::<Vec<_>>().join(","));
    let max = ciphertoken::hazmat::json::MAX_MEMBERS;
    assert_eq!(claims(&members(max), &v), Ok(()));
    assert_eq!(claims(&members(max + 1), &v), Err(Error::InvalidJson));
}

// ---------------------------------------------------------------------------------------
// Compact serialization and base64url (RFC 7515 §2, §7.1; RFC 4648 §5)
// ---------------------------------------------------------------------------------------

fn good_token() -> String {
    forge(&hs(), HDR, &format!("{{{}}}", exp_ok()))
}

fn verdict(token: &str) -> Result<(), Error> {
    check_with(token, &hs(), &Validation::new(), NOW)
}

#[test]
fn exactly_three_segments() {
    let t = good_token();
    let (h, p, s) = segments(&t);
    assert_eq!(verdict(&t), Ok(()));
    for bad in [
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{s}."),
        format!("{h}{p}{s}"),
        format!("{h}.{p}.{s}.x.y"),
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
    ] {
        assert_eq!(verdict(&bad), Err(Error::Malformed), "{bad}");
    }
}

#[test]
fn empty_segments_are_malformed() {
    let t = good_token();
    let (h, p, s) = segments(&t);
    for bad in [format!(".{p}.{s}"), format!("{h}..{s}"), format!("{h}.{p}."), format!("..{s}")] {
        assert_eq!(verdict(&bad), Err(Error::Malformed), "{bad}");
    }
}

/// A header JSON text whose base64url contains `needle` (found by padding a member).
fn header_containing(needle: char, filler: &str) -> String {
    for pad in 0..3 {
        let json = format!(r#"{{"alg":"HS256","x":"{}{}"}}"#, "a".repeat(pad), filler);
        if b64e(&json).contains(needle) {
            return json;
        }
    }
    panic!("no header with {needle:?}");
}

#[test]
fn standard_alphabet_plus_and_slash_are_refused() {
    // "???" encodes to "Pz8_" and ">>>" to "Pj4-": swap in the standard alphabet's / and +.
    for (needle, filler, standard) in [('_', "???", "/"), ('-', ">>>", "+")] {
        let hdr = header_containing(needle, filler);
        let payload = format!("{{{}}}", exp_ok());
        let good = forge(&hs(), &hdr, &payload);
        assert_eq!(verdict(&good), Ok(()));
        let h = b64e(&hdr).replace(needle, standard);
        let token = sign_segments(&hs(), &h, &b64e(&payload));
        assert_eq!(verdict(&token), Err(Error::InvalidBase64), "{h}");
        // Same in the payload segment (behind a valid signature).
        let p = (0..3)
            .map(|i| b64e(format!(r#"{{{},"x":"{}{filler}"}}"#, exp_ok(), "a".repeat(i))))
            .find(|p| p.contains(needle))
            .expect("a payload whose encoding contains the character");
        let token = sign_segments(&hs(), &b64e(HDR), &p.replace(needle, standard));
        assert_eq!(verdict(&token), Err(Error::InvalidBase64));
    }
}

#[test]
fn padding_is_refused() {
    // Header `{"alg":"HS256"}` is 15 bytes: 20 characters, no padding ever; use 16 bytes.
    let hdr = r#"{"alg":"HS256" }"#;
    assert_eq!(hdr.len() % 3, 1);
    let payload = format!("{{{} }}", exp_ok());
    let good = forge(&hs(), hdr, &payload);
    assert_eq!(verdict(&good), Ok(()));
    let token = sign_segments(&hs(), &format!("{}==", b64e(hdr)), &b64e(&payload));
    assert_eq!(verdict(&token), Err(Error::InvalidBase64));
    let token = sign_segments(&hs(), &format!("{}=", b64e(hdr)), &b64e(&payload));
    assert_eq!(verdict(&token), Err(Error::InvalidBase64));
    let p = b64e(&payload);
    let padded = format!("{p}{}", "=".repeat(((4 - p.len() % 4) % 4).max(1)));
    let token = sign_segments(&hs(), &b64e(hdr), &padded);
    assert_eq!(verdict(&token), Err(Error::InvalidBase64));
    // Padding on the signature.
    assert_eq!(verdict(&format!("{good}=")), Err(Error::InvalidSignature));
}

/// The base64url alphabet index of `c`.
fn index(c: u8) -> u8 {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    A.iter().position(|&x| x == c).unwrap() as u8
}

fn set_trailing_bit(segment: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert_ne!(segment.len() % 4, 0, "needs a partial final group");
    let mut bytes = segment.as_bytes().to_vec();
    let last = bytes.last_mut().unwrap();
    // The final character carries 2 (len%4==2) or 4 (len%4==3) data bits; its low bit is
    // always unused.
    *last = A[(index(*last) | 1) as usize];
    let s = String::from_utf8(bytes).unwrap();
    assert_ne!(s, segment);
    // A decoder that ignores trailing bits reads the same bytes: only canonicity differs.
    assert_eq!(lenient_decode(&s), b64d(segment));
    s
}

fn lenient_decode(s: &str) -> Vec<u8> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone);
    GeneralPurpose::new(&base64::alphabet::URL_SAFE, config).decode(s).unwrap()
}

#[test]
fn non_canonical_trailing_bits_are_refused() {
    for hdr in [r#"{"alg":"HS256" }"#, r#"{"alg":"HS256"  }"#] {
        let payload = format!("{{{} }}", exp_ok());
        let h = set_trailing_bit(&b64e(hdr));
        let token = sign_segments(&hs(), &h, &b64e(&payload));
        assert_eq!(verdict(&token), Err(Error::InvalidBase64), "{h}");
    }
    for payload in [format!("{{{} }}", exp_ok()), format!("{{{}  }}", exp_ok())] {
        let p = set_trailing_bit(&b64e(&payload));
        let token = sign_segments(&hs(), &b64e(HDR), &p);
        assert_eq!(verdict(&token), Err(Error::InvalidBase64), "{p}");
    }
    // Signature: HS256's 32 bytes give 43 characters (one partial group).
    let t = good_token();
    let (h, p, s) = segments(&t);
    assert_eq!(s.len() % 4, 3);
    assert_eq!(verdict(&format!("{h}.{p}.{}", set_trailing_bit(&s))), Err(Error::InvalidSignature));
}

#[test]
fn whitespace_is_refused() {
    let t = good_token();
    let (h, p, s) = segments(&t);
    // In the header segment it is bad base64url; after the signature it is a bad signature.
    for (bad, err) in [
        (format!(" {t}"), Error::InvalidBase64),
        (format!("{h} .{p}.{s}"), Error::InvalidBase64),
        (format!("{}\n{}.{p}.{s}", &h[..4], &h[4..]), Error::InvalidBase64),
        (format!("{h}.{p}.{s} "), Error::InvalidSignature),
        (format!("{h}.{p}.{s}\n"), Error::InvalidSignature),
        (format!("{h}.{p}.{} {}", &s[..4], &s[4..]), Error::InvalidSignature),
    ] {
        assert_eq!(verdict(&bad), Err(err), "{bad:?}");
    }
    // In the payload, behind a valid signature.
    let token = sign_segments(&hs(), &h, &format!("{} {}", &p[..8], &p[8..]));
    assert_eq!(verdict(&token), Err(Error::InvalidBase64));
    let token = sign_segments(&hs(), &h, &format!("{}\r\n{}", &p[..8], &p[8..]));
    assert_eq!(verdict(&token), Err(Error::InvalidBase64));
}

#[test]
fn token_longer_than_the_limit_is_refused() {
    let limit = ciphertoken::DEFAULT_MAX_TOKEN_LEN;
    assert_eq!(limit, 8 * 1024);
    // Grow a claim until the token is just over the limit, remembering the longest that fit.
    let mut longest_ok = 0;
    let mut shortest_too_long = usize::MAX;
    for pad in 6_000..6_200 {
        let token = forge(&hs(), HDR, &format!(r#"{{{},"pad":"{}"}}"#, exp_ok(), "p".repeat(pad)));
        let r = verdict(&token);
        if token.len() <= limit {
            assert_eq!(r, Ok(()), "{} bytes", token.len());
            longest_ok = longest_ok.max(token.len());
        } else {
            assert_eq!(r, Err(Error::TooLong), "{} bytes", token.len());
            shortest_too_long = shortest_too_long.min(token.len());
        }
    }
    assert!(longest_ok >= limit - 2 && shortest_too_long <= limit + 2, "{longest_ok} {shortest_too_long}");

    // A custom limit, exact at the boundary.
    let t = good_token();
    assert_eq!(check_with(&t, &hs(), &Validation::new().max_token_len(t.len()), NOW), Ok(()));
    assert_eq!(
        check_with(&t, &hs(), &Validation::new().max_token_len(t.len() - 1), NOW),
        Err(Error::TooLong)
    );
    assert_eq!(Validation::new().max_token_len(77).token_len_limit(), 77);
    // Refused before anything else: a too-long token of garbage is TooLong, not Malformed.
    let garbage = "x".repeat(limit + 1);
    assert_eq!(verdict(&garbage), Err(Error::TooLong));
}

#[test]
fn header_segment_longer_than_the_limit_is_refused() {
    assert_eq!(MAX_HEADER_B64_LEN, 1024);
    let payload = format!("{{{}}}", exp_ok());
    let make = |json_len: usize| {
        let base = r#"{"alg":"HS256","x":""}"#.len();
        let hdr = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(json_len - base));
        assert_eq!(hdr.len(), json_len);
        forge(&hs(), &hdr, &payload)
    };
    // 768 bytes of JSON encode to exactly 1024 characters; 769 to 1026.
    assert_eq!(verdict(&make(768)), Ok(()));
    assert_eq!(verdict(&make(769)), Err(Error::TooLong));
    // decode_header applies the same bound.
    let mut scratch = [0u8; 2048];
    assert_eq!(decode_header(make(769).as_bytes(), &mut scratch).err(), Some(Error::TooLong));
    assert!(decode_header(make(768).as_bytes(), &mut scratch).is_ok());
}

// ---------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------

#[test]
fn flipped_bits_give_invalid_signature_for_every_algorithm() {
    for alg in ALGS {
        let key = signing_key(alg);
        let mut out = [0u8; 512];
        let token =
            sign(&key, &serde_json::json!({"exp": NOW + 60, "sub": "x"}), &mut out).unwrap().to_string();
        assert_eq!(check_with(&token, &key, &Validation::new(), NOW), Ok(()));
        let (h, p, s) = segments(&token);
        let sig = b64d(&s);
        // Every bit of the signature.
        for bit in 0..sig.len() * 8 {
            let mut bad = sig.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let t = format!("{h}.{p}.{}", b64e(&bad));
            assert_eq!(
                check_with(&t, &key, &Validation::new(), NOW),
                Err(Error::InvalidSignature),
                "{alg:?} bit {bit}"
            );
        }
        // A bit of the signed payload ("x" -> "y").
        let p2 = b64e(String::from_utf8(b64d(&p)).unwrap().replace("\"x\"", "\"y\""));
        assert_ne!(p, p2);
        let t = format!("{h}.{p2}.{s}");
        assert_eq!(check_with(&t, &key, &Validation::new(), NOW), Err(Error::InvalidSignature), "{alg:?}");
    }
}

#[test]
fn truncated_or_extended_signatures_are_invalid() {
    for alg in ALGS {
        let key = signing_key(alg);
        let mut out = [0u8; 512];
        let token = sign(&key, &serde_json::json!({"exp": NOW + 60}), &mut out).unwrap().to_string();
        let (h, p, s) = segments(&token);
        let sig = b64d(&s);
        let mut variants = vec![
            s[..s.len() - 1].to_string(),
            s[..s.len() - 4].to_string(),
            format!("{s}A"),
            format!("{s}AAAA"),
            b64e(&sig[..sig.len() - 1]),
            b64e([&sig[..], &[0]].concat()),
            b64e([&sig[..], &sig[..]].concat()),
            "A".into(),
            "AA".into(),
            b64e([0u8; 64]),
            "_".repeat(200),
        ];
        if alg == Algorithm::ES256 {
            // A DER-encoded ECDSA signature is not what RFC 7518 §3.4 specifies.
            let (r, s) = sig.split_at(32);
            let mut der = vec![0x30, 0x44, 0x02, 0x20];
            der.extend(r);
            der.extend([0x02, 0x20]);
            der.extend(s);
            variants.push(b64e(der));
        }
        for bad in variants {
            let t = format!("{h}.{p}.{bad}");
            assert_eq!(
                check_with(&t, &key, &Validation::new(), NOW),
                Err(Error::InvalidSignature),
                "{alg:?} {bad}"
            );
        }
    }
}

const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[test]
fn es256_zero_and_out_of_range_r_s_are_invalid() {
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 must never verify.
    let key = signing_key(Algorithm::ES256);
    let mut out = [0u8; 512];
    let token = sign(&key, &serde_json::json!({"exp": NOW + 60}), &mut out).unwrap().to_string();
    let (h, p, s) = segments(&token);
    let sig = b64d(&s);
    let mut n_plus_r = P256_N.to_vec();
    n_plus_r.extend(&sig[32..]);
    for bad in [
        vec![0u8; 64],
        [P256_N, P256_N].concat(),
        [&sig[..32], &[0u8; 32][..]].concat(),
        [&[0u8; 32][..], &sig[32..]].concat(),
        n_plus_r,
        vec![0xff; 64],
    ] {
        let t = format!("{h}.{p}.{}", b64e(&bad));
        assert_eq!(check_with(&t, &key, &Validation::new(), NOW), Err(Error::InvalidSignature));
        assert_eq!(
            key.verifying_key().verify_raw(format!("{h}.{p}").as_bytes(), &bad),
            Err(Error::InvalidSignature)
        );
    }
}

#[test]
fn ed25519_non_canonical_s_is_invalid() {
    // RFC 8032 §5.1.7: S must be < L; S + L verifies under lax implementations.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let key = signing_key(Algorithm::EdDSA);
    let mut out = [0u8; 512];
    let token = sign(&key, &serde_json::json!({"exp": NOW + 60}), &mut out).unwrap().to_string();
    let (h, p, s) = segments(&token);
    let mut sig = b64d(&s);
    // S (little-endian, bytes 32..64) + L.
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        sig[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert!(sig[63] < 0x20, "S + L still fits in 253 bits");
    let t = format!("{h}.{p}.{}", b64e(&sig));
    assert_eq!(check_with(&t, &key, &Validation::new(), NOW), Err(Error::InvalidSignature));
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

#[test]
fn short_hmac_secrets_are_refused() {
    // RFC 7518 §3.2: a key of the same size as the hash output or larger.
    for (alg, min) in [(Algorithm::HS256, 32), (Algorithm::HS384, 48), (Algorithm::HS512, 64)] {
        assert_eq!(ciphertoken::min_hmac_secret_len(alg), min);
        let short = vec![7u8; min - 1];
        let ok = vec![7u8; min];
        assert_eq!(SigningKey::hmac(alg, &short).err(), Some(Error::KeyTooShort), "{alg:?}");
        assert_eq!(VerifyingKey::hmac(alg, &short).err(), Some(Error::KeyTooShort), "{alg:?}");
        assert!(SigningKey::hmac(alg, &ok).is_ok());
        assert!(VerifyingKey::hmac(alg, &ok).is_ok());
        let named = match alg {
            Algorithm::HS256 => (SigningKey::hs256(&short), VerifyingKey::hs256(&short)),
            Algorithm::HS384 => (SigningKey::hs384(&short), VerifyingKey::hs384(&short)),
            _ => (SigningKey::hs512(&short), VerifyingKey::hs512(&short)),
        };
        assert_eq!(named.0.err(), Some(Error::KeyTooShort));
        assert_eq!(named.1.err(), Some(Error::KeyTooShort));
        // The clearly named opt-out accepts them, still not an empty secret.
        let legacy = SigningKey::hmac_allowing_short_secret(alg, b"k").unwrap();
        assert_eq!(legacy.algorithm(), alg);
        let mut out = [0u8; 512];
        let token = sign(&legacy, &serde_json::json!({"exp": NOW + 1}), &mut out).unwrap();
        let vk = VerifyingKey::hmac_allowing_short_secret(alg, b"k").unwrap();
        let mut scratch = [0u8; 512];
        assert!(verify_registered(token, &vk, &Validation::new(), &FixedClock(NOW), &mut scratch).is_ok());
        assert_eq!(SigningKey::hmac_allowing_short_secret(alg, b"").err(), Some(Error::KeyTooShort));
        assert_eq!(VerifyingKey::hmac_allowing_short_secret(alg, b"").err(), Some(Error::KeyTooShort));
    }
    for not_hmac in [Algorithm::ES256, Algorithm::EdDSA] {
        assert_eq!(SigningKey::hmac(not_hmac, &[1; 64]).err(), Some(Error::UnsupportedAlgorithm));
        assert_eq!(VerifyingKey::hmac(not_hmac, &[1; 64]).err(), Some(Error::UnsupportedAlgorithm));
    }
}

#[test]
fn invalid_es256_scalars_are_refused() {
    let mut n_minus_1 = P256_N;
    n_minus_1[31] -= 1;
    let mut n_plus_1 = P256_N;
    n_plus_1[31] += 1;
    let mut one = [0u8; 32];
    one[31] = 1;
    for bad in [&[0u8; 32][..], &P256_N, &n_plus_1, &[0xff; 32], &[1u8; 31], &[1u8; 33], &[]] {
        assert_eq!(SigningKey::es256(bad).err(), Some(Error::InvalidKey), "{bad:02x?}");
    }
    assert!(SigningKey::es256(&n_minus_1).is_ok());
    assert!(SigningKey::es256(&one).is_ok());
}

#[test]
fn invalid_sec1_points_are_refused() {
    let mut good = [0u8; 65];
    signing_key(Algorithm::ES256).verifying_key().public_key_bytes(&mut good).unwrap();
    assert!(VerifyingKey::es256_sec1(&good).is_ok());
    let mut off_curve = good;
    off_curve[64] ^= 1;
    let mut bad_tag = good;
    bad_tag[0] = 0x05;
    let mut hybrid = good;
    hybrid[0] = 0x06 | (good[64] & 1);
    // x = p (not a field element).
    let p: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    let compressed_p = [&[0x02][..], &p[..]].concat();
    let mut compressed = [0u8; 33];
    compressed[0] = 0x02 | (good[64] & 1);
    compressed[1..].copy_from_slice(&good[1..33]);
    assert!(VerifyingKey::es256_sec1(&compressed).is_ok());
    for bad in [
        &off_curve[..],
        &bad_tag,
        &hybrid,
        &[0x00],
        &[0u8; 65],
        &good[..64],
        &good[1..],
        &compressed_p,
        &[0x04; 65],
        &[],
    ] {
        assert_eq!(VerifyingKey::es256_sec1(bad).err(), Some(Error::InvalidKey), "{bad:02x?}");
    }
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn small_order_and_non_canonical_ed25519_keys_are_refused() {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    // The eight points of small order (the torsion subgroup), as canonical encodings.
    let small_order = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ];
    for hex in small_order {
        let bytes = hex32(hex);
        // Independently confirmed to be a point of small order (so the refusal is for that
        // reason, not because the bytes are no point at all).
        let point = CompressedEdwardsY(bytes).decompress().expect("a curve point");
        assert!(point.is_small_order(), "{hex}");
        assert_eq!(VerifyingKey::ed25519(&bytes).err(), Some(Error::InvalidKey), "{hex}");
    }
    // Non-canonical encodings: y >= p (y = p + 1 ≡ 1, y = p ≡ 0, y = 2^255 - 1 ≡ 18 and its
    // negative), and y = 1 with the sign bit set (x = 0 has no negative).
    for hex in [
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ] {
        assert_eq!(VerifyingKey::ed25519(&hex32(hex)).err(), Some(Error::InvalidKey), "{hex}");
    }
    // Not a point, wrong lengths.
    assert_eq!(VerifyingKey::ed25519(&[0x02; 31]).err(), Some(Error::InvalidKey));
    assert_eq!(VerifyingKey::ed25519(&[0x02; 33]).err(), Some(Error::InvalidKey));
    assert_eq!(SigningKey::ed25519(&[0x02; 31]).err(), Some(Error::InvalidKey));
    assert_eq!(SigningKey::ed25519(&[0x02; 33]).err(), Some(Error::InvalidKey));
    // A real key is fine.
    let mut public = [0u8; 32];
    signing_key(Algorithm::EdDSA).verifying_key().public_key_bytes(&mut public).unwrap();
    assert!(VerifyingKey::ed25519(&public).is_ok());
}

// ---------------------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------------------

#[test]
fn no_clock_fails_closed_with_time_unavailable() {
    let token = good_token();
    let mut scratch = [0u8; 512];
    let vk = hs().verifying_key();
    let r = verify_registered(&token, &vk, &Validation::new(), &NoClock, &mut scratch);
    assert_eq!(r.err(), Some(Error::TimeUnavailable));
    // Any time claim needs the clock, even when not required.
    let v = Validation::new().required(RequiredClaims::NONE);
    for payload in [r#"{"nbf":1}"#, r#"{"iat":1}"#, r#"{"exp":99999999999}"#] {
        let t = forge(&hs(), HDR, payload);
        let r = verify_registered(&t, &vk, &v, &NoClock, &mut scratch);
        assert_eq!(r.err(), Some(Error::TimeUnavailable), "{payload}");
    }
    // A token without time claims under a policy that requires none never asks the clock.
    let t = forge(&hs(), HDR, r#"{"sub":"x"}"#);
    assert!(verify_registered(&t, &vk, &v, &NoClock, &mut scratch).is_ok());
}

#[test]
fn monotonic_clock_anchors_and_never_goes_backwards() {
    use ciphertoken::Clock;
    let ticks = Cell::new(1_000u64); // milliseconds since boot
    let mut clock = MonotonicClock::new(|| ticks.get(), 1000);
    assert!(!clock.is_synced());
    let token = forge(&hs(), HDR, &format!(r#"{{"exp":{}}}"#, NOW + 60));
    let vk = hs().verifying_key();
    let mut scratch = [0u8; 512];
    assert_eq!(
        verify_registered(&token, &vk, &Validation::new(), &clock, &mut scratch).err(),
        Some(Error::TimeUnavailable)
    );

    clock.sync(NOW);
    assert!(clock.is_synced());
    assert_eq!(clock.now(), Ok(NOW));
    ticks.set(1_000 + 59_999);
    assert_eq!(clock.now(), Ok(NOW + 59));
    assert!(verify_registered(&token, &vk, &Validation::new(), &clock, &mut scratch).is_ok());
    ticks.set(1_000 + 60_000);
    assert_eq!(clock.now(), Ok(NOW + 60));
    assert_eq!(
        verify_registered(&token, &vk, &Validation::new(), &clock, &mut scratch).err(),
        Some(Error::Expired)
    );

    // Re-syncing to an earlier time holds the clock instead of reviving the token.
    clock.sync(NOW);
    assert_eq!(clock.now(), Ok(NOW + 60));
    assert_eq!(
        verify_registered(&token, &vk, &Validation::new(), &clock, &mut scratch).err(),
        Some(Error::Expired)
    );
    ticks.set(1_000 + 61_000);
    assert_eq!(clock.now(), Ok(NOW + 60), "held at the floor until real time catches up");
    ticks.set(1_000 + 60_000 + 70_000);
    assert_eq!(clock.now(), Ok(NOW + 70), "then runs on from the new anchor");
    // Re-syncing forward jumps forward.
    clock.sync(NOW + 1_000);
    assert_eq!(clock.now(), Ok(NOW + 1_000));

    // A counter that goes backwards (it must not, but) does not move time back.
    ticks.set(0);
    assert_eq!(clock.now(), Ok(NOW + 1_000));

    // Zero ticks per second is treated as one; huge values saturate.
    let t = Cell::new(0u64);
    let mut c = MonotonicClock::new(|| t.get(), 0);
    c.sync(u64::MAX - 5);
    t.set(u64::MAX);
    assert_eq!(c.now(), Ok(u64::MAX));
}

#[test]
fn error_codes_are_distinct_and_nonzero() {
    let all = [
        Error::Malformed,
        Error::InvalidBase64,
        Error::InvalidJson,
        Error::TooLong,
        Error::UnsupportedAlgorithm,
        Error::AlgorithmMismatch,
        Error::UnsupportedCritical,
        Error::InvalidTokenType,
        Error::InvalidSignature,
        Error::Expired,
        Error::NotYetValid,
        Error::IssuedInFuture,
        Error::MissingClaim(Claim::Issuer),
        Error::InvalidClaim(Claim::Issuer),
        Error::InvalidIssuer,
        Error::InvalidAudience,
        Error::InvalidSubject,
        Error::WrongTokenUse,
        Error::BufferTooSmall { needed: 1 },
        Error::KeyTooShort,
        Error::InvalidKey,
        Error::VerifyOnlyKey,
        Error::InvalidKeyId,
        Error::TimeUnavailable,
        Error::ClaimsSerialization,
        Error::ClaimsDeserialization,
    ];
    let mut codes: Vec<u32> = all.iter().map(|e| e.code()).collect();
    assert!(codes.iter().all(|&c| c != 0));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    // The payload does not change the code (C sees one status per kind).
    assert_eq!(Error::MissingClaim(Claim::Audience).code(), Error::MissingClaim(Claim::JwtId).code());
    assert_eq!(Error::BufferTooSmall { needed: 1 }.code(), Error::BufferTooSmall { needed: 99 }.code());
    assert_eq!(Error::BufferTooSmall { needed: 99 }.to_string(), "buffer too small: 99 bytes needed");
}
