//! ciphertoken on a microcontroller, under QEMU.
//!
//! Signs and verifies HS256, ES256 and EdDSA tokens against a `MonotonicClock` over the
//! board's tick counter (SysTick on Cortex-M, the CLINT's `mtime` on RISC-V) anchored to a
//! Unix time, checks that a tampered token, an expired token and a token for another
//! algorithm are refused with the right errors; verifies RS256 and PS256 tokens made by PyJWT
//! with a 2048-bit key, directly and through a provider-shaped JWK Set (features `rsa` and
//! `jwk`, verify only); and prints for each operation its stack high-water mark and
//! instruction count, next to the primitive's own where there is one (the same crypto crate
//! called directly on the same signing input). Exits through semihosting: status 0 only if
//! every check held; a panic, a fault or a stack overflow exits with status 1.
//!
//! Run with `cargo xtask qemu` (see docs/embedded-rust.md).
#![no_std]
#![no_main]

/// Prints a line through semihosting.
macro_rules! println {
    () => {
        $crate::board::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {{
        $crate::board::print(format_args!($($arg)*));
        $crate::board::print(format_args!("\n"));
    }};
}

#[cfg(target_arch = "arm")]
#[path = "board_arm.rs"]
mod board;
#[cfg(target_arch = "riscv32")]
#[path = "board_riscv.rs"]
mod board;

#[cfg(all(feature = "es256", board = "mps2-an386"))]
mod es256_checks;
mod measure;
mod primitive;
#[cfg(feature = "rsa")]
mod rsa_checks;
#[cfg(feature = "rsa")]
mod rsa_fixtures;
#[cfg(feature = "es256")]
mod se_sim;
#[cfg(all(feature = "es256", board = "mps2-an386"))]
mod wycheproof_p256;

use ciphertoken::{
    sign, verify, verify_registered, Clock, Error, MonotonicClock, SigningKey, Ticks, Validation,
    VerifyingKey,
};
use core::fmt;
// The RTT transport behind `defmt::info!` (the `defmt` feature).
#[cfg(feature = "defmt")]
use defmt_rtt as _;
use measure::{measure, Calibration, Cost};
use primitive::Primitive;
use serde::{Deserialize, Serialize};

/// The Unix time the device learns at boot (from a gateway, NTP, GNSS...):
/// 2026-01-01T00:00:00Z.
const ANCHOR_UNIX: u64 = 1_767_225_600;

/// Longest claims JSON this firmware signs: sizes every buffer at compile time.
const CLAIMS_MAX: usize = 160;
const TOKEN_MAX: usize = ciphertoken::max_token_len(CLAIMS_MAX);
const SCRATCH_LEN: usize = ciphertoken::verify_scratch_len(TOKEN_MAX);

const HS256_SECRET: &[u8; 32] = b"device-7 shared secret, 32 bytes";
/// RFC 6979 A.2.5's P-256 private key.
const ES256_SCALAR: [u8; 32] = [
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93, 0x4e,
    0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
];
/// RFC 8032 §7.1 test 1's Ed25519 seed.
const ED25519_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44,
    0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

#[derive(Serialize, Deserialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    scope: &'a str,
}

impl<'a> Claims<'a> {
    fn issued_at(now: u64, lifetime: u64) -> Claims<'a> {
        Claims {
            iss: "device-7",
            sub: "sensor-42",
            aud: "gateway",
            iat: now,
            exp: now + lifetime,
            scope: "telemetry:write",
        }
    }
}

fn validation() -> Validation<'static> {
    Validation::new().issuer("device-7").audience("gateway").leeway(30)
}

/// The board's tick counter: SysTick (24 bits, extended to 64 by its wrap interrupt) on
/// Cortex-M, `mtime` on RISC-V.
struct BoardTicks;

impl Ticks for BoardTicks {
    fn ticks(&self) -> u64 {
        board::ticks()
    }
}

type DeviceClock = MonotonicClock<BoardTicks>;

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn main() -> ! {
    board::exit(run())
}

