//! Benchmark cases: one fixed, realistic claim set signed and verified (with `exp`, `iss`
//! and `aud` validation on) by ciphertoken, by other Rust JWT crates, and by the raw
//! primitives underneath (the floor).
//!
//! Every case is a closure that performs one whole operation as an application would:
//! claims in, token out (sign) or token in, typed claims out after validation (verify).
//! `cases()` checks each case once before returning it, so a peer that rejects the token
//! or produces a wrong one fails loudly instead of being timed on an error path.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// The claim set
// ---------------------------------------------------------------------------

/// `iss`.
pub const ISS: &str = "https://auth.example.com";
/// `aud`.
pub const AUD: &str = "gateway-eu1";
/// `sub`.
pub const SUB: &str = "device-7f3a9c21";
/// `jti`.
pub const JTI: &str = "01J9Z3K8Q9R2T5V7W1Y4Z6A8B0";
/// `scope` (an application claim).
pub const SCOPE: &str = "telemetry:write config:read";
/// `iat`.
pub const IAT: u64 = 1_700_000_000;
/// `exp`: far in the future, because some peers can only read the system clock.
pub const EXP: u64 = 4_000_000_000;

/// The claims as an application on a device would hold them (borrowed).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims<'a> {
    pub sub: &'a str,
    pub iss: &'a str,
    pub aud: &'a str,
    pub iat: u64,
    pub exp: u64,
    pub jti: &'a str,
    pub scope: &'a str,
}

/// The same claims, owned (for libraries that require `DeserializeOwned`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OwnedClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    pub scope: String,
}

/// The claim set.
pub const CLAIMS: Claims<'static> =
    Claims { sub: SUB, iss: ISS, aud: AUD, iat: IAT, exp: EXP, jti: JTI, scope: SCOPE };

/// The claim set as compact JSON (what ciphertoken and jsonwebtoken sign).
pub fn claims_json() -> String {
    serde_json::to_string(&CLAIMS).expect("claims serialize")
}

/// Fixed key material (benchmarks are deterministic; these are not secrets).
pub const HMAC_SECRET: [u8; 32] = *b"bench-secret-0123456789abcdefgh!";
/// A P-256 private scalar.
pub const P256_SCALAR: [u8; 32] = [
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93, 0x4e,
    0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
];
/// An Ed25519 seed.
pub const ED25519_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44,
    0x49, 0xc5, 0x69, 0x7b, 0x7b, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

// ---------------------------------------------------------------------------
// Allocation counting
// ---------------------------------------------------------------------------

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

/// A global allocator that counts allocations (and reallocations) and their bytes while
/// counting is switched on. Off, it costs one relaxed load per allocation.
pub struct CountingAlloc;

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(new_size.saturating_sub(layout.size()) as u64, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Heap allocations and bytes per call of `f`, averaged over `runs` calls (after one
/// warm-up call, so lazily initialized statics are not counted). Only meaningful in a
/// binary whose global allocator is [`CountingAlloc`].
pub fn allocations_per_op(f: &mut dyn FnMut() -> usize, runs: u64) -> (f64, f64) {
    black_box(f());
    ALLOCS.store(0, Ordering::SeqCst);
    BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    for _ in 0..runs {
        black_box(f());
    }
    COUNTING.store(false, Ordering::SeqCst);
    let n = runs as f64;
    (ALLOCS.load(Ordering::SeqCst) as f64 / n, BYTES.load(Ordering::SeqCst) as f64 / n)
}

// ---------------------------------------------------------------------------
// jsonwebtoken with both backends in one process
// ---------------------------------------------------------------------------

mod jwt_provider {
    use jsonwebtoken::crypto::{aws_lc, rust_crypto, CryptoProvider, KeyUtils};
    use std::sync::atomic::{AtomicBool, Ordering};

    static AWS: AtomicBool = AtomicBool::new(false);

    // With both backend features on, jsonwebtoken needs an installed provider. This one
    // forwards to the backend selected by `use_aws` (one relaxed load per token).
    static SWITCH: CryptoProvider = CryptoProvider {
        signer_factory: |alg, key| {
            if AWS.load(Ordering::Relaxed) {
                (aws_lc::DEFAULT_PROVIDER.signer_factory)(alg, key)
            } else {
                (rust_crypto::DEFAULT_PROVIDER.signer_factory)(alg, key)
            }
        },
        verifier_factory: |alg, key| {
            if AWS.load(Ordering::Relaxed) {
                (aws_lc::DEFAULT_PROVIDER.verifier_factory)(alg, key)
            } else {
                (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(alg, key)
            }
        },
        key_utils: KeyUtils::new_unimplemented(),
    };

    pub fn install() {
        let _ = SWITCH.install_default();
    }

    pub fn use_aws(aws: bool) {
        AWS.store(aws, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

/// The algorithm of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    HS256,
    ES256,
    EdDSA,
    /// RS256 with a 2048-bit key.
    RS256,
    /// PS256 with a 2048-bit key.
    PS256,
    /// RS256 with a 4096-bit key.
    RS256x4096,
}

impl Alg {
    /// Every algorithm, in table order.
    pub const ALL: [Alg; 6] = [Alg::HS256, Alg::ES256, Alg::EdDSA, Alg::RS256, Alg::PS256, Alg::RS256x4096];

    /// The name in the table and in criterion ids.
    pub fn name(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::ES256 => "ES256",
            Alg::EdDSA => "EdDSA",
            Alg::RS256 => "RS256",
            Alg::PS256 => "PS256",
            Alg::RS256x4096 => "RS256-4096",
        }
    }
}

/// Sign or verify+validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Sign,
    Verify,
}

/// What a case is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ciphertoken itself.
    Ours,
    /// Another JWT library.
    Peer,
    /// The bare primitive on the same signing input (no JSON, no base64).
    Floor,
}

/// One benchmark.
pub struct Case {
    pub alg: Alg,
    pub op: Op,
    /// Criterion id (no spaces).
    pub id: &'static str,
    /// Name in the table.
    pub label: &'static str,
    pub kind: Kind,
    pub run: Box<dyn FnMut() -> usize>,
}

impl Case {
    /// The criterion group name, e.g. `HS256_verify`.
    pub fn group(&self) -> String {
        group_name(self.alg, self.op)
    }
}

/// The criterion group of `alg` and `op`.
pub fn group_name(alg: Alg, op: Op) -> String {
    let op = match op {
        Op::Sign => "sign",
        Op::Verify => "verify",
    };
    format!("{}_{op}", alg.name())
}

fn case(
    alg: Alg,
    op: Op,
    id: &'static str,
    label: &'static str,
    kind: Kind,
    mut run: impl FnMut() -> usize + 'static,
) -> Case {
    // Run once: a case that errors panics here, before anything is timed.
    let n = run();
    assert!(n > 0, "{alg:?} {op:?} {id}: empty result");
    Case { alg, op, id, label, kind, run: Box::new(run) }
}

fn pkcs8_ed25519(seed: &[u8; 32]) -> Vec<u8> {
    // RFC 8410 §7: a PKCS#8 v1 OneAsymmetricKey with the 32-byte seed.
    let mut der =
        vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(seed);
    der
}

/// The signing input and the signature of a token.
fn split_token(token: &str) -> (Vec<u8>, Vec<u8>) {
    use base64::Engine;
    let dot = token.rfind('.').expect("three segments");
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token[dot + 1..]).expect("base64url");
    (token.as_bytes()[..dot].to_vec(), sig)
}

fn ct_validation() -> ciphertoken::Validation<'static> {
    ciphertoken::Validation::new().issuer(ISS).audience(AUD).leeway(60)
}

