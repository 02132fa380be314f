//! Interop with PyJWT (+ cryptography) in the venv `.ci/run` creates at `target/pyenv`
//! (override with CIPHERTOKEN_PYENV). Skipped only when that venv is absent outside CI; under
//! CI (`CI` set) a missing venv fails the test.

use crate::common::{code, Dir};
use std::path::PathBuf;
use std::process::Command;

pub(crate) fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("CIPHERTOKEN_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pyenv"));
    let python = venv.join("bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but the PyJWT venv {} is missing (.ci/run creates it)",
        venv.display()
    );
    eprintln!("SKIPPED: no PyJWT venv at {} (run .ci/run to create it)", venv.display());
    None
}

/// Makes tokens with PyJWT (`make`) or checks the command's tokens with it (`check`).
const SCRIPT: &str = r#"
import base64, hashlib, hmac, json, sys, time
from pathlib import Path
import jwt

d = Path(sys.argv[1])
mode = sys.argv[2]
KEYS = {  # alg -> (private key file, public key file)
    "HS256": ("hs256.raw", "hs256.raw"),
    "HS384": ("hs384.raw", "hs384.raw"),
    "HS512": ("hs512.raw", "hs512.raw"),
    "ES256": ("es256.pem", "es256.pem.pub"),
    "EdDSA": ("ed25519.pem", "ed25519.pem.pub"),
}

def key(name, alg):
    raw = (d / name).read_bytes()
    return raw if alg.startswith("HS") else raw.decode()

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

if mode == "make":
    now = int(time.time())
    claims = {"sub": "py-device", "iss": "pyjwt", "aud": "gateway", "exp": now + 600, "iat": now,
              "scope": ["read", "write"]}
    out = {alg: jwt.encode(claims, key(priv, alg), algorithm=alg, headers={"kid": "py-" + alg})
           for alg, (priv, _) in KEYS.items()}
    out["none"] = jwt.encode(claims, None, algorithm="none")
    # Algorithm confusion: an HS256 token whose HMAC key is the ES256 public key's PEM text.
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new((d / "es256.pem.pub").read_bytes(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    out["confused"] = f"{head}.{body}.{b64(mac)}"
    print(json.dumps(out))
else:
    tokens = json.loads((d / "cli_tokens.json").read_text())
    out = {}
    for alg, token in tokens.items():
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, key(KEYS[alg][1], alg), algorithms=[alg], audience="gateway",
                            issuer="ciphertoken", options={"require": ["exp", "iat", "sub"]})
        out[alg] = {"header": header, "claims": claims}
    print(json.dumps(out))
"#;

fn run_python(python: &PathBuf, d: &Dir, mode: &str) -> serde_json::Value {
    let script = d.write("interop.py", SCRIPT);
    let out = Command::new(python).arg(&script).arg(d.p("")).arg(mode).output().expect("run python");
    assert!(out.status.success(), "python {mode}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("python prints JSON")
}

#[test]
fn pyjwt_tokens_verify_and_ours_decode_in_pyjwt() {
    let Some(python) = python() else { return };
    let d = Dir::new();
    for alg in ["hs256", "hs384", "hs512"] {
        let out = d.run(&["keygen", "--alg", alg, "--format", "raw", "--out", &format!("{alg}.raw")]);
        out.expect(code::OK);
    }
    d.keygen("es256", "es256.pem");
    d.keygen("ed25519", "ed25519.pem");
    let verifier = |alg: &str| -> Vec<String> {
        match alg {
            "HS256" | "HS384" | "HS512" => {
                let a = alg.to_ascii_lowercase();
                vec!["--key-file".into(), format!("{a}.raw"), "--alg".into(), a]
            }
            "ES256" => vec!["--key-file".into(), "es256.pem.pub".into()],
            _ => vec!["--key-file".into(), "ed25519.pem.pub".into()],
        }
    };

    // PyJWT → ciphertoken verify (system clock).
    let made = run_python(&python, &d, "make");
    for alg in ["HS256", "HS384", "HS512", "ES256", "EdDSA"] {
        let token = made[alg].as_str().unwrap();
        let mut args = vec!["--json".to_owned(), "verify".to_owned()];
        args.extend(verifier(alg));
        args.extend(
            ["--iss", "pyjwt", "--aud", "gateway", "--sub", "py-device", "--require", "iat"]
                .map(String::from),
        );
        args.push(token.to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = d.run(&args).expect(code::OK).json();
        assert_eq!(v["alg"], alg);
        assert_eq!(v["kid"], format!("py-{alg}"));
        assert_eq!(v["claims"]["scope"], serde_json::json!(["read", "write"]));
    }
    // alg "none" is malformed to us; an HS256 token keyed with the ES256 public key fails on
    // the algorithm, which comes from the key.
    let none = made["none"].as_str().unwrap();
    d.run(&["verify", "--key-file", "es256.pem.pub", "--aud", "gateway", none]).expect(code::MALFORMED);
    let confused = made["confused"].as_str().unwrap();
    d.run(&["verify", "--key-file", "es256.pem.pub", "--aud", "gateway", confused]).expect(code::SIGNATURE);

    // ciphertoken sign → PyJWT decode.
    let mut ours = serde_json::Map::new();
    for alg in ["HS256", "HS384", "HS512", "ES256", "EdDSA"] {
        let key = verifier(alg);
        let private = if alg == "ES256" || alg == "EdDSA" {
            key[1].trim_end_matches(".pub").to_owned()
        } else {
            key[1].clone()
        };
        let mut args = vec!["sign", "--key-file", &private];
        if key.len() > 2 {
            args.extend(["--alg", &key[3]]);
        }
        args.extend(["--sub", "dev-9", "--iss", "ciphertoken", "--aud", "gateway", "--exp", "+10m"]);
        let token = d.run(&args).expect(code::OK).line().to_owned();
        ours.insert(alg.to_owned(), token.into());
    }
    d.write("cli_tokens.json", serde_json::Value::Object(ours).to_string());
    let checked = run_python(&python, &d, "check");
    for alg in ["HS256", "HS384", "HS512", "ES256", "EdDSA"] {
        assert_eq!(checked[alg]["header"]["alg"], alg);
        assert_eq!(checked[alg]["claims"]["sub"], "dev-9");
        let kid = d.run(
            &[&["key", "thumbprint"][..], &verifier(alg).iter().map(String::as_str).collect::<Vec<_>>()]
                .concat(),
        );
        assert_eq!(
            checked[alg]["header"]["kid"],
            kid.expect(code::OK).line(),
            "{alg}: kid is the thumbprint"
        );
    }
}