#[cfg(target_arch = "riscv32")]
#[riscv_rt::entry]
fn main() -> ! {
    board::exit(run())
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("FAIL: panic: {}", info);
    board::exit(false)
}

/// Counts checks and prints each one.
#[derive(Default)]
struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, what: fmt::Arguments<'_>, ok: bool) -> bool {
        if ok {
            self.passed += 1;
            println!("PASS {}", what);
        } else {
            self.failed += 1;
            println!("FAIL {}", what);
        }
        ok
    }

    /// Checks that `result` is the error `expected`.
    fn refused<T>(&mut self, what: &str, result: Result<T, Error>, expected: Error) {
        #[cfg(feature = "defmt")]
        if let Err(e) = &result {
            defmt::info!("{=str}: refused with {}", what, e);
        }
        match result {
            Err(e) if e == expected => self.check(format_args!("{what} -> {e:?}"), true),
            Err(e) => self.check(format_args!("{what} -> {e:?}, expected {expected:?}"), false),
            Ok(_) => self.check(format_args!("{what} was accepted, expected {expected:?}"), false),
        };
    }

    /// Records a measurement, failing the run if the stack may have overflowed.
    fn cost(&mut self, what: &str, cost: Option<Cost>) -> Cost {
        match cost {
            Some(c) => c,
            None => {
                self.check(format_args!("{what}: stack overflow (painted stack used up)"), false);
                Cost::default()
            }
        }
    }
}

/// One row of the cost table.
#[derive(Clone, Copy)]
struct Row {
    what: &'static str,
    library: Cost,
    primitive: Option<Cost>,
}

/// Rows the firmware measures: 4 per signing algorithm (12), 4 for RS256/PS256, 3 for the
/// JWK Set. Sized by the features, so builds without RSA keep the stack they had.
const TABLE_ROWS: usize = 12
    + if cfg!(feature = "rsa") { 4 } else { 0 }
    + if cfg!(all(feature = "rsa", feature = "jwk")) { 3 } else { 0 };

struct Table {
    rows: [Option<Row>; TABLE_ROWS],
    len: usize,
}

impl Table {
    /// Built in place (a constant), not on the stack and then copied.
    const EMPTY: Table = Table { rows: [None; TABLE_ROWS], len: 0 };

    fn push(&mut self, row: Row) {
        if let Some(slot) = self.rows.get_mut(self.len) {
            *slot = Some(row);
            self.len += 1;
        }
    }

    #[inline(never)]
    fn print(&self, cal: &Calibration) {
        println!("| operation | stack (B) | instructions | primitive alone: stack (B) | instructions | library overhead |");
        println!("|---|---:|---:|---:|---:|---:|");
        for row in self.rows.iter().flatten() {
            let lib = cal.instructions(row.library.ticks);
            match row.primitive {
                Some(p) => {
                    let prim = cal.instructions(p.ticks);
                    println!(
                        "| {} | {} | {} | {} | {} | {} |",
                        row.what,
                        row.library.stack,
                        lib,
                        p.stack,
                        prim,
                        Overhead { library: lib, primitive: prim }
                    );
                }
                None => println!("| {} | {} | {} | | | |", row.what, row.library.stack, lib),
            }
        }
    }
}

/// `+N (+P.P %)`: the library's instructions beyond the primitive's.
struct Overhead {
    library: u64,
    primitive: u64,
}

impl fmt::Display for Overhead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, diff) = if self.library >= self.primitive {
            ('+', self.library - self.primitive)
        } else {
            ('-', self.primitive - self.library)
        };
        let permille = diff * 1000 / self.primitive.max(1);
        write!(f, "{sign}{diff} ({sign}{}.{} %)", permille / 10, permille % 10)
    }
}