fn jwt_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_issuer(&[ISS]);
    v.set_audience(&[AUD]);
    v.validate_exp = true;
    v.leeway = 60;
    v
}

fn simple_options() -> jwt_simple::prelude::VerificationOptions {
    use std::collections::HashSet;
    jwt_simple::prelude::VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISS.to_string()])),
        allowed_audiences: Some(HashSet::from([AUD.to_string()])),
        max_validity: None,
        time_tolerance: Some(jwt_simple::prelude::Duration::from_secs(60)),
        ..Default::default()
    }
}

/// jwt-simple's claim set: its own struct with `scope` as the custom claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimpleCustom {
    pub scope: String,
}

fn simple_claims() -> jwt_simple::prelude::JWTClaims<SimpleCustom> {
    use jwt_simple::prelude::*;
    JWTClaims {
        issued_at: Some(UnixTimeStamp::from_secs(IAT)),
        expires_at: Some(UnixTimeStamp::from_secs(EXP)),
        invalid_before: None,
        issuer: Some(ISS.to_string()),
        subject: Some(SUB.to_string()),
        audiences: Some(Audiences::AsString(AUD.to_string())),
        jwt_id: Some(JTI.to_string()),
        nonce: None,
        custom: SimpleCustom { scope: SCOPE.to_string() },
    }
}

fn simple_check(c: &jwt_simple::prelude::JWTClaims<SimpleCustom>) -> usize {
    assert_eq!(c.subject.as_deref(), Some(SUB));
    c.custom.scope.len()
}

/// jwt-compact's custom claims (`exp`, `iat` are its own standard fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompactCustom<S> {
    pub sub: S,
    pub iss: S,
    pub aud: S,
    pub jti: S,
    pub scope: S,
}

fn compact_claims() -> jwt_compact::Claims<CompactCustom<&'static str>> {
    use chrono::TimeZone;
    let mut c =
        jwt_compact::Claims::new(CompactCustom { sub: SUB, iss: ISS, aud: AUD, jti: JTI, scope: SCOPE });
    c.issued_at = chrono::Utc.timestamp_opt(IAT as i64, 0).single();
    c.expiration = chrono::Utc.timestamp_opt(EXP as i64, 0).single();
    c
}

/// Validates jwt-compact claims as the others do: `exp` (with leeway), then `iss`, `aud`.
fn compact_check(token: jwt_compact::Token<CompactCustom<String>>, time: &jwt_compact::TimeOptions) -> usize {
    let claims = token.claims();
    claims.validate_expiration(time).expect("exp");
    assert!(claims.custom.iss == ISS && claims.custom.aud == AUD, "iss/aud");
    claims.custom.scope.len()
}

/// Every benchmark case, each checked once.
pub fn cases() -> Vec<Case> {
    jwt_provider::install();
    let mut out = Vec::new();
    hs256(&mut out);
    es256(&mut out);
    eddsa(&mut out);
    rsa_all(&mut out);
    out
}

/// A token with the claim set, signed by ciphertoken with `key` (the token every verifier
/// is given).
fn ct_token(key: &ciphertoken::SigningKey) -> String {
    let mut buf = [0u8; 512];
    ciphertoken::sign(key, &CLAIMS, &mut buf).expect("sign").to_string()
}

