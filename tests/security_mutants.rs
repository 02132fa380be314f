//! Tests added for mutants that survived `cargo xtask mutants` (cargo-mutants over
//! validation.rs, json.rs, header.rs, claims.rs, base64url.rs, token.rs): each one pins a
//! behaviour that no other test distinguished from the mutated code. SECURITY.md lists the
//! mutants that remain and why they are equivalent.

mod common;

use ciphertoken::{Audience, Error, FixedClock, Header, RegisteredClaims, SigningKey, Validation};
use common::forge;

const NOW: u64 = 1_700_000_000;

fn hs256() -> SigningKey {
    SigningKey::hs256(&[0x42; 32]).unwrap()
}

fn check(token: &str, v: &Validation<'_>) -> Result<(), Error> {
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    ciphertoken::verify_registered(token, &hs256().verifying_key(), v, &FixedClock(NOW), &mut scratch)
        .map(|_| ())
}

const CLAIMS: &str = r#"{"sub":"dev","exp":1800000000}"#;

/// header.rs `eq_ignore_ascii_case`: a `typ` of the right length but other letters is not
/// `JWT` (mutant: the per-character comparison replaced by `true`).
#[test]
fn typ_comparison_checks_every_character_not_only_the_length() {
    let key = hs256();
    let v = Validation::new();
    for typ in ["JWS", "XYZ", "JW ", "jwT"] {
        let token = forge(&key, &format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#), CLAIMS);
        let expected = if typ.eq_ignore_ascii_case("JWT") { Ok(()) } else { Err(Error::InvalidTokenType) };
        assert_eq!(check(&token, &v), expected, "typ {typ:?}");
    }
    // The same with a configured type (RFC 9068 `at+jwt`) and one letter changed.
    let v = Validation::new().header_type("at+jwt");
    let ok = forge(&key, r#"{"alg":"HS256","typ":"AT+JWT"}"#, CLAIMS);
    assert_eq!(check(&ok, &v), Ok(()));
    let bad = forge(&key, r#"{"alg":"HS256","typ":"at+jws"}"#, CLAIMS);
    assert_eq!(check(&bad, &v), Err(Error::InvalidTokenType));
    let shorter = forge(&key, r#"{"alg":"HS256","typ":"at+jw"}"#, CLAIMS);
    assert_eq!(check(&shorter, &v), Err(Error::InvalidTokenType));
    // `cty`: only JWT (nested tokens) is refused; another three-letter type is not.
    let cty = forge(&key, r#"{"alg":"HS256","cty":"JWS"}"#, CLAIMS);
    assert_eq!(check(&cty, &Validation::new()), Ok(()));
    let nested = forge(&key, r#"{"alg":"HS256","cty":"jWt"}"#, CLAIMS);
    assert_eq!(check(&nested, &Validation::new()), Err(Error::InvalidTokenType));
}

/// claims.rs `Audience::contains`: membership is exact, never "always".
#[test]
fn audience_membership_is_exact() {
    let c = RegisteredClaims::parse(br#"{"aud":["api-2","x"],"exp":1800000000}"#).unwrap();
    let aud = c.aud.unwrap();
    assert!(aud.contains("x"));
    assert!(!aud.contains("api"));
    assert!(!aud.contains("api-"));
    assert!(!aud.contains(""));
    let one = RegisteredClaims::parse(br#"{"aud":"api-2"}"#).unwrap().aud.unwrap();
    assert!(matches!(one, Audience::One(_)));
    assert!(one.contains("api-2") && !one.contains("api"));
    assert_eq!(Validation::new().audience("api").validate(&c, &FixedClock(NOW)), Err(Error::InvalidAudience));
    assert_eq!(Validation::new().audience("x").validate(&c, &FixedClock(NOW)), Ok(()));
    assert_eq!(
        Validation::new().audiences(&["y", "api"]).validate(&c, &FixedClock(NOW)),
        Err(Error::InvalidAudience)
    );
}

/// json.rs `JsonStr::raw` and `Debug`: the raw body keeps its escapes, the debug form quotes
/// it, and the decoded form differs.
#[test]
fn json_strings_keep_their_raw_text() {
    let header = Header::parse(br#"{"alg":"HS256","kid":"k\u0031\n"}"#).unwrap();
    let kid = header.kid.unwrap();
    assert_eq!(kid.raw(), r"k\u0031\n");
    assert_eq!(kid.as_str(), None);
    assert_eq!(format!("{kid:?}"), r#""k\u0031\n""#);
    assert!(kid.eq_str("k1\n"));
    let mut buf = [0u8; 8];
    assert_eq!(kid.unescape_into(&mut buf), Ok("k1\n"));
    let plain = Header::parse(br#"{"alg":"HS256","kid":"abc"}"#).unwrap().kid.unwrap();
    assert_eq!((plain.raw(), plain.as_str()), ("abc", Some("abc")));
}

/// token.rs `MAX_SIGNED_HEADER_JSON_LEN` is the exact worst case, not just an upper bound:
/// a 64-byte kid of characters that each need a two-byte escape fills it to the byte.
#[test]
fn the_header_bound_is_reached_by_the_worst_case_kid() {
    let kid = "\"".repeat(ciphertoken::MAX_KID_LEN);
    for key in [SigningKey::hs256(&[1; 32]).unwrap(), SigningKey::ed25519(&[2; 32]).unwrap()] {
        let key = key.with_kid(&kid).unwrap();
        let mut out = [0u8; 512];
        let token = ciphertoken::sign_json(&key, CLAIMS.as_bytes(), &mut out).unwrap();
        let header = common::b64d(token.split('.').next().unwrap());
        assert_eq!(
            header.len(),
            ciphertoken::MAX_SIGNED_HEADER_JSON_LEN,
            "{}",
            String::from_utf8_lossy(&header)
        );
    }
}

/// validation.rs `BitOr for RequiredClaims` and `bits`: combining sets is a union even when
/// they overlap (an exclusive or would drop `exp` from `EXP | EXP` and every overlapping
/// bit from `ALL | SUB`), and the bits are the ones the C ABI's `CT_CLAIM_*` use.
#[test]
fn required_claims_union_keeps_overlapping_claims() {
    use ciphertoken::RequiredClaims as R;
    let twice = R::EXP | R::EXP;
    assert!(twice.contains(R::EXP));
    assert_eq!(R::ALL | R::SUB, R::ALL);
    assert_eq!((R::EXP | R::JTI | R::JTI).bits(), R::EXP.bits() | R::JTI.bits());
    assert_eq!((R::EXP | R::JTI).bits(), 0b100_0001);
    assert_eq!(R::ALL.bits(), 0x7f);
    assert_eq!(R::from_bits((R::ISS | R::AUD).bits()), Some(R::ISS | R::AUD));
    // Through validation: exp stays required.
    let claims = RegisteredClaims::parse(br#"{"sub":"dev"}"#).unwrap();
    let v = Validation::new().required(R::EXP | R::EXP | R::SUB);
    assert_eq!(
        v.validate(&claims, &FixedClock(NOW)),
        Err(Error::MissingClaim(ciphertoken::Claim::ExpirationTime))
    );
}

/// json.rs `Unescape`: every escape decodes to its character (RFC 8259 §7), and a string is
/// never cut at an escape, so an escaped claim can never pass for its prefix.
#[test]
fn every_escape_decodes_and_never_truncates() {
    let escapes = [
        (r#"\""#, '"'),
        (r"\\", '\\'),
        (r"\/", '/'),
        (r"\b", '\u{8}'),
        (r"\f", '\u{c}'),
        (r"\n", '\n'),
        (r"\r", '\r'),
        (r"\t", '\t'),
        (r"\u0041", 'A'),
        (r"\u00e9", 'é'),
        (r"\u20ac", '€'),
        (r"\ud83d\ude00", '😀'),
    ];
    for (escape, ch) in escapes {
        let json = format!(r#"{{"iss":"jo{escape}e","exp":1800000000}}"#);
        let claims = RegisteredClaims::parse(json.as_bytes()).unwrap();
        let iss = claims.iss.unwrap();
        let expected = format!("jo{ch}e");
        assert!(iss.eq_str(&expected), "{escape}");
        assert_eq!(iss.chars().collect::<String>(), expected, "{escape}");
        assert_eq!(iss.unescaped_len(), expected.len(), "{escape}");
        let mut buf = [0u8; 16];
        assert_eq!(iss.unescape_into(&mut buf), Ok(expected.as_str()), "{escape}");
        // Neither the prefix before the escape nor the text without it is the issuer.
        for wrong in ["jo", "joe", ""] {
            assert!(!iss.eq_str(wrong), "{escape} vs {wrong:?}");
            let v = Validation::new().issuer(wrong);
            assert_eq!(
                v.validate(&claims, &FixedClock(NOW)),
                Err(Error::InvalidIssuer),
                "{escape} vs {wrong:?}"
            );
        }
        assert_eq!(Validation::new().issuer(&expected).validate(&claims, &FixedClock(NOW)), Ok(()));
    }
}

/// json.rs `Unescape` and `utf8_width`: in a string that has escapes, raw characters of
/// every UTF-8 length (1 to 4 bytes) are decoded whole; a wrong width would end the string
/// early and let it pass for its prefix.
#[test]
fn raw_multibyte_characters_next_to_escapes_decode_whole() {
    let json = r#"{"sub":"\u0041a\u00e9é€😀\n€z","exp":1800000000}"#;
    let claims = RegisteredClaims::parse(json.as_bytes()).unwrap();
    let sub = claims.sub.unwrap();
    let expected = String::from("Aaéé€😀\n€z");
    assert_eq!(sub.chars().collect::<String>(), expected);
    assert!(sub.eq_str(&expected));
    assert!(!sub.eq_str("Aa") && !sub.eq_str("Aaé") && !sub.eq_str("Aaéé"));
    let mut buf = [0u8; 32];
    assert_eq!(sub.unescape_into(&mut buf), Ok(expected.as_str()));
    assert_eq!(sub.unescaped_len(), expected.len());
    let v = Validation::new().subject("Aaéé");
    assert_eq!(v.validate(&claims, &FixedClock(NOW)), Err(Error::InvalidSubject));
}

/// json.rs `skip_value`: the duplicate check re-reads earlier members (in nested objects,
/// and in a top-level object past its first 16 names); after a member of every kind of
/// value, later members parse and a repeated name is still found.
#[test]
fn duplicate_names_are_found_after_every_kind_of_value() {
    let values =
        ["null", "true", "false", "0", "-1.5e3", r#""s\"}""#, r#"[1,{"a":null},"]"]"#, r#"{"k":[null]}"#];
    let filler: String = (0..16).map(|i| format!(r#""m{i}":0,"#)).collect();
    for v in values {
        for (fine, dup) in [
            // Nested objects: no name cache.
            (
                format!(r#"{{"o":{{"x":{v},"y":{v}}},"exp":1}}"#),
                format!(r#"{{"o":{{"x":{v},"x":1}},"exp":1}}"#),
            ),
            // Past the 16 cached top-level names.
            (
                format!(r#"{{{filler}"x":{v},"y":{v},"exp":1}}"#),
                format!(r#"{{{filler}"x":{v},"y":1,"x":2}}"#),
            ),
        ] {
            let c = RegisteredClaims::parse(fine.as_bytes()).unwrap_or_else(|e| panic!("{fine}: {e:?}"));
            assert_eq!(c.exp, Some(1), "{fine}");
            assert_eq!(RegisteredClaims::parse(dup.as_bytes()), Err(Error::InvalidJson), "{dup}");
        }
    }
}
