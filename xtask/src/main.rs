//! Project automation for `ciphertoken`, run as `cargo xtask <subcommand>`
//! (the alias lives in `.cargo/config.toml`).
//!
//! std only, no dependencies, so it compiles in a second or two.
//!
//! # Adding a CI step
//!
//! `cargo xtask test` runs the list returned by [`test_steps`], in order,
//! stopping at the first failure. To add a step, push one more [`Step`]:
//!
//! * a cargo invocation: `Step::cargo("name", &["build", "-p", "x"])`,
//!   optionally `.env("VAR", "value")`;
//! * any other program: `Step::cmd("name", "make", &["-C", "examples/c"])`;
//! * a check written in Rust: `Step::check("name", "what it does", my_fn)`
//!   where `fn my_fn(root: &Path) -> Result<(), String>`.
//!
//! Step names must be unique; they are what a failure report shows.
//!
//! # Adding a subcommand
//!
//! Add an entry to [`SUBCOMMANDS`] (it drives `cargo xtask help`) and a match
//! arm in [`main`].

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

mod bench;
mod ct;
mod docgen;
mod docs;
mod embedded;
mod ffi;
mod hardware;
mod install;
mod redis_ha;
mod release;
mod security;
mod size;

/// The core crate's package name.
const CORE: &str = "ciphertoken";

/// Cargo features of the core that must each build on their own.
const CORE_FEATURES: &[&str] = &["hs", "es256", "eddsa", "std", "rsa", "jwk"];

/// Bare-metal targets the core must build for (default features and none).
const NO_STD_TARGETS: &[&str] =
    &["thumbv6m-none-eabi", "thumbv7em-none-eabihf", "riscv32imc-unknown-none-elf"];

/// Target whose dependency graph is checked for std/alloc/getrandom features.
const FEATURE_CHECK_TARGET: &str = "thumbv7em-none-eabihf";

/// Features that must not be enabled anywhere in the core's graph for
/// `FEATURE_CHECK_TARGET` (matches `feature "(std|alloc|getrandom)"`).
const FORBIDDEN_FEATURES: &[&str] = &["std", "alloc", "getrandom"];

