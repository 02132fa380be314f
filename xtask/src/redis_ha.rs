//! `cargo xtask failover [--rounds N]`: the replicated-Redis failover tests (Sentinel and
//! Cluster, redis/tests/replicated.rs; the HTTP gateways on Sentinel,
//! examples/gateway/tests/sentinel_gateways.rs) with N failover rounds per test instead of
//! the CI default (2), printing every round's figures (`failover figures:` lines).
//!
//! CI runs the same tests, at the default round count, in the "redis fleet real-server
//! tests" step; this subcommand is the longer local series.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Failover rounds per test when `--rounds` is not given.
const DEFAULT_ROUNDS: u32 = 10;

/// Runs the failover tests with `--rounds N` (1 to 1000; default [`DEFAULT_ROUNDS`]).
pub fn failover(root: &Path, args: &[&str]) -> Result<(), String> {
    let rounds = match args {
        [] => DEFAULT_ROUNDS,
        ["--rounds", n] => n.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or("--rounds: 1 to 1000")?,
        _ => return Err("usage: cargo xtask failover [--rounds N]".into()),
    };
    let start = Instant::now();
    let runs: [&[&str]; 2] = [
        &["test", "-p", "ciphertoken-redis", "--test", "replicated"],
        &["test", "-p", "ciphertoken-gateway", "--test", "sentinel_gateways"],
    ];
    for run in runs {
        let status = Command::new(crate::cargo())
            .args(run)
            .args(["--", "--ignored", "--nocapture", "--test-threads", "1"])
            .env("CT_FAILOVER_ROUNDS", rounds.to_string())
            .current_dir(root)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo {} failed ({status})", run.join(" ")));
        }
    }
    println!("failover: {rounds} rounds per test in {:.0}s", start.elapsed().as_secs_f64());
    Ok(())
}
