//! dudect statistical timing tests (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
//! time?", 2017) with the `dudect-bencher` crate: each test times one operation on two
//! classes of inputs and reports Welch's t-statistic between the classes; |t| above 5 is
//! evidence of a timing difference (4.5 is the usual threshold). Run by
//! `cargo xtask ct --long` (minutes; not in CI). SECURITY.md publishes the figures.
//!
//! Tests: HMAC verification, a tag differing at byte 0 vs at byte 16, 31 or a random byte
//! (an early exit would show), and the correct tag vs one differing at byte 31 (the answer,
//! accepted or refused, is public and may differ); ES256 and Ed25519 signing with one fixed key vs a fresh random key each time;
//! the constant-time base64url decoder on a fixed vs random secret; and a negative control
//! (a plain `==` on slices, which must be caught).

use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{SigningKey, VerifyingKey};
use dudect_bencher::{ctbench_main, BenchRng, Class, CtRunner};
use rand::{Rng, RngCore};

const MESSAGE: &[u8] = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtNyIsImV4cCI6MTkwMDAwMDAwMH0";

/// Samples per HMAC test (about 1 µs each).
const HMAC_SAMPLES: usize = 2_000_000;
/// Samples per signing test (ES256 about 100-300 µs, Ed25519 about 30-60 µs each).
const SIGN_SAMPLES: usize = 100_000;

/// HMAC verification of two classes of tags. `left`/`right` give the byte position where
/// the tag differs from the correct one (`None`: the correct tag; `Some(usize::MAX)`: a
/// random position). An early-exit comparison would take longer the later the first
/// difference; correct vs wrong tags differ by design in the (public) answer only.
fn hmac_classes(runner: &mut CtRunner, rng: &mut BenchRng, left: Option<usize>, right: Option<usize>) {
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    let key = SigningKey::hs256(&secret).expect("key");
    let vk = VerifyingKey::hs256(&secret).expect("key");
    let mut tag = [0u8; 32];
    key.sign_raw(MESSAGE, &mut tag).expect("sign");
    let make = |rng: &mut BenchRng, at: Option<usize>| {
        let mut t = tag;
        if let Some(at) = at {
            let at = if at == usize::MAX { rng.gen_range(0..32) } else { at };
            t[at] ^= 1 << rng.gen_range(0..8);
        }
        t
    };
    let mut inputs = Vec::with_capacity(HMAC_SAMPLES);
    for _ in 0..HMAC_SAMPLES {
        if rng.gen::<bool>() {
            inputs.push((Class::Left, make(rng, left)));
        } else {
            inputs.push((Class::Right, make(rng, right)));
        }
    }
    for (class, t) in inputs {
        runner.run_one(class, || vk.verify_raw(MESSAGE, &t).is_ok());
    }
}

fn hmac_verify_differs_at_0_vs_16(runner: &mut CtRunner, rng: &mut BenchRng) {
    hmac_classes(runner, rng, Some(0), Some(16));
}
fn hmac_verify_differs_at_0_vs_31(runner: &mut CtRunner, rng: &mut BenchRng) {
    hmac_classes(runner, rng, Some(0), Some(31));
}
fn hmac_verify_differs_at_0_vs_random(runner: &mut CtRunner, rng: &mut BenchRng) {
    hmac_classes(runner, rng, Some(0), Some(usize::MAX));
}
fn hmac_verify_equal_vs_differs_at_31(runner: &mut CtRunner, rng: &mut BenchRng) {
    hmac_classes(runner, rng, None, Some(31));
}

/// Signing with one fixed key (Left) vs a different random key (Right); keys are made
/// before timing, only `sign_raw` is timed.
fn sign_fixed_vs_random(runner: &mut CtRunner, rng: &mut BenchRng, make: fn(&[u8]) -> SigningKey) {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let fixed = make(&seed);
    let mut inputs = Vec::with_capacity(SIGN_SAMPLES);
    for _ in 0..SIGN_SAMPLES {
        if rng.gen::<bool>() {
            inputs.push((Class::Left, fixed.clone()));
        } else {
            let mut s = [0u8; 32];
            rng.fill_bytes(&mut s);
            s[0] &= 0x7f; // a P-256 scalar below n
            s[31] |= 1; // never zero
            inputs.push((Class::Right, make(&s)));
        }
    }
    for (class, key) in inputs {
        runner.run_one(class, || {
            let mut sig = [0u8; 64];
            key.sign_raw(MESSAGE, &mut sig).map(|_| sig[0])
        });
    }
}

fn es256_sign_fixed_vs_random_key(runner: &mut CtRunner, rng: &mut BenchRng) {
    sign_fixed_vs_random(runner, rng, |s| {
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(s);
        scalar[0] &= 0x7f;
        scalar[31] |= 1;
        SigningKey::es256(&scalar).expect("scalar in range")
    });
}

fn ed25519_sign_fixed_vs_random_key(runner: &mut CtRunner, rng: &mut BenchRng) {
    sign_fixed_vs_random(runner, rng, |s| {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(s);
        seed[31] |= 1;
        SigningKey::ed25519(&seed).expect("seed")
    });
}

/// The constant-time decoder on a fixed secret text vs random secret texts of the same length.
fn base64ct_decode_fixed_vs_random(runner: &mut CtRunner, rng: &mut BenchRng) {
    let encode = |b: &[u8; 48]| {
        let mut t = [0u8; 64];
        ciphertoken::hazmat::base64ct::encode(b, &mut t).expect("encode");
        t
    };
    let mut fixed = [0u8; 48];
    rng.fill_bytes(&mut fixed);
    let fixed = encode(&fixed);
    let mut inputs = Vec::with_capacity(HMAC_SAMPLES);
    for _ in 0..HMAC_SAMPLES {
        if rng.gen::<bool>() {
            inputs.push((Class::Left, fixed));
        } else {
            let mut r = [0u8; 48];
            rng.fill_bytes(&mut r);
            inputs.push((Class::Right, encode(&r)));
        }
    }
    for (class, text) in inputs {
        runner.run_one(class, || {
            let mut out = [0u8; 48];
            ciphertoken::hazmat::base64ct::decode(&text, &mut out).map(|d| d[0])
        });
    }
}

/// Negative control: slice `==` stops at the first difference, so equal vs differing at
/// byte 0 of 512 must give a large |t|. Shows the measurement can see a leak on this host.
fn control_variable_time_eq(runner: &mut CtRunner, rng: &mut BenchRng) {
    let a = vec![0x5au8; 512];
    let mut inputs = Vec::with_capacity(HMAC_SAMPLES);
    for _ in 0..HMAC_SAMPLES {
        let mut b = a.clone();
        if rng.gen::<bool>() {
            inputs.push((Class::Left, b));
        } else {
            b[0] ^= 1;
            inputs.push((Class::Right, b));
        }
    }
    for (class, b) in inputs {
        runner.run_one(class, || core::hint::black_box(&a[..]) == core::hint::black_box(&b[..]));
    }
}

ctbench_main!(
    hmac_verify_differs_at_0_vs_16,
    hmac_verify_differs_at_0_vs_31,
    hmac_verify_differs_at_0_vs_random,
    hmac_verify_equal_vs_differs_at_31,
    es256_sign_fixed_vs_random_key,
    ed25519_sign_fixed_vs_random_key,
    base64ct_decode_fixed_vs_random,
    control_variable_time_eq
);
