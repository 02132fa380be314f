//! The attack suite: one named test per known JWT attack class. Every token here carries a
//! genuinely valid signature (made with the key under test or the attacker's key), so only
//! the property under test is wrong.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{
    verify, verify_registered, Algorithm, Claim, Error, FixedClock, KeySet, SigningKey, Validation,
    VerifyingKey,
};
use serde::de::IgnoredAny;

const NOW: u64 = 1_800_000_000;
const CLAIMS: &str = r#"{"sub":"device-7","exp":1900000000}"#;

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hs256() -> SigningKey {
    SigningKey::hs256(b"attack-suite-secret-32-bytes-long!!").unwrap()
}
fn es256() -> SigningKey {
    SigningKey::es256(&[0x42; 32]).unwrap()
}
fn ed25519() -> SigningKey {
    SigningKey::ed25519(&[0x24; 32]).unwrap()
}
fn all_keys() -> [SigningKey; 5] {
    [hs256(), SigningKey::hs384(&[3; 48]).unwrap(), SigningKey::hs512(&[5; 64]).unwrap(), es256(), ed25519()]
}

/// A token over arbitrary header and payload bytes, validly signed by `key`.
fn forge_bytes(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let mut sig = [0u8; 64];
    let n = key.sign_raw(input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(&sig[..n]))
}

fn forge(key: &SigningKey, header: &str, payload: &str) -> String {
    forge_bytes(key, header.as_bytes(), payload.as_bytes())
}

fn header_for(key: &SigningKey) -> String {
    format!(r#"{{"alg":"{}","typ":"JWT"}}"#, key.algorithm())
}

fn check(token: impl AsRef<[u8]>, key: &VerifyingKey) -> Result<(), Error> {
    let mut scratch = vec![0u8; token.as_ref().len() + 16];
    verify_registered(token, key, &Validation::new(), &FixedClock(NOW), &mut scratch).map(|_| ())
}

#[test]
fn sanity_forged_tokens_verify() {
    for key in all_keys() {
        let t = forge(&key, &header_for(&key), CLAIMS);
        assert_eq!(check(&t, &key.verifying_key()), Ok(()), "{}", key.algorithm());
    }
}

#[test]
fn alg_none_in_any_spelling_is_refused() {
    let key = hs256();
    for alg in ["none", "None", "NONE", "nOnE", "none ", " none", ""] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let unsigned = format!("{}.{}.", b64(&header), b64(CLAIMS));
        assert_eq!(check(&unsigned, &key.verifying_key()), Err(Error::Malformed), "{alg:?} unsigned");
        // Even with a valid MAC over it, `none` is not an algorithm here.
        let signed = forge(&key, &header, CLAIMS);
        assert_eq!(check(&signed, &key.verifying_key()), Err(Error::UnsupportedAlgorithm), "{alg:?}");
    }
    // Other case spellings of real algorithms are not algorithms either (RFC 7515 §4.1.1).
    let t = forge(&key, r#"{"alg":"hs256"}"#, CLAIMS);
    assert_eq!(check(&t, &key.verifying_key()), Err(Error::UnsupportedAlgorithm));
    let t = forge(&key, r#"{"typ":"JWT"}"#, CLAIMS);
    assert_eq!(check(&t, &key.verifying_key()), Err(Error::UnsupportedAlgorithm), "alg missing");
    let t = forge(&key, r#"{"alg":null}"#, CLAIMS);
    assert_eq!(check(&t, &key.verifying_key()), Err(Error::UnsupportedAlgorithm), "alg null");
}

#[test]
fn empty_truncated_and_extended_signatures_are_refused() {
    for key in all_keys() {
        let vk = key.verifying_key();
        let t = forge(&key, &header_for(&key), CLAIMS);
        let (input, sig) = t.rsplit_once('.').unwrap();
        assert_eq!(check(format!("{input}."), &vk), Err(Error::Malformed));
        let raw = URL_SAFE_NO_PAD.decode(sig).unwrap();
        for bad in [&raw[..raw.len() - 1], &raw[..1], &[raw.as_slice(), &[0u8]].concat()[..]] {
            assert_eq!(check(format!("{input}.{}", b64(bad)), &vk), Err(Error::InvalidSignature));
        }
        let doubled = [raw.as_slice(), raw.as_slice()].concat();
        assert_eq!(check(format!("{input}.{}", b64(doubled)), &vk), Err(Error::InvalidSignature));
        let mut flipped = raw.clone();
        flipped[0] ^= 0x80;
        assert_eq!(check(format!("{input}.{}", b64(flipped)), &vk), Err(Error::InvalidSignature));
    }
}

/// P-256 SubjectPublicKeyInfo DER prefix (RFC 5480) before the 65-byte point.
const P256_SPKI_PREFIX: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
/// Ed25519 SubjectPublicKeyInfo DER prefix (RFC 8410) before the 32-byte key.
const ED25519_SPKI_PREFIX: &str = "302a300506032b6570032100";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// Every encoding an attacker might use as an HMAC secret for a public key.
fn public_key_encodings(vk: &VerifyingKey) -> Vec<(String, Vec<u8>)> {
    let mut raw = [0u8; 65];
    let n = vk.public_key_bytes(&mut raw).unwrap();
    let raw = raw[..n].to_vec();
    let mut out = vec![("raw".to_string(), raw.clone())];
    match vk.algorithm() {
        Algorithm::ES256 => {
            let der = [hex(P256_SPKI_PREFIX), raw.clone()].concat();
            let mut compressed = vec![2 + (raw[64] & 1)];
            compressed.extend_from_slice(&raw[1..33]);
            let jwk = format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
                b64(&raw[1..33]),
                b64(&raw[33..65])
            );
            out.push(("sec1-compressed".into(), compressed));
            out.push(("pem".into(), pem("PUBLIC KEY", &der).into_bytes()));
            out.push(("der".into(), der));
            out.push(("jwk".into(), jwk.into_bytes()));
        }
        Algorithm::EdDSA => {
            let der = [hex(ED25519_SPKI_PREFIX), raw.clone()].concat();
            let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&raw));
            out.push(("pem".into(), pem("PUBLIC KEY", &der).into_bytes()));
            out.push(("der".into(), der));
            out.push(("jwk".into(), jwk.into_bytes()));
        }
        _ => unreachable!(),
    }
    out
}

