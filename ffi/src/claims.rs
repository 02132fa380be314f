//! Claim getters for C programs without a JSON parser, over the claims `ct_verify` wrote
//! (or any JSON object). They use the core's strict reader: the whole object is validated
//! on every call (no duplicate names, bounded depth), names and values are compared after
//! unescaping and exactly (never a prefix).

use crate::raw::{disjoint, guard, input, input_str, non_null, output, write_out};
use crate::status::{
    check, ct_status, from_error, CT_STATUS_CLAIM_NOT_FOUND, CT_STATUS_CLAIM_OUT_OF_RANGE,
    CT_STATUS_CLAIM_WRONG_TYPE, CT_STATUS_EMBEDDED_NUL,
};
use ciphertoken::hazmat::json::{self, Value};
use ciphertoken::Error;
use core::ffi::c_char;

/// The top-level member `name` of the JSON object `claims`.
fn find<'a>(claims: &'a [u8], name: &str) -> Result<Value<'a>, ct_status> {
    let mut found = None;
    check(json::parse_object(claims, |n, v| {
        if found.is_none() && n.eq_str(name) {
            found = Some(v);
        }
        Ok(())
    }))?;
    found.ok_or(CT_STATUS_CLAIM_NOT_FOUND)
}

/// Reads the claim `name` from `(claims, claims_len)`.
///
/// # Safety
/// `claims` readable for `claims_len` bytes and `name` for `name_len` bytes (or null).
unsafe fn lookup<'a>(
    claims: *const u8,
    claims_len: usize,
    name: *const c_char,
    name_len: usize,
) -> Result<Value<'a>, ct_status> {
    // SAFETY: readable per the caller.
    let (claims, name) = unsafe { (input(claims, claims_len)?, input_str(name, name_len)?) };
    find(claims, name)
}

/// Copies the string claim `name` (`name_len` bytes of UTF-8, e.g. `"sub", 3`), unescaped to
/// UTF-8, into `out` followed by a NUL; `*out_len` is its length without the NUL.
///
/// `CT_STATUS_CLAIM_NOT_FOUND` if there is no such claim, `CT_STATUS_CLAIM_WRONG_TYPE` if it
/// is not a string, `CT_STATUS_EMBEDDED_NUL` if it contains `\u0000` (which a C string
/// would silently cut short), `CT_STATUS_INVALID_JSON` if `claims` is not a strict JSON
/// object. If `out_cap` is too small: `CT_STATUS_BUFFER_TOO_SMALL`, `*out_len` = the
/// capacity needed (NUL included), `out` untouched. `out` must not overlap the inputs.
///
/// # Safety
/// `claims` points to `claims_len` readable bytes, `name` to `name_len`, `out` to `out_cap`
/// writable bytes, `out_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_claims_get_str(
    claims: *const u8,
    claims_len: usize,
    name: *const c_char,
    name_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[claims.cast(), name.cast(), out.cast_const().cast(), out_len.cast_const().cast()])?;
        let out = out.cast::<u8>();
        disjoint(claims, claims_len, out, out_cap)?;
        disjoint(name.cast(), name_len, out, out_cap)?;
        // SAFETY: inputs readable per the caller and disjoint from `out` (checked).
        let Value::String(s) = unsafe { lookup(claims, claims_len, name, name_len) }? else {
            return Err(CT_STATUS_CLAIM_WRONG_TYPE);
        };
        if s.chars().any(|c| c == '\0') {
            return Err(CT_STATUS_EMBEDDED_NUL);
        }
        let len = s.unescaped_len();
        let needed = len.saturating_add(1);
        if out_cap < needed {
            // SAFETY: `out_len` non-null and writable (caller).
            unsafe { write_out(out_len, needed) };
            return Err(from_error(Error::BufferTooSmall { needed }));
        }
        // SAFETY: writable for `out_cap` bytes (caller), disjoint from the inputs (checked).
        let out = unsafe { output(out, out_cap) }?;
        let too_small = from_error(Error::BufferTooSmall { needed });
        let (text, rest) = out.split_at_mut_checked(len).ok_or(too_small)?;
        check(s.unescape_into(text))?;
        *rest.first_mut().ok_or(too_small)? = 0;
        // SAFETY: `out_len` non-null and writable (caller).
        unsafe { write_out(out_len, len) };
        Ok(())
    })
}

