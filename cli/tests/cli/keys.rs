//! keygen, key pub / thumbprint / convert / export-c, key sources and formats.

use crate::common::{code, data, Dir, NOW};

const ALGS: [&str; 5] = ["hs256", "hs384", "hs512", "es256", "ed25519"];

#[test]
fn keygen_every_algorithm_kid_is_the_thumbprint_and_files_are_private() {
    let d = Dir::new();
    for alg in ALGS {
        let name = format!("{alg}.key");
        let kid = d.keygen(alg, &name);
        assert_eq!(kid.len(), 43, "{alg}: a base64url SHA-256 thumbprint");
        #[cfg(unix)]
        assert_eq!(crate::common::mode(&d.path(&name)), 0o600, "{alg}: private key file mode");
        let tp = d.run(&["key", "thumbprint", "--key-file", &name]).expect(code::OK);
        assert_eq!(tp.line(), kid, "{alg}: thumbprint of the private key");
        if !alg.starts_with("hs") {
            let tp = d.run(&["key", "thumbprint", "--key-file", &format!("{name}.pub")]).expect(code::OK);
            assert_eq!(tp.line(), kid, "{alg}: the public key has the same thumbprint");
            #[cfg(unix)]
            assert_eq!(crate::common::mode(&d.path(&format!("{name}.pub"))), 0o644);
        }
    }
}

