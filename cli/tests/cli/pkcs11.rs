//! `sign --pkcs11`: keys generated inside a real SoftHSM2 token (one token per test, in its
//! own temporary directory through SOFTHSM2_CONF), signed with through the command, and
//! verified with the public key exported from the token (by `pkcs11-public` and, for P-256,
//! independently by OpenSC's pkcs11-tool) or, for HMAC, by the token itself.
//!
//! Needs Debian's softhsm2 and opensc (installed by .ci/run); ignored by the plain test run,
//! run by `cargo xtask hardware` (part of `cargo xtask test`):
//!     cargo test -p ciphertoken-cli --test cli pkcs11 -- --ignored

use crate::common::{cmd, code, unb64, Out};
use std::path::{Path, PathBuf};
use std::process::Command;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "3141-5926";

/// A SoftHSM2 token in a temporary directory.
struct Token {
    dir: tempfile::TempDir,
    label: String,
}

impl Token {
    fn new(label: &str) -> Token {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.path().join("tokens").display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("pin"), format!("{PIN}\n")).unwrap();
        let t = Token { dir, label: label.to_owned() };
        t.tool(
            "softhsm2-util",
            &["--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", "27182818"],
        );
        t
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// Runs a tool against this token; panics with its output unless it succeeds.
    fn tool(&self, program: &str, args: &[&str]) -> String {
        let o = Command::new(program)
            .env("SOFTHSM2_CONF", self.conf())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program} (install softhsm2 and opensc): {e}"));
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{program} {args:?} failed:\n{text}");
        text
    }

    /// pkcs11-tool on this token, logged in.
    fn p11tool(&self, args: &[&str]) -> String {
        let mut all = vec!["--module", MODULE, "--token-label", &self.label, "--login", "--pin", PIN];
        all.extend_from_slice(args);
        self.tool("pkcs11-tool", &all)
    }

    /// Generates a key inside the token (C_GenerateKeyPair / C_GenerateKey).
    fn keygen(&self, key_type: &str, id: &str, label: &str) {
        if key_type.starts_with("GENERIC") {
            self.p11tool(&["--keygen", "--key-type", key_type, "--id", id, "--label", label, "--usage-sign"]);
        } else {
            self.p11tool(&["--keypairgen", "--key-type", key_type, "--id", id, "--label", label]);
        }
    }

    fn uri(&self, path_attrs: &str) -> String {
        format!("pkcs11:token={};{path_attrs}?module-path={MODULE}", self.label)
    }

    /// `ciphertoken args...` with this token's configuration.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut c = cmd();
        c.current_dir(self.dir.path())
            .env("SOFTHSM2_CONF", self.conf())
            .env_remove("PKCS11_MODULE")
            .args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().expect("run ciphertoken");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn sign(&self, uri: &str, extra: &[&str]) -> String {
        let pin = self.path("pin");
        let mut args = vec!["sign", "--pkcs11", uri, "--pin-file", &pin, "--sub", "sensor-7"];
        if !extra.contains(&"--exp") {
            args.extend_from_slice(&["--exp", "+1h"]);
        }
        args.extend_from_slice(extra);
        self.run(&args, &[]).expect(code::OK).line().to_owned()
    }

    /// The public key exported from the token by `pkcs11-public`, written as a JWK file.
    fn export_jwk(&self, uri: &str, name: &str) -> String {
        let pin = self.path("pin");
        let out = self.run(&["pkcs11-public", "--pkcs11", uri, "--pin-file", &pin], &[]).expect(code::OK);
        let path = self.path(name);
        std::fs::write(&path, out.line()).unwrap();
        path
    }

    fn verify(&self, key_file: &str, token: &str) -> Out {
        self.run(&["verify", "--key-file", key_file, token], &[])
    }
}

fn header(token: &str) -> serde_json::Value {
    serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap()
}

fn assert_private_key_stays_inside(t: &Token, id: &str) {
    let list = t.p11tool(&["--list-objects", "--type", "privkey", "--id", id]);
    assert!(list.contains("never extractable") && list.contains("sensitive"), "{list}");
}