#[test]
fn algorithm_confusion_hmac_with_the_public_key_is_refused() {
    for victim in [es256(), ed25519()] {
        let vk = victim.verifying_key();
        for (encoding, bytes) in public_key_encodings(&vk) {
            for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                // The attacker knows the public key and MACs with it (CVE class of libjwt#200).
                let attacker = SigningKey::hmac_allowing_short_secret(alg, &bytes).unwrap();
                let t = forge(&attacker, &format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#), CLAIMS);
                assert_eq!(
                    check(&t, &vk),
                    Err(Error::AlgorithmMismatch),
                    "{} key as {alg} secret ({encoding})",
                    vk.algorithm()
                );
            }
        }
        // And the other way: an asymmetric header against an HMAC key.
        let t = forge(&victim, &header_for(&victim), CLAIMS);
        assert_eq!(check(&t, &hs256().verifying_key()), Err(Error::AlgorithmMismatch));
    }
}

/// The order n of P-256, big endian.
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

#[test]
fn ecdsa_zero_and_out_of_range_scalars_are_refused() {
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 must never verify.
    let key = es256();
    let vk = key.verifying_key();
    let t = forge(&key, &header_for(&key), CLAIMS);
    let (input, sig) = t.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let n = hex(P256_N);
    let mut n_plus_r = [0u8; 32];
    // n + 1 does not fit below 2^256 only for huge values; use n itself and 2^256 - 1.
    n_plus_r.copy_from_slice(&n);
    let all_ones = [0xffu8; 32];
    let zero = [0u8; 32];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("r=s=0", [zero, zero].concat()),
        ("r=0", [&zero[..], &sig[32..]].concat()),
        ("s=0", [&sig[..32], &zero[..]].concat()),
        ("r=n", [&n[..], &sig[32..]].concat()),
        ("s=n", [&sig[..32], &n[..]].concat()),
        ("r=2^256-1", [&all_ones[..], &sig[32..]].concat()),
        ("s=2^256-1", [&sig[..32], &all_ones[..]].concat()),
        ("r=n,s=n", [n.clone(), n.clone()].concat()),
    ];
    for (name, bad) in cases {
        assert_eq!(check(format!("{input}.{}", b64(&bad)), &vk), Err(Error::InvalidSignature), "{name}");
        assert_eq!(vk.verify_raw(input.as_bytes(), &bad), Err(Error::InvalidSignature), "{name} raw");
    }
}

