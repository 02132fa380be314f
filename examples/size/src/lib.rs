//! What the size images call. Inputs come from volatile reads of statics and results go to a
//! volatile store, so the optimizer can neither fold the work nor drop it.
//!
//! The algorithm features pick what is compiled in; each function calls every enabled
//! algorithm. Nothing here runs: the images are only measured and linked.
#![no_std]

#[cfg(feature = "rsa")]
use ciphertoken::RsaVerifyingKey;
use ciphertoken::{AnyVerifyingKey, Clock, MonotonicClock, SigningKey, Ticks, Validation, VerifyingKey};
use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hs")]
static SECRET: [u8; 32] = *b"device-7 shared secret, 32 bytes";
/// RFC 6979 A.2.5's P-256 private key and its public key (SEC1, uncompressed).
#[cfg(feature = "es256")]
static SCALAR: [u8; 32] = [
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93, 0x4e,
    0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
];
#[cfg(feature = "es256")]
static SEC1: [u8; 65] = [
    0x04, 0x60, 0xfe, 0xd4, 0xba, 0x25, 0x5a, 0x9d, 0x31, 0xc9, 0x61, 0xeb, 0x74, 0xc6, 0x35, 0x6d, 0x68,
    0xc0, 0x49, 0xb8, 0x92, 0x3b, 0x61, 0xfa, 0x6c, 0xe6, 0x69, 0x62, 0x2e, 0x60, 0xf2, 0x9f, 0xb6, 0x79,
    0x03, 0xfe, 0x10, 0x08, 0xb8, 0xbc, 0x99, 0xa4, 0x1a, 0xe9, 0xe9, 0x56, 0x28, 0xbc, 0x64, 0xf2, 0xf1,
    0xb2, 0x0c, 0x2d, 0x7e, 0x9f, 0x51, 0x77, 0xa3, 0xc2, 0x94, 0xd4, 0x46, 0x22, 0x99,
];
/// RFC 8032 §7.1 test 1's seed and public key.
#[cfg(feature = "eddsa")]
static SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44,
    0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];
#[cfg(feature = "eddsa")]
static ED25519_PUBLIC: [u8; 32] = [
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e,
    0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
];

static TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZW5zb3ItNDIifQ.c2lnbmF0dXJl";
static CLAIMS_JSON: &[u8] = br#"{"iss":"device-7","sub":"sensor-42","exp":1767226200}"#;
static ISS: &str = "device-7";
static SUB: &str = "sensor-42";
/// Stands for the tick counter register and the time learned at boot.
static TICKS: u64 = 0;
static ANCHOR: u64 = 1_767_225_600;

/// Where results go.
static mut SINK: u32 = 0;

/// A volatile read: the optimizer knows nothing of the value.
fn input<T: Copy>(x: &T) -> T {
    // SAFETY: `x` is a valid reference.
    unsafe { read_volatile(x) }
}

/// A volatile store of `x`: the work that produced it cannot be dropped.
fn output(x: u32) {
    // SAFETY: a single-threaded image; SINK is only ever written.
    unsafe { write_volatile(addr_of_mut!(SINK), x) }
}

fn output_result<T>(r: Result<T, ciphertoken::Error>, ok: impl FnOnce(T) -> u32) {
    output(match r {
        Ok(v) => ok(v),
        Err(e) => e.code(),
    });
}

#[derive(Serialize, Deserialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    iat: u64,
    exp: u64,
}

struct TickRegister;

impl Ticks for TickRegister {
    fn ticks(&self) -> u64 {
        input(&TICKS)
    }
}

fn clock() -> MonotonicClock<TickRegister> {
    let mut clock = MonotonicClock::new(TickRegister, 1000);
    clock.sync(input(&ANCHOR));
    clock
}

fn signing_keys() -> [Option<SigningKey>; 3] {
    [
        #[cfg(feature = "hs")]
        SigningKey::hs256(&input(&SECRET)).ok(),
        #[cfg(not(feature = "hs"))]
        None,
        #[cfg(feature = "es256")]
        SigningKey::es256(&input(&SCALAR)).ok(),
        #[cfg(not(feature = "es256"))]
        None,
        #[cfg(feature = "eddsa")]
        SigningKey::ed25519(&input(&SEED)).ok(),
        #[cfg(not(feature = "eddsa"))]
        None,
    ]
}

