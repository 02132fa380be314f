//! Interop with PyJWT (the reference Python implementation), for all five algorithms:
//! tokens ciphertoken signs verify in PyJWT, tokens PyJWT signs verify in ciphertoken, and
//! expired or wrong-audience tokens are refused by both, for the same reason.
//!
//! The Python side is `tests/interop/pyjwt_interop.py`, run with the venv `.ci/run` creates
//! (`target/pyenv`, pinned PyJWT and cryptography; shared with the CLI's interop tests).
//! The interpreter is `$CIPHERTOKEN_PYTHON`, else `$CIPHERTOKEN_PYENV/bin/python`, else
//! `target/pyenv/bin/python`. When it is missing the test fails under CI (`CI` set) and is
//! skipped, saying why, elsewhere.

mod common;

use ciphertoken::{Error, FixedClock, Validation};
use common::{key_material, signing_key, ALGS};
use serde_json::{json, Value};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = match (std::env::var_os("CIPHERTOKEN_PYTHON"), std::env::var_os("CIPHERTOKEN_PYENV")) {
        (Some(p), _) => PathBuf::from(p),
        (None, Some(venv)) => PathBuf::from(venv).join("bin/python"),
        (None, None) => root.join("target/pyenv/bin/python"),
    };
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but the PyJWT interpreter {} is missing (.ci/run creates target/pyenv)",
        python.display()
    );
    eprintln!("SKIPPED: no PyJWT interpreter at {} (bash .ci/run creates it)", python.display());
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn claims(now: u64, case: &str) -> Value {
    let mut c = json!({
        "iss": "ciphertoken", "sub": "rust-device", "aud": "gateway", "iat": now, "exp": now + 600,
        "scope": ["read", "write"], "note": "caf\u{e9} \"quoted\" \u{1F511}",
    });
    match case {
        "valid" => {}
        "expired" => {
            c["iat"] = json!(now - 1200);
            c["exp"] = json!(now - 600);
        }
        "wrong_aud" => c["aud"] = json!("elsewhere"),
        other => panic!("case {other}"),
    }
    c
}

const CASES: [&str; 3] = ["valid", "expired", "wrong_aud"];

fn run_pyjwt(python: &PathBuf, job: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/pyjwt_interop.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    child.stdin.take().unwrap().write_all(job.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pyjwt_interop.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

#[test]
fn pyjwt_and_ciphertoken_accept_each_others_tokens_and_refuse_the_same_bad_ones() {
    let Some(python) = python() else { return };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();

    // ciphertoken signs every case with every algorithm.
    let mut keys = serde_json::Map::new();
    let mut tokens = serde_json::Map::new();
    for alg in ALGS {
        keys.insert(alg.name().into(), json!(hex(&key_material(alg))));
        let key = signing_key(alg).with_kid(&format!("rust-{}", alg.name())).unwrap();
        let mut per_case = serde_json::Map::new();
        for case in CASES {
            let mut out = vec![0u8; 1024];
            let token = ciphertoken::sign(&key, &claims(now, case), &mut out).unwrap();
            per_case.insert(case.into(), json!(token));
        }
        tokens.insert(alg.name().into(), Value::Object(per_case));
    }
    let result = run_pyjwt(&python, &json!({ "now": now, "keys": keys, "tokens": tokens }));
    println!("PyJWT {}", result["pyjwt"]);

    let mut matrix = Vec::new();
    for alg in ALGS {
        let name = alg.name();
        // PyJWT's verdicts on ciphertoken's tokens.
        let v = &result["verified"][name];
        assert_eq!(v["valid"]["ok"], claims(now, "valid"), "{name}: PyJWT must accept our valid token");
        assert_eq!(v["expired"]["error"], "ExpiredSignatureError", "{name}: {}", v["expired"]);
        assert_eq!(v["wrong_aud"]["error"], "InvalidAudienceError", "{name}: {}", v["wrong_aud"]);

        // ciphertoken's verdicts on PyJWT's tokens.
        let vk = signing_key(alg).verifying_key();
        let validation = Validation::new().issuer("pyjwt").audience("gateway").subject("py-device");
        let verify = |case: &str| -> Result<(Value, Option<String>), Error> {
            let token = result["made"][name][case].as_str().unwrap();
            let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
            let (header, _, payload) =
                ciphertoken::verify_registered(token, &vk, &validation, &FixedClock(now), &mut scratch)?;
            let kid = header.kid.map(|k| k.chars().collect());
            Ok((serde_json::from_slice(payload).unwrap(), kid))
        };
        let (payload, kid) = verify("valid").unwrap_or_else(|e| panic!("{name}: PyJWT token refused: {e:?}"));
        assert_eq!(kid.as_deref(), Some(format!("py-{name}").as_str()));
        assert_eq!(payload["sub"], "py-device");
        assert_eq!(payload["scope"], json!(["read", "write"]));
        assert_eq!(payload["exp"], json!(now + 600));
        assert_eq!(verify("expired").map(|_| ()), Err(Error::Expired), "{name}");
        assert_eq!(verify("wrong_aud").map(|_| ()), Err(Error::InvalidAudience), "{name}");
        matrix.push(format!("{name}: both ways ok, expired refused by both, wrong aud refused by both"));
    }
    assert_eq!(matrix.len(), 5);
    for line in matrix {
        println!("{line}");
    }
}
