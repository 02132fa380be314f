//! RSA (RS256/PS256) verification of tokens from identity providers: keys and tokens made by
//! PyJWT and `cryptography` in the venv at `target/pyenv` (see pyjwt.rs: skipped only when the
//! venv is absent outside CI), checked with PEM keys and with JWK Sets that the core selects
//! from.

use crate::common::{b64, code, unb64, Dir, NOW};
use crate::pyjwt::python;
use std::process::Command;

/// Makes RSA keys (2048-bit, and a 1024-bit one that must be refused), an EC key, and tokens
/// signed at NOW, writing them into the directory; prints the tokens and JWKs as JSON.
const SCRIPT: &str = r#"
import json, sys
from pathlib import Path
import jwt
from jwt.algorithms import RSAAlgorithm, ECAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec

d = Path(sys.argv[1])
now = int(sys.argv[2])
pem = serialization.Encoding.PEM

def rsa_key(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)

key = rsa_key(2048)
pub = key.public_key()
(d / "rsa.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
(d / "rsa-pkcs1-private.pem").write_bytes(key.private_bytes(
    pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
(d / "rsa.pub.pem").write_bytes(pub.public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo))
(d / "rsa.pkcs1.pem").write_bytes(pub.public_bytes(pem, serialization.PublicFormat.PKCS1))
small = rsa_key(1024).public_key()
(d / "rsa1024.pub.pem").write_bytes(small.public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo))

claims = {"iss": "https://idp.example", "sub": "alice", "aud": "gateway", "iat": now, "exp": now + 600}
tokens = {
    "RS256": jwt.encode(claims, key, algorithm="RS256", headers={"kid": "idp-1"}),
    "PS256": jwt.encode(claims, key, algorithm="PS256", headers={"kid": "idp-1"}),
    "RS256-expired": jwt.encode(dict(claims, iat=now - 7200, exp=now - 3600), key, algorithm="RS256",
                                headers={"kid": "idp-1"}),
}
ec_key = ec.generate_private_key(ec.SECP256R1())
tokens["ES256"] = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec-1"})
print(json.dumps({
    "tokens": tokens,
    "rsa_jwk": RSAAlgorithm.to_jwk(pub, as_dict=True),
    "rsa_private_jwk": RSAAlgorithm.to_jwk(key, as_dict=True),
    "rsa1024_jwk": RSAAlgorithm.to_jwk(small, as_dict=True),
    "ec_jwk": ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True),
}))
"#;

struct Fixture {
    d: Dir,
    v: serde_json::Value,
}

impl Fixture {
    fn new() -> Option<Fixture> {
        let python = python()?;
        let d = Dir::new();
        let script = d.write("rsa.py", SCRIPT);
        let out =
            Command::new(python).arg(&script).arg(d.p("")).arg(NOW.to_string()).output().expect("run python");
        assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
        let v = serde_json::from_slice(&out.stdout).expect("python prints JSON");
        Some(Fixture { d, v })
    }

    fn token(&self, name: &str) -> &str {
        self.v["tokens"][name].as_str().unwrap()
    }

    /// A JWK from the script with extra members (`kid`, `alg`).
    fn jwk(&self, name: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut jwk = self.v[name].clone();
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        jwk
    }

    /// `verify` at NOW with the policy the tokens were made for.
    fn verify(&self, key: &str, token: &str, extra: &[&str]) -> crate::common::Out {
        let mut args = vec!["--iss", "https://idp.example", "--aud", "gateway", "--sub", "alice"];
        args.extend_from_slice(extra);
        self.d.verify_at(key, token, NOW, &args)
    }
}