fn verifying_keys() -> [Option<AnyVerifyingKey>; 4] {
    [
        #[cfg(feature = "hs")]
        VerifyingKey::hs256(&input(&SECRET)).ok().map(AnyVerifyingKey::from),
        #[cfg(not(feature = "hs"))]
        None,
        #[cfg(feature = "es256")]
        VerifyingKey::es256_sec1(&input(&SEC1)).ok().map(AnyVerifyingKey::from),
        #[cfg(not(feature = "es256"))]
        None,
        #[cfg(feature = "eddsa")]
        VerifyingKey::ed25519(&input(&ED25519_PUBLIC)).ok().map(AnyVerifyingKey::from),
        #[cfg(not(feature = "eddsa"))]
        None,
        // With `rsa`: an RS256 key beside the others (what RS256 adds to a verifier).
        #[cfg(feature = "rsa")]
        RsaVerifyingKey::new(ciphertoken::Algorithm::RS256, &input(&RSA_N), &input(&RSA_E)).ok().map(AnyVerifyingKey::from),
        #[cfg(not(feature = "rsa"))]
        None,
    ]
}

/// Signs serde claims with every enabled algorithm (`ciphertoken::sign`).
pub fn sign() {
    let clock = clock();
    let now = clock.now().unwrap_or(0);
    let claims = Claims { iss: input(&ISS), sub: input(&SUB), iat: now, exp: now.saturating_add(600) };
    let mut out = [0u8; ciphertoken::max_token_len(128)];
    for key in signing_keys().iter().flatten() {
        output_result(ciphertoken::sign(key, &claims, &mut out), |t| t.len() as u32);
    }
}

/// Verifies into serde claims with every enabled algorithm (`ciphertoken::verify`).
pub fn verify() {
    let clock = clock();
    let validation = Validation::new().issuer(input(&ISS));
    let mut scratch = [0u8; 512];
    for key in verifying_keys().iter().flatten() {
        let r = ciphertoken::verify::<Claims<'_>, _>(input(&TOKEN), key, &validation, &clock, &mut scratch);
        output_result(r, |v| v.claims().exp as u32);
    }
}

/// Signs claims given as JSON bytes (`ciphertoken::sign_json`, no serde serializer).
pub fn sign_json() {
    let mut out = [0u8; ciphertoken::max_token_len(128)];
    let claims = input(&CLAIMS_JSON);
    for key in signing_keys().iter().flatten() {
        output_result(ciphertoken::sign_json(key, claims, &mut out), |t| t.len() as u32);
    }
}

/// Verifies the registered claims only (`ciphertoken::verify_registered`, no serde
/// deserializer): the byte-oriented path a C caller takes.
pub fn verify_registered() {
    let clock = clock();
    let validation = Validation::new().issuer(input(&ISS));
    let mut scratch = [0u8; 512];
    for key in verifying_keys().iter().flatten() {
        let r = ciphertoken::verify_registered(input(&TOKEN), key, &validation, &clock, &mut scratch);
        output_result(r, |(_, claims, payload)| (claims.exp.unwrap_or(0) as u32) ^ payload.len() as u32);
    }
}

// --- RSA and JWK Set import (issue 10) ------------------------------------------------------
// Never run, only linked: the key bytes need not form a valid key, volatile reads keep the
// optimizer from knowing anything about them.

/// A 2048-bit modulus and the exponent 65537.
#[cfg(feature = "rsa")]
static RSA_N: [u8; 256] = [0xc3; 256];
#[cfg(feature = "rsa")]
static RSA_E: [u8; 3] = [0x01, 0x00, 0x01];
#[cfg(feature = "rsa")]
static RSA_SIGNATURE: [u8; 256] = [0x5a; 256];
#[cfg(feature = "rsa")]
static RS256: ciphertoken::Algorithm = ciphertoken::Algorithm::RS256;
/// Read at run time: every RSA algorithm stays linked.
#[cfg(feature = "rsa")]
static ANY_RSA: ciphertoken::Algorithm = ciphertoken::Algorithm::PS512;
#[cfg(feature = "jwk")]
static JWKS: &[u8] =
    br#"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"w8PD","e":"AQAB"}]}"#;

