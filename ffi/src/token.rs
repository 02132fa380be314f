//! `ct_sign` and `ct_verify`, and the buffer sizes they need.

use crate::key::{ct_key, key_ref, Key, CT_KEY_SIZE};
use crate::raw::{disjoint, guard, input, non_null, output, write_out};
use crate::status::{ct_status, from_error, CT_STATUS_PANIC, CT_STATUS_VERIFY_ONLY_KEY};
use crate::validation::{ct_validation, policy, CT_VALIDATION_SIZE};
use ciphertoken::{Clock, Error, FixedClock, KeySource, NoClock, Validation};
use core::ffi::c_char;
use core::ops::Range;

/// Bytes of the longest token besides its base64url claims, for any key and `kid`, NUL
/// included: `CT_MAX_TOKEN_LEN(n)` is `CT_TOKEN_OVERHEAD + (4 * n + 2) / 3`.
pub const CT_TOKEN_OVERHEAD: usize = 308;

/// The header's `CT_MAX_TOKEN_LEN` and `CT_VERIFY_CLAIMS_CAP` macros, checked against the
/// core at compile time (a core change that breaks them fails the build).
#[allow(clippy::arithmetic_side_effects)] // const evaluation: an overflow is a build error
const _: () = {
    let mut n: usize = 0;
    while n < 20_000 {
        // `(4 * n + 2) / 3` in C.
        assert!(CT_TOKEN_OVERHEAD + (n * 4).div_ceil(3) == ciphertoken::max_token_len(n) + 1);
        let tail = match n % 4 {
            3 => 2,
            2 => 1,
            _ => 0,
        };
        assert!(n / 4 * 3 + tail == ciphertoken::verify_scratch_len(n));
        n += 1;
    }
};

/// The capacity `ct_sign` needs for claims JSON of `claims_len` bytes, with any key (any
/// algorithm, any `kid`), terminating NUL included. `CT_MAX_TOKEN_LEN(claims_len)` is the
/// same number as a constant expression. Saturates at `SIZE_MAX`.
#[no_mangle]
pub extern "C" fn ct_max_token_len(claims_len: usize) -> usize {
    ciphertoken::max_token_len(claims_len).saturating_add(1)
}

/// The `claims_cap` that is always enough for `ct_verify` on a token of `token_len` bytes
/// (`CT_VERIFY_CLAIMS_CAP(token_len)` as a constant expression): about 3/4 of `token_len`.
#[no_mangle]
pub extern "C" fn ct_verify_claims_cap(token_len: usize) -> usize {
    ciphertoken::verify_scratch_len(token_len)
}

/// Signs the claims JSON object `claims_json` (`claims_len` bytes, signed exactly as given)
/// with a private key. The header is `{"alg":…,"typ":"JWT"}` plus the key's `kid`.
///
/// On success `out` holds the token followed by a NUL, and `*out_len` is the token's length
/// (without the NUL). If `out_cap` is too small: `CT_STATUS_BUFFER_TOO_SMALL`, `*out_len` =
/// the capacity needed (NUL included), `out` untouched; `ct_max_token_len` /
/// `CT_MAX_TOKEN_LEN` give a bound in advance. The claims are validated first: strict JSON
/// (`CT_STATUS_INVALID_JSON`) and well-formed registered claims (`CT_STATUS_INVALID_CLAIM`,
/// e.g. a string `exp`). A public key gives `CT_STATUS_VERIFY_ONLY_KEY`. On any failure
/// nothing but zeros is ever written to `out`. Deterministic, no random numbers needed.
///
/// # Safety
/// `key` points to a `ct_key`; `claims_json` to `claims_len` readable bytes; `out` to
/// `out_cap` writable bytes overlapping neither (else `CT_STATUS_INVALID_ARGUMENT`);
/// `out_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_sign(
    key: *const ct_key,
    claims_json: *const u8,
    claims_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[key.cast(), claims_json.cast(), out.cast_const().cast(), out_len.cast_const().cast()])?;
        let out = out.cast::<u8>();
        disjoint(claims_json, claims_len, out, out_cap)?;
        disjoint(key.cast(), CT_KEY_SIZE, out, out_cap)?;
        // SAFETY: `key` points to a `ct_key` (caller) that `out` does not overlap (checked).
        let Key::Signing(key) = unsafe { key_ref(key) }? else {
            return Err(CT_STATUS_VERIFY_ONLY_KEY);
        };
        // SAFETY: readable for `claims_len` bytes (caller), disjoint from `out` (checked).
        let claims = unsafe { input(claims_json, claims_len) }?;
        // SAFETY: writable for `out_cap` bytes (caller), disjoint from the inputs (checked).
        let out = unsafe { output(out, out_cap) }?;
        // The token goes before the NUL.
        let body = token_body(out);
        let result = ciphertoken::sign_json(key, claims, body).map(str::len);
        // SAFETY: `out_len` non-null and writable (caller).
        unsafe { finish_token(out, result, out_len) }
    })
}

