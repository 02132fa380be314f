//! Proves that signing and verifying make no heap allocation: a counting global allocator
//! (in this test binary only) counts every allocation made by the current thread while a
//! measured closure runs, and the test fails on any.
//!
//! Note: this binary is built with the dev-dependencies' feature unification (e.g. `p256`
//! with `std`/`alloc` enabled for `jsonwebtoken`), which can only add allocation paths; the
//! core never depends on `alloc` itself (checked by `cargo xtask test` on a bare-metal
//! target).
#![cfg(all(feature = "hs", feature = "es256", feature = "eddsa"))]

mod common;

use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{
    sign, sign_json, token_len, verify, verify_registered, verify_selecting_key, Algorithm, Error,
    FixedClock, NoClock, SigningKey, Validation, VerifyingKey,
};
use common::{key_material, ALGS, NOW};
use serde::{Deserialize, Serialize};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // `const` thread-locals without destructors need no lazy registration, so touching them
    // from inside the allocator cannot recurse into it.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: during thread teardown the slots may be gone; those allocations are not ours.
    let _ = MEASURING.try_with(|m| {
        if m.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY (test-only wrapper): every method forwards to the system allocator unchanged and
// only bumps a thread-local counter, which itself never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as ours, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the number of heap operations (alloc, realloc,
/// dealloc) this thread made meanwhile.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    COUNT.with(|c| c.set(0));
    MEASURING.with(|m| m.set(true));
    let r = f();
    MEASURING.with(|m| m.set(false));
    (r, COUNT.with(Cell::get))
}

#[track_caller]
fn assert_no_alloc<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let (r, n) = count(f);
    assert_eq!(n, 0, "{what}: {n} heap operation(s)");
    r
}

#[test]
fn the_counter_sees_allocations() {
    let (b, n) = count(|| Box::new(42u64));
    assert!(n >= 1, "a Box allocation was not counted");
    assert_eq!(*b, 42);
    let ((), n) = count(|| drop(b));
    assert!(n >= 1, "a deallocation was not counted");
    let (v, n) = count(|| {
        let mut v = Vec::new();
        v.extend_from_slice(b"grow me");
        v
    });
    assert!(n >= 1 && !v.is_empty());
    let (s, n) = count(|| format!("{}", 7));
    assert!(n >= 1 && s == "7");
    let ((), n) = count(|| {
        let x = [0u8; 64];
        std::hint::black_box(&x);
    });
    assert_eq!(n, 0, "stack use is not an allocation");
}

#[derive(Serialize, Debug)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: [&'a str; 2],
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: &'a str,
    level: u8,
    note: &'a str,
    pi: f64,
    nested: Nested<'a>,
}

#[derive(Serialize, Debug)]
struct Nested<'a> {
    tags: [&'a str; 3],
    on: bool,
    count: i64,
}