/// ciphertoken's row label: which backend this build runs.
const CT_LABEL: &str = if cfg!(feature = "portable") {
    "**ciphertoken** (portable: p256 + tables, ed25519-dalek)"
} else {
    "**ciphertoken** (host backend: graviola)"
};

fn ct_cases(out: &mut Vec<Case>, alg: Alg, sk: ciphertoken::SigningKey, token: String) {
    let vk = sk.verifying_key();
    out.push(case(alg, Op::Sign, "ciphertoken", CT_LABEL, Kind::Ours, move || {
        let mut buf = [0u8; 512];
        let t = ciphertoken::sign(&sk, black_box(&CLAIMS), &mut buf).expect("sign");
        black_box(t).len()
    }));
    out.push(case(alg, Op::Verify, "ciphertoken", CT_LABEL, Kind::Ours, move || {
        let mut scratch = [0u8; 512];
        let v = ciphertoken::verify::<Claims<'_>, _>(
            black_box(token.as_str()),
            &vk,
            &ct_validation(),
            &ciphertoken::SystemClock,
            &mut scratch,
        )
        .expect("verify");
        black_box(v.claims().scope).len()
    }));
}

fn jsonwebtoken_cases(
    out: &mut Vec<Case>,
    alg: Alg,
    jalg: jsonwebtoken::Algorithm,
    enc: jsonwebtoken::EncodingKey,
    dec: jsonwebtoken::DecodingKey,
    token: &str,
) {
    for (aws, id, label) in [
        (false, JWT_RUST_CRYPTO, "jsonwebtoken 11 (rust_crypto)"),
        (true, JWT_AWS_LC, "jsonwebtoken 11 (aws-lc-rs)"),
    ] {
        let enc = enc.clone();
        out.push(case(alg, Op::Sign, id, label, Kind::Peer, move || {
            jwt_provider::use_aws(aws);
            let t = jsonwebtoken::encode(&jsonwebtoken::Header::new(jalg), black_box(&CLAIMS), &enc)
                .expect("jsonwebtoken encode");
            black_box(t).len()
        }));
    }
    jsonwebtoken_verify_cases(out, alg, jalg, &dec, token);
}

/// jsonwebtoken's verify cases (both backends) for `token`.
fn jsonwebtoken_verify_cases(
    out: &mut Vec<Case>,
    alg: Alg,
    jalg: jsonwebtoken::Algorithm,
    dec: &jsonwebtoken::DecodingKey,
    token: &str,
) {
    for (aws, id, label) in [
        (false, JWT_RUST_CRYPTO, "jsonwebtoken 11 (rust_crypto)"),
        (true, JWT_AWS_LC, "jsonwebtoken 11 (aws-lc-rs)"),
    ] {
        let (dec, token) = (dec.clone(), token.to_string());
        let validation = jwt_validation(jalg);
        out.push(case(alg, Op::Verify, id, label, Kind::Peer, move || {
            jwt_provider::use_aws(aws);
            let d = jsonwebtoken::decode::<OwnedClaims>(black_box(&token), &dec, &validation)
                .expect("jsonwebtoken decode");
            black_box(d.claims.scope).len()
        }));
    }
}

fn hs256(out: &mut Vec<Case>) {
    let alg = Alg::HS256;
    let sk = ciphertoken::SigningKey::hs256(&HMAC_SECRET).expect("key");
    let token = ct_token(&sk);
    ct_cases(out, alg, sk, token.clone());

    jsonwebtoken_cases(
        out,
        alg,
        jsonwebtoken::Algorithm::HS256,
        jsonwebtoken::EncodingKey::from_secret(&HMAC_SECRET),
        jsonwebtoken::DecodingKey::from_secret(&HMAC_SECRET),
        &token,
    );

    {
        use jwt_simple::prelude::*;
        let key = HS256Key::from_bytes(&HMAC_SECRET);
        let claims = simple_claims();
        let k = key.clone();
        out.push(case(alg, Op::Sign, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            black_box(k.authenticate(black_box(claims.clone())).expect("jwt-simple sign")).len()
        }));
        let t = token.clone();
        let options = simple_options();
        out.push(case(alg, Op::Verify, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            let c =
                key.verify_token::<SimpleCustom>(black_box(&t), Some(options.clone())).expect("jwt-simple");
            simple_check(&c)
        }));
    }

    {
        use jwt_compact::{alg::Hs256, alg::Hs256Key, prelude::*};
        let key = Hs256Key::new(HMAC_SECRET);
        let claims = compact_claims();
        let k = key.clone();
        out.push(case(alg, Op::Sign, "jwt_compact", "jwt-compact 0.8", Kind::Peer, move || {
            black_box(Hs256.token(&Header::empty(), black_box(&claims), &k).expect("jwt-compact sign")).len()
        }));
        let t = token.clone();
        let time = TimeOptions::default();
        out.push(case(alg, Op::Verify, "jwt_compact", "jwt-compact 0.8", Kind::Peer, move || {
            let untrusted = UntrustedToken::new(black_box(&t)).expect("parse");
            let token = Hs256.validator::<CompactCustom<String>>(&key).validate(&untrusted).expect("valid");
            compact_check(token, &time)
        }));
    }

    {
        use hmac::Mac;
        type HmacSha256 = hmac::Hmac<sha2::Sha256>;
        let keyed = HmacSha256::new_from_slice(&HMAC_SECRET).expect("hmac key");
        let (input, tag) = split_token(&token);
        let k = keyed.clone();
        let i = input.clone();
        out.push(case(
            alg,
            Op::Sign,
            "floor_hmac",
            "floor: hmac 0.12 + sha2 0.10 (keyed state)",
            Kind::Floor,
            move || {
                let mut m = k.clone();
                m.update(black_box(&i));
                black_box(m.finalize().into_bytes()).len()
            },
        ));
        out.push(case(
            alg,
            Op::Verify,
            "floor_hmac",
            "floor: hmac 0.12 + sha2 0.10 (keyed state)",
            Kind::Floor,
            move || {
                let mut m = keyed.clone();
                m.update(black_box(&input));
                m.verify_slice(black_box(&tag)).expect("tag");
                tag.len()
            },
        ));
    }
}