fn der_integer(x: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = x.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    [vec![0x02, v.len() as u8], v].concat()
}

#[test]
fn ecdsa_der_encoded_signatures_are_refused() {
    // RFC 7518 §3.4: the JWS signature is the raw 64-byte R‖S, never ASN.1 DER.
    let key = es256();
    let t = forge(&key, &header_for(&key), CLAIMS);
    let (input, sig) = t.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let body = [der_integer(&sig[..32]), der_integer(&sig[32..])].concat();
    let der = [vec![0x30, body.len() as u8], body].concat();
    assert!(der.len() >= 68);
    assert_eq!(check(format!("{input}.{}", b64(&der)), &key.verifying_key()), Err(Error::InvalidSignature));
}

/// The Ed25519 group order L, little endian (RFC 8032 §5.1).
const ED25519_L: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

#[test]
fn ed25519_s_at_or_above_l_is_refused() {
    let key = ed25519();
    let t = forge(&key, &header_for(&key), CLAIMS);
    let (input, sig) = t.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    // S + L is the same scalar mod L: a malleated signature (RFC 8032 §5.1.7 requires S < L).
    let l = hex(ED25519_L);
    let mut s_plus_l = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = sig[32 + i] as u16 + l[i] as u16 + carry;
        s_plus_l[i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    let malleated = [&sig[..32], &s_plus_l[..]].concat();
    assert_eq!(
        check(format!("{input}.{}", b64(&malleated)), &key.verifying_key()),
        Err(Error::InvalidSignature)
    );
    let s_is_l = [&sig[..32], &l[..]].concat();
    assert_eq!(
        check(format!("{input}.{}", b64(&s_is_l)), &key.verifying_key()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn ed25519_small_order_and_non_canonical_public_keys_are_refused() {
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
    let non_canonical = [
        // y = p (encodes 0) and y = p + 1 (encodes 1): not reduced.
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ];
    for pk in small_order.iter().chain(non_canonical.iter()) {
        assert_eq!(VerifyingKey::ed25519(&hex(pk)).err(), Some(Error::InvalidKey), "{pk}");
    }
    assert_eq!(VerifyingKey::ed25519(&[1u8; 31]).err(), Some(Error::InvalidKey));
    assert_eq!(VerifyingKey::es256_sec1(&[4u8; 65]).err(), Some(Error::InvalidKey), "point not on the curve");
    assert_eq!(VerifyingKey::es256_sec1(&[0u8; 1]).err(), Some(Error::InvalidKey), "identity");
}

#[test]
fn non_canonical_base64_is_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    let t = forge(&key, &header_for(&key), CLAIMS);
    let parts: Vec<&str> = t.split('.').collect();
    for i in 0..3 {
        let mut variants = Vec::new();
        let seg = parts[i];
        variants.push(format!("{seg}="));
        variants.push(format!("{seg}=="));
        variants.push(seg.replace('-', "+").replace('_', "/") + "+");
        for ws in [" ", "\n", "\t", "\r\n"] {
            variants.push(format!("{ws}{seg}"));
            variants.push(format!("{seg}{ws}"));
            variants.push(format!("{}{ws}{}", &seg[..4], &seg[4..]));
        }
        for v in variants {
            let mut p = parts.clone();
            p[i] = &v;
            let r = check(p.join("."), &vk);
            assert!(
                matches!(r, Err(Error::InvalidBase64) | Err(Error::InvalidSignature)),
                "segment {i} variant {v:?}: {r:?}"
            );
            assert!(r.is_err());
        }
    }
    // Non-canonical trailing bits: the same bytes, a different last character.
    // A 2-character tail carries 4 unused bits, a 3-character tail 2.
    let header = b64(header_for(&key));
    let mut tail_changed = header.clone().into_bytes();
    let last = tail_changed.last_mut().unwrap();
    *last = if *last == b'A' { b'B' } else { b'A' };
    let decoded_same = URL_SAFE_NO_PAD.decode(&tail_changed).ok();
    let t2 = forge(&key, &header_for(&key), CLAIMS);
    let rest = t2.split_once('.').unwrap().1;
    let r = check(format!("{}.{rest}", String::from_utf8(tail_changed).unwrap()), &vk);
    assert!(r.is_err(), "changed tail accepted (decoded {decoded_same:?})");
    // A crafted case: "eyJ" + "hbGciOiJIUzI1NiJ9" style tail with spare bits set.
    let mut buf = [0u8; 8];
    assert_eq!(ciphertoken::hazmat::base64url::decode(b"QQ", &mut buf).unwrap(), b"A");
    assert_eq!(ciphertoken::hazmat::base64url::decode(b"QR", &mut buf), Err(Error::InvalidBase64));
    assert_eq!(ciphertoken::hazmat::base64url::decode(b"QUE", &mut buf).unwrap(), b"AA");
    assert_eq!(ciphertoken::hazmat::base64url::decode(b"QUF", &mut buf), Err(Error::InvalidBase64));
}

#[test]
fn wrong_segment_counts_are_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    let t = forge(&key, &header_for(&key), CLAIMS);
    let (h, rest) = t.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    for bad in [
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{s}."),
        format!(".{h}.{p}.{s}"),
        format!("{h}..{s}"),
        format!("..{s}"),
        "..".to_string(),
        String::new(),
        t.replace('.', ""),
    ] {
        assert_eq!(check(&bad, &vk), Err(Error::Malformed), "{bad:?}");
    }
}

#[test]
fn header_or_payload_that_is_not_a_json_object_is_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    for header in [r#"["HS256"]"#, r#""HS256""#, "1", "null", " ", r#"{"alg":"HS256""#, r#"{"alg":"HS256"}x"#]
    {
        assert_eq!(check(forge(&key, header, CLAIMS), &vk), Err(Error::InvalidJson), "header {header:?}");
    }
    for payload in ["[]", r#""sub""#, "1", "null", "true", r#"{"exp":1900000000"#, r#"{"exp":1900000000}{}"#]
    {
        assert_eq!(
            check(forge(&key, &header_for(&key), payload), &vk),
            Err(Error::InvalidJson),
            "payload {payload:?}"
        );
    }
}

#[test]
fn duplicate_members_are_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    for header in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS384","alg":"HS256"}"#,
        r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
    ] {
        assert_eq!(check(forge(&key, header, CLAIMS), &vk), Err(Error::InvalidJson), "{header}");
    }
    for payload in [
        r#"{"exp":1900000000,"exp":1}"#,
        r#"{"exp":1,"exp":1900000000}"#,
        r#"{"exp":1900000000,"\u0065xp":1}"#,
        r#"{"exp":1900000000,"sub":"a","sub":"b"}"#,
        r#"{"exp":1900000000,"x":{"y":1,"y":2}}"#,
    ] {
        assert_eq!(check(forge(&key, &header_for(&key), payload), &vk), Err(Error::InvalidJson), "{payload}");
    }
}

#[test]
fn critical_extensions_and_unencoded_payloads_are_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    for header in [
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":"x"}"#,
        r#"{"alg":"HS256","b64":false}"#,
    ] {
        assert_eq!(check(forge(&key, header, CLAIMS), &vk), Err(Error::UnsupportedCritical), "{header}");
    }
    // Nested JWTs (cty: JWT) are not processed.
    assert_eq!(
        check(forge(&key, r#"{"alg":"HS256","cty":"jwt"}"#, CLAIMS), &vk),
        Err(Error::InvalidTokenType)
    );
}

#[test]
fn key_carrying_headers_are_never_used() {
    // The attacker signs with their own key and points at it in every way JOSE allows.
    let victim = es256();
    let attacker = SigningKey::es256(&[0x66; 32]).unwrap();
    let mut raw = [0u8; 65];
    attacker.verifying_key().public_key_bytes(&mut raw).unwrap();
    let jwk = format!(r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#, b64(&raw[1..33]), b64(&raw[33..]));
    for extra in [
        format!(r#""jwk":{jwk}"#),
        r#""jku":"https://attacker.example/jwks.json""#.to_string(),
        r#""x5u":"https://attacker.example/cert.pem""#.to_string(),
        r#""x5c":["MIIBszCCAVmgAwIBAgIUattacker"]"#.to_string(),
    ] {
        let header = format!(r#"{{"alg":"ES256",{extra}}}"#);
        let forged = forge(&attacker, &header, CLAIMS);
        assert_eq!(check(&forged, &victim.verifying_key()), Err(Error::InvalidSignature), "{extra}");
        // With the legitimate key the same headers are harmless: ignored.
        let legit = forge(&victim, &header, CLAIMS);
        assert_eq!(check(&legit, &victim.verifying_key()), Ok(()), "{extra}");
    }
}

#[test]
fn kid_injection_only_selects_among_our_keys() {
    let mut set = KeySet::<2>::new();
    set.insert(hs256().verifying_key().with_kid("2026-11").unwrap()).unwrap();
    set.insert(SigningKey::hs256(&[9; 32]).unwrap().verifying_key().with_kid("2026-12").unwrap()).unwrap();
    let attacker = SigningKey::hs256(&[0; 32]).unwrap();
    for kid in [
        "../../../../dev/null",
        "' OR '1'='1",
        "2026-11' --",
        "2026-11\\u0000",
        "2026-1",
        "2026-11 ",
        "2026-110",
        "*",
        "",
    ] {
        let header = format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#);
        let t = forge(&attacker, &header, CLAIMS);
        let mut scratch = [0u8; 512];
        let r = ciphertoken::verify_selecting_key::<IgnoredAny, _, _>(
            &t,
            |h| set.select(h, NOW),
            &Validation::new(),
            &FixedClock(NOW),
            &mut scratch,
        );
        assert_eq!(r.err(), Some(Error::UnknownKey), "kid {kid:?}");
    }
    // A kid that escapes to the real one selects it, and then the signature decides.
    let t = forge(&attacker, r#"{"alg":"HS256","kid":"2026-1\u0031"}"#, CLAIMS);
    let mut scratch = [0u8; 512];
    let r = ciphertoken::verify_selecting_key::<IgnoredAny, _, _>(
        &t,
        |h| set.select(h, NOW),
        &Validation::new(),
        &FixedClock(NOW),
        &mut scratch,
    );
    assert_eq!(r.err(), Some(Error::InvalidSignature));
    // Over-long kids are refused before any lookup.
    let long = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(65));
    assert_eq!(check(forge(&hs256(), &long, CLAIMS), &hs256().verifying_key()), Err(Error::InvalidKeyId));
}

#[test]
fn malformed_time_claims_are_errors_never_absent() {
    // CVE-2026-25537 class: a malformed exp must not be treated as "no exp".
    let key = hs256();
    let vk = key.verifying_key();
    let lenient = Validation::new().required(ciphertoken::RequiredClaims::NONE);
    for (name, claim) in [("exp", Claim::ExpirationTime), ("nbf", Claim::NotBefore), ("iat", Claim::IssuedAt)]
    {
        for value in [
            r#""1900000000""#,
            "1900000000.0",
            "1.5",
            "-1",
            "-0",
            "1e10",
            "1E3",
            "18446744073709551616",
            "99999999999999999999999999",
            "null",
            "true",
            "[1900000000]",
            r#"{"v":1}"#,
        ] {
            let payload = format!(r#"{{"{name}":{value}}}"#);
            let t = forge(&key, &header_for(&key), &payload);
            let mut scratch = [0u8; 512];
            let r = verify_registered(&t, &vk, &lenient, &FixedClock(NOW), &mut scratch).map(|_| ());
            assert_eq!(r, Err(Error::InvalidClaim(claim)), "{payload}");
        }
    }
    // u64::MAX itself is a valid (far-future) exp; arithmetic with leeway saturates.
    let t = forge(&key, &header_for(&key), r#"{"exp":18446744073709551615,"nbf":0,"iat":0}"#);
    let mut scratch = [0u8; 512];
    let v = Validation::new().leeway(u64::MAX);
    assert!(verify_registered(&t, &vk, &v, &FixedClock(NOW), &mut scratch).is_ok());
    // At the end of time, saturation fails closed: expired, not wrapped around.
    let r = verify_registered(&t, &vk, &v, &FixedClock(u64::MAX), &mut scratch).map(|_| ());
    assert_eq!(r, Err(Error::Expired));
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let key = hs256();
    let vk = key.verifying_key();
    for depth in [17usize, 100, 2_000] {
        let payload = format!(r#"{{"exp":1900000000,"x":{}1{}}}"#, "[".repeat(depth), "]".repeat(depth));
        let t = forge(&key, &header_for(&key), &payload);
        let mut scratch = vec![0u8; t.len()];
        let v = Validation::new().max_token_len(1 << 20);
        let r = verify_registered(&t, &vk, &v, &FixedClock(NOW), &mut scratch).map(|_| ());
        assert_eq!(r, Err(Error::InvalidJson), "depth {depth}");
    }
    let header = format!(r#"{{"alg":"HS256","x":{}{}}}"#, "{\"a\":".repeat(40), "}".repeat(40));
    assert_eq!(check(forge(&key, &header, CLAIMS), &vk), Err(Error::InvalidJson));
}

#[test]
fn huge_tokens_are_refused_by_length_first() {
    let key = hs256();
    let vk = key.verifying_key();
    let big = format!(r#"{{"exp":1900000000,"pad":"{}"}}"#, "A".repeat(100 * 1024));
    let t = forge(&key, &header_for(&key), &big);
    assert!(t.len() > 100 * 1024);
    assert_eq!(check(&t, &vk), Err(Error::TooLong));
    // 100 KB of garbage without dots, and 100 KB of dots.
    assert_eq!(check("A".repeat(100 * 1024), &vk), Err(Error::TooLong));
    assert_eq!(check(".".repeat(100 * 1024), &vk), Err(Error::TooLong));
    // An over-long header segment is refused even when the token fits.
    let header = format!(r#"{{"alg":"HS256","pad":"{}"}}"#, "A".repeat(1000));
    assert_eq!(check(forge(&key, &header, CLAIMS), &vk), Err(Error::TooLong));
    // When the application raises the limit, the same big token verifies.
    let mut scratch = vec![0u8; t.len()];
    let v = Validation::new().max_token_len(256 * 1024);
    assert!(verify::<IgnoredAny, _>(&t, &vk, &v, &FixedClock(NOW), &mut scratch).is_ok());
}

#[test]
fn invalid_utf8_is_refused() {
    let key = hs256();
    let vk = key.verifying_key();
    let payloads: [&[u8]; 4] = [
        b"{\"exp\":1900000000,\"sub\":\"\xff\"}",
        b"{\"exp\":1900000000,\"sub\":\"\xc3\x28\"}",
        b"{\"exp\":1900000000,\"sub\":\"\xed\xa0\x80\"}",
        b"{\"exp\":1900000000,\"\xe2\x82\":1}",
    ];
    for p in payloads {
        assert_eq!(
            check(forge_bytes(&key, header_for(&key).as_bytes(), p), &vk),
            Err(Error::InvalidJson),
            "{p:?}"
        );
    }
    let bad_header = b"{\"alg\":\"HS256\",\"kid\":\"\xff\"}";
    assert_eq!(check(forge_bytes(&key, bad_header, CLAIMS.as_bytes()), &vk), Err(Error::InvalidJson));
    // Raw bytes that are not even ASCII in the token text.
    let t = forge(&key, &header_for(&key), CLAIMS);
    let mut bytes = t.into_bytes();
    bytes[3] = 0xc3;
    assert_eq!(check(&bytes, &vk), Err(Error::InvalidBase64));
}

#[test]
fn signature_checked_before_the_payload_is_parsed() {
    // A forged token with a hostile payload gets "invalid signature", never a parse result
    // that would tell the attacker anything about the parser.
    let key = hs256();
    let attacker = SigningKey::hs256(&[1; 32]).unwrap();
    let t = forge(
        &attacker,
        &header_for(&key),
        r#"{"exp":"x","x":[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}"#,
    );
    assert_eq!(check(&t, &key.verifying_key()), Err(Error::InvalidSignature));
}