/// `(name, usage, description)` for `cargo xtask help`.
const SUBCOMMANDS: &[(&str, &str, &str)] = &[
    (
        "test",
        "test [--list]",
        "run every CI step in order, stop at the first failure (--list: print the steps only)",
    ),
    ("header", "header", "regenerate include/ciphertoken.h with cbindgen (the pinned version)"),
    (
        "bench",
        "bench [--quick]",
        "benchmark against other JWT crates and the primitives (benches/); the table goes into docs/performance.md",
    ),
    (
        "qemu",
        "qemu [TARGET...]",
        "build the firmware (examples/firmware), run it under QEMU on Cortex-M4F/M3/M0 and RV32IMC (all boards: into docs/performance.md)",
    ),
    (
        "fuzz",
        "fuzz [--seconds N] [TARGET...]",
        "run every fuzz/ target (or those named) for N seconds each (default 60), report executions",
    ),
    ("miri", "miri", "run the core's tests under miri (nightly), skipping the slow crypto-heavy ones"),
    ("mutants", "mutants [-- ARGS]", "cargo-mutants over the validation and parsing modules (local)"),
    (
        "size",
        "size [--quick]",
        "flash/static RAM of minimal images (examples/size) and the budgets, into docs/performance.md",
    ),
    (
        "panics",
        "panics [--quick]",
        "list the code keeping panic paths alive in the size images; fail if any is ciphertoken's",
    ),
    (
        "docs",
        "docs",
        "check what the docs tell users to copy: README consumer crate, C snippets, walk-throughs",
    ),
    (
        "failover",
        "failover [--rounds N]",
        "the replicated-Redis failover tests (Sentinel, Cluster, HTTP gateways) with N rounds each (default 10)",
    ),
    (
        "install",
        "install --prefix DIR [--target TRIPLE] [--features F] [--profile NAME] [--static-only]",
        "build the C library and lay out include/, lib/ (.a, versioned .so), pkg-config and CMake files",
    ),
    ("msrv", "msrv", "build the core (host, thumbv7em) and the C library with the declared rust-version"),
    (
        "packaging",
        "packaging",
        "only the packaging/release steps of `test` (install, CMake, MSRV, defmt, package, docs.rs, semver)",
    ),
    ("consumers", "consumers", "install for the host; build and run the pkg-config and CMake C consumers"),
    (
        "cmake-firmware",
        "cmake-firmware",
        "the C firmware through cmake/ciphertoken-firmware.cmake, run under QEMU",
    ),
    (
        "hardware",
        "hardware",
        "keys in hardware: SoftHSM2 (PKCS#11, CLI) and PSA Crypto (mbedTLS, C) external-signer tests",
    ),
    (
        "ct",
        "ct [--long]",
        "constant-time checks: valgrind ctgrind (Rust both backends, C ABI); --long adds dudect timing tests",
    ),
    ("help", "help", "print this help"),
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["test"] => run_steps(&test_steps()),
        ["test", "--list"] => {
            list_steps(&test_steps());
            ExitCode::SUCCESS
        }
        ["header"] => report(ffi::write_header(&workspace_root())),
        ["bench"] | ["bench", "--quick"] if !docgen::is_child() => {
            report(docgen::record(&workspace_root(), "bench", &args))
        }
        ["size", ..] | ["qemu"] if !docgen::is_child() => {
            report(docgen::record(&workspace_root(), args[0], &args))
        }
        ["hardware"] => run_steps(&hardware::steps(&workspace_root())),
        ["bench"] | ["bench", "--quick"] => match bench::run(&workspace_root(), args.len() == 2) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask bench: {e}");
                ExitCode::FAILURE
            }
        },
        ["qemu", targets @ ..] => report(embedded::qemu(&workspace_root(), targets)),
        ["fuzz", rest @ ..] => report(security::fuzz_command(&workspace_root(), rest)),
        ["miri"] => report(security::miri(&workspace_root())),
        ["mutants", rest @ ..] => {
            report(security::mutants(&workspace_root(), rest.strip_prefix(&["--"]).unwrap_or(rest)))
        }
        ["ct"] => report(ct::command(&workspace_root(), false)),
        ["ct", "--long"] => report(ct::command(&workspace_root(), true)),
        ["size"] => report(size::size(&workspace_root(), false)),
        ["size", "--quick"] => report(size::size(&workspace_root(), true)),
        ["panics"] => report(size::panics(&workspace_root(), false)),
        ["panics", "--quick"] => report(size::panics(&workspace_root(), true)),
        ["docs"] => report(docs::check_all(&workspace_root())),
        ["failover", rest @ ..] => report(redis_ha::failover(&workspace_root(), rest)),
        ["install", rest @ ..] => report(install::install_command(&workspace_root(), rest)),
        ["msrv"] => report(release::msrv_step(&workspace_root())),
        ["packaging"] => run_steps(&release::steps()),
        ["consumers"] => report(install::install_step(&workspace_root())),
        ["cmake-firmware"] => report(install::cmake_firmware_step(&workspace_root())),
        ["help" | "--help" | "-h"] => {
            print_help();
            ExitCode::SUCCESS
        }
        [] => {
            print_help();
            ExitCode::from(2)
        }
        other => {
            eprintln!("xtask: unknown arguments: {}", other.join(" "));
            eprintln!();
            print_help();
            ExitCode::from(2)
        }
    }
}

/// Exit status of a subcommand, printing its error.
fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!("usage: cargo xtask <subcommand>");
    println!();
    println!("subcommands:");
    let width = SUBCOMMANDS.iter().map(|s| s.1.len()).max().unwrap_or(0);
    for (_, usage, what) in SUBCOMMANDS {
        println!("  {usage:width$}  {what}");
    }
}

// ---------------------------------------------------------------------------
// The CI step list. Add new steps here.
// ---------------------------------------------------------------------------

