//! Keys in hardware (issue 16): the external-signer paths against real components.
//!
//! * PKCS#11: `cli/tests/cli/pkcs11.rs` creates a SoftHSM2 token per test (Debian `softhsm2`),
//!   generates P-256, Ed25519 and HMAC keys inside it with OpenSC's `pkcs11-tool` (Debian
//!   `opensc`), signs with `ciphertoken sign --pkcs11 URI` and verifies with the exported
//!   public key (or, for HMAC, with the token). Ignored by the plain test run.
//! * TPM 2.0: `cli/tests/cli/tpm.rs` starts a swtpm per test (Debian `swtpm`), creates a
//!   persistent P-256 signing key with `tpm2-tools`, signs with `ciphertoken sign --tpm`
//!   (the CLI's `tpm` feature: tss-esapi over Debian `libtss2-dev`) and verifies with the
//!   public key `tpm2_readpublic` exports.
//! * PSA Crypto: `examples/psa` signs through `ct_signer` with volatile keys of mbedTLS 2.28's
//!   PSA implementation (Debian `libmbedtls-dev`), plain and under ASan/UBSan.
//!
//! `cargo xtask hardware` runs these steps alone; `cargo xtask test` includes them. The
//! packages are installed by `.ci/run`.

use crate::Step;
use std::env;
use std::path::{Path, PathBuf};

/// Where cargo puts build outputs: `$CARGO_TARGET_DIR` or `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The hardware-interface steps, in order.
pub fn steps(root: &Path) -> Vec<Step> {
    let lib_dir = format!("LIBDIR={}", target_dir(root).join("debug").display());
    vec![
        // The CLI's `tpm` feature is off in the workspace steps (it links libtss2): lint it here.
        Step::cargo(
            "clippy cli tpm",
            &[
                "clippy",
                "-p",
                "ciphertoken-cli",
                "--features",
                "tpm",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        Step::cargo(
            "pkcs11 SoftHSM2 and TPM swtpm tests",
            &[
                "test",
                "-p",
                "ciphertoken-cli",
                "--features",
                "tpm",
                "--test",
                "cli",
                "--",
                "--ignored",
                "pkcs11::",
                "tpm::",
            ],
        ),
        Step::cargo("build ffi for PSA", &["build", "-p", "ciphertoken-ffi"]),
        Step::cmd(
            "PSA Crypto signer (mbedTLS)",
            "make",
            &["-s", "-C", "examples/psa", "test", "run", &lib_dir],
        ),
    ]
}
