//! # ciphertoken
//!
//! Allocation-free JSON Web Tokens (compact JWS, RFC 7515/7519) for microcontrollers,
//! gateways and C: HS256/HS384/HS512, ES256 and EdDSA (Ed25519), and RS256..PS512
//! verification. `#![no_std]`, no heap,
//! no panics on any input, no `none` algorithm.
//!
//! ```
//! # #[cfg(feature = "eddsa")] {
//! use ciphertoken::{sign, verify, FixedClock, SigningKey, Validation};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Claims<'a> { iss: &'a str, sub: &'a str, exp: u64 }
//!
//! let key = SigningKey::ed25519(&[7u8; 32])?.with_kid("device-key-1")?;
//! let mut out = [0u8; ciphertoken::max_token_len(128)];
//! let token = sign(&key, &Claims { iss: "dev", sub: "sensor-7", exp: 1_800_000_000 }, &mut out)?;
//!
//! let mut scratch = [0u8; 256];
//! let v = verify::<Claims, _>(token, &key.verifying_key(), &Validation::new().issuer("dev"),
//!                             &FixedClock(1_700_000_000), &mut scratch)?;
//! assert_eq!(v.claims().sub, "sensor-7");
//! # }
//! # Ok::<(), ciphertoken::Error>(())
//! ```
//!
//! Features (see `docs/embedded-rust.md` for what each costs):
//!
//! | feature | adds | default |
//! |---|---|---|
//! | `hs` | HS256/HS384/HS512 | yes |
//! | `es256` | ES256 (P-256, RFC 6979 nonces) | yes |
//! | `eddsa` | EdDSA with Ed25519 | yes |
//! | `std` | [`SystemClock`], `std::error::Error` | no |
//! | `rsa` | RS256..RS512 and PS256..PS512 verification ([`rsa`]) | no |
//! | `jwk` | JWK / JWK Set import and export, RFC 7638 thumbprints ([`jwk`]) | no |
//! | `eddsa-dalek` | host acceleration: Ed25519 through ed25519-dalek / curve25519-dalek | no |
//! | `es256-tables` | host acceleration: ES256 signing with a precomputed table (needs `std`) | no |
//! | `defmt` | `defmt::Format` for [`Error`], [`Claim`] and [`Algorithm`] (embedded logging) | no |
//! | `host-backend` | ES256 and Ed25519 on `graviola`'s assembly on x86_64/aarch64 hosts | with `std` |
//! | `portable` | the pure-Rust primitives everywhere (no Cortex-M4 assembly, no host backend) | no |
//! | `cortex-m33-dsp` | the Cortex-M4 P-256 assembly on Cortex-M33/M55 built with `+dsp` | no |
//!
//! The front door is [`sign`], [`verify`], the keys and [`Validation`]; [`lifecycle`] adds
//! access/refresh pairs, rotation and revocation; [`hazmat`] holds the low-level pieces.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(feature = "std")]
extern crate std;

// Layers, bottom to top; each module imports only from the ones above it in this list
// (`error` and `alg` are shared vocabulary). See `docs/architecture.md`.
mod alg;
/// Encodings: base64url (public segments) and the strict JSON reader and writer.
mod codec;
/// Primitives: HMAC-SHA-2, P-256, Ed25519, RSA. Internal; reached through keys.
mod crypto;
#[allow(dead_code)] // used by the algorithm features
mod ct;
mod error;
pub mod hazmat;
/// JWS: the protected header.
mod jws;
/// JWT: registered claims, validation, clocks, signing and verifying tokens.
mod jwt;
/// Keys: signing and verifying keys, key sets, JWK / JWK Sets, secrets.
mod keys;
pub mod lifecycle;

#[cfg(feature = "jwk")]
pub use keys::jwk;
/// RSA public keys (RS256..PS512 verification).
#[cfg(feature = "rsa")]
pub mod rsa {
    pub use crate::crypto::rsa::{
        RsaPublicKey, MAX_MODULUS_BITS, MAX_SIGNATURE_LEN, MIN_MODULUS_BITS, PUBLIC_EXPONENT_LIMIT,
    };
}

pub use alg::Algorithm;
pub use codec::json::JsonStr;
pub use error::{Claim, Error};
pub use jws::header::{Header, MAX_HEADER_B64_LEN};
pub use jwt::claims::{Audience, RegisteredClaims};
#[cfg(feature = "std")]
pub use jwt::clock::SystemClock;
pub use jwt::clock::{Clock, FixedClock, MonotonicClock, NoClock, Ticks, UnixSeconds};
pub use jwt::sign::{sign, sign_json, token_len};
pub use jwt::size::{
    max_token_len, verify_scratch_len, verify_scratch_len_unescaped, MAX_SIGNATURE_LEN,
    MAX_SIGNED_HEADER_JSON_LEN,
};
pub use jwt::validation::{RequiredClaims, Validation, DEFAULT_MAX_TOKEN_LEN};
pub use jwt::verify::{
    verify, verify_registered, verify_selecting_key, verify_token, KeySetAt, KeySource, SelectKey, Verified,
    VerifiedToken,
};
pub use keys::key::{
    min_hmac_secret_len, AnyVerifyingKey, KeyId, KeyRef, SigningKey, VerifyingKey, MAX_KID_LEN,
};
pub use keys::keyset::KeySet;
#[cfg(feature = "rsa")]
pub use keys::rsa::RsaVerifyingKey;
pub use keys::secret::{secret_key_with_size, RandomId, Secret, MIN_SECRET_LEN, RANDOM_ID_LEN};
pub use keys::signer::{ecdsa_der_to_raw, ExternalKey, ExternalSigner, JwsSigner, ReleaseCheck};
pub use lifecycle::revocation::{
    NoRevocation, NoVersions, RevocationList, RevocationStore, Revoked, VersionSource, MAX_REVOKED_ID_LEN,
};

/// Copies `src` into the start of `dst`, as many bytes as both hold.
///
/// Used instead of `copy_from_slice` where the lengths are equal by construction:
/// `copy_from_slice`'s length-mismatch panic survives LTO at `opt-level = "z"` (its check is
/// not inlined, so it cannot be proven dead), and `cargo xtask panics` reports it.
pub(crate) fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

// The Rust examples users copy from README.md and docs/ are doc tests (`cargo test --doc`).
#[cfg(all(doctest, feature = "hs", feature = "es256"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
#[cfg(doctest)]
#[doc = include_str!("../docs/embedded-rust.md")]
struct EmbeddedRustGuideExamples;
#[cfg(all(doctest, feature = "rsa", feature = "jwk"))]
#[doc = include_str!("../docs/gateways.md")]
struct GatewayGuideExamples;
