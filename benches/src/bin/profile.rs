//! Runs one case in a loop, for `perf record`: `profile GROUP ID [SECONDS]`,
//! e.g. `profile HS256_verify ciphertoken 5`. Prints ns/op. With `ITERATIONSx` instead of
//! seconds (e.g. `20000x`) it runs exactly that many operations, for `perf stat`.

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (group, id) = (args.first().expect("GROUP"), args.get(1).expect("ID"));
    let arg = args.get(2).map(String::as_str).unwrap_or("3");
    let mut cases = ciphertoken_benches::cases();
    let case = cases.iter_mut().find(|c| &c.group() == group && c.id == id).expect("no such case");
    if let Some(n) = arg.strip_suffix('x').and_then(|n| n.parse::<u64>().ok()) {
        for _ in 0..n {
            std::hint::black_box((case.run)());
        }
        return;
    }
    let secs: f64 = arg.parse().unwrap_or(3.0);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut n = 0u64;
    while Instant::now() < deadline {
        for _ in 0..100 {
            std::hint::black_box((case.run)());
        }
        n += 100;
    }
    println!("{group}/{id}: {:.0} ns/op", start.elapsed().as_nanos() as f64 / n as f64);
}
