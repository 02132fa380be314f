//! `ct_rsa_key` (an RSA public key for RS256..PS512) and `ct_jwks` (a JWK Set, RFC 7517,
//! that borrows the caller's document).
//!
//! RSA keys get an object of their own instead of a `ct_key` constructor: a 4096-bit modulus
//! (512 bytes) does not fit `CT_KEY_SIZE` (320 bytes, part of the ABI).

use crate::object::{self, fits, Object};
use crate::raw::{disjoint, guard, input, non_null, write_out};
use crate::status::{ct_status, from_error, CT_STATUS_UNSUPPORTED_ALGORITHM};
use crate::token::verify_call;
use crate::validation::ct_validation;
use ciphertoken::jwk::JwkSet;
use ciphertoken::{Algorithm, Error, RsaVerifyingKey};
use core::ffi::c_char;
use core::mem::size_of;

/// RSASSA-PKCS1-v1_5 with SHA-256: the `alg` values of `ct_rsa_key_public` (RFC 7518 §3.1;
/// 1 to 5 are left for HS256, HS384, HS512, ES256 and EdDSA, in the core's order).
pub const CT_ALG_RS256: u32 = 6;
/// RSASSA-PKCS1-v1_5 with SHA-384.
pub const CT_ALG_RS384: u32 = 7;
/// RSASSA-PKCS1-v1_5 with SHA-512.
pub const CT_ALG_RS512: u32 = 8;
/// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
pub const CT_ALG_PS256: u32 = 9;
/// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
pub const CT_ALG_PS384: u32 = 10;
/// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
pub const CT_ALG_PS512: u32 = 11;

/// Bytes of storage a `ct_rsa_key` needs (`sizeof(ct_rsa_key)`).
pub const CT_RSA_KEY_SIZE: usize = 1200;
/// The most keys of a JWK Set `ct_verify_with_jwks` considers; further keys are skipped.
pub const CT_JWKS_CAPACITY: usize = 8;
/// Bytes of storage a `ct_jwks` needs (`sizeof(ct_jwks)`).
pub const CT_JWKS_SIZE: usize = 32;

/// Caller-allocated storage for one RSA public key (2048 to 4096 bits) bound to one of
/// RS256..PS512. Opaque: initialize it with `ct_rsa_key_public`, erase it with
/// `ct_rsa_key_wipe`. No pointer, no heap memory; align it like `uint64_t`. The key is
/// prepared once, by `ct_rsa_key_public` (modulus checked, Montgomery constants computed),
/// and used as it is by every `ct_verify_rsa`. Host builds only: the RSA and JWK Set calls
/// come with the ffi crate's default `rsa-jwks` feature, which bare-metal builds
/// (`--no-default-features`) leave out, so their `libciphertoken.a` does not define them.
#[repr(C)]
pub struct ct_rsa_key {
    _opaque: [u64; 150],
}

/// What `ct_rsa_key` storage holds: the core's prepared key.
pub(crate) type RsaKey = RsaVerifyingKey;

// SAFETY: the storage holds a `Slot<RsaKey>` (asserted below); the magic is unique.
unsafe impl Object for ct_rsa_key {
    type Value = RsaKey;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctrsakey");
}
const _: () = assert!(fits::<ct_rsa_key>());
const _: () = assert!(size_of::<ct_rsa_key>() == CT_RSA_KEY_SIZE);

/// The size in bytes of `ct_rsa_key` (equal to `CT_RSA_KEY_SIZE`). Its alignment is that of
/// `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_rsa_key_size() -> usize {
    CT_RSA_KEY_SIZE
}

fn rsa_alg(alg: u32) -> Option<Algorithm> {
    Some(match alg {
        CT_ALG_RS256 => Algorithm::RS256,
        CT_ALG_RS384 => Algorithm::RS384,
        CT_ALG_RS512 => Algorithm::RS512,
        CT_ALG_PS256 => Algorithm::PS256,
        CT_ALG_PS384 => Algorithm::PS384,
        CT_ALG_PS512 => Algorithm::PS512,
        _ => return None,
    })
}

/// Initializes `key` with the RSA public key of modulus `n` and public exponent `e` (both
/// unsigned big-endian, as in a JWK's `n` and `e` after base64url decoding), for `alg`
/// (`CT_ALG_RS256`..`CT_ALG_PS512`; other values: `CT_STATUS_UNSUPPORTED_ALGORITHM`).
/// `CT_STATUS_KEY_TOO_SHORT` under 2048 bits; `CT_STATUS_INVALID_KEY` over 4096 bits, for an
/// even modulus or an exponent that is even, 1, or not below the modulus. On failure `key` is
/// unchanged.
///
/// # Safety
/// `key` points to `CT_RSA_KEY_SIZE` writable bytes; `n` and `e` to `n_len` and `e_len`
/// readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_rsa_key_public(
    key: *mut ct_rsa_key,
    alg: u32,
    n: *const u8,
    n_len: usize,
    e: *const u8,
    e_len: usize,
) -> ct_status {
    guard(|| {
        non_null(&[key.cast(), n.cast(), e.cast()])?;
        disjoint(key.cast(), CT_RSA_KEY_SIZE, n, n_len)?;
        disjoint(key.cast(), CT_RSA_KEY_SIZE, e, e_len)?;
        let alg = rsa_alg(alg).ok_or(CT_STATUS_UNSUPPORTED_ALGORITHM)?;
        // SAFETY: readable for their lengths (caller), outside `key` (checked).
        let (n, e) = unsafe { (input(n, n_len)?, input(e, e_len)?) };
        let value = RsaVerifyingKey::new(alg, n, e).map_err(from_error)?;
        // SAFETY: non-null and writable (caller).
        unsafe { object::install(key, value) }
    })
}