#[test]
#[ignore = "needs SoftHSM2 and OpenSC (cargo xtask hardware)"]
fn es256_key_in_the_token_signs_and_exported_public_keys_verify() {
    let t = Token::new("es256-token");
    t.keygen("EC:prime256v1", "01", "device-p256");
    assert_private_key_stays_inside(&t, "01");
    let uri = t.uri("object=device-p256;type=private");
    let jwk = t.export_jwk(&uri, "p256.jwk");
    // An independent export: OpenSC reads the public key object as SPKI DER.
    let der = t.path("p256.der");
    t.p11tool(&["--read-object", "--type", "pubkey", "--id", "01", "-o", &der]);
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let token = t.sign(&uri, &[]);
        let h = header(&token);
        assert_eq!(h["alg"], "ES256");
        // Default kid: the RFC 7638 thumbprint of the token's public key, as exported.
        let exported: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&jwk).unwrap()).unwrap();
        assert_eq!(h["kid"], exported["kid"]);
        t.verify(&jwk, &token).expect(code::OK);
        t.verify(&der, &token).expect(code::OK);
        tokens.push(token);
    }
    // SoftHSM's ECDSA nonces are random: three different, valid signatures.
    assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2]);
    // A tampered signature fails.
    let mut bad = tokens[0].clone().into_bytes();
    let at = bad.len() - 10;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    t.verify(&jwk, std::str::from_utf8(&bad).unwrap()).expect(code::SIGNATURE);
    // By id instead of label, with --kid and --json.
    let out = t
        .run(
            &[
                "--json",
                "sign",
                "--pkcs11",
                &t.uri("id=%01"),
                "--pin-file",
                &t.path("pin"),
                "--kid",
                "hsm-1",
                "--no-exp",
            ],
            &[],
        )
        .expect(code::OK);
    let j = out.json();
    assert_eq!((j["alg"].as_str(), j["kid"].as_str()), (Some("ES256"), Some("hsm-1")));
    t.run(&["verify", "--key-file", &der, "--no-exp", j["token"].as_str().unwrap()], &[]).expect(code::OK);
}

#[test]
#[ignore = "needs SoftHSM2 and OpenSC (cargo xtask hardware)"]
fn ed25519_key_in_the_token_signs_and_verifies() {
    let t = Token::new("ed-token");
    let mechanisms = t.tool("pkcs11-tool", &["--module", MODULE, "--token-label", "ed-token", "-M"]);
    assert!(
        mechanisms.contains("EC-EDWARDS-KEY-PAIR-GEN") && mechanisms.contains("EDDSA"),
        "this SoftHSM2 build has no Ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN):\n{mechanisms}"
    );
    t.keygen("EC:edwards25519", "02", "device-ed");
    assert_private_key_stays_inside(&t, "02");
    let uri = t.uri("object=device-ed");
    let jwk = t.export_jwk(&uri, "ed.jwk");
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&jwk).unwrap()).unwrap();
    assert_eq!((exported["kty"].as_str(), exported["crv"].as_str()), (Some("OKP"), Some("Ed25519")));
    // The JWK's x is the point the token lists as CKA_EC_POINT (DER OCTET STRING 04 20 ...).
    let listing = t.p11tool(&["--list-objects", "--type", "pubkey", "--id", "02"]);
    let x_hex: String = unb64(exported["x"].as_str().unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    assert!(listing.contains(&format!("0420{x_hex}")), "{listing}");
    let token = t.sign(&uri, &[]);
    assert_eq!(header(&token)["alg"], "EdDSA");
    t.verify(&jwk, &token).expect(code::OK);
    // Ed25519 is deterministic: the same claims at the same second give the same token.
    let a = t.sign(&uri, &["--iat", "1800000000", "--exp", "1900000000"]);
    let b = t.sign(&uri, &["--iat", "1800000000", "--exp", "1900000000"]);
    assert_eq!(a, b);
}

#[test]
#[ignore = "needs SoftHSM2 and OpenSC (cargo xtask hardware)"]
fn hmac_key_in_the_token_signs_and_the_token_verifies() {
    let t = Token::new("mac-token");
    t.keygen("GENERIC:32", "03", "device-mac");
    let uri = t.uri("object=device-mac;type=secret-key");
    let token = t.sign(&uri, &[]);
    let h = header(&token);
    assert_eq!((h["alg"].as_str(), h["kid"].as_str()), (Some("HS256"), Some("device-mac")));
    // The secret never leaves the token: the token itself checks the MAC (C_Verify).
    let (input, sig) = token.rsplit_once('.').unwrap();
    std::fs::write(t.path("input"), input).unwrap();
    std::fs::write(t.path("sig"), unb64(sig)).unwrap();
    let out = t.p11tool(&[
        "--verify",
        "-m",
        "SHA256-HMAC",
        "--id",
        "03",
        "-i",
        &t.path("input"),
        "--signature-file",
        &t.path("sig"),
    ]);
    assert!(out.contains("Signature is valid"), "{out}");
    // ...and rejects a MAC over other bytes.
    std::fs::write(t.path("input"), format!("{input}x")).unwrap();
    let o = Command::new("pkcs11-tool")
        .env("SOFTHSM2_CONF", t.conf())
        .args(["--module", MODULE, "--token-label", "mac-token", "--login", "--pin", PIN, "--verify", "-m"])
        .args(["SHA256-HMAC", "--id", "03", "-i", &t.path("input"), "--signature-file", &t.path("sig")])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Signature is valid"));
    // HS384 needs a secret of at least 48 bytes: SoftHSM refuses CKM_SHA384_HMAC with this
    // one, and the command reports the device's failure (no token).
    let o =
        t.run(&["sign", "--pkcs11", &uri, "--pin-file", &t.path("pin"), "--alg", "hs384", "--no-exp"], &[]);
    assert_eq!((o.code, o.stdout.as_str()), (code::KEY, ""), "{}", o.stderr);
    assert!(o.stderr.contains("external signer failed"), "{}", o.stderr);
    t.keygen("GENERIC:48", "04", "device-mac-384");
    let token = t.sign(&t.uri("object=device-mac-384"), &["--alg", "hs384"]);
    assert_eq!(header(&token)["alg"], "HS384");
    assert_eq!(unb64(token.rsplit_once('.').unwrap().1).len(), 48);
    // An HMAC key has no public key to export.
    t.run(&["pkcs11-public", "--pkcs11", &uri, "--pin-file", &t.path("pin")], &[]).expect(code::KEY);
}