/// The token half of `out` (all but the last byte, kept for the NUL).
pub(crate) fn token_body(out: &mut [u8]) -> &mut [u8] {
    let body_cap = out.len().saturating_sub(1);
    // An empty `out` gives an empty body: the core then reports the size it needs.
    match out.split_at_mut_checked(body_cap) {
        Some((body, _)) => body,
        None => &mut [],
    }
}

/// `ct_sign`'s output contract, shared by the calls that write a token: `result` is the
/// length of the token written to `token_body(out)`, which gets its NUL; on
/// `BufferTooSmall`, `*out_len` is the capacity needed, NUL included.
///
/// # Safety
/// `out_len` must be non-null and valid for writes of a `size_t`.
pub(crate) unsafe fn finish_token(
    out: &mut [u8],
    result: Result<usize, Error>,
    out_len: *mut usize,
) -> Result<(), ct_status> {
    let len = match result {
        Ok(len) => len,
        Err(Error::BufferTooSmall { needed }) => {
            // SAFETY: per the caller.
            unsafe { write_out(out_len, needed.saturating_add(1)) };
            return Err(from_error(Error::BufferTooSmall { needed }));
        }
        Err(e) => return Err(from_error(e)),
    };
    // `len <= body_cap < out_cap`, so the NUL fits.
    *out.get_mut(len).ok_or(from_error(Error::BufferTooSmall { needed: len }))? = 0;
    // SAFETY: per the caller.
    unsafe { write_out(out_len, len) };
    Ok(())
}

/// Verifies `token` (`token_len` bytes, no NUL needed) with `key` (a public key, or a
/// private key's public half / the HMAC secret) and validates it with `v` at `now_unix`
/// (seconds since 1970). `now_unix` = 0 means "time unknown": a token with `exp`, `nbf` or
/// `iat` then fails with `CT_STATUS_TIME_UNAVAILABLE` (never treated as 1970).
///
/// On success `claims_out` starts with the verified payload (the claims JSON object, exactly
/// as signed) followed by a NUL, `*claims_len` is its length without the NUL, and the rest
/// of the first `ct_verify_claims_cap(token_len)` bytes is zeroed. Read claims with the
/// `ct_claims_get_*` functions.
///
/// `claims_out` is also the decoding buffer (no hidden stack buffer):
/// `claims_cap >= ct_verify_claims_cap(token_len)` (`CT_VERIFY_CLAIMS_CAP`) is always
/// enough; with less, `CT_STATUS_BUFFER_TOO_SMALL` reports the exact need in `*claims_len`
/// and leaves `claims_out` untouched. After every other verification failure the first
/// `min(claims_cap, ct_verify_claims_cap(token_len))` bytes of `claims_out` are zeroed:
/// a rejected payload is never left behind. `*claims_len` is written only on success and
/// on `CT_STATUS_BUFFER_TOO_SMALL`. NULL pointers, overlapping buffers and uninitialized
/// objects are reported before anything is written.
///
/// Checks, in order: length (8192 bytes at most), three non-empty base64url segments, a
/// strict header whose `alg` equals the key's (`CT_STATUS_ALGORITHM_MISMATCH`), the
/// signature (`CT_STATUS_INVALID_SIGNATURE`), a strict JSON payload, then the claims
/// (`CT_STATUS_EXPIRED`, `CT_STATUS_NOT_YET_VALID`, `CT_STATUS_MISSING_CLAIM`,
/// `CT_STATUS_INVALID_ISSUER`, ...).
///
/// # Safety
/// `key` points to a `ct_key`, `v` to a `ct_validation`, `token` to `token_len` readable
/// bytes, `claims_out` to `claims_cap` writable bytes overlapping none of them, `claims_len`
/// to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_verify(
    key: *const ct_key,
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
        let call = unsafe { verify_call((key.cast(), CT_KEY_SIZE), v, token, token_len, outputs) }?;
        // SAFETY: `key` points to a `ct_key` (caller), outside `claims_out` (checked).
        let key = unsafe { key_ref(key) }?;
        // SAFETY: `claims_len` non-null and writable (caller), outside `out` (a `size_t`).
        unsafe { call.run(key, now_unix, claims_len) }
    })
}

/// The arguments of a verification with claims output besides its key object, checked the
/// way `ct_verify` checks them: NULL pointers first (the key object `keys` included), then
/// `claims_out` against the inputs; then the policy.
pub(crate) struct VerifyCall<'a> {
    pub(crate) policy: Validation<'a>,
    pub(crate) token: &'a [u8],
    pub(crate) out: &'a mut [u8],
}

