//! `cargo bench` entry: criterion timings (in thread CPU time) of every case, then allocations
//! per operation and one markdown table (also written to `$CT_BENCH_TABLE` when set).
//!
//! `CT_BENCH_QUICK=1` (the `cargo xtask bench --quick` mode) replaces criterion with an
//! interleaved harness: 41 rounds, each timing a ~4 ms batch of every library of a comparison
//! in turn, in thread CPU time, medians per library. Seconds instead of minutes, and fair on a
//! busy machine.
//!
//! `CT_BENCH_OPENSSL=1` adds OpenSSL's own RSA verify rate (`openssl speed -seconds 3 rsa2048
//! rsa4096`, about 12 s, run after the timings) beside ciphertoken's, with the issue-10 budget.

use ciphertoken_benches::{
    allocations_per_op, cases, criterion_median, interleaved, markdown_table, openssl_lines, targets, Case,
    CountingAlloc, Row, ThreadCpuTime,
};
use criterion::Criterion;
use std::path::PathBuf;
use std::time::Duration;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

fn main() {
    let quick = std::env::var_os("CT_BENCH_QUICK").is_some_and(|v| v == "1");
    let mut cases = cases();
    let mut medians: Vec<f64> = Vec::with_capacity(cases.len());
    if quick {
        // Interleaved rounds per comparison (see `interleaved`): robust ratios in seconds.
        let groups: Vec<String> = cases.iter().map(|c| c.group()).collect();
        let mut ns = vec![f64::NAN; cases.len()];
        let mut done: Vec<String> = Vec::new();
        for g in &groups {
            if done.contains(g) {
                continue;
            }
            done.push(g.clone());
            let idx: Vec<usize> = (0..cases.len()).filter(|&i| &groups[i] == g).collect();
            let mut members: Vec<&mut Case> = cases.iter_mut().filter(|c| &c.group() == g).collect();
            eprintln!("{g}: {} cases, interleaved", members.len());
            let m = interleaved(&mut members, 41, Duration::from_millis(4));
            for (i, v) in idx.into_iter().zip(m) {
                ns[i] = v;
            }
        }
        medians = ns;
    } else {
        let dir = criterion_dir();
        std::env::set_var("CRITERION_HOME", &dir);
        let mut c = Criterion::default()
            .with_measurement(ThreadCpuTime)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .configure_from_args();
        for case in &mut cases {
            let mut group = c.benchmark_group(case.group());
            group.bench_function(case.id, |b| b.iter(&mut case.run));
            group.finish();
        }
        c.final_summary();
        for case in &cases {
            medians.push(criterion_median(&dir, &case.group(), case.id).unwrap_or(f64::NAN));
        }
    }

    let mut rows = Vec::new();
    for (case, ns) in cases.iter_mut().zip(medians) {
        let (allocs, bytes) = allocations_per_op(&mut case.run, 50);
        rows.push(Row {
            alg: case.alg,
            op: case.op,
            id: case.id.to_string(),
            label: case.label.to_string(),
            kind: case.kind,
            ns,
            allocs,
            bytes,
        });
    }
    let mut report = markdown_table(&rows);
    report.push('\n');
    for line in targets(&rows) {
        report.push_str(&format!("- {line}\n"));
    }
    // `CT_BENCH_OPENSSL=1`: OpenSSL's own figures (`openssl speed`), after the timings.
    if std::env::var_os("CT_BENCH_OPENSSL").is_some_and(|v| v == "1") {
        match openssl_lines(&rows) {
            Some(lines) => {
                for line in lines {
                    report.push_str(&format!("- {line}\n"));
                }
            }
            None => report.push_str("- openssl speed: could not run `openssl`\n"),
        }
    }
    println!("\n{report}");
    if let Some(path) = std::env::var_os("CT_BENCH_TABLE") {
        std::fs::write(path, &report).expect("write the table");
    }
}
