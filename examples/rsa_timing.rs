//! RSA verify timing on this machine: ciphertoken (prepared key, and key preparation) next to
//! the `rsa` crate, for the 2048/3072/4096-bit test keys.
//!
//! `cargo run --release --features rsa --example rsa_timing` (compare `openssl speed rsa2048`).

use ciphertoken::hazmat::RawVerifier;
use ciphertoken::rsa::RsaPublicKey;
use ciphertoken::{Algorithm, RsaVerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fastest of 25 rounds of `iters` calls, in microseconds per call (the minimum is the
/// least disturbed by other load on the machine).
fn time(iters: u32, mut f: impl FnMut()) -> f64 {
    let mut rounds: Vec<Duration> = (0..25)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed()
        })
        .collect();
    rounds.sort();
    rounds[0].as_secs_f64() * 1e6 / f64::from(iters)
}

fn main() {
    let msg = b"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjE3MDAwMDAwNjB9";
    println!(
        "{:<6} {:>6} {:>22} {:>22} {:>16}",
        "bits", "alg", "ciphertoken prepared", "ciphertoken +prepare", "rsa crate 0.9"
    );
    for name in ["key_2048", "key_3072", "key_4096"] {
        let path = format!("{}/tests/data/rsa/{name}.pem", env!("CARGO_MANIFEST_DIR"));
        let sk = rsa::RsaPrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (n, e) = (sk.n().to_bytes_be(), sk.e().to_bytes_be());
        let pk = sk.to_public_key();
        for alg in [Algorithm::RS256, Algorithm::PS256] {
            let sig = if alg == Algorithm::RS256 {
                rsa::pkcs1v15::SigningKey::<Sha256>::new(sk.clone()).sign(msg).to_vec()
            } else {
                rsa::pss::SigningKey::<Sha256>::new(sk.clone())
                    .sign_with_rng(&mut rand_core::OsRng, msg)
                    .to_vec()
            };
            let vk = RsaVerifyingKey::new(alg, &n, &e).unwrap();
            assert!(vk.verify_raw(msg, &sig).is_ok());
            let iters = 50;
            let prepared = time(iters, || {
                black_box(vk.verify_raw(black_box(msg), black_box(&sig))).unwrap();
            });
            let with_prepare = time(iters, || {
                let key = RsaPublicKey::new(black_box(&n), &e).unwrap();
                black_box(key.verify(alg, black_box(msg), black_box(&sig))).unwrap();
            });
            let theirs = if alg == Algorithm::RS256 {
                let v = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(pk.clone());
                let s = rsa::pkcs1v15::Signature::try_from(&sig[..]).unwrap();
                time(iters, || v.verify(black_box(msg), black_box(&s)).unwrap())
            } else {
                let v = rsa::pss::VerifyingKey::<Sha256>::new(pk.clone());
                let s = rsa::pss::Signature::try_from(&sig[..]).unwrap();
                time(iters, || v.verify(black_box(msg), black_box(&s)).unwrap())
            };
            println!(
                "{:<6} {:>6} {:>19.1} µs {:>19.1} µs {:>13.1} µs",
                pk.size() * 8,
                alg.name(),
                prepared,
                with_prepare,
                theirs
            );
        }
    }
}
