//! `cargo xtask bench [--quick]`: runs the criterion benchmarks of `benches/` (its own
//! workspace, never built by `cargo xtask test`) and prints one markdown table.
//!
//! Cargo's and criterion's own output go to `benches/target/bench.log`; the table
//! (ns/op per library, ciphertoken's time over each peer's and over the floor's, heap
//! allocations and bytes per operation) and the targets' status are printed, and kept in
//! `benches/target/bench-table.md`.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Runs the benchmarks; `quick` shortens warm-up and measurement (well under 3 minutes of
/// running once built).
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let bench_dir = root.join("benches");
    let target = bench_dir.join("target");
    std::fs::create_dir_all(&target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let log_path = target.join("bench.log");
    let table_path = target.join("bench-table.md");
    let _ = std::fs::remove_file(&table_path);
    let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;

    eprintln!(
        "xtask bench: building and running benches/ ({} mode; the first build compiles aws-lc-rs \
         for minutes); cargo's and criterion's output go to {}",
        if quick { "quick" } else { "full" },
        log_path.display()
    );
    let start = Instant::now();
    // `CT_BENCH_PORTABLE=1`: ciphertoken on its portable primitives (the other backend's rows).
    let portable = std::env::var_os("CT_BENCH_PORTABLE").is_some_and(|v| v == "1");
    let status = Command::new(super::cargo())
        .current_dir(&bench_dir)
        .args(["bench", "--bench", "jwt"])
        .args(if portable { &["--features", "portable"][..] } else { &[] })
        // Its own workspace and lockfile: an explicit target dir keeps it out of the main one.
        .env("CARGO_TARGET_DIR", &target)
        .env("CT_BENCH_QUICK", if quick { "1" } else { "0" })
        .env("CT_BENCH_TABLE", &table_path)
        .stdout(Stdio::from(log.try_clone().map_err(|e| format!("cannot share the log: {e}"))?))
        .stderr(Stdio::from(log))
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench exited with {status}; see {}", log_path.display()));
    }
    let table = std::fs::read_to_string(&table_path)
        .map_err(|e| format!("no table at {} ({e}); see {}", table_path.display(), log_path.display()))?;
    print!("{table}");
    let c_table = c_abi(root, quick, &table)?;
    print!("{c_table}");
    let mut all = table;
    all.push_str(&c_table);
    std::fs::write(&table_path, all).map_err(|e| format!("cannot write {}: {e}", table_path.display()))?;
    eprintln!("xtask bench: done in {:.0}s", start.elapsed().as_secs_f64());
    Ok(())
}

/// The C ABI rows: `benches/c/ct_bench.c` linked against `libciphertoken.a` (release build
/// of `ciphertoken-ffi`, the way C gateways link it), run after the Rust benchmark on the
/// same claims, keys and validation, and set against the Rust run's peer and floor figures.
fn c_abi(root: &Path, quick: bool, rust_table: &str) -> Result<String, String> {
    let status = Command::new(super::cargo())
        .current_dir(root)
        .args(["build", "--release", "-p", "ciphertoken-ffi"])
        .status()
        .map_err(|e| format!("cannot build ciphertoken-ffi: {e}"))?;
    if !status.success() {
        return Err(format!("building ciphertoken-ffi exited with {status}"));
    }
    let lib = root.join("target/release/libciphertoken.a");
    let exe = root.join("benches/target/ct_bench");
    let status = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
        .arg("-O2")
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("benches/c/ct_bench.c"))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .status()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !status.success() {
        return Err(format!("cc exited with {status}"));
    }
    let out = Command::new(&exe)
        .args(if quick { &["--quick"][..] } else { &[][..] })
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("ct_bench failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let measured: Vec<(String, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(op, ns)| Some((op.to_owned(), ns.trim().parse().ok()?)))
        .collect();
    let rust = |op: &str, library: &str| rust_median(rust_table, op, library);
    let mut t = String::from(
        "\n| operation (C ABI, libciphertoken.a) | ciphertoken | compared with | its median | ratio |\n|---|---:|---|---:|---:|\n",
    );
    let mut targets = String::new();
    for (op, ns) in &measured {
        let against: &[(&str, &str, Option<f64>)] = match op.as_str() {
            "HS256 sign" => &[("jsonwebtoken 11 (rust_crypto)", "jsonwebtoken 11 (rust_crypto)", Some(0.6))],
            "HS256 verify+validate" => {
                &[("jsonwebtoken 11 (rust_crypto)", "jsonwebtoken 11 (rust_crypto)", Some(0.4))]
            }
            "ES256 verify+validate" => &[("floor: p256 0.13 ecdsa", "floor: p256 0.13 ecdsa", Some(1.03))],
            "EdDSA verify+validate" => {
                &[("floor: ed25519-compact 2.6", "floor: ed25519-compact 2.6", Some(1.03))]
            }
            "RS256 verify+validate" => {
                &[("**ciphertoken** (prepared key)", "Rust API, prepared key", Some(1.05))]
            }
            "ES256 sign" => &[("floor: p256 0.13 ecdsa", "floor: p256 0.13 ecdsa", None)],
            "EdDSA sign" => &[("floor: ed25519-compact 2.6", "floor: ed25519-compact 2.6", None)],
            _ => &[],
        };
        let mut any = false;
        for (library, shown, limit) in against {
            let Some(theirs) = rust(op, library) else { continue };
            any = true;
            let ratio = ns / theirs;
            t.push_str(&format!("| {op} | {} | {shown} | {} | {ratio:.2} |\n", fmt_ns(*ns), fmt_ns(theirs)));
            if let Some(limit) = limit {
                let met = if ratio <= *limit { "met" } else { "NOT met" };
                targets.push_str(&format!("- C ABI {op} ≤ {limit}× {shown}: {ratio:.2}× — {met}\n"));
            }
        }
        if !any {
            t.push_str(&format!("| {op} | {} | | | |\n", fmt_ns(*ns)));
        }
    }
    t.push('\n');
    t.push_str(&targets);
    Ok(t)
}

/// The median of `library` for `op` in the Rust table, in ns.
fn rust_median(table: &str, op: &str, library: &str) -> Option<f64> {
    table.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || cells[1] != op || cells[2] != library {
            return None;
        }
        let (num, unit) = cells[3].split_once(' ')?;
        let v: f64 = num.replace(',', "").parse().ok()?;
        Some(match unit {
            "ns" => v,
            "µs" => v * 1e3,
            "ms" => v * 1e6,
            _ => return None,
        })
    })
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