#[test]
#[ignore = "needs SoftHSM2 and OpenSC (cargo xtask hardware)"]
fn pin_sources_and_refusals() {
    let t = Token::new("pin-token");
    t.keygen("EC:prime256v1", "05", "k");
    let uri = t.uri("object=k");
    let sign = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["sign", "--pkcs11", &uri, "--sub", "a", "--exp", "+1m"];
        args.extend_from_slice(extra);
        t.run(&args, env)
    };
    // From the environment.
    sign(&["--pin-env", "HSM_PIN"], &[("HSM_PIN", PIN)]).expect(code::OK);
    // From stdin.
    let mut c = cmd();
    c.current_dir(t.dir.path()).env("SOFTHSM2_CONF", t.conf());
    c.args(["sign", "--pkcs11", &uri, "--pin-file", "-", "--sub", "a", "--exp", "+1m"])
        .write_stdin(format!("{PIN}\n"));
    assert!(c.output().unwrap().status.success());
    // From the URI's pin-source (a file).
    let with_source =
        format!("pkcs11:token=pin-token;object=k?module-path={MODULE}&pin-source=file:{}", t.path("pin"));
    t.run(&["sign", "--pkcs11", &with_source, "--sub", "a", "--exp", "+1m"], &[]).expect(code::OK);
    // The module from the environment instead of the URI.
    let no_module = "pkcs11:token=pin-token;object=k";
    t.run(
        &["sign", "--pkcs11", no_module, "--pin-file", &t.path("pin"), "--sub", "a", "--exp", "+1m"],
        &[("PKCS11_MODULE", MODULE)],
    )
    .expect(code::OK);
    t.run(&["sign", "--pkcs11", no_module, "--pin-file", &t.path("pin"), "--sub", "a", "--exp", "+1m"], &[])
        .expect(code::USAGE);
    // No PIN, a wrong PIN, a PIN in the URI (argv): refused; the PIN is never echoed.
    let o = sign(&[], &[]).expect(code::USAGE);
    assert!(o.stderr.contains("PIN"), "{}", o.stderr);
    std::fs::write(t.path("wrong"), "0000\n").unwrap();
    let o = sign(&["--pin-file", &t.path("wrong")], &[]).expect(code::KEY);
    assert!(o.stderr.contains("C_Login") && !o.stderr.contains("0000"), "{}", o.stderr);
    let in_uri = format!("pkcs11:token=pin-token;object=k?module-path={MODULE}&pin-value={PIN}");
    let o = t.run(&["sign", "--pkcs11", &in_uri, "--sub", "a", "--exp", "+1m"], &[]).expect(code::USAGE);
    assert!(o.stderr.contains("pin-value") && !o.stderr.contains(PIN), "{}", o.stderr);
    // Not both a key file and a token key.
    t.run(
        &[
            "sign",
            "--pkcs11",
            &uri,
            "--pin-file",
            &t.path("pin"),
            "--key-file",
            "x",
            "--sub",
            "a",
            "--exp",
            "+1m",
        ],
        &[],
    )
    .expect(code::USAGE);
}

#[test]
#[ignore = "needs SoftHSM2 and OpenSC (cargo xtask hardware)"]
fn uri_selects_exactly_one_key() {
    let t = Token::new("sel-token");
    t.keygen("EC:prime256v1", "0a", "same");
    t.keygen("EC:prime256v1", "0b", "same");
    let pin = t.path("pin");
    let run = |path: &str| {
        t.run(&["sign", "--pkcs11", &t.uri(path), "--pin-file", &pin, "--sub", "a", "--exp", "+1m"], &[])
    };
    let o = run("object=same").expect(code::KEY);
    assert!(o.stderr.contains("several keys"), "{}", o.stderr);
    run("object=same;id=%0b").expect(code::OK);
    run("object=other").expect(code::KEY);
    let o = run("object=same;id=%0b;colour=red").expect(code::USAGE);
    assert!(o.stderr.contains("colour"), "{}", o.stderr);
    let o = t.run(
        &[
            "sign",
            "--pkcs11",
            &format!("pkcs11:token=nope;object=same?module-path={MODULE}"),
            "--pin-file",
            &pin,
            "--no-exp",
        ],
        &[],
    );
    assert_eq!(o.code, code::KEY, "{}", o.stderr);
    assert!(Path::new(MODULE).exists());
}
