//! The C ABI's steps: the generated header (`cargo xtask header`), the C tests (strict C99,
//! C++, ASan+UBSan, valgrind), the C example and the Python ctypes binding.

use crate::{cargo, Step};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The ffi crate's package name.
const FFI: &str = "ciphertoken-ffi";

/// The cbindgen release the committed header is generated with (`.ci/run` installs it):
/// another version may format the header differently and fail the freshness check.
pub const CBINDGEN_VERSION: &str = "0.29.4";

/// The header, relative to the workspace root.
const HEADER: &str = "include/ciphertoken.h";

/// The bare-metal target the static library must build for.
const EMBEDDED_TARGET: &str = "thumbv7em-none-eabihf";

/// The CI steps of the C ABI, in order.
pub fn steps(root: &Path) -> Vec<Step> {
    let lib_dir = target_dir(root).join("debug");
    let lib_dir_arg = format!("LIBDIR={}", lib_dir.display());
    let so = lib_dir.join("libciphertoken.so");
    let mut steps = vec![
        Step::check(
            "C header fresh",
            format!(
                "cbindgen {CBINDGEN_VERSION} output equals the committed {HEADER} (`cargo xtask header`)"
            ),
            check_header,
        ),
        Step::cargo(
            format!("clippy ffi {EMBEDDED_TARGET} panic-handler"),
            &[
                "clippy",
                "-p",
                FFI,
                "--target",
                EMBEDDED_TARGET,
                "--no-default-features",
                "--features",
                "panic-handler",
                "--",
                "-D",
                "warnings",
            ],
        ),
        Step::cargo(
            // The profile C firmware uses (and `cargo xtask qemu c` links), so it is built once.
            format!("build ffi {EMBEDDED_TARGET} firmware profile"),
            &[
                "build",
                "-p",
                FFI,
                "--target",
                EMBEDDED_TARGET,
                "--no-default-features",
                "--features",
                "panic-handler",
                "--profile",
                crate::embedded::C_PROFILE,
            ],
        ),
        Step::check(
            "miri ffi",
            format!("rustup run nightly cargo miri test -p {FFI}: the unsafe boundary code under miri"),
            miri,
        ),
        Step::cargo("build ffi", &["build", "-p", FFI]),
    ];
    for (name, target) in [
        ("C tests c99", "test"),
        ("C tests as C++", "test-cxx"),
        ("C tests asan+ubsan", "test-asan"),
        ("C tests valgrind", "test-valgrind"),
    ] {
        steps.push(Step::cmd(name, "make", &["-s", "-C", "ffi/tests/c", target, &lib_dir_arg]));
    }
    steps.push(Step::cmd(
        "C example device+gateway",
        "make",
        &["-s", "-C", "examples/c", "run", &lib_dir_arg],
    ));
    steps.push(
        Step::cmd("python ctypes binding", "python3", &["examples/python/test_ciphertoken.py"])
            .env("CIPHERTOKEN_LIB", &so.display().to_string()),
    );
    steps
}

/// The ffi crate's unit tests under miri (nightly, installed by `.ci/run`): every unsafe
/// block of the boundary (raw slices, object storage, unaligned writes) runs under its checks.
fn miri(root: &Path) -> Result<(), String> {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", "nightly", "cargo", "miri", "test", "-p", FFI]).current_dir(root);
    // The stable toolchain that runs this xtask must not leak into the nightly build.
    for var in ["RUSTC", "RUSTDOC", "CARGO", "RUSTUP_TOOLCHAIN", "RUSTC_WRAPPER"] {
        cmd.env_remove(var);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo miri: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo miri test -p {FFI} exited with {status}"))
    }
}

/// Where cargo puts build outputs: `$CARGO_TARGET_DIR` or `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// `cargo xtask header`: regenerates the committed header.
pub fn write_header(root: &Path) -> Result<(), String> {
    let text = generate_header(root)?;
    let path = root.join(HEADER);
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn check_header(root: &Path) -> Result<(), String> {
    let fresh = generate_header(root)?;
    let path = root.join(HEADER);
    let committed = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if committed == fresh {
        println!("{HEADER} is up to date");
        Ok(())
    } else {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| committed.lines().count().min(fresh.lines().count()) + 1, |i| i + 1);
        Err(format!(
            "{HEADER} is stale (first difference at line {line}): run `cargo xtask header` and commit it"
        ))
    }
}