fn test_steps() -> Vec<Step> {
    let mut steps = vec![
        Step::cargo("fmt", &["fmt", "--all", "--", "--check"]),
        Step::cargo(
            "clippy workspace all-targets",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        ),
        Step::cargo(
            "clippy core no-default-features",
            &["clippy", "-p", CORE, "--no-default-features", "--", "-D", "warnings"],
        ),
        Step::cargo(
            "clippy core only feature std",
            &["clippy", "-p", CORE, "--no-default-features", "--features", "std", "--", "-D", "warnings"],
        ),
        // Code behind non-default features (rsa, jwk) is linted too, natively and for a
        // 32-bit microcontroller (the RSA arithmetic uses 32-bit limbs there).
        Step::cargo(
            "clippy core all-features all-targets",
            &["clippy", "-p", CORE, "--all-features", "--all-targets", "--", "-D", "warnings"],
        ),
        Step::cargo(
            "clippy core rsa+jwk thumbv7em",
            &[
                "clippy",
                "-p",
                CORE,
                "--target",
                "thumbv7em-none-eabihf",
                "--features",
                "rsa,jwk",
                "--",
                "-D",
                "warnings",
            ],
        ),
        Step::cargo("test workspace", &["test", "--workspace"]),
        Step::cargo("test core all-features", &["test", "-p", CORE, "--all-features"]),
        // The RSA arithmetic with the 32-bit limbs microcontrollers use, on this 64-bit host
        // (unit tests incl. OpenSSL known answers; own target dir: RUSTFLAGS differ).
        Step::cargo(
            "test core rsa 32-bit limbs",
            &["test", "-p", CORE, "--features", "rsa", "--lib", "rsa::"],
        )
        .env("RUSTFLAGS", "--cfg ciphertoken_limb32")
        .env("CARGO_TARGET_DIR", "target/limb32"),
    ];

    for feature in CORE_FEATURES {
        steps.push(Step::cargo(
            format!("build core only feature {feature}"),
            &["build", "-p", CORE, "--no-default-features", "--features", feature],
        ));
    }
    steps
        .push(Step::cargo("build core no-default-features", &["build", "-p", CORE, "--no-default-features"]));

    for target in NO_STD_TARGETS {
        steps.push(Step::cargo(format!("build core {target}"), &["build", "-p", CORE, "--target", target]));
        steps.push(Step::cargo(
            format!("build core {target} no-default-features"),
            &["build", "-p", CORE, "--target", target, "--no-default-features"],
        ));
    }

    steps.push(Step::check(
        "no std/alloc/getrandom features",
        format!(
            "cargo tree -p {CORE} -e features,normal,no-proc-macro --target {FEATURE_CHECK_TARGET}, \
             fail on feature \"(std|alloc|getrandom)\""
        ),
        check_forbidden_features,
    ));

    steps.push(
        Step::cargo("doc core", &["doc", "-p", CORE, "--no-deps", "--all-features"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    );
    steps.push(Step::cargo("example quickstart", &["run", "--example", "quickstart"]));

    // What the docs tell a user to copy: README's dependency lines and example in a crate of
    // their own, C snippets made of lines of programs CI runs, the provisioning walk-through.
    // (Rust snippets in README.md and docs/ are doc tests of the core.)
    steps.push(Step::check(
        "docs: README consumer crate",
        "a new crate with README's [dependencies] lines and first Rust example, built and run",
        docs::readme_consumer,
    ));
    steps.push(Step::check(
        "docs: C snippets",
        "every code line of a C block in README.md, SECURITY.md and docs/ stands in a C program CI runs",
        docs::c_snippets,
    ));

    // C ABI: header freshness, C tests (C99, C++, sanitizers, valgrind), C example, Python.
    steps.extend(ffi::steps(&workspace_root()));

    steps.push(Step::cmd(
        "docs: provisioning walk-through",
        "bash",
        &["examples/provisioning/walkthrough.sh", "target/debug"],
    ));
    // Keys in hardware: SoftHSM2 (PKCS#11) and PSA Crypto (mbedTLS) external signers.
    steps.extend(hardware::steps(&workspace_root()));

    // Microcontrollers: the firmware on four emulated cores (examples/firmware).
    steps.push(Step::check(
        "qemu firmware",
        "cargo xtask qemu: examples/firmware on 4 targets and the C firmware (libciphertoken.a) under QEMU",
        embedded::qemu_step,
    ));
    steps.push(Step::check(
        "size and panic paths",
        "examples/size: the HS256 no_panic image links with an undefined panic handler; \
         flash/RAM and budgets (thumbv7em opt z); no panic path in ciphertoken's own code",
        size::test_step,
    ));

    // Packaging (issue 17): install + pkg-config/CMake consumers, the CMake firmware module on
    // QEMU, the declared MSRV, the crate package, docs.rs, semver (when a release exists).
    steps.extend(release::steps());

    // Gateway fleets (redis/, examples/gateway): the real-Redis fault tests, ignored by the
    // plain test step. Each test starts its own redis-server (installed by .ci/run) on a free
    // 127.0.0.1 port with AOF, and stops it by its PID. Includes the replicated-Redis failover
    // tests (redis-sentinel, redis-cli --cluster; 2 rounds each; `cargo xtask failover` for more).
    steps.push(Step::cargo(
        "redis fleet real-server tests",
        &["test", "-p", "ciphertoken-redis", "-p", "ciphertoken-gateway", "--", "--ignored"],
    ));

    steps.push(Step::cmd(
        "docs: two-gateway walk-through",
        "bash",
        &["examples/gateway/walkthrough.sh", "target/debug"],
    ));

    // Fuzzing: a short libFuzzer run of every fuzz/ target (`cargo xtask fuzz` for long runs).
    steps.push(Step::check(
        "fuzz smoke",
        format!(
            "cargo xtask fuzz --seconds {}: every fuzz/ target (cargo-fuzz, nightly)",
            security::SMOKE_SECONDS
        ),
        security::fuzz_smoke_step,
    ));

    // Constant time: every secret-bearing operation under valgrind with secrets undefined.
    steps.push(Step::check(
        "constant-time ctgrind",
        "cargo xtask ct: valgrind memcheck, secrets marked undefined (Rust both backends, C ABI)",
        ct::ctgrind,
    ));

    // Later issues: C tests, header freshness, QEMU firmware, fuzz smoke.
    steps
}

// ---------------------------------------------------------------------------
// Custom checks
// ---------------------------------------------------------------------------

/// Fails if the core's dependency graph for `FEATURE_CHECK_TARGET` (default
/// features) enables any of `FORBIDDEN_FEATURES`.
///
/// Only normal, non-proc-macro edges are inspected: dev-dependencies, build
/// scripts and proc-macros run on the host and never reach the firmware (with
/// resolver 2 their features are not unified into the target build), so a
/// test-only `std` feature must not fail this check.
fn check_forbidden_features(root: &Path) -> Result<(), String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["tree", "-p", CORE, "-e", "features,normal,no-proc-macro"])
        .args(["--target", FEATURE_CHECK_TARGET])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let offending: Vec<&str> = tree.lines().filter(|l| is_forbidden_feature_line(l)).collect();
    if offending.is_empty() {
        println!("no std/alloc/getrandom feature in the {FEATURE_CHECK_TARGET} graph");
        Ok(())
    } else {
        Err(format!("forbidden features enabled for {FEATURE_CHECK_TARGET}:\n{}", offending.join("\n")))
    }
}