/// The RS256 signature primitive alone: key preparation and `RsaPublicKey::verify`.
#[cfg(feature = "rsa")]
pub fn rsa_primitive() {
    let key = ciphertoken::rsa::RsaPublicKey::new(&input(&RSA_N), &input(&RSA_E));
    output_result(key.and_then(|k| k.verify(RS256, input(&CLAIMS_JSON), &input(&RSA_SIGNATURE))), |()| 1);
}

/// SHA-256 of a message: what RSA's cost is measured over.
#[cfg(feature = "rsa")]
pub fn sha256() {
    use sha2::Digest;
    // The same inputs as `rsa_primitive`, so that the difference is code alone.
    let digest = sha2::Sha256::new()
        .chain_update(input(&CLAIMS_JSON))
        .chain_update(input(&RSA_N))
        .chain_update(input(&RSA_E))
        .chain_update(input(&RSA_SIGNATURE))
        .finalize();
    output(digest.iter().fold(0u32, |acc, &b| acc.rotate_left(5) ^ u32::from(b)));
}

#[cfg(feature = "rsa")]
fn verify_registered_with(key: &RsaVerifyingKey) {
    let clock = clock();
    let validation = Validation::new().issuer(input(&ISS));
    let mut scratch = [0u8; 1024];
    let r = ciphertoken::verify_registered(input(&TOKEN), key, &validation, &clock, &mut scratch);
    output_result(r, |(_, claims, payload)| (claims.exp.unwrap_or(0) as u32) ^ payload.len() as u32);
}

/// An RS256 token verified with its registered claims (`RsaVerifyingKey::new` with RS256 known
/// at the call, then `verify_registered`): a device that only takes RS256.
#[cfg(feature = "rsa")]
pub fn rs256() {
    match RsaVerifyingKey::new(ciphertoken::Algorithm::RS256, &input(&RSA_N), &input(&RSA_E)) {
        Ok(key) => verify_registered_with(&key),
        Err(e) => output(e.code()),
    }
}

/// The same with the algorithm read at run time: all six RSA algorithms.
#[cfg(feature = "rsa")]
pub fn rsa_all() {
    match RsaVerifyingKey::new(input(&ANY_RSA), &input(&RSA_N), &input(&RSA_E)) {
        Ok(key) => verify_registered_with(&key),
        Err(e) => output(e.code()),
    }
}

/// A JWK Set parsed into a set of 4 and the key selected for a token's header.
#[cfg(feature = "jwk")]
pub fn jwks_parse() {
    let mut scratch = [0u8; 256];
    let r = ciphertoken::jwk::JwkSet::<4>::from_public(input(&JWKS)).and_then(|set| {
        let header = ciphertoken::hazmat::decode_header(input(&TOKEN).as_bytes(), &mut scratch)?;
        set.select(&header).map(|jwk| jwk.key_type() as u32 ^ set.skipped().total() as u32)
    });
    output_result(r, |v| v);
}

/// An RS256 token verified with the key a JWK Set selects (`verify_registered_with_jwks`).
#[cfg(all(feature = "rsa", feature = "jwk"))]
pub fn rs256_jwks() {
    let clock = clock();
    let validation = Validation::new().issuer(input(&ISS));
    let mut scratch = [0u8; 1024];
    let r = ciphertoken::jwk::JwkSet::<4>::from_public(input(&JWKS)).and_then(|set| {
        ciphertoken::jwk::verify_registered_with_jwks(input(&TOKEN), &set, &validation, &clock, &mut scratch)
            .map(|(_, claims, payload)| (claims.exp.unwrap_or(0) as u32) ^ payload.len() as u32)
    });
    output_result(r, |v| v);
}

/// Reads the sink once more and parks the core.
pub fn halt() -> ! {
    // SAFETY: see `output`.
    output(unsafe { read_volatile(addr_of!(SINK)) });
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(not(feature = "panic-check"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(feature = "panic-check")]
extern "C" {
    /// Deliberately defined nowhere: if any panic path survives LTO, the link fails with
    /// "undefined symbol: ciphertoken_panic_path_survived".
    fn ciphertoken_panic_path_survived() -> !;
}

#[cfg(feature = "panic-check")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never linked, so never called (see above).
    unsafe { ciphertoken_panic_path_survived() }
}
