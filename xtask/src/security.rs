//! Security tooling: fuzzing (`fuzz/`, cargo-fuzz and libFuzzer on nightly), miri over the
//! core's tests, and mutation testing of the validation and parsing modules (cargo-mutants).
//!
//! * `cargo xtask fuzz [--seconds N] [TARGET...]`: every target of `fuzz/` (from
//!   `cargo fuzz list`, so new targets join automatically) for N seconds each (default 60),
//!   seeded from the committed `fuzz/corpus/<target>/`; new inputs go to
//!   `target/fuzz-corpus/<target>/` (never into the committed seeds). Prints executions per
//!   target; any crash fails with the artifact's path.
//! * `cargo xtask test` runs the same for [`SMOKE_SECONDS`] per target (the "fuzz smoke" step).
//! * `cargo xtask miri`: `cargo +nightly miri test -p ciphertoken`, skipping [`MIRI_SKIP`].
//! * `cargo xtask mutants [-- ARGS]`: cargo-mutants over [`MUTANT_FILES`] (local, not in CI).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The toolchain for cargo-fuzz and miri (both need nightly).
const NIGHTLY: &str = "nightly";

/// Seconds per target in the CI smoke (`CIPHERTOKEN_FUZZ_SMOKE_SECONDS` overrides it).
pub const SMOKE_SECONDS: u64 = 30;

/// Seconds per target for `cargo xtask fuzz` without `--seconds`.
const DEFAULT_SECONDS: u64 = 60;

/// libFuzzer options shared by every run: a hang is any input taking over 10 s, memory is
/// bounded, and the final statistics (executions) are printed.
const LIBFUZZER_ARGS: &[&str] = &["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"];

/// Tests too slow under miri, passed as `--skip` filters (a test is skipped when its name
/// contains one). Interpreted, one P-256 scalar multiplication takes minutes and a
/// Wycheproof file hours, so everything that signs or verifies with ES256, Ed25519 or RSA,
/// every vector set and every loop over all algorithms is left to the native runs. What
/// remains runs under miri: the JSON reader, base64url, header/claims parsing, validation,
/// HS256 tokens end to end (the attack classes that need no public-key arithmetic), the
/// life cycle, clocks, revocation.
pub const MIRI_SKIP: &[&str] = &[
    // Vector sets and other implementations (thousands of operations each).
    "wycheproof",
    "hmac_sha", // wycheproof.rs: hmac_sha256/384/512
    "jsonwebtoken",
    "all_key_and_message_lengths",
    "every_padding_boundary", // mac.rs: 600 HMAC-SHA-512 computations
    // Public-key algorithms by name.
    "ecdsa",
    "es256",
    "ed25519",
    "eddsa",
    "rsa",
    "jwk",
    // Tests that loop over every algorithm (ES256 and EdDSA included).
    "every_algorithm",
    "every_pair",
    "sanity_forged_tokens_verify",
    "empty_truncated_and_extended_signatures_are_refused",
    "algorithm_confusion_hmac_with_the_public_key_is_refused",
    "key_carrying_headers_are_never_used",
    "public_key_as_hmac_secret_confusion_is_refused",
    "truncated_or_extended_signatures_are_invalid",
    "short_hmac_secrets_are_refused",
    "invalid_sec1_points_are_refused",
    "small_order_and_non_canonical",
    "header_is_exactly_alg_typ_and_kid",
    "rich_claims_round_trip",
    "sign_json_round_trip_keeps_bytes",
    "deterministic_signatures",
    "token_len_is_exact",
    "worst_case_kid_fits_the_header_bound",
    "buffer_too_small_is_exact",
    "verify_scratch_too_small_is_exact",
    "unserializable_claims_leave_no_partial_token",
    "public_keys_round_trip_through_bytes",
    "app_claims_of_the_wrong_shape",
    "debug_never_prints_key_material",
    "make_no_heap_allocation", // zero_alloc.rs: sign/verify with every algorithm
    "huge_tokens",             // attacks.rs: HMACs a 100 KB token to forge it
    "nesting_depth_and_member_count", // validation_rules.rs: > 10 min interpreted
    "token_longer_than_the_limit", // validation_rules.rs: HMACs an 8 KiB token
    "pyjwt",                   // runs a Python interpreter (no process spawning under miri)
];