/// The regex `feature "(std|alloc|getrandom)"`, without a regex crate.
fn is_forbidden_feature_line(line: &str) -> bool {
    FORBIDDEN_FEATURES.iter().any(|f| line.contains(&format!("feature \"{f}\"")))
}

// ---------------------------------------------------------------------------
// Step machinery
// ---------------------------------------------------------------------------

enum Action {
    /// Run a program; `None` means "the cargo running this xtask".
    Command { program: Option<String>, args: Vec<String>, env: Vec<(String, String)> },
    /// Run Rust code with the workspace root; `Err` carries the reason.
    Check { description: String, run: fn(&Path) -> Result<(), String> },
}

struct Step {
    name: String,
    action: Action,
}

impl Step {
    fn cargo(name: impl Into<String>, args: &[&str]) -> Self {
        Self::command(name, None, args)
    }

    fn cmd(name: impl Into<String>, program: &str, args: &[&str]) -> Self {
        Self::command(name, Some(program.to_owned()), args)
    }

    fn command(name: impl Into<String>, program: Option<String>, args: &[&str]) -> Self {
        Step {
            name: name.into(),
            action: Action::Command {
                program,
                args: args.iter().map(|a| (*a).to_owned()).collect(),
                env: Vec::new(),
            },
        }
    }