fn run() -> bool {
    board::init();
    measure::init();
    let cal = Calibration::measure();
    let (bottom, top) = board::stack_bounds();
    println!("ciphertoken firmware on {}", board::BOARD);
    println!(
        "buffers: token {TOKEN_MAX} B (max_token_len({CLAIMS_MAX})), verify scratch {SCRATCH_LEN} B (verify_scratch_len)"
    );
    println!(
        "stack: {} B between {:#010x} and {:#010x}; calibration: {} instructions in {} ticks",
        top - bottom,
        bottom,
        top,
        cal.instructions,
        cal.ticks
    );

    let mut checks = Checks::default();
    // Under -icount shift=0 a tick is a fixed number of instructions (40 on mps2-an386).
    let per_tick_x100 = cal.instructions * 100 / cal.ticks;
    checks.check(
        format_args!(
            "tick counter runs: {}.{:02} instructions per tick ({} expected at -icount shift=0)",
            per_tick_x100 / 100,
            per_tick_x100 % 100,
            1_000_000_000 / board::TICKS_PER_SECOND
        ),
        (100..=1_000_000).contains(&per_tick_x100),
    );

    let mut clock = MonotonicClock::new(BoardTicks, board::TICKS_PER_SECOND);
    checks.refused("clock before sync", clock.now(), Error::TimeUnavailable);
    clock.sync(ANCHOR_UNIX);
    println!(
        "clock: MonotonicClock over the tick counter ({} ticks/s), synced to {}",
        board::TICKS_PER_SECOND,
        ANCHOR_UNIX
    );

    let mut table = Table::EMPTY;
    sign_and_verify(&mut checks, &mut table, &clock);
    #[cfg(feature = "es256")]
    se_sim::run(&mut checks, &clock, &cal);
    #[cfg(feature = "rsa")]
    {
        rsa_checks::print_buffers();
        rsa_checks::rs256(&mut checks, &mut table, &clock);
        rsa_checks::ps256(&mut checks, &mut table, &clock);
    }
    #[cfg(all(feature = "rsa", feature = "jwk"))]
    rsa_checks::jwks(&mut checks, &mut table, &clock);
    #[cfg(all(feature = "es256", board = "mps2-an386"))]
    {
        es256_checks::wycheproof(&mut checks);
        es256_checks::differential(&mut checks);
    }
    #[cfg(all(feature = "hs", feature = "eddsa"))]
    algorithm_confusion(&mut checks, &clock);
    #[cfg(feature = "hs")]
    resync(&mut checks, &mut clock);

    println!();
    table.print(&cal);
    println!();
    let d = measure::deepest();
    checks.check(
        format_args!(
            "deepest stack use of the whole run: {} B of {} B (harness frames above a measured call: up to {} B)",
            d.used, d.size, d.harness
        ),
        d.used < d.size,
    );
    println!("RESULT: {} checks passed, {} failed", checks.passed, checks.failed);
    checks.failed == 0
}

// One function per algorithm, out of line, so only one algorithm's keys are on the stack.

/// The algorithms the device signs with, sharing one set of buffers (which are off the
/// stack once they are done: the RSA checks that follow bring their own).
#[inline(never)]
fn sign_and_verify(checks: &mut Checks, table: &mut Table, clock: &DeviceClock) {
    let mut bufs = Buffers { token: [0; TOKEN_MAX], other: [0; TOKEN_MAX], scratch: [0; SCRATCH_LEN] };
    #[cfg(feature = "hs")]
    hs256(checks, table, &mut bufs, clock);
    #[cfg(feature = "es256")]
    es256(checks, table, &mut bufs, clock);
    #[cfg(feature = "eddsa")]
    eddsa(checks, table, &mut bufs, clock);
}

#[cfg(feature = "hs")]
#[inline(never)]
fn hs256(checks: &mut Checks, table: &mut Table, bufs: &mut Buffers, clock: &DeviceClock) {
    let (key, cost) = measure(|| SigningKey::hs256(HS256_SECRET));
    exercise(checks, table, bufs, "HS256", key, cost, &primitive::Hs256::new(HS256_SECRET), clock);
}

