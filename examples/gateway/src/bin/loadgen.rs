//! A bounded loopback load run against two gateways of one fleet (not part of CI).
//!
//! Half the connections hit gateway A, half gateway B, each `GET /api/hello` with a valid
//! access token (verification from the local mirror). Meanwhile one thread revokes tokens
//! on A at a steady rate and measures how long until B refuses each one (revocation
//! propagation: A's `/revoke` → Redis script → `XREAD BLOCK` on B → B's mirror), from the
//! moment the `/revoke` request is sent and from the moment A answered it.
//! CPU time of both gateway processes is read from `/proc/<pid>/stat`, to report verified
//! requests per second per core of gateway CPU.
//!
//!
//! With `--kill-pid PID --kill-at S` it sends SIGKILL to that process (the Redis primary)
//! S seconds into the run and reports the failover window as clients saw it: the span of
//! non-200 answers to valid tokens, their count, `/revoke` answers that were not 204
//! (retried every 20 ms until 204), and — after the run — every acknowledged (204)
//! revocation checked on both gateways (acknowledged-then-lost).
//!
//! ```text
//! loadgen --a 127.0.0.1:8081 --b 127.0.0.1:8082 --admin <GATEWAY_ADMIN_TOKEN> \
//!         [--seconds 10] [--connections 4] [--users 200] [--revoke-rate 20] [--redis-pid PID]
//!         [--kill-pid PID --kill-at SECONDS]
//! ```

use ciphertoken_gateway::Client;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    a: String,
    b: String,
    admin: String,
    seconds: u64,
    connections: usize,
    users: usize,
    revoke_rate: u64,
    redis_pid: Option<u32>,
    kill_pid: Option<u32>,
    kill_at: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --a ADDR --b ADDR --admin TOKEN [--seconds 1..=120] [--connections N] \
         [--users N] [--revoke-rate PER_S] [--redis-pid PID] [--kill-pid PID --kill-at S]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut o = Options {
        a: String::new(),
        b: String::new(),
        admin: String::new(),
        seconds: 10,
        connections: 4,
        users: 200,
        revoke_rate: 20,
        redis_pid: None,
        kill_pid: None,
        kill_at: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        let num = |v: &str| v.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--a" => o.a = value,
            "--b" => o.b = value,
            "--admin" => o.admin = value,
            "--seconds" => o.seconds = num(&value).clamp(1, 120),
            "--connections" => o.connections = num(&value).clamp(1, 256) as usize,
            "--users" => o.users = num(&value).clamp(1, 100_000) as usize,
            "--revoke-rate" => o.revoke_rate = num(&value).clamp(1, 1_000),
            "--redis-pid" => o.redis_pid = Some(num(&value) as u32),
            "--kill-pid" => o.kill_pid = Some(num(&value) as u32),
            "--kill-at" => o.kill_at = num(&value),
            _ => usage(),
        }
    }
    if o.a.is_empty() || o.b.is_empty() || o.admin.is_empty() {
        usage()
    }
    o
}

/// User + system CPU seconds of a process so far.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks_per_s = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name: state is field 3; utime 14, stime 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / ticks_per_s
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn login(client: &mut Client, sub: &str) -> String {
    let r = client.post("/login", None, &json!({ "sub": sub })).expect("login request");
    assert_eq!(r.status, 200, "login: {}", r.body);
    r.field("access").expect("access token")
}

