//! Constant-time checks: `cargo xtask ct` (and its step in `cargo xtask test`) runs every
//! secret-bearing operation under valgrind memcheck with the secrets marked undefined
//! ("ctgrind"), through the Rust API (ct/src/main.rs, both backends) and the C ABI
//! (ct/c/ctgrind.c against libciphertoken.a), and fails on any report. `--long` adds the
//! dudect statistical timing tests (ct/src/bin/dudect.rs), which take minutes and are not
//! part of CI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The suppression file: the declassification points, each justified in it and SECURITY.md.
const SUPPRESSIONS: &str = "ct/ctgrind.supp";

/// Libraries `rustc --print native-static-libs` lists for the static library on
/// x86_64-unknown-linux-gnu (as ffi/tests/c/Makefile).
const NATIVE_LIBS: &[&str] = &["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"];

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    println!("$ {what}");
    let status = cmd.status().map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn cargo_build(root: &Path, args: &[&str], target_dir: &Path, what: &str) -> Result<(), String> {
    let mut cmd = Command::new(crate::cargo());
    cmd.arg("build").args(args).arg("--target-dir").arg(target_dir).current_dir(root);
    // Reports need file:line locations in the optimised code that ships; `ciphertoken_ctgrind`
    // turns the public-output declassification of src/ct.rs into valgrind-visible branches.
    cmd.env("CARGO_PROFILE_RELEASE_DEBUG", "true");
    cmd.env("RUSTFLAGS", "--cfg ciphertoken_ctgrind");
    run(&mut cmd, what)
}

/// memcheck with the suppressions and, unless `expect_reports`, `--error-exitcode`.
fn valgrind(root: &Path, program: &Path, args: &[&str], what: &str) -> Result<(), String> {
    let mut cmd = Command::new("valgrind");
    cmd.args(["-q", "--error-exitcode=1", "--num-callers=30"])
        .arg(format!("--suppressions={}", root.join(SUPPRESSIONS).display()))
        .arg(program)
        .args(args)
        .current_dir(root);
    run(&mut cmd, what)
}

/// The ctgrind checks: Rust API (portable backends, then es256-tables + eddsa-dalek), the
/// negative control, and the C ABI.
pub fn ctgrind(root: &Path) -> Result<(), String> {
    let start = Instant::now();
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Err("valgrind not found (.ci/run installs it: apt-get install valgrind)".into());
    }
    let manifest = root.join("ct/Cargo.toml");
    let manifest = manifest.to_str().ok_or("non-UTF-8 path")?;
    let ct_target = root.join("ct/target");
    // One target dir for both builds: the accelerated one only rebuilds the core and its
    // backends (each binary is run before the next build replaces it).
    let portable = ct_target.join("harness");
    let accel = portable.clone();
    cargo_build(
        root,
        &["--release", "--manifest-path", manifest, "--bin", "ctgrind"],
        &portable,
        "build ctgrind (portable)",
    )?;
    let bin = portable.join("release/ctgrind");
    valgrind(root, &bin, &[], "valgrind ctgrind (portable backends)")?;
    // The negative control: the table-driven base64url decoder on a secret must be reported,
    // or the harness is not tracking secrets at all.
    let mut control = Command::new("valgrind");
    // Its reports are expected: valgrind's own log is discarded, the harness counts them.
    control.args(["-q", "--log-file=/dev/null"]).arg(&bin).arg("--control").current_dir(root);
    run(&mut control, "valgrind ctgrind --control (must see reports)")?;
    cargo_build(
        root,
        &["--release", "--manifest-path", manifest, "--bin", "ctgrind", "--features", "accel"],
        &accel,
        "build ctgrind (es256-tables + eddsa-dalek)",
    )?;
    valgrind(root, &accel.join("release/ctgrind"), &[], "valgrind ctgrind (host acceleration backends)")?;
    c_abi(root, &ct_target)?;
    println!("ctgrind: all checks green in {:.0} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// The C harness against a release libciphertoken.a with debug info.
fn c_abi(root: &Path, ct_target: &Path) -> Result<(), String> {
    // The harness's target dir: the dependencies it shares with the ffi crate (same versions
    // and flags) are built once.
    let ffi_target = ct_target.join("harness");
    cargo_build(
        root,
        &["--release", "-p", "ciphertoken-ffi"],
        &ffi_target,
        "build libciphertoken.a (release)",
    )?;
    let lib = ffi_target.join("release/libciphertoken.a");
    let exe: PathBuf = ct_target.join("ctgrind_c");
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-g"])
        .arg(format!("-I{}", root.join("include").display()))
        .arg(root.join("ct/c/ctgrind.c"))
        .arg(&lib)
        .args(NATIVE_LIBS)
        .arg("-o")
        .arg(&exe);
    run(&mut cc, "cc ct/c/ctgrind.c libciphertoken.a")?;
    valgrind(root, &exe, &[], "valgrind ctgrind_c (C ABI)")
}

/// `cargo xtask ct [--long]`.
pub fn command(root: &Path, long: bool) -> Result<(), String> {
    ctgrind(root)?;
    if long {
        dudect(root)?;
    }
    Ok(())
}

/// The dudect timing tests (`--long` only): a few minutes, bounded per test.
fn dudect(root: &Path) -> Result<(), String> {
    let manifest = root.join("ct/Cargo.toml");
    let manifest = manifest.to_str().ok_or("non-UTF-8 path")?;
    // Its own target dir: built without `--cfg ciphertoken_ctgrind` (the production code).
    let target = root.join("ct/target/dudect");
    let mut build = Command::new(crate::cargo());
    build
        .args(["build", "--release", "--manifest-path", manifest, "--bin", "dudect", "--features", "dudect"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root);
    run(&mut build, "build dudect")?;
    let mut cmd = Command::new(target.join("release/dudect"));
    cmd.current_dir(root);
    run(&mut cmd, "dudect (HMAC verify by tag position, ES256 and Ed25519 sign fixed vs random key)")
}