/// Reads the claim `name` as an unsigned integer (e.g. `exp`, `iat`, a counter) into `*out`.
///
/// `CT_STATUS_CLAIM_NOT_FOUND`, `CT_STATUS_CLAIM_WRONG_TYPE` (not a number),
/// `CT_STATUS_CLAIM_OUT_OF_RANGE` (a negative number, a fraction, an exponent or more than
/// `UINT64_MAX`), `CT_STATUS_INVALID_JSON`. `*out` is written only on success.
///
/// # Safety
/// `claims` points to `claims_len` readable bytes, `name` to `name_len`, `out` to a
/// `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_claims_get_u64(
    claims: *const u8,
    claims_len: usize,
    name: *const c_char,
    name_len: usize,
    out: *mut u64,
) -> ct_status {
    guard(|| {
        non_null(&[claims.cast(), name.cast(), out.cast_const().cast()])?;
        // SAFETY: inputs readable per the caller.
        let value = match unsafe { lookup(claims, claims_len, name, name_len) }? {
            Value::Number(n) => json::parse_u64(n).ok_or(CT_STATUS_CLAIM_OUT_OF_RANGE)?,
            _ => return Err(CT_STATUS_CLAIM_WRONG_TYPE),
        };
        // SAFETY: `out` non-null and writable (caller); written after the inputs' last use.
        unsafe { write_out(out, value) };
        Ok(())
    })
}

/// Reads the boolean claim `name` into `*out`.
///
/// `CT_STATUS_CLAIM_NOT_FOUND`, `CT_STATUS_CLAIM_WRONG_TYPE` (not `true`/`false`),
/// `CT_STATUS_INVALID_JSON`. `*out` is written only on success.
///
/// # Safety
/// `claims` points to `claims_len` readable bytes, `name` to `name_len`, `out` to a `bool`.
#[no_mangle]
pub unsafe extern "C" fn ct_claims_get_bool(
    claims: *const u8,
    claims_len: usize,
    name: *const c_char,
    name_len: usize,
    out: *mut bool,
) -> ct_status {
    guard(|| {
        non_null(&[claims.cast(), name.cast(), out.cast_const().cast()])?;
        // SAFETY: inputs readable per the caller.
        let Value::Bool(value) = unsafe { lookup(claims, claims_len, name, name_len) }? else {
            return Err(CT_STATUS_CLAIM_WRONG_TYPE);
        };
        // SAFETY: `out` non-null and writable (caller).
        unsafe { write_out(out, value) };
        Ok(())
    })
}