fn main() {
    let o = options();
    let mut ca = Client::connect(&o.a).expect("connect to A");
    let mut cb = Client::connect(&o.b).expect("connect to B");
    let pid = |c: &mut Client| -> u32 {
        let h = c.get("/health", None).expect("health");
        assert_eq!(h.status, 200, "gateway not fresh: {}", h.body);
        h.json()["pid"].as_u64().expect("pid") as u32
    };
    let (pid_a, pid_b) = (pid(&mut ca), pid(&mut cb));

    let users: Arc<Vec<String>> =
        Arc::new((0..o.users).map(|i| login(&mut ca, &format!("load-{i}"))).collect());
    let revocations = (o.seconds * o.revoke_rate) as usize;
    let doomed: Vec<String> = (0..revocations).map(|i| login(&mut ca, &format!("doomed-{i}"))).collect();
    eprintln!("{} users and {} tokens to revoke logged in; running {} s", o.users, revocations, o.seconds);

    let cpu_before = [cpu_seconds(pid_a), cpu_seconds(pid_b), o.redis_pid.map_or(0.0, cpu_seconds)];
    let start = Instant::now();
    let deadline = start + Duration::from_secs(o.seconds);
    let failures = Arc::new(AtomicU64::new(0));
    // Non-200 answers to valid tokens: count, first and last (µs since start), 503s.
    let first_fail = Arc::new(AtomicU64::new(u64::MAX));
    let last_fail = Arc::new(AtomicU64::new(0));
    let unavailable = Arc::new(AtomicU64::new(0));
    let unauthorized = Arc::new(AtomicU64::new(0));

    let workers: Vec<_> = (0..o.connections)
        .map(|i| {
            let addr = if i % 2 == 0 { o.a.clone() } else { o.b.clone() };
            let (users, failures) = (users.clone(), failures.clone());
            let (first_fail, last_fail) = (first_fail.clone(), last_fail.clone());
            let (unavailable, unauthorized) = (unavailable.clone(), unauthorized.clone());
            std::thread::spawn(move || {
                let mut c = Client::connect(&addr).expect("worker connect");
                let mut latencies = Vec::with_capacity(1 << 20);
                let mut n = i.wrapping_mul(7919);
                while Instant::now() < deadline && latencies.len() < 50_000_000 {
                    let token = &users[n % users.len()];
                    n = n.wrapping_add(1);
                    let t = Instant::now();
                    let r = c.get("/api/hello", Some(token)).expect("request");
                    latencies.push(t.elapsed());
                    if r.status != 200 {
                        let at = start.elapsed().as_micros() as u64;
                        first_fail.fetch_min(at, Ordering::Relaxed);
                        last_fail.fetch_max(at, Ordering::Relaxed);
                        match r.status {
                            503 => unavailable.fetch_add(1, Ordering::Relaxed),
                            401 => unauthorized.fetch_add(1, Ordering::Relaxed),
                            _ => 0,
                        };
                        if failures.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!(
                                "first failure at {:.3} s on {addr}: {} {}",
                                at as f64 / 1e6,
                                r.status,
                                r.body
                            );
                        }
                    }
                }
                latencies
            })
        })
        .collect();

    let (a, b, admin, rate) = (o.a.clone(), o.b.clone(), o.admin.clone(), o.revoke_rate);
    // Through a failover B may fail closed (503) for a while before it refuses with 401.
    let bound = Duration::from_secs(if o.kill_pid.is_some() { 10 } else { 2 });
    let revoker = std::thread::spawn(move || {
        let mut ca = Client::connect(&a).expect("revoker connect A");
        let mut cb = Client::connect(&b).expect("revoker connect B");
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let (mut propagation, mut after_commit) = (Vec::new(), Vec::new());
        let mut missed = 0u32;
        let mut not_done = 0u32;
        let mut gave_up = 0u32;
        let mut acked = Vec::new();
        for (k, token) in doomed.iter().enumerate() {
            let at = start + interval * k as u32;
            if at >= deadline {
                break;
            }
            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let t0 = Instant::now();
            // A 503 (Redis down, failover, not durable) is never "done": retry, bounded.
            let mut r = ca.post("/revoke", Some(&admin), &json!({ "token": token })).expect("revoke");
            while r.status == 503 && t0.elapsed() < Duration::from_secs(10) {
                not_done += 1;
                std::thread::sleep(Duration::from_millis(20));
                r = ca.post("/revoke", Some(&admin), &json!({ "token": token })).expect("revoke");
            }
            if r.status != 204 {
                // Never acknowledged: not counted, not checked (it may or may not be applied).
                eprintln!("revoke not acknowledged after 10 s: {} {}", r.status, r.body);
                gave_up += 1;
                continue;
            }
            acked.push(token.clone());
            let committed = Instant::now();
            // Poll B until it refuses (bounded: 2 s, 10 s with a kill; 100 µs between probes).
            let refused = loop {
                let r = cb.get("/api/hello", Some(token)).expect("probe");
                if r.status == 401 {
                    break Some((t0.elapsed(), committed.elapsed()));
                }
                if t0.elapsed() > bound {
                    break None;
                }
                std::thread::sleep(Duration::from_micros(100));
            };
            match refused {
                Some((total, after)) => {
                    propagation.push(total);
                    after_commit.push(after);
                }
                None => missed += 1,
            }
        }
        (propagation, after_commit, missed, not_done, gave_up, acked)
    });
    let killer = o.kill_pid.map(|pid| {
        let at = start + Duration::from_secs(o.kill_at);
        std::thread::spawn(move || {
            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let ok = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
            eprintln!("kill -9 {pid} at {:.2} s: {ok:?}", start.elapsed().as_secs_f64());
            start.elapsed()
        })
    });

    let mut latencies: Vec<Duration> = workers.into_iter().flat_map(|w| w.join().expect("worker")).collect();
    let (mut propagation, mut after_commit, missed, not_done, gave_up, acked) =
        revoker.join().expect("revoker");
    let killed_at = killer.map(|k| k.join().expect("killer"));
    let wall = start.elapsed().as_secs_f64();
    let cpu_after = [cpu_seconds(pid_a), cpu_seconds(pid_b), o.redis_pid.map_or(0.0, cpu_seconds)];
    let gw_cpu = (cpu_after[0] - cpu_before[0]) + (cpu_after[1] - cpu_before[1]);
    let redis_cpu = cpu_after[2] - cpu_before[2];
    latencies.sort();
    propagation.sort();
    after_commit.sort();
    let failed = failures.load(Ordering::Relaxed);
    let verified = latencies.len() as u64 - failed;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!("machine: {cores} cores (load generator, both gateways and Redis share them), loopback");
    println!("duration {wall:.2} s, {} connections, {} users", o.connections, o.users);
    println!(
        "verified requests: {verified} ({failed} not 200) = {:.0} req/s in total",
        verified as f64 / wall
    );
    println!(
        "gateway CPU: A {:.2} s + B {:.2} s = {gw_cpu:.2} s -> {:.0} verified req/s per core",
        cpu_after[0] - cpu_before[0],
        cpu_after[1] - cpu_before[1],
        verified as f64 / gw_cpu.max(1e-9)
    );
    if o.redis_pid.is_some() {
        println!("redis CPU: {redis_cpu:.2} s");
    }
    println!(
        "latency (client-side, keep-alive): p50 {} p99 {} p99.9 {} max {}",
        ms(pct(&latencies, 50.0)),
        ms(pct(&latencies, 99.0)),
        ms(pct(&latencies, 99.9)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!(
        "revocation propagation A -> B ({} revocations at {}/s, {missed} not seen within 2 s): p50 {} p99 {} max {}",
        propagation.len(),
        o.revoke_rate,
        ms(pct(&propagation, 50.0)),
        ms(pct(&propagation, 99.0)),
        ms(propagation.last().copied().unwrap_or_default())
    );
    println!(
        "  of which after A's /revoke returned (Redis committed): p50 {} p99 {} max {}",
        ms(pct(&after_commit, 50.0)),
        ms(pct(&after_commit, 99.0)),
        ms(after_commit.last().copied().unwrap_or_default())
    );
    // Every acknowledged revocation is refused by both gateways (after a failover too).
    let mut lost = 0usize;
    for token in &acked {
        for c in [&mut ca, &mut cb] {
            if c.get("/api/hello", Some(token)).map_or(true, |r| r.status != 401) {
                lost += 1;
            }
        }
    }
    println!("revocations acknowledged (204): {}; then accepted by a gateway: {lost}", acked.len());
    for (name, c) in [("A", &mut ca), ("B", &mut cb)] {
        if let Ok(h) = c.get("/health", None) {
            let j = h.json();
            println!(
                "  gateway {name} at the end: {} fresh {} node {} node_changes {} resyncs {} reconnects {} sync_errors {} not_durable {}",
                h.status, j["fresh"], j["node"], j["node_changes"], j["resyncs"], j["reconnects"], j["sync_errors"], j["not_durable"]
            );
        }
    }

    if let Some(killed) = killed_at {
        let (first, last) = (first_fail.load(Ordering::Relaxed), last_fail.load(Ordering::Relaxed));
        let window = if first == u64::MAX {
            "none (no valid-token request failed)".to_owned()
        } else {
            format!(
                "{:.3} s to {:.3} s = {} ({:.0} ms after the kill to the last failure)",
                first as f64 / 1e6,
                last as f64 / 1e6,
                ms(Duration::from_micros(last - first)),
                (last as f64 / 1e3) - killed.as_secs_f64() * 1e3
            )
        };
        println!("primary killed at {:.2} s; client-visible window: {window}", killed.as_secs_f64());
        println!(
            "  valid-token answers not 200: {failed} (503 {}, 401 {}); /revoke answered 503 and retried: {not_done} \
             (given up after 10 s: {gave_up})",
            unavailable.load(Ordering::Relaxed),
            unauthorized.load(Ordering::Relaxed)
        );
        if lost > 0 || unauthorized.load(Ordering::Relaxed) > 0 || missed > 0 {
            std::process::exit(1);
        }
    } else if failed > 0 || missed > 0 || lost > 0 {
        std::process::exit(1);
    }
}