/// The modules cargo-mutants mutates (validation and parsing).
pub const MUTANT_FILES: &[&str] = &[
    "src/jwt/validation.rs",
    "src/codec/json.rs",
    "src/jws/header.rs",
    "src/jwt/claims.rs",
    "src/codec/base64url.rs",
    "src/jwt/token.rs",
];

/// Per-mutant test timeout for cargo-mutants, in seconds.
const MUTANT_TIMEOUT: &str = "240";

/// The test targets run against each mutant: the ones that exercise validation and parsing
/// (the primitive vector sets and the benchmarks' peers add minutes per mutant, no kills).
const MUTANT_TESTS: &[&str] = &[
    "--lib",
    "--test=attacks",
    "--test=validation_rules",
    "--test=round_trip",
    "--test=rfc_vectors",
    "--test=wycheproof_jws",
    "--test=lifecycle",
    "--test=rsa",
    "--test=security_mutants",
    "--test=fuzz_regressions",
];

fn fuzz_dir(root: &Path) -> PathBuf {
    root.join("fuzz")
}

/// A `rustup run nightly <program>` command, without the variables the stable cargo that
/// runs xtask exported (they would pin the toolchain or the compiler).
fn nightly(program: &str) -> Command {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", NIGHTLY, program]);
    for var in ["RUSTC", "RUSTDOC", "CARGO", "RUSTUP_TOOLCHAIN", "RUSTC_WRAPPER", "CARGO_TARGET_DIR"] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} exited with {status}"))
    }
}

/// The fuzz targets, as `cargo fuzz list` reports them.
pub fn fuzz_targets(root: &Path) -> Result<Vec<String>, String> {
    let out = nightly("cargo")
        .args(["fuzz", "list"])
        .current_dir(fuzz_dir(root))
        .output()
        .map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo +{NIGHTLY} fuzz list failed (is cargo-fuzz installed? `bash .ci/run` installs it):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// What one run of a target printed.
struct RunStats {
    target: String,
    seconds: f64,
    executions: Option<u64>,
    coverage: Option<u64>,
}

/// The last `stat::number_executed_units: N` (or `Done N runs`) and `cov: N` in libFuzzer's
/// output.
fn parse_stats(output: &str) -> (Option<u64>, Option<u64>) {
    let mut execs = None;
    let mut cov = None;
    for line in output.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            execs = n.trim().parse().ok().or(execs);
        } else if let Some(rest) = line.strip_prefix("Done ") {
            if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
                execs = execs.or(Some(n));
            }
        }
        if let Some(i) = line.find(" cov: ") {
            cov = line[i + 6..].split_whitespace().next().and_then(|n| n.parse().ok()).or(cov);
        }
    }
    (execs, cov)
}

/// The `[dependencies]` and `[features]` entries of a manifest (comments and blank lines
/// dropped), with `path = ".."` rewritten as seen from `fuzz/ffi-rlib/`.
fn manifest_entries(text: &str, rebase: bool) -> Vec<String> {
    let mut section = "";
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if (section == "[dependencies]" || section == "[features]")
            && !line.is_empty()
            && !line.starts_with('#')
        {
            let line =
                if rebase { line.replace("path = \"..\"", "path = \"../..\"") } else { line.to_owned() };
            entries.push(format!("{section} {line}"));
        }
    }
    entries.sort();
    entries
}

/// `fuzz/ffi-rlib/Cargo.toml` builds `ffi/src` as an rlib for the `ffi_claims` target: its
/// dependencies and features must be those of `ffi/Cargo.toml`.
fn check_ffi_rlib(root: &Path) -> Result<(), String> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("{p}: {e}"));
    let ffi = manifest_entries(&read("ffi/Cargo.toml")?, true);
    let shim = manifest_entries(&read("fuzz/ffi-rlib/Cargo.toml")?, false);
    if ffi == shim {
        return Ok(());
    }
    let missing: Vec<&String> = ffi.iter().filter(|e| !shim.contains(e)).collect();
    let extra: Vec<&String> = shim.iter().filter(|e| !ffi.contains(e)).collect();
    Err(format!(
        "fuzz/ffi-rlib/Cargo.toml is out of step with ffi/Cargo.toml (copy ffi's [dependencies] and \
         [features], paths one level deeper)\n  missing: {missing:?}\n  extra: {extra:?}"
    ))
}