impl VerifyCall<'_> {
    /// Runs the core's one verify pipeline (`ciphertoken::verify_token`) with `keys` at
    /// `now_unix` (0: time unknown) and delivers the payload as `ct_verify` does: every
    /// `ct_verify*` call is this adapter with its own key source.
    ///
    /// # Safety
    /// `claims_len` must be non-null and valid for writes of a `size_t`.
    pub(crate) unsafe fn run<K: KeySource + ?Sized>(
        self,
        keys: &K,
        now_unix: u64,
        claims_len: *mut usize,
    ) -> Result<(), ct_status> {
        let clock: &dyn Clock = if now_unix == 0 { &NoClock } else { &FixedClock(now_unix) };
        let result = ciphertoken::verify_token(self.token, keys, &self.policy, clock, &mut *self.out)
            .map(|verified| verified.payload_range());
        // SAFETY: per the caller.
        unsafe { deliver_payload(self.out, self.token.len(), result, claims_len) }
    }
}

/// Checks and converts the arguments of `ct_verify` and `ct_verify_with_key_set`.
///
/// # Safety
/// Each pointer is NULL or valid: `keys` for reads of its size, `v` pointing to a
/// `ct_validation`, `token` readable for `token_len` bytes, `outputs` = (`claims_out`
/// writable for `claims_cap` bytes, `claims_len` pointing to a `size_t`).
pub(crate) unsafe fn verify_call<'a>(
    keys: (*const u8, usize),
    v: *const ct_validation,
    token: *const c_char,
    token_len: usize,
    (claims_out, claims_cap, claims_len): (*mut u8, usize, *mut usize),
) -> Result<VerifyCall<'a>, ct_status> {
    non_null(&[
        keys.0.cast(),
        v.cast(),
        token.cast(),
        claims_out.cast_const().cast(),
        claims_len.cast_const().cast(),
    ])?;
    let token = token.cast::<u8>();
    disjoint(token, token_len, claims_out, claims_cap)?;
    disjoint(keys.0, keys.1, claims_out, claims_cap)?;
    disjoint(v.cast(), CT_VALIDATION_SIZE, claims_out, claims_cap)?;
    // SAFETY: `v` points to a `ct_validation` (caller), outside `claims_out` (checked).
    let policy = unsafe { policy(v) }?;
    // SAFETY: readable for `token_len` bytes (caller), outside `claims_out` (checked).
    let token = unsafe { input(token, token_len) }?;
    // SAFETY: writable for `claims_cap` bytes (caller), disjoint from the inputs (checked).
    let out = unsafe { output(claims_out, claims_cap) }?;
    Ok(VerifyCall { policy, token, out })
}

/// `ct_verify`'s output contract, shared by the calls that return verified claims. `result`
/// is the outcome of a verification that used `out` as its decoding buffer: the payload's
/// offset and length in `out`. On success the payload moves to the front of `out`, followed
/// by a NUL and zeros to the end of the decoding region, and `*claims_len` is its length; on
/// `BufferTooSmall` (which the core reports before it writes anything) `*claims_len` is the
/// size needed; after any other failure the decoding region is zeroed.
///
/// # Safety
/// `claims_len` must be non-null and valid for writes of a `size_t`.
pub(crate) unsafe fn deliver_payload(
    out: &mut [u8],
    token_len: usize,
    result: Result<Range<usize>, Error>,
    claims_len: *mut usize,
) -> Result<(), ct_status> {
    let used = ct_verify_claims_cap(token_len).min(out.len());
    match result {
        Ok(range) if place_payload(out, range.clone(), used).is_some() => {
            let len = range.len();
            // SAFETY: per the caller.
            unsafe { write_out(claims_len, len) };
            Ok(())
        }
        Err(Error::BufferTooSmall { needed }) => {
            // The core checks the size before it decodes anything: `out` is untouched.
            // SAFETY: per the caller.
            unsafe { write_out(claims_len, needed) };
            Err(from_error(Error::BufferTooSmall { needed }))
        }
        other => {
            out.get_mut(..used).unwrap_or_default().fill(0);
            Err(other.err().map_or(CT_STATUS_PANIC, from_error))
        }
    }
}