fn es256(out: &mut Vec<Case>) {
    use p256::pkcs8::EncodePrivateKey;
    let alg = Alg::ES256;
    let sk = ciphertoken::SigningKey::es256(&P256_SCALAR).expect("key");
    let token = ct_token(&sk);
    ct_cases(out, alg, sk, token.clone());

    let p_sk = p256::ecdsa::SigningKey::from_slice(&P256_SCALAR).expect("scalar");
    let p_vk = *p_sk.verifying_key();
    let sec1 = p_vk.to_encoded_point(false);
    let pkcs8 = p_sk.to_pkcs8_der().expect("pkcs8");
    jsonwebtoken_cases(
        out,
        alg,
        jsonwebtoken::Algorithm::ES256,
        jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_bytes()),
        jsonwebtoken::DecodingKey::from_ec_der(sec1.as_bytes()),
        &token,
    );

    {
        use jwt_simple::prelude::*;
        let kp = ES256KeyPair::from_bytes(&P256_SCALAR).expect("jwt-simple key");
        let pk = kp.public_key();
        let claims = simple_claims();
        out.push(case(alg, Op::Sign, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            black_box(kp.sign(black_box(claims.clone())).expect("jwt-simple sign")).len()
        }));
        let t = token.clone();
        let options = simple_options();
        out.push(case(alg, Op::Verify, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            let c =
                pk.verify_token::<SimpleCustom>(black_box(&t), Some(options.clone())).expect("jwt-simple");
            simple_check(&c)
        }));
    }

    {
        use jwt_compact::{alg::Es256, prelude::*};
        let claims = compact_claims();
        let k = p_sk.clone();
        out.push(case(alg, Op::Sign, "jwt_compact", "jwt-compact 0.8", Kind::Peer, move || {
            black_box(Es256.token(&Header::empty(), black_box(&claims), &k).expect("jwt-compact sign")).len()
        }));
        let t = token.clone();
        let time = TimeOptions::default();
        out.push(case(alg, Op::Verify, "jwt_compact", "jwt-compact 0.8", Kind::Peer, move || {
            let untrusted = UntrustedToken::new(black_box(&t)).expect("parse");
            let token = Es256.validator::<CompactCustom<String>>(&p_vk).validate(&untrusted).expect("valid");
            compact_check(token, &time)
        }));
    }

    {
        use p256::ecdsa::signature::{Signer, Verifier};
        let (input, sig) = split_token(&token);
        let sig = p256::ecdsa::Signature::from_slice(&sig).expect("sig");
        let i = input.clone();
        let label = "floor: p256 0.13 ecdsa";
        out.push(case(alg, Op::Sign, "floor_p256", label, Kind::Floor, move || {
            let s: p256::ecdsa::Signature = p_sk.sign(black_box(&i));
            black_box(s.to_bytes()).len()
        }));
        out.push(case(alg, Op::Verify, "floor_p256", label, Kind::Floor, move || {
            p_vk.verify(black_box(&input), black_box(&sig)).expect("p256 verify");
            64
        }));
    }
}

