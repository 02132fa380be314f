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
    eprintln!("xtask bench: done in {:.0}s", start.elapsed().as_secs_f64());
    Ok(())
}
