//! Writes the committed seed corpora under `fuzz/corpus/<target>/`: the RFC 7515 / RFC 8037
//! example tokens and their parts, and one token per attack class of `tests/attacks.rs`
//! (signed with the fuzzers' fixed keys, so only the property under attack is wrong).
//! Deterministic: ES256 and Ed25519 signatures are RFC 6979 / RFC 8032 deterministic.
//!
//! `cd fuzz && cargo run --example make_seeds` (stable is enough); the files are small and
//! named by content, so re-running adds nothing when nothing changed.

use ciphertoken_fuzz::verify::{forge, valid_token};
use ciphertoken_fuzz::{b64e, Fixed, NOW};
use std::fs;
use std::path::{Path, PathBuf};

const RFC7515_A1: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7515_A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const RFC8037_A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
const RFC_HEADER_A1: &[u8] = b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
const RFC_PAYLOAD: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

/// Header/payload pairs that attack the parsing and validation behind a valid signature
/// (`{alg}` is replaced by the key's algorithm).
fn attack_pairs() -> Vec<(String, String)> {
    let exp = NOW + 300;
    let ok = format!(r#"{{"sub":"dev","exp":{exp}}}"#);
    let h = r#"{"alg":"{alg}","typ":"JWT"}"#.to_owned();
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
    let mut v: Vec<(String, String)> = vec![
        (h.clone(), ok.clone()),
        // alg none and case variants; alg confusion.
        (r#"{"alg":"none"}"#.into(), ok.clone()),
        (r#"{"alg":"NoNe"}"#.into(), ok.clone()),
        (r#"{"alg":"hs256"}"#.into(), ok.clone()),
        (r#"{"alg":"HS256"}"#.into(), ok.clone()),
        (r#"{"alg":"RS256"}"#.into(), ok.clone()),
        (r#"{"alg":null}"#.into(), ok.clone()),
        // Not objects, duplicates (also escaped), crit, b64, cty, key-carrying headers.
        ("[]".into(), ok.clone()),
        (h.clone(), "[1,2]".into()),
        (h.clone(), "\"foo\"".into()),
        (r#"{"alg":"{alg}","alg":"{alg}"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","\u0061lg":"none"}"#.into(), ok.clone()),
        (h.clone(), format!(r#"{{"exp":{exp},"exp":1}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp},"\u0065xp":1}}"#)),
        (r#"{"alg":"{alg}","crit":["exp"]}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","b64":false}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","b64":true}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","cty":"JWT"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","jku":"https://evil.example/jwks"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","x5u":"https://evil.example/c"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","jwk":{"kty":"oct","k":"AAAA"}}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","x5c":["MIIB"]}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","typ":"at+jwt"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","typ":"jWt"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","typ":7}"#.into(), ok.clone()),
        // kid injection.
        (r#"{"alg":"{alg}","kid":"../../../../etc/passwd"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","kid":"x' OR '1'='1"}"#.into(), ok.clone()),
        (r#"{"alg":"{alg}","kid":"a\u0000b"}"#.into(), ok.clone()),
        (format!(r#"{{"alg":"{{alg}}","kid":"{}"}}"#, "k".repeat(65)), ok.clone()),
        (r#"{"alg":"{alg}","kid":5}"#.into(), ok.clone()),
        // Malformed time claims.
        (h.clone(), format!(r#"{{"exp":"{exp}"}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp}.0}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp}e0}}"#)),
        (h.clone(), r#"{"exp":-1}"#.into()),
        (h.clone(), r#"{"exp":18446744073709551616}"#.into()),
        (h.clone(), r#"{"exp":18446744073709551615}"#.into()),
        (h.clone(), r#"{"exp":1e400}"#.into()),
        (h.clone(), format!(r#"{{"exp":{exp},"nbf":{}}}"#, exp + 10)),
        (h.clone(), format!(r#"{{"exp":{exp},"iat":{}}}"#, exp + 10)),
        (h.clone(), format!(r#"{{"exp":{exp},"nbf":"0"}}"#)),
        (h.clone(), format!(r#"{{"exp":{}}}"#, NOW)),
        // Claims for the validation policies.
        (h.clone(), format!(r#"{{"iss":"joe","sub":"dev","aud":"api","exp":{exp}}}"#)),
        (h.clone(), format!(r#"{{"iss":"joe","sub":"dev","aud":["x","api"],"exp":{exp}}}"#)),
        (h.clone(), format!(r#"{{"iss":"joe","sub":"dev","aud":["x",1],"exp":{exp}}}"#)),
        (h.clone(), format!(r#"{{"iss":"jo","sub":"dev","aud":"apix","exp":{exp}}}"#)),
        (h.clone(), format!(r#"{{"iss":"j\u006fe","sub":"dev","aud":"api","exp":{exp}}}"#)),
        (h.clone(), format!(r#"{{"type":"refresh","jti":"1","ver":2,"fam":"f","exp":{exp}}}"#)),
        // Nesting, strings, numbers, white space.
        (h.clone(), format!(r#"{{"exp":{exp},"x":{deep}}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp},"x":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}}"#)),
        (h.clone(), format!(" {{ \"exp\" : {exp} , \"s\" : \"\\ud83d\\ude00\\n\\\"\" }} ")),
        (h.clone(), format!(r#"{{"exp":{exp},"s":"\ud800"}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp},"n":-0.5e+3,"z":0,"t":true,"f":false,"u":null}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp},"n":01}}"#)),
        (h.clone(), format!(r#"{{"exp":{exp}}} x"#)),
        (h.clone(), format!(r#"{{"exp":{exp},}}"#)),
    ];
    // 64 and 65 members.
    let many = |n: usize| {
        let body: Vec<String> = (0..n).map(|i| format!(r#""m{i}":{i}"#)).collect();
        format!("{{{}}}", body.join(","))
    };
    v.push((h.clone(), many(64)));
    v.push((h, many(65)));
    v
}

/// Token texts that attack the structure and signature (valid parts from `valid`).
fn attack_tokens(fixed: Fixed) -> Vec<Vec<u8>> {
    let valid = valid_token(fixed).to_vec();
    let text = String::from_utf8_lossy(&valid).into_owned();
    let parts: Vec<&str> = text.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let none = b64e(br#"{"alg":"none"}"#);
    let mut v: Vec<Vec<u8>> = vec![
        valid.clone(),
        format!("{none}.{p}.").into_bytes(),
        format!("{none}.{p}").into_bytes(),
        format!("{h}.{p}.").into_bytes(),
        format!("{h}.{p}.{}", &s[..s.len() - 2]).into_bytes(),
        format!("{h}.{p}.{s}AA").into_bytes(),
        format!("{h}.{p}.{s}=").into_bytes(),
        format!("{h}=.{p}.{s}").into_bytes(),
        format!("{h}.{p}.{}", s.replace('-', "+").replace('_', "/")).into_bytes(),
        format!(" {h}.{p}.{s}").into_bytes(),
        format!("{h}.{p}.{s}\n").into_bytes(),
        format!("{h}.{p} .{s}").into_bytes(),
        format!("{h}.{p}").into_bytes(),
        format!("{h}.{p}.{s}.{s}").into_bytes(),
        b"..".to_vec(),
        format!("{h}..{s}").into_bytes(),
        format!("{p}.{h}.{s}").into_bytes(),
        format!("{h}.{p}.{}", "A".repeat(5000)).into_bytes(),
    ];
    // Non-canonical trailing bits: the last character of the signature off by one bit.
    let mut last = s.as_bytes().to_vec();
    if let Some(c) = last.last_mut() {
        *c = if *c == b'A' { b'B' } else { b'A' };
    }
    v.push(format!("{h}.{p}.{}", String::from_utf8_lossy(&last)).into_bytes());
    // Invalid UTF-8 anywhere.
    let mut bad = valid.clone();
    bad.insert(5, 0xff);
    v.push(bad);
    v
}

fn write(dir: &Path, bytes: &[u8]) {
    // Content-addressed names (FNV-1a), like libFuzzer's own, so reruns add nothing.
    let hash =
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    fs::write(dir.join(format!("seed-{hash:016x}")), bytes).unwrap_or_else(|e| panic!("{e}"));
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let pairs = attack_pairs();
    for (fixed, target, rfc) in [
        (Fixed::Hs256, "verify_hs256", RFC7515_A1),
        (Fixed::Es256, "verify_es256", RFC7515_A3),
        (Fixed::EdDSA, "verify_eddsa", RFC8037_A4),
    ] {
        let dir = root.join(target);
        let alg = match fixed {
            Fixed::Hs256 => "HS256",
            Fixed::Es256 => "ES256",
            Fixed::EdDSA => "EdDSA",
        };
        // Mode 0 (raw), policies 0 and 1.
        for token in std::iter::once(rfc.as_bytes().to_vec()).chain(attack_tokens(fixed)) {
            for selector in [0u8, 3] {
                write(&dir, &[&[selector][..], &token].concat());
            }
        }
        // Mode 0: a token signed by another algorithm's key (HS256 ⇄ the others).
        let other = if fixed == Fixed::Hs256 { Fixed::EdDSA } else { Fixed::Hs256 };
        write(&dir, &[&[0u8][..], valid_token(other)].concat());
        // Mode 1: a few edit scripts (flip a signature bit, swap segments, insert a dot).
        for cmds in
            [&[0u8, 0xff, 0xff, 1][..], &[5, 0, 0, 0x10], &[2, 10, 0, b'.'], &[4, 30, 0, 0, 3, 0, 0, 0]]
        {
            write(&dir, &[&[1u8][..], cmds].concat());
        }
        // Mode 2: header/payload pairs behind a valid signature, under each policy.
        for (i, (header, payload)) in pairs.iter().enumerate() {
            let header = header.replace("{alg}", alg);
            let selector = 2 + 3 * (i % 5) as u8;
            write(&dir, &[&[selector][..], header.as_bytes(), &[0], payload.as_bytes()].concat());
        }
        write(&dir, &[&[2u8][..], RFC_HEADER_A1, &[0], RFC_PAYLOAD].concat());
        // The forged tokens themselves, raw.
        write(&dir, &[&[0u8][..], &forge(fixed, RFC_HEADER_A1, RFC_PAYLOAD)].concat());
    }

    let dir = root.join("parse");
    for (header, payload) in &pairs {
        write(&dir, header.replace("{alg}", "ES256").as_bytes());
        write(&dir, payload.as_bytes());
    }
    write(&dir, RFC_HEADER_A1);
    write(&dir, RFC_PAYLOAD);

    let dir = root.join("base64url");
    for token in [RFC7515_A1, RFC7515_A3, RFC8037_A4] {
        for seg in token.split('.') {
            write(&dir, seg.as_bytes());
        }
    }
    for s in
        ["", "A", "AA", "AB", "AAA", "AAB", "AAAA", "QQ==", "+/+/", "-_-_", "aGk", "aGl", "a Gk", "aGk\n"]
    {
        write(&dir, s.as_bytes());
    }

    // ffi_claims: [getter, name_len, value_len, cap], name, value, claims.
    let dir = root.join("ffi_claims");
    let claims = [
        RFC_PAYLOAD.to_vec(),
        br#"{"sub":"dev\u00e9\"7","n":42,"neg":-1,"f":1.5,"big":18446744073709551616,"ok":true,"aud":["a","api",3],"one":"api","nul":"a\u0000b","obj":{"sub":"inner"}}"#.to_vec(),
        br#"{"sub":"a","sub":"b"}"#.to_vec(),
        b"[1]".to_vec(),
    ];
    for c in &claims {
        for (getter, name, value, cap) in [
            (0u8, "sub", "", 255u8),
            (0, "sub", "", 3),
            (0, "nul", "", 255),
            (0, "iss", "", 255),
            (1, "exp", "", 0),
            (1, "n", "", 0),
            (1, "neg", "", 0),
            (1, "big", "", 0),
            (2, "ok", "", 0),
            (2, "http://example.com/is_root", "", 0),
            (3, "aud", "api", 0),
            (3, "one", "api", 0),
            (3, "aud", "ap", 0),
            (0, "missing", "", 255),
        ] {
            let head = [getter, name.len() as u8, value.len() as u8, cap];
            write(&dir, &[&head[..], name.as_bytes(), value.as_bytes(), c].concat());
        }
    }

    let dir = root.join("round_trip");
    write(&dir, RFC_PAYLOAD);
    for (_, payload) in pairs.iter().take(12) {
        write(&dir, payload.as_bytes());
    }
}