fn eddsa(out: &mut Vec<Case>) {
    let alg = Alg::EdDSA;
    let sk = ciphertoken::SigningKey::ed25519(&ED25519_SEED).expect("key");
    let token = ct_token(&sk);
    ct_cases(out, alg, sk, token.clone());

    let compact = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(ED25519_SEED));
    let dalek_sk = ed25519_dalek::SigningKey::from_bytes(&ED25519_SEED);
    let dalek_vk = dalek_sk.verifying_key();
    jsonwebtoken_cases(
        out,
        alg,
        jsonwebtoken::Algorithm::EdDSA,
        jsonwebtoken::EncodingKey::from_ed_der(&pkcs8_ed25519(&ED25519_SEED)),
        jsonwebtoken::DecodingKey::from_ed_der(dalek_vk.as_bytes()),
        &token,
    );

    {
        use jwt_simple::prelude::*;
        let kp = Ed25519KeyPair::from_bytes(&compact.sk[..]).expect("jwt-simple key");
        let pk = kp.public_key();
        let claims = simple_claims();
        out.push(case(alg, Op::Sign, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            black_box(kp.sign(black_box(claims.clone())).expect("jwt-simple sign")).len()
        }));
        let t = token.clone();
        let options = simple_options();
        out.push(case(alg, Op::Verify, "jwt_simple", "jwt-simple 0.15 (pure-rust)", Kind::Peer, move || {
            let c =
                pk.verify_token::<SimpleCustom>(black_box(&t), Some(options.clone())).expect("jwt-simple");
            simple_check(&c)
        }));
    }

    {
        use jwt_compact::{alg::Ed25519, prelude::*};
        let claims = compact_claims();
        let k = dalek_sk.clone();
        out.push(case(
            alg,
            Op::Sign,
            "jwt_compact",
            "jwt-compact 0.8 (ed25519-dalek)",
            Kind::Peer,
            move || {
                black_box(Ed25519.token(&Header::empty(), black_box(&claims), &k).expect("jwt-compact sign"))
                    .len()
            },
        ));
        let t = token.clone();
        let time = TimeOptions::default();
        out.push(case(
            alg,
            Op::Verify,
            "jwt_compact",
            "jwt-compact 0.8 (ed25519-dalek)",
            Kind::Peer,
            move || {
                let untrusted = UntrustedToken::new(black_box(&t)).expect("parse");
                let token = Ed25519
                    .validator::<CompactCustom<String>>(&dalek_vk)
                    .validate(&untrusted)
                    .expect("valid");
                compact_check(token, &time)
            },
        ));
    }

    let (input, sig) = split_token(&token);
    {
        let sig = ed25519_compact::Signature::from_slice(&sig).expect("sig");
        let (i, kp) = (input.clone(), compact.clone());
        let label = "floor: ed25519-compact 2.6";
        out.push(case(alg, Op::Sign, "floor_ed25519_compact", label, Kind::Floor, move || {
            black_box(kp.sk.sign(black_box(&i), None)).len()
        }));
        let i = input.clone();
        out.push(case(alg, Op::Verify, "floor_ed25519_compact", label, Kind::Floor, move || {
            compact.pk.verify(black_box(&i), black_box(&sig)).expect("verify");
            64
        }));
    }
    {
        use ed25519_dalek::Signer;
        let sig = ed25519_dalek::Signature::from_slice(&sig).expect("sig");
        let i = input.clone();
        let label = "floor: ed25519-dalek 2";
        out.push(case(alg, Op::Sign, "floor_ed25519_dalek", label, Kind::Floor, move || {
            black_box(dalek_sk.sign(black_box(&i))).to_bytes().len()
        }));
        out.push(case(alg, Op::Verify, "floor_ed25519_dalek", label, Kind::Floor, move || {
            dalek_vk.verify_strict(black_box(&input), black_box(&sig)).expect("verify");
            64
        }));
    }
}

// ---------------------------------------------------------------------------
// RSA (verify only: ciphertoken verifies RSA, it does not sign it)
// ---------------------------------------------------------------------------

/// A 2048-bit RSA key (PKCS#8 PEM, made once with `openssl genpkey -algorithm RSA -pkeyopt
/// rsa_keygen_bits:2048`; e = 65537). It protects nothing.
pub const RSA_2048_PEM: &str = include_str!("../keys/rsa_2048.pem");
/// A 4096-bit RSA key, made the same way.
pub const RSA_4096_PEM: &str = include_str!("../keys/rsa_4096.pem");

/// The longest RSA token the cases verify (a 4096-bit signature is 683 base64url characters).
const RSA_TOKEN_MAX: usize = 1200;

fn rsa_all(out: &mut Vec<Case>) {
    rsa_cases(out, Alg::RS256, RSA_2048_PEM);
    rsa_cases(out, Alg::PS256, RSA_2048_PEM);
    rsa_cases(out, Alg::RS256x4096, RSA_4096_PEM);
}