/// Membership test for string-or-array claims such as `aud` or `roles`: `*found` is true if
/// the claim `name` is the string `value` or an array with an element equal to `value`
/// (`value_len` bytes of UTF-8), compared exactly after unescaping; array elements that are
/// not strings never match.
///
/// `CT_STATUS_CLAIM_NOT_FOUND` if there is no such claim, `CT_STATUS_CLAIM_WRONG_TYPE` if it
/// is neither a string nor an array, `CT_STATUS_INVALID_JSON`, `CT_STATUS_INVALID_UTF8`.
/// `*found` is written only on success.
///
/// # Safety
/// `claims` points to `claims_len` readable bytes, `name` to `name_len`, `value` to
/// `value_len`, `found` to a `bool`.
#[no_mangle]
pub unsafe extern "C" fn ct_claims_has_value(
    claims: *const u8,
    claims_len: usize,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    value_len: usize,
    found: *mut bool,
) -> ct_status {
    guard(|| {
        non_null(&[claims.cast(), name.cast(), value.cast(), found.cast_const().cast()])?;
        // SAFETY: readable per the caller.
        let value = unsafe { input_str(value, value_len) }?;
        // SAFETY: inputs readable per the caller.
        let is_member = match unsafe { lookup(claims, claims_len, name, name_len) }? {
            Value::String(s) => s.eq_str(value),
            Value::Array(text) => json::array_elements(text).try_fold(false, |hit, element| {
                Ok::<bool, ct_status>(hit || matches!(check(element)?, Value::String(s) if s.eq_str(value)))
            })?,
            _ => return Err(CT_STATUS_CLAIM_WRONG_TYPE),
        };
        // SAFETY: `found` non-null and writable (caller).
        unsafe { write_out(found, is_member) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;

    const CLAIMS: &str = r#"{"sub":"dev\u00e9\"7","n":42,"neg":-1,"f":1.5,"big":18446744073709551616,
        "ok":true,"aud":["a","api",3],"one":"api","nul":"a\u0000b","obj":{"sub":"inner"}}"#;

    fn get_str(name: &str, cap: usize) -> (ct_status, std::vec::Vec<u8>, usize) {
        let mut out = std::vec![0xAAu8; cap.max(1)];
        let mut len = usize::MAX;
        // SAFETY: local buffers of the stated sizes.
        let s = unsafe {
            ct_claims_get_str(
                CLAIMS.as_ptr(),
                CLAIMS.len(),
                name.as_ptr().cast(),
                name.len(),
                out.as_mut_ptr().cast(),
                cap,
                &mut len,
            )
        };
        (s, out, len)
    }

    #[test]
    fn strings_are_unescaped_and_nul_terminated() {
        let (s, out, len) = get_str("sub", 32);
        assert_eq!(s, CT_STATUS_OK);
        assert_eq!(&out[..len + 1], "dev\u{e9}\"7\0".as_bytes());
        let (s, out, len) = get_str("sub", 7);
        assert_eq!((s, len), (CT_STATUS_BUFFER_TOO_SMALL, 8));
        assert!(out.iter().all(|&b| b == 0xAA), "untouched");
        assert_eq!(get_str("sub", 8).0, CT_STATUS_OK);
        assert_eq!(get_str("nul", 32).0, CT_STATUS_EMBEDDED_NUL);
        assert_eq!(get_str("n", 32).0, CT_STATUS_CLAIM_WRONG_TYPE);
        assert_eq!(get_str("su", 32).0, CT_STATUS_CLAIM_NOT_FOUND, "no prefix match");
    }

    fn get_u64(name: &str) -> Result<u64, ct_status> {
        let mut v = 7u64;
        // SAFETY: local inputs and output.
        let s = unsafe {
            ct_claims_get_u64(CLAIMS.as_ptr(), CLAIMS.len(), name.as_ptr().cast(), name.len(), &mut v)
        };
        if s == CT_STATUS_OK {
            Ok(v)
        } else {
            assert_eq!(v, 7, "untouched on failure");
            Err(s)
        }
    }

    #[test]
    fn integers() {
        assert_eq!(get_u64("n"), Ok(42));
        for name in ["neg", "f", "big"] {
            assert_eq!(get_u64(name), Err(CT_STATUS_CLAIM_OUT_OF_RANGE), "{name}");
        }
        assert_eq!(get_u64("ok"), Err(CT_STATUS_CLAIM_WRONG_TYPE));
        assert_eq!(get_u64("x"), Err(CT_STATUS_CLAIM_NOT_FOUND));
    }

    fn has(name: &str, value: &str) -> Result<bool, ct_status> {
        let mut found = false;
        // SAFETY: local inputs and output.
        let s = unsafe {
            ct_claims_has_value(
                CLAIMS.as_ptr(),
                CLAIMS.len(),
                name.as_ptr().cast(),
                name.len(),
                value.as_ptr().cast(),
                value.len(),
                &mut found,
            )
        };
        if s == CT_STATUS_OK {
            Ok(found)
        } else {
            Err(s)
        }
    }

    #[test]
    fn membership() {
        assert_eq!(has("aud", "api"), Ok(true));
        assert_eq!(has("aud", "ap"), Ok(false));
        assert_eq!(has("aud", "3"), Ok(false), "numbers are not strings");
        assert_eq!(has("one", "api"), Ok(true));
        assert_eq!(has("one", "apix"), Ok(false));
        assert_eq!(has("n", "42"), Err(CT_STATUS_CLAIM_WRONG_TYPE));
        assert_eq!(has("roles", "x"), Err(CT_STATUS_CLAIM_NOT_FOUND));
    }

    #[test]
    fn booleans_and_strictness() {
        let mut b = false;
        // SAFETY: local inputs and output.
        unsafe {
            assert_eq!(
                ct_claims_get_bool(CLAIMS.as_ptr(), CLAIMS.len(), c"ok".as_ptr(), 2, &mut b),
                CT_STATUS_OK
            );
            assert!(b);
            let dup = br#"{"ok":true,"ok":false}"#;
            assert_eq!(
                ct_claims_get_bool(dup.as_ptr(), dup.len(), c"ok".as_ptr(), 2, &mut b),
                CT_STATUS_INVALID_JSON
            );
            assert_eq!(
                ct_claims_get_bool(CLAIMS.as_ptr(), CLAIMS.len(), c"n".as_ptr(), 1, &mut b),
                CT_STATUS_CLAIM_WRONG_TYPE
            );
        }
        // Only top-level members are claims.
        assert_eq!(has("obj", "inner"), Err(CT_STATUS_CLAIM_WRONG_TYPE));
    }
}