/// Erases `key` (every byte). NULL is ignored.
///
/// # Safety
/// `key` is NULL or points to `CT_RSA_KEY_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_rsa_key_wipe(key: *mut ct_rsa_key) {
    // SAFETY: per the caller.
    unsafe { object::wipe(key) }
}

/// Refuses a claims buffer under `ct_verify_claims_cap(token_len)` before anything is
/// decoded into it, reporting that size. JWK Set selection decodes the header into the
/// buffer before the core's own size check runs; `ct_verify_rsa` documents the same rule so
/// that the two RSA-capable calls share one contract.
///
/// # Safety
/// `claims_len` must be non-null and valid for writes of a `size_t`.
unsafe fn require_full_cap(cap: usize, token_len: usize, claims_len: *mut usize) -> Result<(), ct_status> {
    let needed = ciphertoken::verify_scratch_len(token_len);
    if cap < needed {
        // SAFETY: per the caller.
        unsafe { write_out(claims_len, needed) };
        return Err(from_error(Error::BufferTooSmall { needed }));
    }
    Ok(())
}

/// `ct_verify` with an RSA key: same arguments, checks and claims output, except that
/// `claims_cap` must be at least `ct_verify_claims_cap(token_len)` (`CT_VERIFY_CLAIMS_CAP`):
/// a smaller buffer gives `CT_STATUS_BUFFER_TOO_SMALL` with that size, buffer untouched.
///
/// # Safety
/// As `ct_verify`, with `key` pointing to a `ct_rsa_key`.
#[no_mangle]
pub unsafe extern "C" fn ct_verify_rsa(
    key: *const ct_rsa_key,
    v: *const ct_validation,
    now_unix: u64,
    token: *const c_char,
    token_len: usize,
    claims_out: *mut u8,
    claims_cap: usize,
    claims_len: *mut usize,
) -> ct_status {
    guard(|| {
        let outputs = (claims_out, claims_cap, claims_len);
        // SAFETY: forwarded caller contract.
        let call = unsafe { verify_call((key.cast(), CT_RSA_KEY_SIZE), v, token, token_len, outputs) }?;
        // SAFETY: `key` points to a `ct_rsa_key` (caller), outside `claims_out` (checked).
        let key = unsafe { object::get(key) }?;
        // SAFETY: `claims_len` non-null and writable (caller).
        unsafe { require_full_cap(call.out.len(), token_len, claims_len) }?;
        // SAFETY: `claims_len` non-null and writable (caller), outside `out` (a `size_t`).
        unsafe { call.run(key, now_unix, claims_len) }
    })
}

/// Caller-allocated handle on a JWK Set document of public keys (an identity provider's
/// `jwks_uri` content). Opaque: initialize it with `ct_jwks_load`, erase it with
/// `ct_jwks_wipe`; align it like `uint64_t`.
///
/// OWNERSHIP: the `ct_jwks` does not copy the document, it keeps a pointer to it. The caller
/// must keep the `json` buffer given to `ct_jwks_load` alive and unchanged for as long as
/// the `ct_jwks` is used by `ct_verify_with_jwks`; to replace the keys, load the new document
/// (into a new buffer, or after the last verification with the old one). Each verification
/// parses the document again (strict reader, up to 64 KiB) and selects the key by the
/// token's `kid` and `alg` (never by `jku`, `x5u` or `jwk` headers). Public keys only: `oct`
/// keys and private key members refuse the document. Host builds only (see `ct_rsa_key`).
#[repr(C)]
pub struct ct_jwks {
    _opaque: [u64; 4],
}

/// What `ct_jwks` storage holds: the borrowed document.
pub(crate) struct Jwks {
    json: *const u8,
    len: usize,
}

// SAFETY: the storage holds a `Slot<Jwks>` (asserted below); the magic is unique.
unsafe impl Object for ct_jwks {
    type Value = Jwks;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctjwks_1");
}
const _: () = assert!(fits::<ct_jwks>());
const _: () = assert!(size_of::<ct_jwks>() == CT_JWKS_SIZE);

/// The size in bytes of `ct_jwks` (equal to `CT_JWKS_SIZE`). Its alignment is that of
/// `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_jwks_size() -> usize {
    CT_JWKS_SIZE
}