/// Runs cbindgen on ffi/ and fills in the version macros from ffi/Cargo.toml.
fn generate_header(root: &Path) -> Result<String, String> {
    let version = Command::new("cbindgen").arg("--version").output().map_err(|e| {
        format!("cannot run cbindgen ({e}): install it with `cargo install cbindgen --version {CBINDGEN_VERSION} --locked`")
    })?;
    let version = String::from_utf8_lossy(&version.stdout);
    if version.split_whitespace().nth(1) != Some(CBINDGEN_VERSION) {
        return Err(format!(
            "found `{}`, need cbindgen {CBINDGEN_VERSION}: `cargo install cbindgen --version {CBINDGEN_VERSION} --locked`",
            version.trim()
        ));
    }
    let output = Command::new("cbindgen")
        .current_dir(root)
        .args(["--config", "ffi/cbindgen.toml", "--crate", FFI, "--quiet", "ffi"])
        .env("CARGO", cargo())
        .output()
        .map_err(|e| format!("cannot run cbindgen: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cbindgen failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let header =
        String::from_utf8(output.stdout).map_err(|e| format!("cbindgen output is not UTF-8: {e}"))?;
    let manifest =
        fs::read_to_string(root.join("ffi/Cargo.toml")).map_err(|e| format!("ffi/Cargo.toml: {e}"))?;
    fill_version(&header, &package_version(&manifest)?)
}

/// The `version` of the `[package]` table of a Cargo manifest.
fn package_version(manifest: &str) -> Result<String, String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some(value) = line.strip_prefix("version").map(str::trim_start) {
            if let (true, Some(v)) = (in_package, value.strip_prefix('=')) {
                return Ok(v.trim().trim_matches('"').to_owned());
            }
        }
    }
    Err("no [package] version in ffi/Cargo.toml".to_owned())
}

/// Replaces the `@CT_VERSION_*@` placeholders of ffi/cbindgen.toml.
fn fill_version(header: &str, version: &str) -> Result<String, String> {
    let core = version.split(['-', '+']).next().unwrap_or(version);
    let parts: Vec<&str> = core.split('.').collect();
    let [major, minor, patch] = parts.as_slice() else {
        return Err(format!("version {version:?} is not MAJOR.MINOR.PATCH"));
    };
    for p in [major, minor, patch] {
        p.parse::<u32>().map_err(|_| format!("version {version:?} is not numeric"))?;
    }
    let mut out = header.to_owned();
    for (key, value) in [("MAJOR", *major), ("MINOR", *minor), ("PATCH", *patch), ("STRING", version)] {
        let placeholder = format!("@CT_VERSION_{key}@");
        if !out.contains(&placeholder) {
            return Err(format!("ffi/cbindgen.toml lost the {placeholder} placeholder"));
        }
        out = out.replace(&placeholder, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_installs_the_pinned_cbindgen() {
        let run = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/run");
        let script = fs::read_to_string(run).unwrap();
        assert!(script.contains(&format!("\nCBINDGEN_VERSION={CBINDGEN_VERSION}\n")));
    }

    #[test]
    fn version_from_manifest() {
        let m = "[package]\nname = \"x\"\nversion = \"1.2.3\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(package_version(m).unwrap(), "1.2.3");
        assert!(package_version("[dependencies]\nversion = \"1.0.0\"\n").is_err());
    }

    #[test]
    fn version_macros_filled() {
        let h = "#define CT_VERSION_MAJOR @CT_VERSION_MAJOR@\n#define CT_VERSION_MINOR @CT_VERSION_MINOR@\n\
                 #define CT_VERSION_PATCH @CT_VERSION_PATCH@\n#define CT_VERSION_STRING \"@CT_VERSION_STRING@\"\n";
        let out = fill_version(h, "0.12.3").unwrap();
        assert!(out.contains("MAJOR 0\n") && out.contains("MINOR 12\n") && out.contains("PATCH 3\n"));
        assert!(out.contains("STRING \"0.12.3\""));
        assert!(fill_version(h, "1.2").is_err());
        assert!(fill_version("no placeholders", "1.2.3").is_err());
    }
}
