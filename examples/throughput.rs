//! Gateway throughput: verify and validate N tokens across threads and report tokens per
//! second, in total and per core.
//!
//! ```text
//! cargo run --release --example throughput --features std -- [TOKENS] [THREADS] [hs256|es256|eddsa|all]
//! ```
//!
//! Each thread has its own scratch buffer and shares the keys and the validation policy
//! (they are plain values: no locks, no heap). The tokens are distinct (one `jti` and `sub`
//! each) and every verification checks the signature, `exp`, `iss` and `aud` against the
//! system clock, as a gateway would.

use ciphertoken::{sign, verify, Algorithm, Clock, SigningKey, SystemClock, Validation, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::time::Instant;

#[derive(Serialize, Deserialize)]
struct Claims<'a> {
    sub: &'a str,
    iss: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: &'a str,
    scope: &'a str,
}

const ISS: &str = "https://auth.example.com";
const AUD: &str = "gateway-eu1";
/// Distinct tokens in the working set (each thread cycles through them).
const DISTINCT: usize = 256;
const TOKEN_CAP: usize = ciphertoken::max_token_len(256);

fn keys(alg: Algorithm) -> Result<(SigningKey, VerifyingKey), ciphertoken::Error> {
    let sk = match alg {
        Algorithm::HS256 => SigningKey::hs256(b"throughput-example-secret-32-bytes!")?,
        Algorithm::ES256 => SigningKey::es256(&[0x5a; 32])?,
        _ => SigningKey::ed25519(&[0x42; 32])?,
    };
    let vk = sk.verifying_key();
    Ok((sk, vk))
}

fn tokens(sk: &SigningKey) -> Result<Vec<([u8; TOKEN_CAP], usize)>, ciphertoken::Error> {
    let now = SystemClock.now()?;
    (0..DISTINCT)
        .map(|i| {
            let sub = format!("device-{i:08x}");
            let jti = format!("01J9Z3K8Q9R2T5V7W1Y4{i:06}");
            let claims = Claims {
                sub: &sub,
                iss: ISS,
                aud: AUD,
                iat: now,
                exp: now + 3600,
                jti: &jti,
                scope: "telemetry:write config:read",
            };
            let mut buf = [0u8; TOKEN_CAP];
            let len = sign(sk, &claims, &mut buf)?.len();
            Ok((buf, len))
        })
        .collect()
}

/// This thread's CPU time in ns, from Linux's `/proc/thread-self/schedstat` (None elsewhere):
/// on a shared machine it leaves out the time other processes had the core.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Verifies `n` tokens on each of `threads` threads; returns the elapsed seconds and the
/// threads' total CPU seconds (if the platform tells).
fn run(
    vk: &VerifyingKey,
    tokens: &[([u8; TOKEN_CAP], usize)],
    n: usize,
    threads: usize,
) -> (f64, Option<f64>) {
    let validation = Validation::new().issuer(ISS).audience(AUD).leeway(30);
    let start = Instant::now();
    let cpu: Vec<Option<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let validation = &validation;
                s.spawn(move || {
                    let cpu_start = thread_cpu_ns();
                    let mut scratch = [0u8; ciphertoken::verify_scratch_len(TOKEN_CAP)];
                    let mut scopes = 0usize;
                    for i in 0..n {
                        let (buf, len) = &tokens[(i + t * 31) % tokens.len()];
                        let ok =
                            verify::<Claims<'_>, _>(&buf[..*len], vk, validation, &SystemClock, &mut scratch)
                                .expect("a valid token");
                        scopes += ok.claims().scope.len();
                    }
                    assert!(scopes > 0);
                    Some(thread_cpu_ns()?.saturating_sub(cpu_start?))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a verifying thread")).collect()
    });
    let cpu_secs = cpu.into_iter().sum::<Option<u64>>().map(|ns| ns as f64 / 1e9);
    (start.elapsed().as_secs_f64(), cpu_secs)
}

fn main() -> Result<(), ciphertoken::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(cores).max(1);
    let which = args.get(2).map(String::as_str).unwrap_or("all");
    let algs: Vec<Algorithm> = match which {
        "hs256" => vec![Algorithm::HS256],
        "es256" => vec![Algorithm::ES256],
        "eddsa" => vec![Algorithm::EdDSA],
        _ => vec![Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA],
    };
    println!("{threads} thread(s) on {cores} core(s)");
    println!("| alg | tokens | threads | seconds | tokens/s | tokens/s per core | CPU µs/token |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for alg in algs {
        let (sk, vk) = keys(alg)?;
        let set = tokens(&sk)?;
        // Public-key verification is ~100x slower than HMAC: scale the count down.
        let n = if alg.is_hmac() { total } else { (total / 50).max(threads) };
        let per_thread = n.div_ceil(threads);
        run(&vk, &set, per_thread.min(1000), threads); // warm up
        let (secs, cpu) = run(&vk, &set, per_thread, threads);
        let done = per_thread * threads;
        let rate = done as f64 / secs;
        let busy = threads.min(cores) as f64;
        // Per core: wall-clock rate over the busy cores; CPU time per token when known (on a
        // machine shared with other work, the CPU figure is the one that transfers).
        let cpu_per_token = cpu.map_or("n/a".to_string(), |c| format!("{:.2}", c * 1e6 / done as f64));
        println!(
            "| {alg} | {done} | {threads} | {secs:.3} | {rate:.0} | {:.0} | {cpu_per_token} |",
            rate / busy
        );
    }
    Ok(())
}
