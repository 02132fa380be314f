//! `cargo bench` entry: criterion timings of every case, then allocations per operation and
//! one markdown table (also written to `$CT_BENCH_TABLE` when set).
//!
//! `CT_BENCH_QUICK=1` shortens warm-up and measurement (the `cargo xtask bench --quick` mode).

use ciphertoken_benches::{
    allocations_per_op, cases, criterion_median, markdown_table, targets, CountingAlloc, Row,
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
    let dir = criterion_dir();
    std::env::set_var("CRITERION_HOME", &dir);
    let mut c = if quick {
        Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(900))
            .sample_size(20)
    } else {
        Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4))
    }
    .configure_from_args();

    let mut cases = cases();
    for case in &mut cases {
        let mut group = c.benchmark_group(case.group());
        group.bench_function(case.id, |b| b.iter(&mut case.run));
        group.finish();
    }
    c.final_summary();

    let mut rows = Vec::new();
    for case in &mut cases {
        let ns = criterion_median(&dir, &case.group(), case.id).unwrap_or(f64::NAN);
        let (allocs, bytes) = allocations_per_op(&mut case.run, 50);
        rows.push(Row {
            alg: case.alg,
            op: case.op,
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
    println!("\n{report}");
    if let Some(path) = std::env::var_os("CT_BENCH_TABLE") {
        std::fs::write(path, &report).expect("write the table");
    }
}