#[test]
fn pyjwt_rs256_and_ps256_tokens_verify_with_pem_keys() {
    let Some(f) = Fixture::new() else { return };
    let (rs, ps) = (f.token("RS256"), f.token("PS256"));
    for key in ["rsa.pub.pem", "rsa.pkcs1.pem"] {
        let out = f.verify(key, rs, &["--alg", "rs256"]).expect(code::OK);
        let claims: serde_json::Value = serde_json::from_str(out.line()).unwrap();
        assert_eq!(claims["sub"], "alice");
        assert!(out.stderr.contains("RS256 signature valid, kid idp-1"), "{}", out.stderr);
        f.verify(key, ps, &["--alg", "PS256"]).expect(code::OK);
    }
    let v =
        f.d.run(&[
            "--json",
            "verify",
            "--key-file",
            "rsa.pub.pem",
            "--alg",
            "ps256",
            "--now",
            &NOW.to_string(),
            "--aud",
            "gateway",
            ps,
        ])
        .expect(code::OK)
        .json();
    assert_eq!(v["alg"], "PS256");
    assert_eq!(v["claims"]["iss"], "https://idp.example");

    // The key fixes the algorithm: a PS256 token with an RS256 key, and the reverse, fail on
    // the algorithm (exit 6), never falling back to the header's alg.
    let out = f.verify("rsa.pub.pem", ps, &["--alg", "rs256"]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("alg is not the key's algorithm"), "{}", out.stderr);
    f.verify("rsa.pkcs1.pem", rs, &["--alg", "ps256"]).expect(code::SIGNATURE);

    // No --alg: an RSA PEM key has no algorithm of its own, so it is refused (exit 4).
    let out = f.verify("rsa.pub.pem", rs, &[]).expect(code::KEY);
    assert!(out.stderr.contains("pass --alg"), "{}", out.stderr);
    assert!(out.stderr.contains("RFC 8725"), "{}", out.stderr);
    // --alg must be an RSA one for an RSA key.
    f.verify("rsa.pub.pem", rs, &["--alg", "es256"]).expect(code::KEY);

    // Tampered: the payload of the RS256 token swapped for another subject's (exit 6).
    let parts: Vec<&str> = rs.split('.').collect();
    let payload = String::from_utf8(unb64(parts[1])).unwrap().replace("alice", "mallory");
    let tampered = format!("{}.{}.{}", parts[0], b64(payload.as_bytes()), parts[2]);
    let out = f.d.verify_at("rsa.pub.pem", &tampered, NOW, &["--alg", "rs256", "--aud", "gateway"]);
    let out = out.expect(code::SIGNATURE);
    assert!(out.stderr.contains("invalid signature"), "{}", out.stderr);
    // One bit of the signature flipped.
    let mut sig = unb64(parts[2]);
    sig[100] ^= 1;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
    f.verify("rsa.pub.pem", &flipped, &["--alg", "rs256"]).expect(code::SIGNATURE);

    // Expired an hour ago (exit 7); valid once the clock is set back.
    let expired = f.token("RS256-expired");
    f.verify("rsa.pub.pem", expired, &["--alg", "rs256"]).expect(code::EXPIRED);
    let before = (NOW - 3700).to_string();
    f.d.run(&[
        "verify",
        "--key-file",
        "rsa.pub.pem",
        "--alg",
        "rs256",
        "--now",
        &before,
        "--aud",
        "gateway",
        expired,
    ])
    .expect(code::OK);

    // 1024-bit RSA keys are refused (exit 4), whatever the token.
    let out = f.verify("rsa1024.pub.pem", rs, &["--alg", "rs256"]).expect(code::KEY);
    assert!(out.stderr.contains("1024-bit") && out.stderr.contains("2048"), "{}", out.stderr);
}