/// Moves the verified payload (`range` of `out`, as the pipeline reported it) to the start
/// of `out`, then writes the NUL and zeroes the rest of the first `used` bytes.
fn place_payload(out: &mut [u8], range: Range<usize>, used: usize) -> Option<()> {
    let len = range.len();
    out.get(range.clone())?;
    out.copy_within(range, 0);
    let zero_to = used.max(len.checked_add(1)?);
    out.get_mut(len..zero_to)?.fill(0);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ct_key_hs256;
    use crate::status::*;
    use crate::validation::ct_validation_init;
    use core::mem::MaybeUninit;

    const CLAIMS: &[u8] = br#"{"sub":"dev","exp":2000000000}"#;

    /// Initialized objects. They stay in `MaybeUninit`: a `ct_key` holds a Rust value with
    /// padding, so it must not be read as the plain `[u64; N]` its C declaration shows.
    fn key_and_policy() -> (MaybeUninit<ct_key>, MaybeUninit<ct_validation>) {
        let mut key = MaybeUninit::<ct_key>::zeroed();
        let mut v = MaybeUninit::<ct_validation>::zeroed();
        // SAFETY: zeroed local storage of the right types; the inputs are local arrays.
        unsafe {
            assert_eq!(ct_key_hs256(key.as_mut_ptr(), [3u8; 32].as_ptr(), 32), CT_STATUS_OK);
            assert_eq!(ct_validation_init(v.as_mut_ptr()), CT_STATUS_OK);
        }
        (key, v)
    }

    fn sign(key: &MaybeUninit<ct_key>, out: &mut [u8]) -> (ct_status, usize) {
        let mut len = usize::MAX;
        // SAFETY: local buffers with their true lengths.
        let s = unsafe {
            ct_sign(key.as_ptr(), CLAIMS.as_ptr(), CLAIMS.len(), out.as_mut_ptr().cast(), out.len(), &mut len)
        };
        (s, len)
    }

    fn verify(
        key: &MaybeUninit<ct_key>,
        v: &MaybeUninit<ct_validation>,
        now: u64,
        token: &[u8],
        out: &mut [u8],
    ) -> (ct_status, usize) {
        let mut len = usize::MAX;
        // SAFETY: local buffers with their true lengths.
        let s = unsafe {
            ct_verify(
                key.as_ptr(),
                v.as_ptr(),
                now,
                token.as_ptr().cast(),
                token.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len,
            )
        };
        (s, len)
    }

    #[test]
    fn sign_reports_the_capacity_with_the_nul() {
        let (key, _) = key_and_policy();
        let mut out = [0x55u8; 256];
        let (s, needed) = sign(&key, &mut out[..10]);
        assert_eq!(s, CT_STATUS_BUFFER_TOO_SMALL);
        assert!(out.iter().all(|&b| b == 0x55), "untouched");
        assert!(needed <= ct_max_token_len(CLAIMS.len()));
        assert_eq!(sign(&key, &mut out[..needed - 1]), (CT_STATUS_BUFFER_TOO_SMALL, needed));
        assert_eq!(sign(&key, &mut out[..needed]), (CT_STATUS_OK, needed - 1));
        assert_eq!(out[needed - 1], 0);
        assert_eq!(out[needed], 0x55);
    }

    #[test]
    fn verify_moves_the_payload_to_the_front() {
        let (key, v) = key_and_policy();
        let mut token = [0u8; 256];
        let (s, token_len) = sign(&key, &mut token);
        assert_eq!(s, CT_STATUS_OK);
        let token = &token[..token_len];
        let cap = ct_verify_claims_cap(token_len);
        let mut out = [0x55u8; 256];

        let (s, needed) = verify(&key, &v, 1, token, &mut out[..10]);
        assert_eq!(s, CT_STATUS_BUFFER_TOO_SMALL);
        assert!(needed <= cap && out.iter().all(|&b| b == 0x55));

        let (s, len) = verify(&key, &v, 1, token, &mut out[..needed]);
        assert_eq!((s, len), (CT_STATUS_OK, CLAIMS.len()));
        assert_eq!(&out[..len], CLAIMS);
        assert!(out[len..needed].iter().all(|&b| b == 0), "NUL and zeroed rest");
        assert!(out[needed..].iter().all(|&b| b == 0x55));

        // Rejected (expired; time unknown): the decoding region is zeroed, the length untouched.
        for now in [2_000_000_000, 0] {
            out.fill(0x55);
            let (s, len) = verify(&key, &v, now, token, &mut out);
            assert_eq!(s, if now == 0 { CT_STATUS_TIME_UNAVAILABLE } else { CT_STATUS_EXPIRED });
            assert_eq!(len, usize::MAX);
            assert!(out[..cap].iter().all(|&b| b == 0) && out[cap..].iter().all(|&b| b == 0x55));
        }
    }

    #[test]
    fn payload_placement_is_checked() {
        let mut buf = *b"HHHHpayload-----";
        assert_eq!(place_payload(&mut buf, 4..11, 16), Some(()));
        assert_eq!(&buf, b"payload\0\0\0\0\0\0\0\0\0");
        assert_eq!(place_payload(&mut buf, 10..17, 16), None, "source out of range");
        assert_eq!(place_payload(&mut buf, 0..16, 16), None, "no room for the NUL");
    }
}