/// RSA verify cases for `alg` with the private key `pem`: the token (the claim set, signed by
/// jsonwebtoken with its aws-lc-rs backend: a real signer, randomized salt for PS256) is
/// verified by ciphertoken, by the peers, and at the primitive level on its signing input.
fn rsa_cases(out: &mut Vec<Case>, alg: Alg, pem: &str) {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;

    let pss = alg == Alg::PS256;
    let (ct_alg, jalg) = if pss {
        (ciphertoken::Algorithm::PS256, jsonwebtoken::Algorithm::PS256)
    } else {
        (ciphertoken::Algorithm::RS256, jsonwebtoken::Algorithm::RS256)
    };
    let sk = rsa::RsaPrivateKey::from_pkcs8_pem(pem).expect("RSA PEM");
    let pk = sk.to_public_key();
    let (n, e) = (pk.n().to_bytes_be(), pk.e().to_bytes_be());
    let pkcs1_der = pk.to_pkcs1_der().expect("PKCS#1 DER").as_bytes().to_vec();

    jwt_provider::use_aws(true);
    let enc = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).expect("jsonwebtoken RSA key");
    let token = jsonwebtoken::encode(&jsonwebtoken::Header::new(jalg), &CLAIMS, &enc).expect("RSA sign");
    assert!(token.len() <= RSA_TOKEN_MAX, "RSA token of {} bytes", token.len());
    let (input, sig) = split_token(&token);

    // ciphertoken: the token path, with a prepared key (Montgomery constants cached).
    {
        let vk = ciphertoken::RsaVerifyingKey::new(ct_alg, &n, &e).expect("ciphertoken RSA key");
        let t = token.clone();
        out.push(case(
            alg,
            Op::Verify,
            "ciphertoken",
            "**ciphertoken** (prepared key)",
            Kind::Ours,
            move || {
                let mut scratch = [0u8; ciphertoken::verify_scratch_len(RSA_TOKEN_MAX)];
                let v = ciphertoken::verify::<Claims<'_>, _>(
                    black_box(t.as_str()),
                    &vk,
                    &ct_validation(),
                    &ciphertoken::SystemClock,
                    &mut scratch,
                )
                .expect("verify");
                black_box(v.claims().scope).len()
            },
        ));
    }

    // jsonwebtoken, both backends, with the key as JWK components (n, e): what a gateway
    // holding an identity provider's JWKS has. Both backends build the public key per call.
    {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let dec = jsonwebtoken::DecodingKey::from_rsa_components(&b64.encode(&n), &b64.encode(&e))
            .expect("jsonwebtoken RSA components");
        jsonwebtoken_verify_cases(out, alg, jalg, &dec, &token);
    }

    // jwt-simple (pure-rust mode: superboring over the `rsa` crate).
    {
        use jwt_simple::prelude::*;
        let label = "jwt-simple 0.15 (pure-rust)";
        let options = simple_options();
        let t = token.clone();
        if pss {
            let pk = PS256PublicKey::from_components(&n, &e).expect("jwt-simple key");
            out.push(case(alg, Op::Verify, "jwt_simple", label, Kind::Peer, move || {
                let c = pk
                    .verify_token::<SimpleCustom>(black_box(&t), Some(options.clone()))
                    .expect("jwt-simple");
                simple_check(&c)
            }));
        } else {
            let pk = RS256PublicKey::from_components(&n, &e).expect("jwt-simple key");
            out.push(case(alg, Op::Verify, "jwt_simple", label, Kind::Peer, move || {
                let c = pk
                    .verify_token::<SimpleCustom>(black_box(&t), Some(options.clone()))
                    .expect("jwt-simple");
                simple_check(&c)
            }));
        }
    }

    // Floors: the bare verification of the token's signature over its signing input.
    {
        let key = ciphertoken::rsa::RsaPublicKey::new(&n, &e).expect("ciphertoken RSA key");
        let (i, s) = (input.clone(), sig.clone());
        out.push(case(
            alg,
            Op::Verify,
            FLOOR_CT_RSA,
            "floor: ciphertoken RsaPublicKey::verify (prepared key)",
            Kind::Floor,
            move || {
                key.verify(ct_alg, black_box(&i), black_box(&s)).expect("ciphertoken RSA verify");
                s.len()
            },
        ));
        let (n, e, i, s) = (n.clone(), e.clone(), input.clone(), sig.clone());
        out.push(case(
            alg,
            Op::Verify,
            "floor_ciphertoken_unprepared",
            "floor: ciphertoken RsaPublicKey::new + verify (key prepared per call)",
            Kind::Floor,
            move || {
                let key =
                    ciphertoken::rsa::RsaPublicKey::new(black_box(&n), &e).expect("ciphertoken RSA key");
                key.verify(ct_alg, black_box(&i), black_box(&s)).expect("ciphertoken RSA verify");
                s.len()
            },
        ));
    }
    {
        use rsa::signature::Verifier;
        let (i, s) = (input.clone(), sig.clone());
        let label = "floor: rsa 0.9 (RsaPublicKey)";
        if pss {
            let vk = rsa::pss::VerifyingKey::<sha2::Sha256>::new(pk.clone());
            let sig = rsa::pss::Signature::try_from(&s[..]).expect("rsa signature");
            out.push(case(alg, Op::Verify, FLOOR_RSA_CRATE, label, Kind::Floor, move || {
                vk.verify(black_box(&i), black_box(&sig)).expect("rsa verify");
                s.len()
            }));
        } else {
            let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk.clone());
            let sig = rsa::pkcs1v15::Signature::try_from(&s[..]).expect("rsa signature");
            out.push(case(alg, Op::Verify, FLOOR_RSA_CRATE, label, Kind::Floor, move || {
                vk.verify(black_box(&i), black_box(&sig)).expect("rsa verify");
                s.len()
            }));
        }
    }
    {
        use aws_lc_rs::signature::{ParsedPublicKey, UnparsedPublicKey, VerificationAlgorithm};
        let params: &'static dyn VerificationAlgorithm = if pss {
            &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256
        } else {
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256
        };
        // The SubjectPublicKeyInfo-free PKCS#1 RSAPublicKey DER, as ring and aws-lc-rs take it.
        let unparsed = UnparsedPublicKey::new(params, pkcs1_der.clone());
        let (i, s) = (input.clone(), sig.clone());
        out.push(case(
            alg,
            Op::Verify,
            "floor_aws_lc_unparsed",
            "floor: aws-lc-rs 1.19 UnparsedPublicKey (parses the key per call)",
            Kind::Floor,
            move || {
                unparsed.verify(black_box(&i), black_box(&s)).expect("aws-lc verify");
                s.len()
            },
        ));
        let parsed = ParsedPublicKey::new(params, &pkcs1_der).expect("aws-lc key");
        let (i, s) = (input.clone(), sig.clone());
        out.push(case(
            alg,
            Op::Verify,
            FLOOR_AWS_LC,
            "floor: aws-lc-rs 1.19 ParsedPublicKey (prepared key; OpenSSL-class)",
            Kind::Floor,
            move || {
                parsed.verify_sig(black_box(&i), black_box(&s)).expect("aws-lc verify");
                s.len()
            },
        ));
    }
}

/// Case ids the RSA summary looks up.
const FLOOR_CT_RSA: &str = "floor_ciphertoken";
const FLOOR_RSA_CRATE: &str = "floor_rsa_crate";
const FLOOR_AWS_LC: &str = "floor_aws_lc_parsed";
const JWT_RUST_CRYPTO: &str = "jsonwebtoken_rust_crypto";
const JWT_AWS_LC: &str = "jsonwebtoken_aws_lc_rs";

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

/// One measured case.
#[derive(Debug, Clone)]
pub struct Row {
    pub alg: Alg,
    pub op: Op,
    /// The case's criterion id.
    pub id: String,
    pub label: String,
    pub kind: Kind,
    /// Median ns per operation.
    pub ns: f64,
    pub allocs: f64,
    pub bytes: f64,
}