fn claims() -> Claims<'static> {
    Claims {
        iss: "gateway-1",
        sub: "sensor-42",
        aud: ["telemetry", "api"],
        exp: NOW + 600,
        nbf: NOW - 5,
        iat: NOW - 5,
        jti: "8c1f",
        level: 3,
        // Escapes and non-ASCII go through the serializer's escaping path.
        note: "quote\" tab\t ctl\u{1} é 😀",
        pi: 3.25,
        nested: Nested { tags: ["a", "b", "c"], on: true, count: -7 },
    }
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Borrowed<'a> {
    iss: &'a str,
    sub: &'a str,
    exp: u64,
    level: u8,
    #[serde(borrow)]
    nested: NestedBorrowed<'a>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct NestedBorrowed<'a> {
    #[serde(borrow)]
    tags: [&'a str; 3],
    on: bool,
}

fn key_from(alg: Algorithm, material: &[u8]) -> SigningKey {
    match alg {
        Algorithm::ES256 => SigningKey::es256(material),
        Algorithm::EdDSA => SigningKey::ed25519(material),
        _ => SigningKey::hmac(alg, material),
    }
    .unwrap()
}

fn make_key(alg: Algorithm) -> SigningKey {
    key_from(alg, &key_material(alg))
}

#[test]
fn sign_and_verify_make_no_heap_allocation() {
    // Everything the measured code touches lives on the stack, set up beforehand.
    let policy = Validation::new().issuer("gateway-1").audience("api").subject("sensor-42").leeway(5);
    let clock = FixedClock(NOW);
    let claims = claims();
    for alg in ALGS {
        let material = key_material(alg); // a Vec: built before measuring
        let key = assert_no_alloc("key construction", || key_from(alg, &material).with_kid("kid-1").unwrap());
        let vk = assert_no_alloc("verifying key", || key.verifying_key());
        let mut out = [0u8; 1024];
        let mut scratch = [0u8; 1024];

        let len = assert_no_alloc("token_len", || token_len(&key, &claims).unwrap());
        let token_len_written = assert_no_alloc("sign", || sign(&key, &claims, &mut out).unwrap().len());
        assert_eq!(len, token_len_written);
        let token = std::str::from_utf8(&out[..len]).unwrap();

        assert_no_alloc("verify", || {
            let ok = verify::<Borrowed, _>(token, &vk, &policy, &clock, &mut scratch).unwrap();
            assert_eq!(ok.claims().nested.tags, ["a", "b", "c"]);
        });
        assert_no_alloc("verify_registered", || {
            let (h, reg, _) = verify_registered(token, &vk, &policy, &clock, &mut scratch).unwrap();
            assert_eq!(h.alg, alg);
            assert!(reg.aud.unwrap().contains("telemetry"));
        });
        assert_no_alloc("verify_selecting_key", || {
            let keys = [&vk];
            let r = verify_selecting_key::<Borrowed, _, _>(
                token,
                |h| {
                    keys.iter()
                        .copied()
                        .find(|k| h.kid.is_some_and(|id| id.eq_str(k.kid().unwrap_or(""))))
                        .ok_or(Error::UnknownKey)
                },
                &policy,
                &clock,
                &mut scratch,
            );
            assert!(r.is_ok());
        });

        let json =
            br#"{"iss":"gateway-1","sub":"sensor-42","aud":"api","exp":1700000600,"x":[1,{"y":"\u00e9"}]}"#;
        let mut out2 = [0u8; 1024];
        let n = assert_no_alloc("sign_json", || sign_json(&key, json, &mut out2).unwrap().len());
        let token2 = std::str::from_utf8(&out2[..n]).unwrap();
        assert_no_alloc("verify sign_json token", || {
            verify_registered(token2, &vk, &policy, &clock, &mut scratch).unwrap();
        });

        // Raw signature layer.
        let mut sig = [0u8; 64];
        let sig_len = assert_no_alloc("sign_raw", || key.sign_raw(b"message", &mut sig).unwrap());
        assert_no_alloc("verify_raw", || vk.verify_raw(b"message", &sig[..sig_len]).unwrap());
    }
}

#[test]
fn error_paths_make_no_heap_allocation() {
    let policy = Validation::new().issuer("gateway-1").audience("api");
    let claims = claims();
    for alg in ALGS {
        let key = make_key(alg);
        let vk = key.verifying_key();
        let other_alg = if alg == Algorithm::HS256 { Algorithm::EdDSA } else { Algorithm::HS256 };
        let wrong_vk = make_key(other_alg).verifying_key();
        let mut out = [0u8; 1024];
        let len = sign(&key, &claims, &mut out).unwrap().len();
        let mut tampered = out;
        tampered[len - 3] = if tampered[len - 3] == b'A' { b'B' } else { b'A' };
        let token = std::str::from_utf8(&out[..len]).unwrap();
        let tampered = std::str::from_utf8(&tampered[..len]).unwrap();
        let mut scratch = [0u8; 1024];
        let mut tiny = [0u8; 8];

        let cases: [(&str, &str, &VerifyingKey, &Validation<'_>, u64, Error); 6] = [
            ("bad signature", tampered, &vk, &policy, NOW, Error::InvalidSignature),
            ("expired", token, &vk, &policy, NOW + 600, Error::Expired),
            ("not yet valid", token, &vk, &policy, NOW - 100, Error::NotYetValid),
            ("alg mismatch", token, &wrong_vk, &policy, NOW, Error::AlgorithmMismatch),
            (
                "wrong issuer",
                token,
                &vk,
                &Validation::new().issuer("x").audience("api"),
                NOW,
                Error::InvalidIssuer,
            ),
            ("malformed", &token[..len / 2], &vk, &policy, NOW, Error::Malformed),
        ];
        for (what, t, k, v, now, want) in cases {
            let r = assert_no_alloc(what, || {
                verify_registered(t, k, v, &FixedClock(now), &mut scratch).map(|_| ())
            });
            assert_eq!(r, Err(want), "{what}");
            let r = assert_no_alloc(what, || {
                verify::<Borrowed, _>(t, k, v, &FixedClock(now), &mut scratch).map(|_| ())
            });
            assert_eq!(r, Err(want), "{what}");
        }
        let r = assert_no_alloc("no clock", || {
            verify_registered(token, &vk, &policy, &NoClock, &mut scratch).map(|_| ())
        });
        assert_eq!(r, Err(Error::TimeUnavailable));
        let r = assert_no_alloc("tiny scratch", || {
            verify_registered(token, &vk, &policy, &FixedClock(NOW), &mut tiny).map(|_| ())
        });
        assert!(matches!(r, Err(Error::BufferTooSmall { .. })));
        let r = assert_no_alloc("wrong claims type", || {
            verify::<(u8, u8), _>(token, &vk, &policy, &FixedClock(NOW), &mut scratch).map(|_| ())
        });
        assert_eq!(r, Err(Error::ClaimsDeserialization));
        let r = assert_no_alloc("invalid json", || {
            verify_registered("eyJ9.eyJ9.AAAA", &vk, &policy, &FixedClock(NOW), &mut scratch).map(|_| ())
        });
        assert!(r.is_err());

        let mut small = [0u8; 10];
        let r = assert_no_alloc("sign buffer too small", || sign(&key, &claims, &mut small).map(|t| t.len()));
        assert_eq!(r, Err(Error::BufferTooSmall { needed: len }));
        let r = assert_no_alloc("sign NaN", || sign(&key, &serde_json_free_nan(), &mut out).map(|t| t.len()));
        assert_eq!(r, Err(Error::ClaimsSerialization));
        let r = assert_no_alloc("sign_json duplicate", || {
            sign_json(&key, br#"{"a":1,"a":2}"#, &mut out).map(|t| t.len())
        });
        assert_eq!(r, Err(Error::InvalidJson));
    }
    // Key construction errors.
    assert_eq!(
        assert_no_alloc("short secret", || SigningKey::hs256(&[1; 31]).err()),
        Some(Error::KeyTooShort)
    );
    assert_eq!(assert_no_alloc("zero scalar", || SigningKey::es256(&[0; 32]).err()), Some(Error::InvalidKey));
    assert_eq!(
        assert_no_alloc("bad point", || VerifyingKey::es256_sec1(&[4; 65]).err()),
        Some(Error::InvalidKey)
    );
    assert_eq!(
        assert_no_alloc("small order", || VerifyingKey::ed25519(&[0; 32]).err()),
        Some(Error::InvalidKey)
    );
}

/// Claims with a NaN float (not serializable as JSON).
fn serde_json_free_nan() -> impl Serialize {
    #[derive(Serialize)]
    struct F {
        exp: u64,
        x: f64,
    }
    F { exp: NOW, x: f64::NAN }
}
