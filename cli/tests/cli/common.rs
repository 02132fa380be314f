//! Helpers: run the binary, temporary key directories, fixed times.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A fixed "now" so tokens are reproducible: 2027-01-15T08:00:00Z.
pub const NOW: u64 = 1_800_000_000;

/// The exit codes the command documents.
pub mod code {
    pub const OK: i32 = 0;
    pub const USAGE: i32 = 2;
    pub const IO: i32 = 3;
    pub const KEY: i32 = 4;
    pub const MALFORMED: i32 = 5;
    pub const SIGNATURE: i32 = 6;
    pub const EXPIRED: i32 = 7;
    pub const NOT_YET_VALID: i32 = 8;
    pub const CLAIMS: i32 = 9;
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Out {
        assert_eq!(self.code, code, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Stdout without the final newline.
    pub fn line(&self) -> &str {
        self.stdout.trim_end_matches('\n')
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ciphertoken"));
    c.env_remove("CT_TEST_KEY");
    c
}

/// Runs `ciphertoken args...` with `stdin` (empty when `None`).
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut c = cmd();
    c.current_dir(dir).args(args).write_stdin(stdin.unwrap_or_default().to_vec());
    let o = c.output().expect("run ciphertoken");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A scratch directory for one test.
pub struct Dir(tempfile::TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().expect("tempdir"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    pub fn p(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        std::fs::write(self.path(name), bytes).expect("write");
        self.p(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read")
    }

    pub fn run(&self, args: &[&str]) -> Out {
        run_in(self.0.path(), args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> Out {
        run_in(self.0.path(), args, Some(stdin.as_ref()))
    }

    /// `keygen --alg ALG --out NAME [--pub-out NAME.pub]`; returns the kid.
    pub fn keygen(&self, alg: &str, name: &str) -> String {
        let mut args = vec!["keygen", "--alg", alg, "--out", name];
        let public = format!("{name}.pub");
        if !alg.starts_with("hs") {
            args.extend(["--pub-out", &public]);
        }
        self.run(&args).expect(0).line().to_owned()
    }

    /// `sign` with NOW as the reference time; returns the token.
    pub fn sign(&self, key: &str, extra: &[&str]) -> String {
        let now = NOW.to_string();
        let mut args = vec!["sign", "--key-file", key, "--now", &now];
        args.extend_from_slice(extra);
        self.run(&args).expect(0).line().to_owned()
    }

    /// `verify` at `at`; returns the output.
    pub fn verify_at(&self, key: &str, token: &str, at: u64, extra: &[&str]) -> Out {
        let at = at.to_string();
        let mut args = vec!["verify", "--key-file", key, "--now", &at];
        args.extend_from_slice(extra);
        args.push(token);
        self.run(&args)
    }
}

/// Base64url without padding, for building hostile tokens.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = vec![0u8; ciphertoken::hazmat::base64url::encoded_len(bytes.len()).unwrap()];
    let n = ciphertoken::hazmat::base64url::encode(bytes, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

pub fn unb64(text: &str) -> Vec<u8> {
    let mut out = vec![0u8; ciphertoken::hazmat::base64url::decoded_len_max(text.len())];
    ciphertoken::hazmat::base64url::decode(text.as_bytes(), &mut out).unwrap().to_vec()
}

/// The fixtures under cli/tests/data.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name).to_string_lossy().into_owned()
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}