/// The median (ns) criterion recorded for `group`/`id` under `criterion_dir`.
pub fn criterion_median(criterion_dir: &std::path::Path, group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir.join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("median")?.get("point_estimate")?.as_f64()
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_count(x: f64) -> String {
    if x == x.trunc() {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The markdown table: one row per library and operation, with ciphertoken's time divided
/// by each row's time (below 1: ciphertoken is faster).
pub fn markdown_table(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str("| operation | library | median | ciphertoken ÷ this | allocs/op | bytes/op |\n");
    s.push_str("|---|---|---:|---:|---:|---:|\n");
    for alg in Alg::ALL {
        for op in [Op::Sign, Op::Verify] {
            let ours = rows.iter().find(|r| r.alg == alg && r.op == op && r.kind == Kind::Ours);
            let opname = match op {
                Op::Sign => format!("{} sign", alg.name()),
                Op::Verify => format!("{} verify+validate", alg.name()),
            };
            for r in rows.iter().filter(|r| r.alg == alg && r.op == op) {
                let ratio = match (ours, r.kind) {
                    (_, Kind::Ours) => "1.00".to_string(),
                    (Some(o), _) if r.ns > 0.0 => format!("{:.2}", o.ns / r.ns),
                    _ => "n/a".to_string(),
                };
                s.push_str(&format!(
                    "| {opname} | {} | {} | {ratio} | {} | {} |\n",
                    r.label,
                    fmt_ns(r.ns),
                    fmt_count(r.allocs),
                    fmt_count(r.bytes)
                ));
            }
        }
    }
    s.push_str(&rsa_summary(rows));
    s
}

/// ciphertoken's RSA verify time over the OpenSSL-class implementation (AWS-LC through
/// aws-lc-rs) and over the `rsa` crate, at the primitive level (prepared keys, the signing
/// input) and at the token level (verify+validate through jsonwebtoken's two backends).
/// Empty when no RSA case ran.
pub fn rsa_summary(rows: &[Row]) -> String {
    let find = |alg: Alg, id: &str| rows.iter().find(|r| r.alg == alg && r.op == Op::Verify && r.id == id);
    let mut s = String::new();
    for alg in [Alg::RS256, Alg::PS256, Alg::RS256x4096] {
        for (level, ours, aws, rsa) in [
            ("primitive, prepared key", FLOOR_CT_RSA, FLOOR_AWS_LC, FLOOR_RSA_CRATE),
            ("token verify+validate (vs jsonwebtoken)", "ciphertoken", JWT_AWS_LC, JWT_RUST_CRYPTO),
        ] {
            let Some(o) = find(alg, ours) else { continue };
            if s.is_empty() {
                s.push_str("\n| RSA verify | level | ciphertoken | OpenSSL-class (aws-lc-rs) | ciphertoken ÷ aws-lc | `rsa` crate | ciphertoken ÷ `rsa` |\n");
                s.push_str("|---|---|---:|---:|---:|---:|---:|\n");
            }
            let cell = |r: Option<&Row>| match r {
                Some(r) if r.ns > 0.0 => (fmt_ns(r.ns), format!("{:.2}", o.ns / r.ns)),
                _ => ("n/a".to_string(), "n/a".to_string()),
            };
            let (a, ar) = cell(find(alg, aws));
            let (r, rr) = cell(find(alg, rsa));
            s.push_str(&format!(
                "| {} | {level} | {} | {a} | {ar} | {r} | {rr} |\n",
                alg.name(),
                fmt_ns(o.ns)
            ));
        }
    }
    s
}

/// The targets, checked on `rows` (one line each).
pub fn targets(rows: &[Row]) -> Vec<String> {
    let find = |alg: Alg, op: Op, pred: &dyn Fn(&Row) -> bool| {
        rows.iter().find(|r| r.alg == alg && r.op == op && pred(r))
    };
    let ours = |alg, op| find(alg, op, &|r: &Row| r.kind == Kind::Ours);
    let mut out = Vec::new();
    for (op, limit, what) in [(Op::Verify, 0.4, "HS256 verify+validate"), (Op::Sign, 0.6, "HS256 sign")] {
        let jwt = find(Alg::HS256, op, &|r: &Row| r.label.contains("rust_crypto"));
        if let (Some(o), Some(j)) = (ours(Alg::HS256, op), jwt) {
            let ratio = o.ns / j.ns;
            let ok = if ratio <= limit { "met" } else { "NOT met" };
            out.push(format!("{what} ≤ {limit}× jsonwebtoken (rust_crypto): {ratio:.2}× — {ok}"));
        }
    }
    for alg in [Alg::ES256, Alg::EdDSA] {
        for op in [Op::Sign, Op::Verify] {
            let Some(o) = ours(alg, op) else { continue };
            let fastest = rows
                .iter()
                .filter(|r| r.alg == alg && r.op == op && r.kind == Kind::Peer)
                .min_by(|a, b| a.ns.total_cmp(&b.ns));
            if let Some(p) = fastest {
                let ok = if o.ns < p.ns { "met" } else { "NOT met" };
                out.push(format!(
                    "{}: faster than every peer (fastest: {} at {}): {:.2}× — {ok}",
                    group_name(alg, op),
                    p.label,
                    fmt_ns(p.ns),
                    o.ns / p.ns
                ));
            }
        }
    }
    // Issue 10: 2048-bit verify with a prepared key ≤ 3× OpenSSL. Here against AWS-LC (an
    // OpenSSL/BoringSSL-derived assembly implementation) through aws-lc-rs with a parsed key;
    // `openssl speed rsa2048` is reported beside the table.
    for alg in [Alg::RS256, Alg::PS256] {
        let find = |id: &str| rows.iter().find(|r| r.alg == alg && r.op == Op::Verify && r.id == id);
        if let (Some(o), Some(a)) = (find(FLOOR_CT_RSA), find(FLOOR_AWS_LC)) {
            let ratio = o.ns / a.ns;
            let ok = if ratio <= 3.0 { "met" } else { "NOT met" };
            out.push(format!(
                "{} 2048-bit verify, prepared key ≤ 3× OpenSSL-class (aws-lc-rs ParsedPublicKey, {}): {} = {ratio:.2}× — {ok}",
                alg.name(),
                fmt_ns(a.ns),
                fmt_ns(o.ns)
            ));
        }
    }
    let allocating: Vec<String> = rows
        .iter()
        .filter(|r| r.kind == Kind::Ours && r.allocs > 0.0)
        .map(|r| group_name(r.alg, r.op))
        .collect();
    out.push(if allocating.is_empty() {
        "zero allocations: met".to_string()
    } else {
        format!("zero allocations: NOT met ({})", allocating.join(", "))
    });
    out
}

/// OpenSSL's own RSA verify rate on this machine, from `openssl speed -seconds 3 -mr rsa2048
/// rsa4096` (OpenSSL divides by CPU user time, as the table's figures are thread CPU time),
/// beside ciphertoken's prepared-key primitive: one line each. Run after the timings (never
/// concurrently with them); `None` when `openssl` cannot be run.
pub fn openssl_lines(rows: &[Row]) -> Option<Vec<String>> {
    let version = std::process::Command::new("openssl").arg("version").output().ok()?;
    // "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)" -> "OpenSSL 3.0.19"
    let version =
        String::from_utf8_lossy(&version.stdout).split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let speed = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "3", "-mr", "rsa2048", "rsa4096"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&speed.stdout);
    let mut out = Vec::new();
    // `+F2:<index>:<bits>:<sign/s>:<verify/s>`
    for line in text.lines().filter_map(|l| l.strip_prefix("+F2:")) {
        let f: Vec<&str> = line.split(':').collect();
        let (Some(bits), Some(verify_s)) =
            (f.get(1).and_then(|b| b.parse::<u32>().ok()), f.get(3).and_then(|v| v.parse::<f64>().ok()))
        else {
            continue;
        };
        let ossl_ns = 1e9 / verify_s;
        let algs: &[Alg] = match bits {
            2048 => &[Alg::RS256, Alg::PS256],
            4096 => &[Alg::RS256x4096],
            _ => &[],
        };
        for &alg in algs {
            let Some(o) = rows.iter().find(|r| r.alg == alg && r.op == Op::Verify && r.id == FLOOR_CT_RSA)
            else {
                continue;
            };
            let ratio = o.ns / ossl_ns;
            let budget = if bits == 2048 {
                if ratio <= 3.0 {
                    " (budget ≤ 3×: met)"
                } else {
                    " (budget ≤ 3×: NOT met)"
                }
            } else {
                ""
            };
            out.push(format!(
                "{} verify, prepared key: ciphertoken {} vs {version} `openssl speed rsa{bits}` {verify_s:.0} verify/s = {}: {ratio:.2}×{budget}",
                alg.name(),
                fmt_ns(o.ns),
                fmt_ns(ossl_ns)
            ));
        }
    }
    Some(out)
}

/// This thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`): time spent descheduled on a
/// busy machine does not count.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64
}

/// Median ns per operation of each case, measured in interleaved rounds: every round times
/// one batch of each case in turn (batches of about `batch` of CPU time), so a change of load
/// on a shared machine hits all the libraries of a comparison alike; times are this thread's
/// CPU time, so preemption does not count either. The `--quick` mode.
pub fn interleaved(cases: &mut [&mut Case], rounds: usize, batch: std::time::Duration) -> Vec<f64> {
    use std::time::Instant;
    let cpu = thread_cpu_ns;
    // Calibrate: iterations per batch from a short warm-up of each case.
    let iters: Vec<u64> = cases
        .iter_mut()
        .map(|c| {
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed() < batch / 2 || n < 2 {
                black_box((c.run)());
                n += 1;
            }
            let per = start.elapsed().as_secs_f64() / n as f64;
            ((batch.as_secs_f64() / per) as u64).max(1)
        })
        .collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for _ in 0..rounds {
        for ((c, &n), s) in cases.iter_mut().zip(&iters).zip(&mut samples) {
            let start = cpu();
            for _ in 0..n {
                black_box((c.run)());
            }
            s.push(cpu().saturating_sub(start) as f64 / n as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

/// Criterion measurement in this thread's CPU time (see [`thread_cpu_ns`]), for the full mode.
pub struct ThreadCpuTime;

struct Nanoseconds;

impl criterion::measurement::ValueFormatter for Nanoseconds {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "ns (CPU)"
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &criterion::Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per = match *throughput {
            criterion::Throughput::Bytes(n) | criterion::Throughput::BytesDecimal(n) => n,
            criterion::Throughput::Elements(n) => n,
        } as f64;
        for v in values.iter_mut() {
            *v = per * 1e9 / *v;
        }
        "units/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl criterion::measurement::Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn criterion::measurement::ValueFormatter {
        &Nanoseconds
    }
}