#[test]
fn pyjwt_tokens_verify_with_a_jwk_set_selected_by_the_core() {
    let Some(f) = Fixture::new() else { return };
    let (rs, ps, es) = (f.token("RS256"), f.token("PS256"), f.token("ES256"));
    let unknown = serde_json::json!({"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq-1", "pub": "AAAA"});
    let ec = f.jwk("ec_jwk", serde_json::json!({"kid": "ec-1", "use": "sig"}));

    // A provider-shaped set: an unknown kty (skipped), an EC key, the RSA key with alg RS256.
    let rsa = f.jwk("rsa_jwk", serde_json::json!({"kid": "idp-1", "alg": "RS256", "use": "sig"}));
    let set = serde_json::json!({"keys": [unknown, ec, rsa]});
    f.d.write("jwks.json", set.to_string());
    let out = f.verify("jwks.json", rs, &[]).expect(code::OK);
    assert!(out.stderr.contains("RS256 signature valid, kid idp-1"), "{}", out.stderr);
    f.verify("jwks.json", es, &[]).expect(code::OK);
    // The RSA key is for RS256: a PS256 token with its kid fails on the algorithm (exit 6).
    let out = f.verify("jwks.json", ps, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("idp-1") && out.stderr.contains("PS256"), "{}", out.stderr);
    // --alg contradicting the key's alg is a key error (exit 4).
    f.verify("jwks.json", rs, &["--alg", "ps256"]).expect(code::KEY);
    // Tampered token, unknown kid.
    let parts: Vec<&str> = rs.split('.').collect();
    let payload = String::from_utf8(unb64(parts[1])).unwrap().replace("alice", "mallory");
    let tampered = format!("{}.{}.{}", parts[0], b64(payload.as_bytes()), parts[2]);
    f.d.verify_at("jwks.json", &tampered, NOW, &["--aud", "gateway"]).expect(code::SIGNATURE);
    let header = b64(br#"{"alg":"RS256","kid":"idp-2"}"#);
    let rotated = format!("{header}.{}.{}", parts[1], parts[2]);
    let out = f.verify("jwks.json", &rotated, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("idp-2") && out.stderr.contains("1 key(s) skipped"), "{}", out.stderr);
    f.verify("jwks.json", f.token("RS256-expired"), &[]).expect(code::EXPIRED);

    // The same set without the RSA key's alg: the key does not fix an algorithm, so --alg
    // must (exit 4 without it), and the header's alg never decides alone.
    let rsa_no_alg = f.jwk("rsa_jwk", serde_json::json!({"kid": "idp-1"}));
    let set = serde_json::json!({"keys": [unknown, ec, rsa_no_alg]});
    f.d.write("jwks-no-alg.json", set.to_string());
    let out = f.verify("jwks-no-alg.json", rs, &[]).expect(code::KEY);
    assert!(out.stderr.contains("pass --alg"), "{}", out.stderr);
    f.verify("jwks-no-alg.json", rs, &["--alg", "rs256"]).expect(code::OK);
    f.verify("jwks-no-alg.json", ps, &["--alg", "ps256"]).expect(code::OK);
    f.verify("jwks-no-alg.json", ps, &["--alg", "rs256"]).expect(code::SIGNATURE);
    // The EC key still takes its algorithm from its kty.
    f.verify("jwks-no-alg.json", es, &[]).expect(code::OK);

    // A single RSA JWK (not a set): its alg, else --alg.
    f.d.write("rsa.jwk", f.jwk("rsa_jwk", serde_json::json!({"alg": "PS256"})).to_string());
    f.verify("rsa.jwk", ps, &[]).expect(code::OK);
    f.verify("rsa.jwk", rs, &[]).expect(code::SIGNATURE);
    f.d.write("rsa-no-alg.jwk", f.jwk("rsa_jwk", serde_json::json!({})).to_string());
    f.verify("rsa-no-alg.jwk", rs, &[]).expect(code::KEY);
    f.verify("rsa-no-alg.jwk", rs, &["--alg", "rs256"]).expect(code::OK);

    // A 1024-bit key in a set is skipped (the token's kid then names no usable key, exit 6);
    // alone it is refused (exit 4).
    let weak = f.jwk("rsa1024_jwk", serde_json::json!({"kid": "idp-1", "alg": "RS256"}));
    f.d.write("weak.json", serde_json::json!({"keys": [weak, unknown]}).to_string());
    let out = f.verify("weak.json", rs, &[]).expect(code::KEY);
    assert!(
        out.stderr.contains("no usable key") && out.stderr.contains("2 key(s) skipped"),
        "{}",
        out.stderr
    );
    let weak_and_ec =
        serde_json::json!({"keys": [f.jwk("rsa1024_jwk", serde_json::json!({"kid": "idp-1"})), ec]});
    f.d.write("weak-ec.json", weak_and_ec.to_string());
    let out = f.verify("weak-ec.json", rs, &[]).expect(code::SIGNATURE);
    assert!(out.stderr.contains("idp-1"), "{}", out.stderr);
    f.d.write("weak.jwk", f.jwk("rsa1024_jwk", serde_json::json!({"alg": "RS256"})).to_string());
    f.verify("weak.jwk", rs, &[]).expect(code::KEY);

    // Private members refuse a set (a provider that publishes them has leaked them).
    let private = f.jwk("rsa_private_jwk", serde_json::json!({"kid": "idp-1", "alg": "RS256"}));
    f.d.write("leaked.json", serde_json::json!({"keys": [private]}).to_string());
    let out = f.verify("leaked.json", rs, &[]).expect(code::KEY);
    assert!(out.stderr.contains("private"), "{}", out.stderr);
}

#[test]
fn rsa_keys_are_verify_only_and_inspectable() {
    let Some(f) = Fixture::new() else { return };
    let d = &f.d;
    // Private RSA keys (PKCS#8, PKCS#1, JWK) are refused, for signing and for everything else.
    d.write("rsa-private.jwk", f.jwk("rsa_private_jwk", serde_json::json!({"alg": "RS256"})).to_string());
    for private in ["rsa.pem", "rsa-pkcs1-private.pem", "rsa-private.jwk"] {
        let out = d.run(&["sign", "--key-file", private, "--alg", "rs256", "--exp", "+1m"]).expect(code::KEY);
        assert!(out.stderr.contains("verify-only"), "{private}: {}", out.stderr);
        d.run(&["key", "thumbprint", "--key-file", private]).expect(code::KEY);
    }
    let out =
        d.run(&["sign", "--key-file", "rsa.pub.pem", "--alg", "rs256", "--exp", "+1m"]).expect(code::KEY);
    assert!(out.stderr.contains("verify-only"), "{}", out.stderr);
    d.run(&["keygen", "--alg", "rs256"]).expect(code::USAGE);
    d.run(&["key", "export-c", "--key-file", "rsa.pub.pem", "--name", "idp"]).expect(code::KEY);

    // Size, exponent and thumbprint; the PEM, PKCS#1 and JWK forms of one key agree, and the
    // public key written back is the SPKI PEM `cryptography` wrote.
    let v = d.run(&["--json", "key", "thumbprint", "--key-file", "rsa.pkcs1.pem"]).expect(code::OK).json();
    assert_eq!(v["kty"], "RSA");
    assert_eq!(v["bits"], 2048);
    assert_eq!(v["e"], 65537);
    assert!(v["alg"].is_null());
    let thumbprint = v["thumbprint"].as_str().unwrap().to_owned();
    d.write("rsa.jwk", f.jwk("rsa_jwk", serde_json::json!({"alg": "PS256"})).to_string());
    for key in ["rsa.pub.pem", "rsa.jwk"] {
        let out = d.run(&["key", "thumbprint", "--key-file", key]).expect(code::OK);
        assert_eq!(out.line(), thumbprint, "{key}");
        assert!(out.stderr.contains("RSA 2048-bit public key, e = 65537"), "{}", out.stderr);
    }
    let spki = d.run(&["key", "pub", "--key-file", "rsa.pkcs1.pem"]).expect(code::OK);
    assert_eq!(spki.stdout.as_bytes(), &d.read("rsa.pub.pem")[..]);
    let jwk = d.run(&["key", "pub", "--key-file", "rsa.jwk", "--to", "jwk"]).expect(code::OK).json();
    assert_eq!(jwk["n"], f.v["rsa_jwk"]["n"]);
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(jwk["alg"], "PS256");
    assert_eq!(jwk["kid"], thumbprint.as_str());
    d.run(&["key", "convert", "--key-file", "rsa.pub.pem", "--to", "raw"]).expect(code::USAGE);
    // SPKI DER (what `--to pkcs8` writes for a public key) verifies as well.
    d.run(&["key", "convert", "--key-file", "rsa.pub.pem", "--to", "pkcs8", "--out", "rsa.pub.der"])
        .expect(code::OK);
    f.verify("rsa.pub.der", f.token("RS256"), &["--alg", "rs256"]).expect(code::OK);
    f.verify("rsa.pub.der", f.token("RS256"), &["--alg", "ps256"]).expect(code::SIGNATURE);
}

/// RFC 7638 §3.1: the thumbprint of the RSA key of RFC 7517 A.1 (no Python needed).
#[test]
fn rsa_thumbprint_matches_rfc7638() {
    let d = Dir::new();
    d.write(
        "rfc.jwk",
        r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
    );
    let out = d.run(&["key", "thumbprint", "--key-file", "rfc.jwk"]).expect(code::OK);
    assert_eq!(out.line(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    let v = d.run(&["--json", "key", "thumbprint", "--key-file", "rfc.jwk"]).expect(code::OK).json();
    assert_eq!(v["alg"], "RS256");
    assert_eq!(v["kid"], "2011-04-29");
    assert_eq!(v["bits"], 2048);
}