/// Runs `targets` (all when empty) for `seconds` each, then prints one line per target.
pub fn fuzz(root: &Path, seconds: u64, targets: &[String]) -> Result<(), String> {
    check_ffi_rlib(root)?;
    let all = fuzz_targets(root)?;
    let targets: Vec<String> = if targets.is_empty() { all.clone() } else { targets.to_vec() };
    if let Some(unknown) = targets.iter().find(|t| !all.contains(t)) {
        return Err(format!("unknown fuzz target {unknown:?}; targets: {}", all.join(", ")));
    }
    println!("building {} fuzz targets (cargo +{NIGHTLY} fuzz build)", all.len());
    let start = Instant::now();
    run(nightly("cargo").args(["fuzz", "build"]).current_dir(fuzz_dir(root)), "cargo fuzz build")?;
    println!("built in {:.1}s", start.elapsed().as_secs_f64());

    let mut stats = Vec::new();
    let mut crashes = Vec::new();
    for target in &targets {
        let work = root.join("target").join("fuzz-corpus").join(target);
        let seeds = fuzz_dir(root).join("corpus").join(target);
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        std::fs::create_dir_all(&seeds).map_err(|e| format!("{}: {e}", seeds.display()))?;
        println!("==> fuzz {target}: {seconds}s");
        let started = Instant::now();
        let out = nightly("cargo")
            .args(["fuzz", "run", target])
            .arg(&work)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args(LIBFUZZER_ARGS)
            .current_dir(fuzz_dir(root))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo fuzz run {target}: {e}"))?;
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let (executions, coverage) = parse_stats(&text);
        let run = RunStats {
            target: target.clone(),
            seconds: started.elapsed().as_secs_f64(),
            executions,
            coverage,
        };
        if out.status.success() {
            println!(
                "    {} executions, cov {}, {:.0}s",
                run.executions.map_or("?".into(), |n| n.to_string()),
                run.coverage.map_or("?".into(), |n| n.to_string()),
                run.seconds
            );
        } else {
            // The panic message (before the long stack trace) and the artifact's path.
            let lines: Vec<&str> = text.lines().collect();
            if let Some(i) = lines.iter().position(|l| l.contains("panicked at")) {
                eprintln!("{}", lines[i..lines.len().min(i + 8)].join("\n"));
            }
            for l in lines.iter().filter(|l| l.contains("Test unit written to") || l.starts_with("SUMMARY")) {
                eprintln!("{l}");
            }
            crashes.push(format!("{target} ({})", out.status));
        }
        stats.push(run);
    }

    println!();
    println!("| target | seconds | executions | exec/s | coverage |");
    println!("|---|---:|---:|---:|---:|");
    for s in &stats {
        let rate = s.executions.map_or("?".into(), |n| format!("{:.0}", n as f64 / s.seconds.max(1.0)));
        println!(
            "| {} | {:.0} | {} | {rate} | {} |",
            s.target,
            s.seconds,
            s.executions.map_or("?".into(), |n| n.to_string()),
            s.coverage.map_or("?".into(), |n| n.to_string())
        );
    }
    if crashes.is_empty() {
        println!("fuzz: {} targets, 0 crashes", stats.len());
        Ok(())
    } else {
        Err(format!(
            "fuzz: crashes in {} (artifacts under fuzz/artifacts/<target>/; reproduce with \
             `cd fuzz && cargo +{NIGHTLY} fuzz run <target> <artifact>`)",
            crashes.join(", ")
        ))
    }
}

