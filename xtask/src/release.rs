//! Release checks (issue 17): the declared MSRV, the crate package, docs.rs, semver, defmt,
//! and the packaging steps of [`crate::install`].
//!
//! * **MSRV** (`msrv_step`, `cargo xtask msrv`): the core's `rust-version` is the project's
//!   MSRV. Every crate must declare it (redis/ and examples/gateway/ declare the higher
//!   version their locked graph needs, see [`HIGHER_MSRV`]), and the core (host and
//!   thumbv7em-none-eabihf), the CLI and the C library (host, and bare-metal with
//!   `panic-handler`) must build with exactly that toolchain (`rustup run <ver> cargo`,
//!   `--locked`, own target dir `target/msrv`). .ci/run installs the toolchain.
//! * **package**: `cargo package -p ciphertoken` (verified: the packaged crate builds alone);
//!   the file list must hold the licences and no test data, and the `.crate` stays small.
//! * **docs.rs**: what docs.rs runs (`--all-features`, `--cfg docsrs` on nightly, so the
//!   `doc_cfg` badges render), with warnings denied.
//! * **semver**: `cargo semver-checks` against the last release tag (`v*`); skipped, and
//!   said so, while there is no previous release.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::embedded::run_status;
use crate::install::manifest_field;
use crate::Step;

/// Crates whose locked dependency graph needs a newer compiler than the core, with the
/// version they declare (none since the core's MSRV became 1.89 for its host backend; redis/
/// pulls `url` → `idna` → `icu_*` 2.x, which declare 1.88).
pub const HIGHER_MSRV: &[(&str, &str)] = &[];

/// Manifests that must declare the core's MSRV.
const MSRV_MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "ffi/Cargo.toml",
    "cli/Cargo.toml",
    "xtask/Cargo.toml",
    "redis/Cargo.toml",
    "examples/gateway/Cargo.toml",
];

/// The bare-metal target of the MSRV build.
const MSRV_BARE_METAL: &str = "thumbv7em-none-eabihf";