    fn check(
        name: impl Into<String>,
        description: impl Into<String>,
        run: fn(&Path) -> Result<(), String>,
    ) -> Self {
        Step { name: name.into(), action: Action::Check { description: description.into(), run } }
    }

    /// Sets an environment variable for a command step.
    fn env(mut self, key: &str, value: &str) -> Self {
        match &mut self.action {
            Action::Command { env, .. } => env.push((key.to_owned(), value.to_owned())),
            Action::Check { .. } => panic!("step {:?}: env() on a check step", self.name),
        }
        self
    }

    fn describe(&self) -> String {
        match &self.action {
            Action::Command { program, args, env } => {
                let mut s = String::new();
                for (k, v) in env {
                    s.push_str(&format!("{k}={} ", shell_quote(v)));
                }
                s.push_str(program.as_deref().unwrap_or("cargo"));
                for a in args {
                    s.push(' ');
                    s.push_str(&shell_quote(a));
                }
                s
            }
            Action::Check { description, .. } => description.clone(),
        }
    }

    fn run(&self, root: &Path) -> Result<(), String> {
        match &self.action {
            Action::Command { program, args, env } => {
                let program: OsString = match program {
                    Some(p) => p.into(),
                    None => cargo(),
                };
                let status = Command::new(&program)
                    .current_dir(root)
                    .args(args)
                    .envs(env.iter().map(|(k, v)| (k, v)))
                    .status()
                    .map_err(|e| format!("cannot run {}: {e}", program.to_string_lossy()))?;
                if status.success() {
                    Ok(())
                } else {
                    Err(format!("command exited with {status}"))
                }
            }
            Action::Check { run, .. } => run(root),
        }
    }
}

fn list_steps(steps: &[Step]) {
    for (i, step) in steps.iter().enumerate() {
        println!("{:>2}. {}: {}", i + 1, step.name, step.describe());
    }
}

fn run_steps(steps: &[Step]) -> ExitCode {
    debug_assert_unique_names(steps);
    let root = workspace_root();
    let total = steps.len();
    let start = Instant::now();
    for (i, step) in steps.iter().enumerate() {
        println!();
        println!("==> [{}/{total}] {}: {}", i + 1, step.name, step.describe());
        let step_start = Instant::now();
        let result = step.run(&root);
        let secs = step_start.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("==> ok: {} ({secs:.1}s)", step.name),
            Err(reason) => {
                eprintln!("==> FAILED: {} ({secs:.1}s)", step.name);
                eprintln!("{reason}");
                eprintln!();
                eprintln!(
                    "xtask test: FAILED at step {}/{total} \"{}\" after {:.1}s ({i} passed)",
                    i + 1,
                    step.name,
                    start.elapsed().as_secs_f64()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    println!();
    println!("xtask test: all {total} steps passed in {:.1}s", start.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

fn debug_assert_unique_names(steps: &[Step]) {
    for (i, a) in steps.iter().enumerate() {
        for b in &steps[i + 1..] {
            debug_assert!(a.name != b.name, "duplicate step name {:?}", a.name);
        }
    }
}

/// The cargo that launched us (`$CARGO`), so steps use the same toolchain.
fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().expect("xtask lives one level below the workspace root").to_path_buf()
}

/// Quotes an argument for display when it contains shell-special characters.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_feature_lines() {
        assert!(is_forbidden_feature_line(r#"│   ├── p256 feature "getrandom""#));
        assert!(is_forbidden_feature_line(r#"├── serde feature "std""#));
        assert!(is_forbidden_feature_line(r#"└── digest feature "alloc""#));
        assert!(!is_forbidden_feature_line(r#"├── serde feature "derive""#));
        assert!(!is_forbidden_feature_line(r#"├── foo feature "std-ish""#));
        assert!(!is_forbidden_feature_line("├── std v1.0.0"));
    }

    #[test]
    fn step_names_are_unique() {
        let steps = test_steps();
        let mut names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate step names");
    }

    #[test]
    fn describe_quotes_env() {
        let s = Step::cargo("doc", &["doc"]).env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(s.describe(), "RUSTDOCFLAGS='-D warnings' cargo doc");
    }
}