/// Checks the JWK Set `json` (`len` bytes) and makes `jwks` refer to it (see `ct_jwks` for
/// the buffer's lifetime). On success `*loaded` is the number of usable keys (at most
/// `CT_JWKS_CAPACITY`) and `*skipped` the number of keys left out (not for signatures,
/// unusable with this library, or beyond the capacity). `CT_STATUS_TOO_LONG` over 64 KiB,
/// `CT_STATUS_INVALID_JSON` for a document that is not strict JSON with a `keys` array,
/// `CT_STATUS_INVALID_KEY` when a key has private members; on any failure `jwks` is wiped
/// (it no longer refers to an earlier document).
///
/// # Safety
/// `jwks` points to `CT_JWKS_SIZE` writable bytes; `json` to `len` readable bytes that stay
/// valid and unchanged while `jwks` is used; `loaded` and `skipped` to `size_t`s.
#[no_mangle]
pub unsafe extern "C" fn ct_jwks_load(
    jwks: *mut ct_jwks,
    json: *const u8,
    len: usize,
    loaded: *mut usize,
    skipped: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[jwks.cast(), json.cast(), loaded.cast_const().cast(), skipped.cast_const().cast()])?;
        disjoint(jwks.cast(), CT_JWKS_SIZE, json, len)?;
        // SAFETY: `json` readable for `len` bytes (caller).
        let doc = unsafe { input(json, len) }?;
        let counts = JwkSet::<CT_JWKS_CAPACITY>::from_public(doc)
            .map(|set| (set.keys().len(), set.skipped().total()))
            .map_err(from_error);
        let Ok((kept, left_out)) = counts else {
            // SAFETY: `jwks` non-null and writable (caller).
            unsafe { object::wipe(jwks) };
            return counts.map(|_| ());
        };
        // SAFETY: non-null and writable (caller).
        unsafe { object::install(jwks, Jwks { json, len }) }?;
        // SAFETY: non-null and writable `size_t`s (caller).
        unsafe {
            write_out(loaded, kept);
            write_out(skipped, left_out);
        }
        Ok(())
    })
}

/// Erases `jwks` (it no longer refers to the document; the document itself is the caller's).
/// NULL is ignored.
///
/// # Safety
/// `jwks` is NULL or points to `CT_JWKS_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_jwks_wipe(jwks: *mut ct_jwks) {
    // SAFETY: per the caller.
    unsafe { object::wipe(jwks) }
}

/// Verifies `token` with the key of `jwks` its header selects (by `kid`, then `alg`; a token
/// without `kid` only when exactly one key fits its `alg`), then validates it like
/// `ct_verify` (same arguments, claims output and buffer contract). `CT_STATUS_UNKNOWN_KEY`
/// when no key (or more than one) fits; `CT_STATUS_ALGORITHM_MISMATCH` when the `kid` names
/// keys that do not accept the token's `alg`. `claims_out` must not overlap the document.
/// Unlike `ct_verify`, `claims_cap` must be at least `ct_verify_claims_cap(token_len)`
/// (`CT_VERIFY_CLAIMS_CAP`): the header that selects the key is decoded into `claims_out`
/// first, so a smaller buffer gives `CT_STATUS_BUFFER_TOO_SMALL` with that size, untouched.
///
/// # Safety
/// As `ct_verify`, with `jwks` pointing to a loaded `ct_jwks` whose document is still valid.
#[no_mangle]
pub unsafe extern "C" fn ct_verify_with_jwks(
    jwks: *const ct_jwks,
    v: *const ct_validation,
    now_unix: u64,
    token: *const c_char,
    token_len: usize,
    claims_out: *mut u8,
    claims_cap: usize,
    claims_len: *mut usize,
) -> ct_status {
    guard(|| {
        let outputs = (claims_out, claims_cap, claims_len);
        // SAFETY: forwarded caller contract.
        let call = unsafe { verify_call((jwks.cast(), CT_JWKS_SIZE), v, token, token_len, outputs) }?;
        // SAFETY: `jwks` points to a `ct_jwks` (caller), outside `claims_out` (checked).
        let doc = unsafe { object::get(jwks) }?;
        disjoint(doc.json, doc.len, call.out.as_ptr(), call.out.len())?;
        // SAFETY: the document is valid and unchanged while `jwks` is used (caller contract of
        // `ct_jwks_load`), and outside `claims_out` (checked).
        let json = unsafe { input(doc.json, doc.len) }?;
        let set = JwkSet::<CT_JWKS_CAPACITY>::from_public(json).map_err(from_error)?;
        // SAFETY: `claims_len` non-null and writable (caller).
        unsafe { require_full_cap(call.out.len(), token_len, claims_len) }?;
        // SAFETY: `claims_len` non-null and writable (caller), outside `out` (a `size_t`).
        unsafe { call.run(&set, now_unix, claims_len) }
    })
}