#[test]
fn keygen_formats_and_defaults() {
    let d = Dir::new();
    // Asymmetric keys default to PKCS#8 PEM, HMAC secrets to a JWK.
    d.keygen("ed25519", "e.pem");
    assert!(String::from_utf8(d.read("e.pem")).unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(String::from_utf8(d.read("e.pem.pub")).unwrap().starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let kid = d.keygen("hs384", "h.jwk");
    let jwk: serde_json::Value = serde_json::from_slice(&d.read("h.jwk")).unwrap();
    assert_eq!(jwk["kty"], "oct");
    assert_eq!(jwk["alg"], "HS384");
    assert_eq!(jwk["kid"], kid.as_str());
    assert_eq!(crate::common::unb64(jwk["k"].as_str().unwrap()).len(), 48, "RFC 7518 §3.2: hash-size secret");

    for (alg, format, len) in [("es256", "raw", 32), ("ed25519", "raw", 32), ("hs512", "raw", 64)] {
        let name = format!("{alg}.{format}");
        d.run(&["keygen", "--alg", alg, "--format", format, "--out", &name]).expect(code::OK);
        assert_eq!(d.read(&name).len(), len);
    }
    let out = d.run(&["keygen", "--alg", "es256", "--format", "pkcs8", "--out", "k.der"]).expect(code::OK);
    assert_eq!(d.read("k.der")[0], 0x30, "DER SEQUENCE");
    let tp = d.run(&["key", "thumbprint", "--key-file", "k.der"]).expect(code::OK);
    assert_eq!(tp.line(), out.line());

    // PEM has no HMAC form; a public key file needs an asymmetric key.
    d.run(&["keygen", "--alg", "hs256", "--format", "pem", "--out", "x"]).expect(code::USAGE);
    d.run(&["keygen", "--alg", "hs256", "--out", "x", "--pub-out", "y"]).expect(code::USAGE);
    assert!(!d.path("x").exists() && !d.path("y").exists(), "nothing written on refusal");
}

#[test]
fn keygen_to_stdout_and_json() {
    let d = Dir::new();
    let out = d.run(&["keygen", "--alg", "ed25519"]).expect(code::OK);
    assert!(out.stdout.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(out.stderr.contains("kid "));
    let out = d.run(&["--json", "keygen", "--alg", "es256", "--out", "k.pem"]).expect(code::OK);
    let v = out.json();
    assert_eq!(v["alg"], "ES256");
    assert_eq!(v["file"], "k.pem");
    assert_eq!(v["public_jwk"]["kid"], v["kid"]);
    assert!(v["public_jwk"].get("d").is_none(), "the public JWK has no private member");
    let fresh = d.run(&["key", "thumbprint", "--key-file", "k.pem"]).expect(code::OK);
    assert_eq!(v["kid"], fresh.line());
}

#[test]
fn keygen_never_overwrites_without_force() {
    let d = Dir::new();
    d.keygen("es256", "k.pem");
    let before = d.read("k.pem");
    let out = d.run(&["keygen", "--alg", "es256", "--out", "k.pem"]).expect(code::IO);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(d.read("k.pem"), before, "the existing key is untouched");

    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    #[cfg(unix)]
    std::fs::set_permissions(d.path("k.pem"), std::fs::Permissions::from_mode(0o644)).unwrap();
    #[cfg(unix)]
    {
        let out = d.run(&["key", "thumbprint", "--key-file", "k.pem"]).expect(code::OK);
        assert!(out.stderr.contains("mode 0644; chmod 600 k.pem"), "{}", out.stderr);
        d.keygen("es256", "pub-only");
        std::fs::set_permissions(d.path("pub-only.pub"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = d.run(&["key", "thumbprint", "--key-file", "pub-only.pub"]).expect(code::OK);
        assert!(out.stderr.is_empty(), "a public key may be world-readable: {}", out.stderr);
    }
    d.run(&["keygen", "--alg", "es256", "--out", "k.pem", "--force"]).expect(code::OK);
    let out = d.run(&["key", "thumbprint", "--key-file", "k.pem"]).expect(code::OK);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_ne!(d.read("k.pem"), before, "replaced");
    #[cfg(unix)]
    assert_eq!(crate::common::mode(&d.path("k.pem")), 0o600, "a forced rewrite is still 0600");
}

/// Every encoding of a key signs the same token (ES256 uses RFC 6979 nonces, Ed25519 is
/// deterministic) and has the same thumbprint.
#[test]
fn convert_round_trips_every_format() {
    let d = Dir::new();
    let cases: [(&str, &[&str]); 3] = [
        ("es256", &["pem", "pkcs8", "sec1", "jwk", "raw"]),
        ("ed25519", &["pem", "pkcs8", "jwk", "raw"]),
        ("hs256", &["jwk", "raw"]),
    ];
    for (alg, formats) in cases {
        let key = format!("{alg}.orig");
        let kid = d.keygen(alg, &key);
        let claims = ["--sub", "dev-1", "--exp", "+10m", "--kid", "fixed"];
        let reference = d.sign(&key, &claims);
        for format in formats {
            let name = format!("{alg}.{format}");
            d.run(&["key", "convert", "--key-file", &key, "--to", format, "--out", &name]).expect(code::OK);
            #[cfg(unix)]
            assert_eq!(
                crate::common::mode(&d.path(&name)),
                0o600,
                "{alg} {format}: converted secret is private"
            );
            let alg_flag: &[&str] = if *format == "raw" { &["--alg", alg] } else { &[] };
            let mut args = vec!["key", "thumbprint", "--key-file", &name];
            args.extend_from_slice(alg_flag);
            assert_eq!(d.run(&args).expect(code::OK).line(), kid, "{alg} {format}: thumbprint");
            let mut sign_args = claims.to_vec();
            sign_args.extend_from_slice(alg_flag);
            assert_eq!(d.sign(&name, &sign_args), reference, "{alg} {format}: same key, same token");
        }
    }
}

#[test]
fn public_keys_in_every_format_verify() {
    let d = Dir::new();
    for (alg, formats) in [
        ("es256", vec!["pem", "pkcs8", "sec1", "jwk", "raw"]),
        ("ed25519", vec!["pem", "pkcs8", "jwk", "raw"]),
    ] {
        let key = format!("{alg}.key");
        let kid = d.keygen(alg, &key);
        let token = d.sign(&key, &["--exp", "+1h"]);
        for format in formats {
            let name = format!("{alg}.pub.{format}");
            let out =
                d.run(&["key", "pub", "--key-file", &key, "--to", format, "--out", &name]).expect(code::OK);
            assert!(out.stderr.contains("public key"), "{}", out.stderr);
            #[cfg(unix)]
            assert_eq!(crate::common::mode(&d.path(&name)), 0o644, "public keys are not secret");
            let raw_flags: &[&str] =
                if format == "raw" || format == "sec1" { &["--alg", alg, "--public"] } else { &[] };
            let mut args = vec!["key", "thumbprint", "--key-file", &name];
            args.extend_from_slice(raw_flags);
            assert_eq!(d.run(&args).expect(code::OK).line(), kid, "{alg} {format}");
            d.verify_at(&name, &token, NOW, raw_flags).expect(code::OK);
        }
        // A public key cannot sign, and a public key's `convert --to jwk` has no `d`.
        let pubkey = format!("{alg}.pub.pem");
        d.run(&["sign", "--key-file", &pubkey, "--exp", "+1m"]).expect(code::KEY);
        let jwk = d.run(&["key", "convert", "--key-file", &pubkey, "--to", "jwk"]).expect(code::OK).json();
        assert!(jwk.get("d").is_none());
        assert_eq!(jwk["kid"], kid.as_str());
    }
    // SEC1 is a P-256 format.
    d.run(&["key", "pub", "--key-file", "ed25519.key", "--to", "sec1"]).expect(code::USAGE);
}

#[test]
fn raw_keys_need_alg_and_public_flag() {
    let d = Dir::new();
    d.run(&["keygen", "--alg", "ed25519", "--format", "raw", "--out", "seed"]).expect(code::OK);
    // Without --alg a raw key is refused rather than guessed.
    d.run(&["key", "thumbprint", "--key-file", "seed"]).expect(code::KEY);
    let private =
        d.run(&["key", "pub", "--key-file", "seed", "--alg", "ed25519", "--to", "raw", "--out", "pk"]);
    private.expect(code::OK);
    let tp_private = d.run(&["key", "thumbprint", "--key-file", "seed", "--alg", "ed25519"]).expect(code::OK);
    let tp_public =
        d.run(&["key", "thumbprint", "--key-file", "pk", "--alg", "ed25519", "--public"]).expect(code::OK);
    assert_eq!(tp_private.line(), tp_public.line());
    // The same 32 bytes read as a seed give another key.
    let tp_as_seed = d.run(&["key", "thumbprint", "--key-file", "pk", "--alg", "ed25519"]).expect(code::OK);
    assert_ne!(tp_as_seed.line(), tp_public.line());
    // --alg must agree with a self-describing key.
    d.keygen("es256", "k.pem");
    let out = d.run(&["key", "thumbprint", "--key-file", "k.pem", "--alg", "ed25519"]).expect(code::KEY);
    assert!(out.stderr.contains("does not match"), "{}", out.stderr);
    // HMAC secrets below the hash size are refused (RFC 7518 §3.2).
    d.write("short", [7u8; 31]);
    d.run(&["sign", "--key-file", "short", "--alg", "hs256", "--exp", "+1m"]).expect(code::KEY);
    d.write("short48", [7u8; 47]);
    d.run(&["sign", "--key-file", "short48", "--alg", "hs384", "--exp", "+1m"]).expect(code::KEY);
}

#[test]
fn keys_from_the_environment_and_stdin() {
    let d = Dir::new();
    let secret = "0123456789abcdef0123456789abcdef";
    let out = crate::common::cmd()
        .current_dir(std::env::temp_dir())
        .env("CT_TEST_KEY", secret)
        .args(["sign", "--key-env", "CT_TEST_KEY", "--alg", "hs256", "--exp", "+1m"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    // The same secret from stdin verifies it.
    d.run_stdin(&["verify", "--key-file", "-", "--alg", "hs256", &token], secret).expect(code::OK);
    // An unset variable is a key error; an argument that looks like a secret is not accepted.
    d.run(&["sign", "--key-env", "CT_NO_SUCH_VARIABLE", "--alg", "hs256", "--exp", "+1m"]).expect(code::KEY);
    d.run(&["sign", "--key", secret, "--exp", "+1m"]).expect(code::USAGE);
    d.run(&["sign", "--secret", secret, "--exp", "+1m"]).expect(code::USAGE);
    d.run(&["sign", "--key-file", "k", "--key-env", "V", "--exp", "+1m"]).expect(code::USAGE);
}

#[test]
fn reads_openssl_keys() {
    let d = Dir::new();
    for (private, public) in [
        ("openssl-p256.pem", "openssl-p256.pub.pem"),
        ("openssl-p256-sec1.pem", "openssl-p256-sec1.pub.pem"),
        ("openssl-ed25519.pem", "openssl-ed25519.pub.pem"),
    ] {
        // Our public key of OpenSSL's private key is OpenSSL's public key, byte for byte.
        let ours = d.run(&["key", "pub", "--key-file", &data(private)]).expect(code::OK);
        let theirs = std::fs::read_to_string(data(public)).unwrap();
        assert_eq!(ours.stdout, theirs, "{private}");
        let token = d.sign(&data(private), &["--exp", "+5m"]);
        d.verify_at(&data(public), &token, NOW, &[]).expect(code::OK);
    }
    // PKCS#8 written by us is read by OpenSSL's format: the same PEM once normalised.
    let ours = d.run(&["key", "convert", "--key-file", &data("openssl-ed25519.pem")]).expect(code::OK);
    assert_eq!(ours.stdout, std::fs::read_to_string(data("openssl-ed25519.pem")).unwrap());

    for (refused, why) in [
        ("openssl-rsa.pub.pem", "RSA"),
        ("openssl-p384.pem", "P-256"),
        ("openssl-ed25519-encrypted.pem", "encrypted"),
    ] {
        let out = d.run(&["key", "thumbprint", "--key-file", &data(refused)]).expect(code::KEY);
        assert!(out.stderr.contains(why), "{refused}: {}", out.stderr);
    }
}

#[test]
fn bad_and_missing_key_files() {
    let d = Dir::new();
    d.run(&["key", "thumbprint", "--key-file", "does-not-exist"]).expect(code::IO);
    d.write("junk.pem", "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");
    d.run(&["key", "thumbprint", "--key-file", "junk.pem"]).expect(code::KEY);
    d.write("junk.jwk", r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#);
    d.run(&["key", "thumbprint", "--key-file", "junk.jwk"]).expect(code::KEY);
    // A point that is not on the curve.
    let x = crate::common::b64(&[1u8; 32]);
    d.write("offcurve.jwk", format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{x}"}}"#));
    d.run(&["key", "thumbprint", "--key-file", "offcurve.jwk"]).expect(code::KEY);
    // A JWK whose alg does not fit its kty.
    d.keygen("ed25519", "e.pem");
    let jwk = d.run(&["key", "pub", "--key-file", "e.pem", "--to", "jwk"]).expect(code::OK).stdout;
    d.write("lying.jwk", jwk.replace("\"EdDSA\"", "\"ES256\""));
    d.run(&["key", "thumbprint", "--key-file", "lying.jwk"]).expect(code::KEY);
    // An HMAC secret has no public key.
    d.keygen("hs256", "h.jwk");
    d.run(&["key", "pub", "--key-file", "h.jwk"]).expect(code::KEY);
}

/// Compiles the exported header with the system C compiler and prints its contents back.
fn compile_and_dump(d: &Dir, header: &str, name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    let program = format!(
        "#include <stdio.h>\n#include \"{header}\"\nint main(void) {{\n  printf(\"%s %s %d\\n\", {upper}_ALG, \
         {upper}_KID, {upper}_LEN);\n  for (int i = 0; i < {upper}_LEN; i++) printf(\"%02x\", {name}[i]);\n  \
         printf(\"\\n\");\n  return (int)(sizeof {name} != {upper}_LEN);\n}}\n"
    );
    d.write("dump.c", program);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = std::process::Command::new(cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(d.path("dump"))
        .arg(d.path("dump.c"))
        .status()
        .expect("a C compiler (cargo links with one)");
    assert!(status.success(), "the exported header compiles cleanly");
    let out = std::process::Command::new(d.path("dump")).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn export_c_public_key_compiles_and_matches() {
    let d = Dir::new();
    for (alg, len) in [("es256", 65), ("ed25519", 32)] {
        let key = format!("{alg}.pem");
        let kid = d.keygen(alg, &key);
        let name = format!("gw_{alg}_pub");
        let header = format!("{name}.h");
        d.run(&["key", "export-c", "--key-file", &key, "--name", &name, "--out", &header]).expect(code::OK);
        #[cfg(unix)]
        assert_eq!(crate::common::mode(&d.path(&header)), 0o644, "public header");
        let raw = d.run(&["key", "pub", "--key-file", &key, "--to", "raw", "--out", "pub.raw", "--force"]);
        raw.expect(code::OK);
        let dumped = compile_and_dump(&d, &header, &name);
        let alg_name = if alg == "es256" { "ES256" } else { "EdDSA" };
        assert_eq!(dumped, format!("{alg_name} {kid} {len}\n{}\n", hex(&d.read("pub.raw"))));
        let text = String::from_utf8(d.read(&header)).unwrap();
        assert!(
            text.contains(&format!("ct_key_{}_public(", if alg == "es256" { "es256" } else { "ed25519" }))
        );
    }
}

#[test]
fn export_c_refuses_secrets_unless_asked() {
    let d = Dir::new();
    d.keygen("hs256", "h.jwk");
    let out = d.run(&["key", "export-c", "--key-file", "h.jwk", "--name", "k"]).expect(code::KEY);
    assert!(out.stderr.contains("--secret"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no secret printed");

    d.run(&["key", "export-c", "--key-file", "h.jwk", "--name", "k", "--secret", "--out", "k.h"])
        .expect(code::OK);
    #[cfg(unix)]
    assert_eq!(crate::common::mode(&d.path("k.h")), 0o600, "a secret header is private");
    d.run(&["key", "convert", "--key-file", "h.jwk", "--to", "raw", "--out", "h.raw"]).expect(code::OK);
    let kid = d.run(&["key", "thumbprint", "--key-file", "h.jwk"]).expect(code::OK).line().to_owned();
    let dumped = compile_and_dump(&d, "k.h", "k");
    assert_eq!(dumped, format!("HS256 {kid} 32\n{}\n", hex(&d.read("h.raw"))));
    assert!(String::from_utf8(d.read("k.h")).unwrap().contains("SECRET"));

    // A device that signs gets its private scalar only with --secret; a public key has none.
    d.keygen("es256", "dev.pem");
    let out = d.run(&["key", "export-c", "--key-file", "dev.pem", "--name", "device_key", "--secret"]);
    let out = out.expect(code::OK);
    assert!(out.stdout.contains("ct_key_es256_private(") && out.stdout.contains("#define DEVICE_KEY_LEN 32"));
    d.run(&["key", "export-c", "--key-file", "dev.pem.pub", "--name", "k", "--secret"]).expect(code::KEY);
    d.run(&["key", "export-c", "--key-file", "dev.pem", "--name", "not-an-identifier"]).expect(code::USAGE);
    d.run(&["key", "export-c", "--key-file", "dev.pem", "--name", "k", "--out", "k.h"]).expect(code::IO);
}

#[test]
fn export_c_json() {
    let d = Dir::new();
    let kid = d.keygen("ed25519", "e.pem");
    let v =
        d.run(&["--json", "key", "export-c", "--key-file", "e.pem", "--name", "pk"]).expect(code::OK).json();
    assert_eq!(v["kid"], kid.as_str());
    assert_eq!(v["len"], 32);
    assert_eq!(v["secret"], false);
    assert!(v["c"].as_str().unwrap().contains("static const uint8_t pk[PK_LEN]"));
}