#[cfg(feature = "es256")]
#[inline(never)]
fn es256(checks: &mut Checks, table: &mut Table, bufs: &mut Buffers, clock: &DeviceClock) {
    let (key, cost) = measure(|| SigningKey::es256(&ES256_SCALAR));
    exercise(checks, table, bufs, "ES256", key, cost, &primitive::Es256::new(&ES256_SCALAR), clock);
}

#[cfg(feature = "eddsa")]
#[inline(never)]
fn eddsa(checks: &mut Checks, table: &mut Table, bufs: &mut Buffers, clock: &DeviceClock) {
    let (key, cost) = measure(|| SigningKey::ed25519(&ED25519_SEED));
    exercise(checks, table, bufs, "EdDSA", key, cost, &primitive::Ed25519::new(&ED25519_SEED), clock);
    #[cfg(all(feature = "salty", board = "mps2-an386"))]
    salty_comparison(checks, &bufs.token);
}

/// Issue 15: `salty` against `ed25519-compact` on the same message (the EdDSA token's bytes),
/// same signature required; stack and instructions of each, printed (calibrated ticks × 40).
#[cfg(all(feature = "salty", board = "mps2-an386"))]
#[inline(never)]
fn salty_comparison(checks: &mut Checks, message: &[u8]) {
    let compact = primitive::Ed25519::new(&ED25519_SEED);
    let (pair, key_cost) = measure(|| salty::Keypair::from(&ED25519_SEED));
    let (sig, sign_cost) = measure(|| pair.sign(message).to_bytes());
    let (ok, verify_cost) = measure(|| pair.public.verify(message, &salty::Signature::from(&sig)).is_ok());
    let mut want = [0u8; 64];
    let (_, c_sign) = measure(|| primitive::Primitive::sign(&compact, message, &mut want));
    let (c_ok, c_verify) = measure(|| primitive::Primitive::verify(&compact, message, &want));
    checks.check(
        format_args!("salty: same Ed25519 signature as ed25519-compact, and it verifies"),
        sig == want && ok && c_ok,
    );
    let cal = Calibration::measure();
    println!("| Ed25519 on {} B (primitive alone) | salty: stack (B) | instructions | ed25519-compact: stack (B) | instructions |", message.len());
    println!("|---|---:|---:|---:|---:|");
    let cell = |c: Option<Cost>| c.map_or((0, 0), |c| (c.stack, cal.instructions(c.ticks)));
    let (ks, ki) = cell(key_cost);
    println!("| key from seed | {ks} | {ki} | | |");
    for (op, a, b) in [("sign", sign_cost, c_sign), ("verify", verify_cost, c_verify)] {
        let ((sa, ia), (sb, ib)) = (cell(a), cell(b));
        println!("| {op} | {sa} | {ia} | {sb} | {ib} |");
    }
}

/// The caller's buffers, sized at compile time and shared by all algorithms.
struct Buffers {
    token: [u8; TOKEN_MAX],
    other: [u8; TOKEN_MAX],
    scratch: [u8; SCRATCH_LEN],
}