/// `cargo xtask fuzz [--seconds N] [TARGET...]`.
pub fn fuzz_command(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        match arg {
            "--seconds" => {
                let n = it.next().ok_or("--seconds needs a number")?;
                seconds = n.parse().map_err(|_| format!("--seconds: not a number: {n}"))?;
            }
            t if t.starts_with('-') => return Err(format!("unknown option {t}")),
            t => targets.push(t.to_owned()),
        }
    }
    fuzz(root, seconds, &targets)
}

/// The CI step: every target for [`SMOKE_SECONDS`].
pub fn fuzz_smoke_step(root: &Path) -> Result<(), String> {
    let seconds = match env::var("CIPHERTOKEN_FUZZ_SMOKE_SECONDS") {
        Ok(s) => s.parse().map_err(|_| format!("CIPHERTOKEN_FUZZ_SMOKE_SECONDS: not a number: {s}"))?,
        Err(_) => SMOKE_SECONDS,
    };
    fuzz(root, seconds, &[])
}

/// `cargo xtask miri`: the core's unit and integration tests under miri, minus [`MIRI_SKIP`].
pub fn miri(root: &Path) -> Result<(), String> {
    let mut cmd = nightly("cargo");
    cmd.args(["miri", "test", "-p", "ciphertoken", "--lib", "--tests", "--"]).current_dir(root);
    for skip in MIRI_SKIP {
        cmd.args(["--skip", skip]);
    }
    println!("skipped under miri (name contains): {}", MIRI_SKIP.join(", "));
    let start = Instant::now();
    let result = run(&mut cmd, "cargo miri test");
    println!("miri: {:.0}s", start.elapsed().as_secs_f64());
    result
}

/// `cargo xtask mutants [-- ARGS]`: cargo-mutants over [`MUTANT_FILES`] with every feature
/// (the RSA paths live), two jobs, a per-mutant timeout, [`MUTANT_TESTS`], and dependencies
/// at `opt-level = 1` so the ES256/RSA tests stay fast; results in
/// `target/mutants/mutants.out/` (`caught.txt`, `missed.txt`, `timeout.txt`, `unviable.txt`).
pub fn mutants(root: &Path, extra: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new(crate::cargo());
    cmd.args(["mutants", "--package", "ciphertoken", "--all-features", "--timeout", MUTANT_TIMEOUT])
        .args(["--jobs", "2", "--output", "target/mutants"])
        .env("CARGO_PROFILE_DEV_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .current_dir(root);
    for f in MUTANT_FILES {
        cmd.args(["--file", f]);
    }
    for t in MUTANT_TESTS {
        cmd.arg(format!("--cargo-arg={t}"));
    }
    cmd.args(extra);
    run(&mut cmd, "cargo mutants (install: cargo install cargo-mutants --version 27.1.0 --locked)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffi_rlib_manifest_matches_ffi() {
        let ffi = "[package]\nname = \"x\"\n[features]\n# c\nstd = []\n[dependencies]\n\
                   ciphertoken = { path = \"..\" }\nserde = \"1\"\n";
        let shim = "[lib]\npath = \"y\"\n[dependencies]\nserde = \"1\"\nciphertoken = { path = \"../..\" }\n\
                    [features]\nstd = []\n";
        assert_eq!(manifest_entries(ffi, true), manifest_entries(shim, false));
        assert_ne!(manifest_entries(ffi, true), manifest_entries(&shim.replace("serde", "rand"), false));
        // The real manifests (the fuzz smoke fails early with a clear message otherwise).
        let root = crate::workspace_root();
        assert_eq!(check_ffi_rlib(&root), Ok(()));
    }

    #[test]
    fn parses_libfuzzer_statistics() {
        let out = "#2\tINITED cov: 120 ft: 130 corp: 1/1b exec/s: 0\n\
                   #4096\tpulse  cov: 544 ft: 900 corp: 40/2Kb exec/s: 2048\n\
                   Done 123456 runs in 31 second(s)\n\
                   stat::number_of_executed_units: 123457\n";
        assert_eq!(parse_stats(out), (Some(123457), Some(544)));
        assert_eq!(parse_stats("Done 99 runs in 1 second(s)\n"), (Some(99), None));
        assert_eq!(parse_stats("nothing"), (None, None));
    }
}