/// Files the core's package must contain, and path prefixes it must not.
const PACKAGE_MUST_HAVE: &[&str] =
    &["Cargo.toml", "src/lib.rs", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"];
const PACKAGE_MUST_NOT_HAVE: &[&str] = &[
    "benches/",
    "fuzz/",
    "examples/firmware/",
    "examples/size/",
    "examples/c/",
    "examples/python/",
    "examples/gateway/",
    "ffi/",
    "cli/",
    "redis/",
    "xtask/",
    "include/",
    "target/",
    ".ci/",
];
/// Upper bound of the compressed `.crate` (~250 KiB when this was written).
const PACKAGE_MAX_BYTES: u64 = 400 * 1024;

pub fn steps() -> Vec<Step> {
    vec![
        Step::check(
            "install and C consumers",
            "cargo xtask install (host, static-only and full); consumers built with pkg-config \
             --static, pkg-config (shared, SONAME) and CMake find_package(ciphertoken), all run",
            crate::install::install_step,
        ),
        Step::check(
            "cmake firmware",
            "C firmware (Cortex-M4F) via cmake/ciphertoken-firmware.cmake and an arm-none-eabi \
             toolchain file, then from `cargo xtask install --target thumbv7em-none-eabihf` via \
             pkg-config --static and CMake find_package; each run under QEMU",
            crate::install::cmake_firmware_step,
        ),
        Step::check(
            "msrv",
            "every crate declares rust-version; core (host, thumbv7em), cli and C library build \
             with that toolchain (target/msrv)",
            msrv_step,
        ),
        Step::check(
            "defmt",
            "core with the defmt feature (thumbv7em); the firmware example with --features defmt",
            defmt_step,
        ),
        Step::check(
            "package core",
            "cargo package -p ciphertoken (verified build); file list and size checked",
            package_step,
        ),
        Step::check(
            "docs.rs build",
            "RUSTDOCFLAGS='--cfg docsrs -D warnings' cargo +nightly doc -p ciphertoken --all-features",
            docsrs_step,
        ),
        Step::check("semver", "cargo semver-checks against the last v* tag, if there is one", semver_step),
    ]
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The core's `rust-version`.
pub fn msrv(root: &Path) -> Result<String, String> {
    manifest_field(&read(&root.join("Cargo.toml"))?, "rust-version")
        .ok_or_else(|| "Cargo.toml declares no rust-version".to_owned())
}

/// `rustup run <toolchain> cargo ...`, with the variables of the cargo running xtask removed so
/// that they do not pick the outer toolchain.
fn rustup_cargo(root: &Path, toolchain: &str) -> Command {
    let mut cmd = Command::new("rustup");
    cmd.current_dir(root).args(["run", toolchain, "cargo"]);
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "RUSTFLAGS"] {
        cmd.env_remove(var);
    }
    cmd
}

/// `cargo xtask msrv` and its CI step.
pub fn msrv_step(root: &Path) -> Result<(), String> {
    let ver = msrv(root)?;
    for m in MSRV_MANIFESTS {
        let declared = manifest_field(&read(&root.join(m))?, "rust-version");
        if declared.as_deref() != Some(ver.as_str()) {
            return Err(format!("{m}: rust-version {declared:?}, the core's is {ver}"));
        }
    }
    for (dir, higher) in HIGHER_MSRV {
        let m = format!("{dir}/Cargo.toml");
        let declared = manifest_field(&read(&root.join(&m))?, "rust-version");
        if declared.as_deref() != Some(*higher) {
            return Err(format!("{m}: rust-version {declared:?}, expected {higher} (see release.rs)"));
        }
    }
    println!("rust-version {ver} declared by {}", MSRV_MANIFESTS.join(", "));
    let target_dir = root.join("target").join("msrv");
    let start = std::time::Instant::now();
    let cargo = |args: &[&str], what: &str| {
        let mut cmd = rustup_cargo(root, &ver);
        cmd.args(args).arg("--locked").arg("--target-dir").arg(&target_dir);
        println!("--> rustup run {ver} cargo {} --locked --target-dir target/msrv", args.join(" "));
        run_status(&mut cmd, &format!("{what} with Rust {ver} (rustup toolchain install {ver}: see .ci/run)"))
    };
    cargo(&["build", "-p", "ciphertoken", "-p", "ciphertoken-ffi", "-p", "ciphertoken-cli"], "host build")?;
    cargo(&["build", "-p", "ciphertoken", "--all-features"], "core all features")?;
    cargo(
        &[
            "build",
            "-p",
            "ciphertoken",
            "-p",
            "ciphertoken-ffi",
            "--target",
            MSRV_BARE_METAL,
            "--no-default-features",
            "--features",
            "ciphertoken/hs,ciphertoken/es256,ciphertoken/eddsa,ciphertoken/rsa,ciphertoken/jwk,ciphertoken-ffi/panic-handler",
        ],
        "bare-metal build",
    )?;
    println!("MSRV {ver}: core, cli and C library built in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// The core with `defmt` for a microcontroller, and the firmware example logging with it.
fn defmt_step(root: &Path) -> Result<(), String> {
    run_status(
        Command::new(crate::cargo()).current_dir(root).args([
            "clippy",
            "-p",
            "ciphertoken",
            "--target",
            "thumbv7em-none-eabihf",
            "--features",
            "defmt,rsa,jwk",
            "--",
            "-D",
            "warnings",
        ]),
        "the core with defmt",
    )?;
    run_status(
        Command::new(crate::cargo()).current_dir(root.join("examples").join("firmware")).args([
            "build",
            "--release",
            "--target",
            "thumbv7em-none-eabihf",
            "--features",
            "defmt",
        ]),
        "the firmware example with defmt",
    )
}

/// `cargo package -p ciphertoken`, verified, with its file list and size checked; any cargo
/// warning (a target left out of the package, a missing field) fails the step.
fn package_step(root: &Path) -> Result<(), String> {
    let list = Command::new(crate::cargo())
        .current_dir(root)
        .args(["package", "-p", "ciphertoken", "--allow-dirty", "--list"])
        .output()
        .map_err(|e| format!("cargo package --list: {e}"))?;
    if !list.status.success() {
        return Err(format!("cargo package --list: {}", String::from_utf8_lossy(&list.stderr)));
    }
    let files: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect();
    for f in PACKAGE_MUST_HAVE {
        if !files.iter().any(|x| x == f) {
            return Err(format!("the package lacks {f}"));
        }
    }
    let stray: Vec<&String> =
        files.iter().filter(|f| PACKAGE_MUST_NOT_HAVE.iter().any(|p| f.starts_with(p))).collect();
    if !stray.is_empty() {
        return Err(format!("the package holds files it should not: {stray:?}"));
    }
    println!("package: {} files", files.len());
    let warnings: Vec<&str> = std::str::from_utf8(&list.stderr)
        .unwrap_or("")
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    if !warnings.is_empty() {
        return Err(format!("cargo package warns:\n{}", warnings.join("\n")));
    }
    run_status(
        Command::new(crate::cargo()).current_dir(root).args([
            "package",
            "-p",
            "ciphertoken",
            "--allow-dirty",
        ]),
        "cargo package -p ciphertoken",
    )?;
    let version = manifest_field(&read(&root.join("Cargo.toml"))?, "version").unwrap_or_default();
    let krate: PathBuf = root.join("target").join("package").join(format!("ciphertoken-{version}.crate"));
    let bytes = fs::metadata(&krate).map_err(|e| format!("{}: {e}", krate.display()))?.len();
    println!("package: {} is {bytes} B (limit {PACKAGE_MAX_BYTES} B)", krate.display());
    if bytes > PACKAGE_MAX_BYTES {
        return Err(format!("{} is {bytes} B, over {PACKAGE_MAX_BYTES} B", krate.display()));
    }
    Ok(())
}

/// What docs.rs builds ([package.metadata.docs.rs]): all features, `--cfg docsrs`, nightly.
fn docsrs_step(root: &Path) -> Result<(), String> {
    let mut cmd = rustup_cargo(root, "nightly");
    cmd.args(["doc", "-p", "ciphertoken", "--all-features", "--no-deps"])
        .arg("--target-dir")
        .arg(root.join("target").join("docsrs"))
        .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings");
    run_status(&mut cmd, "the docs.rs build (nightly: see .ci/run)")
}

/// The newest `v*` tag, if any.
fn last_release_tag(root: &Path) -> Result<Option<String>, String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(["tag", "--list", "v[0-9]*", "--sort=-v:refname"])
        .output()
        .map_err(|e| format!("git tag: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_owned))
}

/// `cargo semver-checks` against the last release, or a plain "skipped" while none exists.
fn semver_step(root: &Path) -> Result<(), String> {
    let Some(tag) = last_release_tag(root)? else {
        println!("semver: skipped: no previous release (no v* tag); the check runs from the first tag on");
        return Ok(());
    };
    let installed = Command::new(crate::cargo())
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err(format!(
            "semver: release {tag} exists but cargo-semver-checks is not installed \
             (.ci/run installs it when a v* tag exists: cargo install cargo-semver-checks --locked)"
        ));
    }
    run_status(
        Command::new(crate::cargo()).current_dir(root).args([
            "semver-checks",
            "check-release",
            "-p",
            "ciphertoken",
            "--baseline-rev",
            &tag,
        ]),
        &format!("cargo semver-checks against {tag}"),
    )
}