/// Key setup, sign, verify (with serde claims and registered claims only), a tampered
/// token, an expired token, and the primitive alone on the same signing input.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn exercise(
    checks: &mut Checks,
    table: &mut Table,
    bufs: &mut Buffers,
    alg: &'static str,
    key: Result<SigningKey, Error>,
    key_cost: Option<Cost>,
    primitive: &dyn Primitive,
    clock: &DeviceClock,
) {
    let key_cost = checks.cost("key", key_cost);
    let key = match key {
        Ok(key) => key,
        Err(e) => {
            checks.check(format_args!("{alg} key: {e:?}"), false);
            return;
        }
    };
    let vk = key.verifying_key();
    let names = Names::for_alg(alg);
    table.push(Row { what: names.key, library: key_cost, primitive: None });

    let Ok(now) = clock.now() else {
        checks.check(format_args!("{alg}: clock not synced"), false);
        return;
    };
    let Buffers { token: out, other, scratch } = bufs;
    let claims = Claims::issued_at(now, 600);
    let (token, sign_cost) = measure(|| sign(&key, &claims, out));
    let sign_cost = checks.cost(names.sign, sign_cost);
    let token = match token {
        Ok(token) => token,
        Err(e) => {
            checks.check(format_args!("{alg} sign: {e:?}"), false);
            return;
        }
    };
    checks.check(format_args!("{alg} sign: {} B token", token.len()), true);

    let v = validation();
    let (verified, verify_cost) = measure(|| verify::<Claims<'_>, _>(token, &vk, &v, clock, scratch));
    let verify_cost = checks.cost(names.verify, verify_cost);
    match verified {
        Ok(ok) => {
            let c = ok.claims();
            let same = c.sub == claims.sub && c.exp == claims.exp && c.scope == claims.scope;
            checks.check(format_args!("{alg} verify: sub={} exp={} scope={}", c.sub, c.exp, c.scope), same);
        }
        Err(e) => {
            checks.check(format_args!("{alg} verify: {e:?}"), false);
        }
    }

    let (registered, registered_cost) = measure(|| verify_registered(token, &vk, &v, clock, scratch));
    let registered_cost = checks.cost(names.verify_registered, registered_cost);
    let ok = matches!(registered, Ok((_, r, _)) if r.exp == Some(claims.exp) && r.iat == Some(now));
    checks.check(format_args!("{alg} verify_registered: exp and iat as signed"), ok);

    // The primitive alone, on the same signing input: same signature (all three algorithms
    // are deterministic), and its cost for comparison.
    let signing_input = token.rsplit_once('.').map_or("", |(input, _)| input);
    let mut raw = [0u8; 64];
    let (raw_len, prim_sign) = measure(|| primitive.sign(signing_input.as_bytes(), &mut raw));
    let prim_sign = checks.cost("primitive sign", prim_sign);
    let raw = raw.get(..raw_len).unwrap_or(&[]);
    let mut encoded = [0u8; 86];
    let same = matches!(ciphertoken::hazmat::base64url::encode(raw, &mut encoded),
        Ok(n) if token.rsplit_once('.').map(|(_, s)| s.as_bytes()) == encoded.get(..n));
    checks.check(format_args!("{alg} signature equals the primitive's"), same);
    let (prim_ok, prim_verify) = measure(|| primitive.verify(signing_input.as_bytes(), raw));
    let prim_verify = checks.cost("primitive verify", prim_verify);
    checks.check(format_args!("{alg} primitive verifies the token's signature"), prim_ok);

    table.push(Row { what: names.sign, library: sign_cost, primitive: Some(prim_sign) });
    table.push(Row { what: names.verify, library: verify_cost, primitive: Some(prim_verify) });
    table.push(Row { what: names.verify_registered, library: registered_cost, primitive: Some(prim_verify) });

    // A tampered payload: one base64url character changed in the middle (still canonical).
    let tampered = tamper(token, other);
    checks.refused(
        names.tampered,
        verify_registered(tampered, &vk, &v, clock, scratch),
        Error::InvalidSignature,
    );

    // A token that expired 50 minutes ago (signed an hour ago with a 10-minute lifetime).
    let old = Claims::issued_at(now - 3600, 600);
    match sign(&key, &old, other) {
        Ok(expired) => {
            let result = verify::<Claims<'_>, _>(expired, &vk, &v, clock, scratch);
            checks.refused(names.expired, result, Error::Expired);
        }
        Err(e) => {
            checks.check(format_args!("{alg} sign expired token: {e:?}"), false);
        }
    }
}

/// Row and check labels per algorithm (static, so the table can keep them).
struct Names {
    key: &'static str,
    sign: &'static str,
    verify: &'static str,
    verify_registered: &'static str,
    tampered: &'static str,
    expired: &'static str,
}

impl Names {
    fn for_alg(alg: &str) -> Names {
        match alg {
            "HS256" => Names {
                key: "HS256 key setup",
                sign: "HS256 sign",
                verify: "HS256 verify",
                verify_registered: "HS256 verify_registered",
                tampered: "HS256 tampered payload",
                expired: "HS256 expired token",
            },
            "ES256" => Names {
                key: "ES256 key setup",
                sign: "ES256 sign",
                verify: "ES256 verify",
                verify_registered: "ES256 verify_registered",
                tampered: "ES256 tampered payload",
                expired: "ES256 expired token",
            },
            _ => Names {
                key: "EdDSA key setup",
                sign: "EdDSA sign",
                verify: "EdDSA verify",
                verify_registered: "EdDSA verify_registered",
                tampered: "EdDSA tampered payload",
                expired: "EdDSA expired token",
            },
        }
    }
}

/// Copies `token` into `buf` with one payload character changed.
fn tamper<'b>(token: &str, buf: &'b mut [u8]) -> &'b [u8] {
    let bytes = token.as_bytes();
    let Some(copy) = buf.get_mut(..bytes.len()) else {
        return &[];
    };
    copy.copy_from_slice(bytes);
    let first_dot = bytes.iter().position(|&b| b == b'.').unwrap_or(0);
    let second_dot = bytes.iter().rposition(|&b| b == b'.').unwrap_or(0);
    let middle = first_dot + (second_dot - first_dot) / 2;
    if let Some(c) = copy.get_mut(middle) {
        *c = if *c == b'A' { b'B' } else { b'A' };
    }
    copy
}

