//! sign, verify, inspect, size, completions, help: behaviour, exit codes, and round trips with
//! the library.

use crate::common::{b64, code, unb64, Dir, NOW};
use ciphertoken::{
    sign_json, verify_registered, Error, FixedClock, RequiredClaims, SigningKey, Validation, VerifyingKey,
};

fn payload(token: &str) -> serde_json::Value {
    let seg = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&unb64(seg)).unwrap()
}

fn header(token: &str) -> serde_json::Value {
    serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap()
}

#[test]
fn sign_prints_the_token_alone_and_sets_registered_claims() {
    let d = Dir::new();
    let kid = d.keygen("es256", "k.pem");
    let now = NOW.to_string();
    let out = d
        .run(&[
            "sign",
            "--key-file",
            "k.pem",
            "--now",
            &now,
            "--sub",
            "sensor-7",
            "--iss",
            "device-7",
            "--aud",
            "gw",
            "--exp",
            "+10m",
            "--nbf",
            "-1m",
            "--jti",
            "j-1",
        ])
        .expect(code::OK);
    assert!(out.stderr.is_empty(), "nothing on stderr: {}", out.stderr);
    let token = out.stdout.strip_suffix('\n').expect("one line");
    assert!(!token.contains(char::is_whitespace) && token.split('.').count() == 3);
    assert_eq!(
        payload(token),
        serde_json::json!({"sub": "sensor-7", "iss": "device-7", "aud": "gw", "exp": NOW + 600,
                           "nbf": NOW - 60, "iat": NOW, "jti": "j-1"})
    );
    assert_eq!(header(token), serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": kid}));

    // Several audiences make an array; --no-kid drops the kid; --kid sets it; --random-jti.
    let t = d.sign("k.pem", &["--aud", "a", "--aud", "b", "--exp", "+1m", "--no-kid", "--random-jti"]);
    assert_eq!(payload(&t)["aud"], serde_json::json!(["a", "b"]));
    assert!(header(&t).get("kid").is_none());
    assert_eq!(payload(&t)["jti"].as_str().unwrap().len(), 22);
    let t2 = d.sign("k.pem", &["--exp", "+1m", "--random-jti", "--kid", "2026-11"]);
    assert_ne!(payload(&t)["jti"], payload(&t2)["jti"]);
    assert_eq!(header(&t2)["kid"], "2026-11");
    d.run(&["sign", "--key-file", "k.pem", "--exp", "+1m", "--kid", &"x".repeat(65)]).expect(code::USAGE);
}

#[test]
fn sign_keeps_the_callers_claims_byte_for_byte() {
    let d = Dir::new();
    d.keygen("ed25519", "k.pem");
    let claims =
        r#"{"scope":"telemetry","n":12345678901234567890123,"f":1.50,"sub":"old","nested":{"a":[1,2]}}"#;
    d.write("claims.json", claims);
    let t = d.sign("k.pem", &["--claims", "claims.json", "--sub", "new", "--exp", "1900000000", "--no-iat"]);
    let json = String::from_utf8(unb64(t.split('.').nth(1).unwrap())).unwrap();
    assert_eq!(
        json,
        r#"{"scope":"telemetry","n":12345678901234567890123,"f":1.50,"sub":"new","nested":{"a":[1,2]},"exp":1900000000}"#
    );
    // Claims from stdin; an iat already in the claims is kept.
    let now = NOW.to_string();
    let out = d
        .run_stdin(
            &["sign", "--key-file", "k.pem", "--claims", "-", "--now", &now],
            r#"{"iat":5,"exp":1900000000}"#,
        )
        .expect(code::OK);
    assert_eq!(payload(out.line()), serde_json::json!({"iat": 5, "exp": 1_900_000_000u64}));
    // verify prints the payload exactly as signed.
    let v = d.verify_at("k.pem", &t, NOW, &[]).expect(code::OK);
    assert_eq!(v.line(), json);
}

#[test]
fn sign_refuses_bad_claims_and_missing_exp() {
    let d = Dir::new();
    d.keygen("hs256", "h.jwk");
    let out = d.run(&["sign", "--key-file", "h.jwk"]).expect(code::USAGE);
    assert!(out.stderr.contains("--exp"), "{}", out.stderr);
    for (claims, why) in [
        (r#"{"sub":"a","sub":"b","exp":2000000000}"#, "duplicate"),
        (r#"{"exp":"2000000000"}"#, "exp"),
        (r#"{"exp":1.5}"#, "exp"),
        (r#"{"aud":7,"exp":2000000000}"#, "aud"),
        (r#"[1,2]"#, "object"),
        (r#"{"exp":2000000000"#, "object"),
    ] {
        d.write("c.json", claims);
        let out = d.run(&["sign", "--key-file", "h.jwk", "--claims", "c.json"]).expect(code::USAGE);
        assert!(out.stderr.contains(why), "{claims}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    d.run(&["sign", "--key-file", "h.jwk", "--claims", "missing.json", "--exp", "+1m"]).expect(code::IO);
    d.run(&["sign", "--key-file", "h.jwk", "--exp", "tomorrow"]).expect(code::USAGE);
    d.run(&["sign", "--key-file", "h.jwk", "--exp", "+1m", "--no-exp"]).expect(code::USAGE);
    d.run_stdin(&["sign", "--key-file", "-", "--claims", "-", "--exp", "+1m"], "{}").expect(code::USAGE);

    // --no-exp signs a token without exp, which verify refuses unless told otherwise.
    let t = d.sign("h.jwk", &["--no-exp"]);
    assert!(payload(&t).get("exp").is_none());
    let out = d.verify_at("h.jwk", &t, NOW, &[]).expect(code::CLAIMS);
    assert!(out.stderr.contains("exp"), "{}", out.stderr);
    d.verify_at("h.jwk", &t, NOW, &["--no-exp"]).expect(code::OK);
}

/// CLI-signed tokens verify with the library and library-signed tokens verify with the CLI,
/// for every algorithm, from raw key material the test controls.
#[test]
fn round_trips_with_the_library() {
    let d = Dir::new();
    let material: [(&str, Vec<u8>, SigningKey); 5] = [
        ("hs256", vec![0x11; 32], SigningKey::hs256(&[0x11; 32]).unwrap()),
        ("hs384", vec![0x22; 48], SigningKey::hs384(&[0x22; 48]).unwrap()),
        ("hs512", vec![0x33; 64], SigningKey::hs512(&[0x33; 64]).unwrap()),
        ("es256", vec![0x44; 32], SigningKey::es256(&[0x44; 32]).unwrap()),
        ("ed25519", vec![0x55; 32], SigningKey::ed25519(&[0x55; 32]).unwrap()),
    ];
    for (alg, bytes, sk) in material {
        let file = d.write(alg, &bytes);
        // CLI → library.
        let t = d.sign(&file, &["--alg", alg, "--iss", "cli", "--aud", "lib", "--exp", "+5m"]);
        let mut scratch = [0u8; 1024];
        let v = Validation::new().issuer("cli").audience("lib");
        let (h, claims, _) = verify_registered(&t, &sk.verifying_key(), &v, &FixedClock(NOW), &mut scratch)
            .expect("library verifies");
        assert_eq!(h.alg, sk.algorithm());
        assert_eq!(claims.exp, Some(NOW + 300));
        assert!(verify_registered(&t, &sk.verifying_key(), &v, &FixedClock(NOW + 300), &mut scratch).is_err());

        // Library → CLI, with the public key exported by the CLI where there is one.
        let mut buf = [0u8; 512];
        let lt =
            sign_json(&sk, format!(r#"{{"sub":"lib","exp":{}}}"#, NOW + 60).as_bytes(), &mut buf).unwrap();
        let verifier = if alg.starts_with("hs") {
            file.clone()
        } else {
            let p = d.p(&format!("{alg}.pub"));
            d.run(&["key", "pub", "--key-file", &file, "--alg", alg, "--out", &p]).expect(code::OK);
            let mut pk = [0u8; 65];
            let n = sk.verifying_key().public_key_bytes(&mut pk).unwrap();
            let from_cli = d.run(&[
                "key",
                "pub",
                "--key-file",
                &file,
                "--alg",
                alg,
                "--to",
                "raw",
                "--out",
                "raw.pub",
                "--force",
            ]);
            from_cli.expect(code::OK);
            assert_eq!(d.read("raw.pub"), pk[..n].to_vec(), "{alg}: same public key as the library");
            p
        };
        let flags: &[&str] =
            if alg.starts_with("hs") { &["--alg", alg, "--sub", "lib"] } else { &["--sub", "lib"] };
        let out = d.verify_at(&verifier, lt, NOW, flags).expect(code::OK);
        assert_eq!(out.line(), format!(r#"{{"sub":"lib","exp":{}}}"#, NOW + 60));
    }
}

#[test]
fn verify_exit_codes() {
    let d = Dir::new();
    d.keygen("es256", "k.pem");
    d.keygen("es256", "other.pem");
    d.keygen("hs256", "h.jwk");
    let good =
        d.sign("k.pem", &["--iss", "dev", "--aud", "gw", "--sub", "s1", "--exp", "+10m", "--nbf", "+0s"]);
    let pk = "k.pem.pub";
    let ok = |extra: &[&str]| d.verify_at(pk, &good, NOW, extra).code;
    assert_eq!(ok(&["--aud", "gw"]), code::OK);
    assert_eq!(ok(&["--aud", "gw", "--iss", "dev", "--sub", "s1", "--require", "iat,nbf"]), code::OK);

    // Expiry: exp is exclusive (RFC 7519 §4.1.4); leeway defaults to 0 and is honoured.
    assert_eq!(d.verify_at(pk, &good, NOW + 599, &["--aud", "gw"]).code, code::OK);
    assert_eq!(d.verify_at(pk, &good, NOW + 600, &["--aud", "gw"]).code, code::EXPIRED);
    assert_eq!(d.verify_at(pk, &good, NOW + 600, &["--aud", "gw", "--leeway", "1"]).code, code::OK);
    assert_eq!(d.verify_at(pk, &good, NOW + 601, &["--aud", "gw", "--leeway", "1"]).code, code::EXPIRED);

    // Not yet valid: nbf (and iat) in the future of the verifier's clock.
    assert_eq!(d.verify_at(pk, &good, NOW - 1, &["--aud", "gw"]).code, code::NOT_YET_VALID);
    assert_eq!(d.verify_at(pk, &good, NOW - 30, &["--aud", "gw", "--leeway", "30"]).code, code::OK);
    let future_iat = d.sign("k.pem", &["--exp", "+1h", "--iat", "+5m"]);
    assert_eq!(d.verify_at(pk, &future_iat, NOW, &[]).code, code::NOT_YET_VALID);

    // Claim policy.
    for extra in [
        &["--aud", "gw", "--iss", "other"][..],
        &["--aud", "other"],
        &["--aud", "gw", "--sub", "s2"],
        &["--aud", "gw", "--require", "jti"],
        &[], // the token has an aud and none is expected
    ] {
        assert_eq!(ok(extra), code::CLAIMS, "{extra:?}");
    }
    assert_eq!(ok(&["--any-aud"]), code::OK);
    assert_eq!(ok(&["--aud", "x", "--aud", "gw"]), code::OK, "any of several audiences");
    let no_iss = d.sign("k.pem", &["--exp", "+1m"]);
    let out = d.verify_at(pk, &no_iss, NOW, &["--iss", "dev"]).expect(code::CLAIMS);
    assert!(out.stderr.contains("iss"), "{}", out.stderr);

    // Bad signature, wrong key, algorithm from the key not the token.
    let mut tampered: Vec<&str> = good.split('.').collect();
    let evil_payload =
        b64(&unb64(tampered[1]).iter().map(|&b| if b == b'1' { b'2' } else { b }).collect::<Vec<_>>());
    tampered[1] = &evil_payload;
    let tampered = tampered.join(".");
    assert_eq!(d.verify_at(pk, &tampered, NOW, &["--aud", "gw"]).code, code::SIGNATURE);
    assert_eq!(d.verify_at(pk, &format!("{good}="), NOW, &["--aud", "gw"]).code, code::SIGNATURE);
    assert_eq!(d.verify_at("other.pem.pub", &good, NOW, &["--aud", "gw"]).code, code::SIGNATURE);
    let hs = d.sign("h.jwk", &["--exp", "+1m"]);
    let out = d.verify_at(pk, &hs, NOW, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("alg"), "{}", out.stderr);

    // Malformed tokens.
    let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(br#"{"exp":2000000000}"#));
    let none_sig = format!("{}.{}.AAAA", b64(br#"{"alg":"none"}"#), b64(br#"{"exp":2000000000}"#));
    // (A padded header is malformed; the core checks the signature before it decodes the
    // payload, so damage there is a bad signature.)
    let padded_header = good.replacen('.', "=.", 1);
    for bad in ["garbage", "a.b", "a.b.c.d", &none, &none_sig, &padded_header, &good.replace('.', "..")] {
        assert_eq!(d.verify_at(pk, bad, NOW, &["--aud", "gw"]).code, code::MALFORMED, "{bad}");
    }
    d.run_stdin(&["verify", "--key-file", pk], "   \n").expect(code::MALFORMED);

    // Usage, I/O and key errors.
    d.run(&["verify", &good]).expect(code::USAGE);
    d.run(&["verify", "--key-file", pk, "--no-exp", "--require", "exp", &good]).expect(code::USAGE);
    d.run(&["verify", "--key-file", pk, "--leeway", "-5", &good]).expect(code::USAGE);
    d.run(&["verify", "--key-file", "nope.pem", &good]).expect(code::IO);
    d.write("bad.pem", "hello");
    d.run(&["verify", "--key-file", "bad.pem", &good]).expect(code::KEY);
    d.run_stdin(&["verify", "--key-file", "-"], "x").expect(code::USAGE);
}

#[test]
fn verify_reads_the_token_from_stdin_and_reports() {
    let d = Dir::new();
    let kid = d.keygen("ed25519", "k.pem");
    let t = d.sign("k.pem", &["--sub", "s", "--exp", "+1h"]);
    let at = NOW.to_string();
    for args in [
        &["verify", "--key-file", "k.pem.pub", "--now", &at][..],
        &["verify", "--key-file", "k.pem.pub", "--now", &at, "-"],
    ] {
        let out = d.run_stdin(args, format!("{t}\n")).expect(code::OK);
        assert_eq!(payload(&t), serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap());
        assert!(out.stderr.contains("verified: EdDSA signature valid"), "{}", out.stderr);
        assert!(out.stderr.contains(&kid));
    }
    // A file name where the token goes gets a hint, not "malformed".
    d.write("token.jwt", &t);
    let out = d.run(&["verify", "--key-file", "k.pem.pub", "token.jwt"]).expect(code::USAGE);
    assert!(out.stderr.contains("< token.jwt"), "{}", out.stderr);
    let quiet = d.run_stdin(&["verify", "--key-file", "k.pem.pub", "--now", &at, "-q"], &t).expect(code::OK);
    assert!(quiet.stderr.is_empty());

    let v = d.run(&["--json", "verify", "--key-file", "k.pem.pub", "--now", &at, &t]).expect(code::OK).json();
    assert_eq!(v["verified"], true);
    assert_eq!(v["alg"], "EdDSA");
    assert_eq!(v["kid"], kid.as_str());
    assert_eq!(v["claims"], payload(&t));
    assert_eq!(v["header"]["typ"], "JWT");

    let later = (NOW + 7200).to_string();
    let out =
        d.run(&["--json", "verify", "--key-file", "k.pem.pub", "--now", &later, &t]).expect(code::EXPIRED);
    assert!(out.stdout.is_empty());
    let e: serde_json::Value = serde_json::from_str(out.stderr.trim()).unwrap();
    assert_eq!(e["error"]["kind"], "expired");
    assert_eq!(e["error"]["exit"], code::EXPIRED);
    assert_eq!(e["error"]["core_code"], ciphertoken::Error::Expired.code());
    // Usage errors are JSON too under --json.
    let out = d.run(&["--json", "verify", "--bogus"]).expect(code::USAGE);
    let e: serde_json::Value = serde_json::from_str(out.stderr.trim()).unwrap();
    assert_eq!(e["error"]["kind"], "usage");
}

#[test]
fn verify_selects_from_a_jwk_set_by_kid() {
    let d = Dir::new();
    let kid_a = d.keygen("es256", "a.pem");
    let kid_b = d.keygen("ed25519", "b.pem");
    let jwk = |f: &str| d.run(&["key", "pub", "--key-file", f, "--to", "jwk"]).expect(code::OK).json();
    let set = serde_json::json!({"keys": [jwk("a.pem"), jwk("b.pem")]});
    d.write("set.json", set.to_string());
    let ta = d.sign("a.pem", &["--exp", "+1m"]);
    let tb = d.sign("b.pem", &["--exp", "+1m"]);
    let va = d
        .run(&["--json", "verify", "--key-file", "set.json", "--now", &NOW.to_string(), &ta])
        .expect(code::OK);
    assert_eq!(va.json()["kid"], kid_a.as_str());
    let vb = d
        .run(&["--json", "verify", "--key-file", "set.json", "--now", &NOW.to_string(), &tb])
        .expect(code::OK);
    assert_eq!(vb.json()["kid"], kid_b.as_str());
    // Unknown kid, or no kid with several keys: no key (exit 6).
    let unknown = d.sign("a.pem", &["--exp", "+1m", "--kid", "retired-2025"]);
    let out = d.verify_at("set.json", &unknown, NOW, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("retired-2025"), "{}", out.stderr);
    // The core's JwkSet selection: a token without kid takes the one key of the set that
    // fits its alg (here the only ES256 key), and is refused when several fit.
    let kidless = d.sign("a.pem", &["--exp", "+1m", "--no-kid"]);
    d.verify_at("set.json", &kidless, NOW, &[]).expect(code::OK);
    d.keygen("es256", "c.pem");
    let two = serde_json::json!({"keys": [jwk("a.pem"), jwk("c.pem"), jwk("b.pem")]});
    d.write("two.json", two.to_string());
    let out = d.verify_at("two.json", &kidless, NOW, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("no kid"), "{}", out.stderr);
    d.verify_at("two.json", &ta, NOW, &[]).expect(code::OK);
    // A kid that names key B on a token signed by key A: B's algorithm decides, and it fails.
    let forged = d.sign("a.pem", &["--exp", "+1m", "--kid", &kid_b]);
    d.verify_at("set.json", &forged, NOW, &[]).expect(code::SIGNATURE);
    // The operator's own HMAC keys may sit in a local set (with a warning); private members
    // of asymmetric keys refuse the set.
    d.keygen("hs256", "h.jwk");
    let hmac: serde_json::Value = serde_json::from_slice(&d.read("h.jwk")).unwrap();
    d.write("hmac-set.json", serde_json::json!({"keys": [jwk("a.pem"), hmac]}).to_string());
    let th = d.sign("h.jwk", &["--exp", "+1m"]);
    let out = d.verify_at("hmac-set.json", &th, NOW, &[]).expect(code::OK);
    assert!(out.stderr.contains("secret `oct` keys"), "{}", out.stderr);
    d.verify_at("hmac-set.json", &ta, NOW, &[]).expect(code::OK);
    let private: serde_json::Value =
        d.run(&["key", "convert", "--key-file", "a.pem", "--to", "jwk"]).expect(code::OK).json();
    d.write("private-set.json", serde_json::json!({"keys": [private]}).to_string());
    let out = d.verify_at("private-set.json", &ta, NOW, &[]).expect(code::KEY);
    assert!(out.stderr.contains("private key members"), "{}", out.stderr);
    // Other commands take a set only when it holds one key.
    d.run(&["key", "thumbprint", "--key-file", "set.json"]).expect(code::KEY);
}

#[test]
fn inspect_decodes_without_verifying_under_a_banner() {
    let d = Dir::new();
    d.keygen("hs256", "h.jwk");
    let t = d.sign("h.jwk", &["--sub", "s", "--exp", "+10m"]);
    let at = NOW.to_string();
    // No key needed, and an expired or forged token still decodes.
    let later = (NOW + 3600).to_string();
    let out = d.run(&["inspect", "--now", &later, &t]).expect(code::OK);
    assert!(out.stdout.starts_with("=== UNVERIFIED"), "{}", out.stdout);
    assert!(out.stderr.contains("UNVERIFIED"));
    assert!(out.stdout.contains("\"sub\":\"s\""));
    assert!(out.stdout.contains("50m ago"), "{}", out.stdout);
    assert!(out.stdout.contains("2027-01-15T08:10:00Z"), "{}", out.stdout);

    let out = d.run_stdin(&["--json", "inspect", "--now", &at], &t).expect(code::OK);
    let v = out.json();
    assert_eq!(v["verified"], false);
    assert!(v["warning"].as_str().unwrap().contains("UNVERIFIED"));
    assert_eq!(v["claims"], payload(&t));
    assert_eq!(v["alg"], "HS256");
    assert_eq!(v["times"]["exp"]["relative"], "in 10m");
    assert_eq!(v["signature_len"], 32);
    assert!(out.stderr.contains("UNVERIFIED"));

    // What the core's parser refuses is shown and exits 5.
    let none = format!("{}.{}.AAAA", b64(br#"{"alg":"none"}"#), b64(br#"{"sub":"x"}"#));
    let out = d.run(&["--json", "inspect", &none]).expect(code::MALFORMED);
    let v = out.json();
    assert_eq!(v["header"]["alg"], "none");
    assert_eq!(v["claims"]["sub"], "x");
    assert_eq!(v["verified"], false);
    assert!(!v["problems"].as_array().unwrap().is_empty());
    d.run(&["inspect", "only.two"]).expect(code::MALFORMED);

    // A hostile token cannot drive the terminal: control characters come out escaped.
    let evil = format!("{}.{}.AAAA", b64(b"{\"alg\":\"\x1b[2J\xc2\x9b31m\"}"), b64(br#"{"kid":"\u001b"}"#));
    let out = d.run(&["inspect", &evil]).expect(code::MALFORMED);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{9b}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("\\u001b[2J\\u009b31m"), "{}", out.stdout);
    assert!(!out.stderr.contains('\u{1b}'));
}

#[test]
fn size_matches_real_tokens_and_the_library() {
    let d = Dir::new();
    d.keygen("es256", "k.pem");
    let flags = ["--sub", "sensor-7", "--iss", "device-7", "--aud", "gateway", "--exp", "+10m"];
    let now = NOW.to_string();
    let mut args = vec!["--json", "size", "--key-file", "k.pem", "--now", &now];
    args.extend_from_slice(&flags);
    let v = d.run(&args).expect(code::OK).json();
    let token = d.sign("k.pem", &flags);
    let claims_len = unb64(token.split('.').nth(1).unwrap()).len();
    assert_eq!(v["token_len"], token.len());
    assert_eq!(v["claims_json_len"], claims_len);
    assert_eq!(v["max_token_len"], ciphertoken::max_token_len(claims_len));
    assert_eq!(v["verify_scratch_len"], ciphertoken::verify_scratch_len(token.len()));
    assert!(token.len() <= ciphertoken::max_token_len(claims_len));

    // The C capacities are what the C header's macros say.
    assert_eq!(v["ct_sign_out_cap"], token.len() + 1, "the token and its NUL");
    let header_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../include");
    let program = "#include <stdio.h>\n#include \"ciphertoken.h\"\nint main(void) { printf(\"%zu %zu\\n\", \
                   (size_t)CT_MAX_TOKEN_LEN(N), (size_t)CT_VERIFY_CLAIMS_CAP(T)); return 0; }\n";
    d.write("caps.c", program);
    let status = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".to_owned()))
        .args(["-std=c99", "-Wall", "-Werror", "-I", header_dir])
        .arg(format!("-DN={claims_len}"))
        .arg(format!("-DT={}", token.len()))
        .arg("-o")
        .arg(d.path("caps"))
        .arg(d.path("caps.c"))
        .status()
        .expect("a C compiler");
    assert!(status.success());
    let caps = std::process::Command::new(d.path("caps")).output().unwrap();
    let caps = String::from_utf8(caps.stdout).unwrap();
    assert_eq!(caps, format!("{} {}\n", v["ct_max_token_len"], v["ct_verify_claims_cap"]), "C header macros");

    // Without a key: --alg and a thumbprint-sized kid give the same length.
    let mut args = vec!["--json", "size", "--alg", "es256", "--now", &now];
    args.extend_from_slice(&flags);
    assert_eq!(d.run(&args).expect(code::OK).json()["token_len"], token.len());
    // A library-made token of the same shape is that long too.
    let sk = SigningKey::es256(&[9u8; 32]).unwrap().with_kid(&"k".repeat(43)).unwrap();
    let mut buf = [0u8; 512];
    let json = String::from_utf8(unb64(token.split('.').nth(1).unwrap())).unwrap();
    assert_eq!(sign_json(&sk, json.as_bytes(), &mut buf).unwrap().len(), token.len());

    let plain = d.run(&["size", "--alg", "ed25519", "--no-kid", "--exp", "+1m"]).expect(code::OK);
    assert!(
        plain.stdout.contains("ct_sign out_cap") && plain.stdout.contains("CT_VERIFY_CLAIMS_CAP"),
        "{}",
        plain.stdout
    );
    d.run(&["size", "--exp", "+1m"]).expect(code::USAGE);
}

#[test]
fn help_lists_every_exit_code_and_completions_work() {
    let d = Dir::new();
    for args in [&["--help"][..], &["verify", "--help"], &["key", "export-c", "--help"]] {
        let out = d.run(args).expect(code::OK);
        for (n, name) in [
            (1, "internal"),
            (2, "usage"),
            (3, "io"),
            (4, "key"),
            (5, "malformed-token"),
            (6, "bad-signature"),
            (7, "expired"),
            (8, "not-yet-valid"),
            (9, "claim-policy"),
        ] {
            assert!(
                out.stdout.contains(&format!("{n:>2}  {name}")),
                "{args:?} lacks exit code {n}:\n{}",
                out.stdout
            );
        }
    }
    // The CLI guide's table (docs/cli.md) says the same as --help, row for row.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cli.md"))
        .unwrap()
        .replace('`', "");
    let help = d.run(&["--help"]).expect(code::OK).stdout;
    let rows: Vec<&str> = help.lines().skip_while(|l| !l.starts_with("Exit codes:")).skip(1).collect();
    assert_eq!(rows.len(), 10, "{help}");
    for row in rows {
        let (n, rest) = row.trim_start().split_once("  ").unwrap();
        let (kind, meaning) = rest.trim_start().split_once(' ').unwrap();
        let line = format!("| {n} | {kind} | {} |", meaning.trim());
        assert!(readme.contains(&line), "docs/cli.md lacks the row {line:?}");
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = d.run(&["completions", shell]).expect(code::OK);
        assert!(out.stdout.contains("ciphertoken") && out.stdout.contains("export-c"), "{shell}");
    }
    d.run(&["completions", "tcsh"]).expect(code::USAGE);
    d.run(&[]).expect(code::USAGE);
    assert!(d.run(&["--version"]).expect(code::OK).stdout.starts_with("ciphertoken "));
}

/// The policy flags map to the library's Validation exactly: the CLI accepts what the
/// library accepts for the same settings.
#[test]
fn policy_matches_the_library() {
    let d = Dir::new();
    let secret = [0x42u8; 32];
    d.write("k", secret);
    let sk = SigningKey::hs256(&secret).unwrap();
    let vk = VerifyingKey::hs256(&secret).unwrap();
    let claim_sets = [
        format!(r#"{{"exp":{}}}"#, NOW + 10),
        format!(r#"{{"exp":{},"aud":["x","y"]}}"#, NOW + 10),
        format!(r#"{{"exp":{},"nbf":{}}}"#, NOW + 10, NOW + 5),
        format!(r#"{{"iss":"a","exp":{}}}"#, NOW - 1),
        r#"{"sub":"z"}"#.to_owned(),
    ];
    type Policy<'a> = (&'a [&'a str], Validation<'static>);
    let policies: [Policy; 5] = [
        (&[], Validation::new()),
        (&["--aud", "y"], Validation::new().audience("y")),
        (&["--leeway", "5"], Validation::new().leeway(5)),
        (&["--iss", "a", "--no-exp"], Validation::new().issuer("a").required(RequiredClaims::NONE)),
        (&["--no-exp", "--require", "sub"], Validation::new().required(RequiredClaims::SUB)),
    ];
    for claims in &claim_sets {
        let mut buf = [0u8; 512];
        let token = sign_json(&sk, claims.as_bytes(), &mut buf).unwrap().to_owned();
        for (flags, validation) in &policies {
            let mut scratch = [0u8; 512];
            let lib = verify_registered(&token, &vk, validation, &FixedClock(NOW), &mut scratch);
            let mut args = vec!["--alg", "hs256"];
            args.extend_from_slice(flags);
            let cli = d.verify_at("k", &token, NOW, &args);
            let expected = match lib {
                Ok(_) => code::OK,
                Err(Error::Expired) => code::EXPIRED,
                Err(Error::NotYetValid | Error::IssuedInFuture) => code::NOT_YET_VALID,
                Err(
                    Error::MissingClaim(_)
                    | Error::InvalidIssuer
                    | Error::InvalidAudience
                    | Error::InvalidSubject,
                ) => code::CLAIMS,
                Err(other) => panic!("unexpected library error {other:?}"),
            };
            assert_eq!(cli.code, expected, "{claims} {flags:?}: library says {lib:?}; {}", cli.stderr);
        }
    }
}