/// A token for one algorithm presented with another algorithm's key is refused before any
/// signature check (RFC 8725 §3.1).
#[cfg(all(feature = "hs", feature = "eddsa"))]
#[inline(never)]
fn algorithm_confusion(checks: &mut Checks, clock: &DeviceClock) {
    let (Ok(hs), Ok(ed)) = (SigningKey::hs256(HS256_SECRET), VerifyingKey::ed25519(&ED25519_PUBLIC)) else {
        checks.check(format_args!("algorithm confusion: keys"), false);
        return;
    };
    let Ok(now) = clock.now() else { return };
    let mut out = [0u8; TOKEN_MAX];
    let mut scratch = [0u8; SCRATCH_LEN];
    let result = sign(&hs, &Claims::issued_at(now, 600), &mut out)
        .and_then(|token| verify_registered(token, &ed, &validation(), clock, &mut scratch));
    checks.refused("HS256 token with an EdDSA key", result, Error::AlgorithmMismatch);
}

/// RFC 8032 §7.1 test 1's public key (of [`ED25519_SEED`]).
#[cfg(feature = "eddsa")]
const ED25519_PUBLIC: [u8; 32] = [
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e,
    0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
];

/// The clock re-synced an hour ahead (a late NTP answer) expires a fresh token; synced back
/// it holds its time instead of going backwards, so the token stays expired.
#[cfg(feature = "hs")]
#[inline(never)]
fn resync(checks: &mut Checks, clock: &mut DeviceClock) {
    let (Ok(key), Ok(now)) = (SigningKey::hs256(HS256_SECRET), clock.now()) else {
        checks.check(format_args!("re-sync: key or clock"), false);
        return;
    };
    let vk = key.verifying_key();
    let mut out = [0u8; TOKEN_MAX];
    let Ok(token) = sign(&key, &Claims::issued_at(now, 600), &mut out) else {
        checks.check(format_args!("re-sync: sign"), false);
        return;
    };
    let mut scratch = [0u8; SCRATCH_LEN];
    clock.sync(now + 3600);
    checks.refused(
        "fresh token after the clock is re-synced +1 h",
        verify_registered(token, &vk, &validation(), &*clock, &mut scratch),
        Error::Expired,
    );
    clock.sync(now);
    let held = clock.now().is_ok_and(|t| t >= now + 3600);
    checks.check(format_args!("clock re-synced backwards holds its time"), held);
    checks.refused(
        "fresh token after re-sync backwards",
        verify_registered(token, &vk, &validation(), &*clock, &mut scratch),
        Error::Expired,
    );
}
