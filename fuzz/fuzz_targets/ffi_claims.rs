//! The C ABI's claim getters (`ct_claims_get_str`, `ct_claims_get_u64`, `ct_claims_get_bool`,
//! `ct_claims_has_value`) on arbitrary claims JSON, names, values and output capacities.
//!
//! Input: `[getter, name_len, value_len, cap]`, the name, the value, then the claims. Every
//! status is compared with the serde_json model (`ciphertoken_fuzz::model`): never
//! `CT_STATUS_PANIC`; `CT_STATUS_INVALID_UTF8` for a non-UTF-8 name or value;
//! `CT_STATUS_INVALID_JSON` exactly when the claims are not a strict object; then not found /
//! wrong type / out of range / embedded NUL / buffer too small (with the size needed and the
//! buffer untouched) / the value, each exactly when the model says so.
#![no_main]

use ciphertoken_ffi::claims::{
    ct_claims_get_bool, ct_claims_get_str, ct_claims_get_u64, ct_claims_has_value,
};
use ciphertoken_ffi::status::*;
use ciphertoken_fuzz::model::{self, Strict, J};

/// `(getter, name, value, out capacity, claims)`.
type Input<'a> = (u8, &'a [u8], &'a [u8], usize, &'a [u8]);

fn split_input(data: &[u8]) -> Option<Input<'_>> {
    let (&[getter, name_len, value_len, cap], rest) = data.split_first_chunk::<4>()?;
    let (name, rest) = rest.split_at_checked(usize::from(name_len).min(rest.len()))?;
    let (value, claims) = rest.split_at_checked(usize::from(value_len).min(rest.len()))?;
    let cap = if cap == 255 { 4096 } else { usize::from(cap) };
    Some((getter % 4, name, value, cap, claims))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((getter, name, value, cap, claims)) = split_input(data) else { return };
    // Separate allocations: the getters refuse overlapping buffers.
    let (claims, name, value) = (claims.to_vec(), name.to_vec(), value.to_vec());
    let (c, n, v) = (claims.as_ptr(), name.as_ptr().cast(), value.as_ptr().cast());

    let verdict = model::strict_object(&claims);
    let member = match (&verdict, std::str::from_utf8(&name)) {
        (Strict::Valid(obj), Ok(name)) => Some(obj.get(name)),
        _ => None,
    };
    // The status every getter must return before looking at the member's type.
    let early = if std::str::from_utf8(&name).is_err() {
        Some(CT_STATUS_INVALID_UTF8)
    } else {
        match (&verdict, &member) {
            (Strict::Unknown, _) => None,
            (Strict::Invalid, _) => Some(CT_STATUS_INVALID_JSON),
            (_, Some(None)) => Some(CT_STATUS_CLAIM_NOT_FOUND),
            _ => None,
        }
    };
    let found = member.flatten();
    // serde_json cannot judge the claims (a number beyond f64): only "no panic" is checked.
    let unknown = early.is_none() && verdict == Strict::Unknown;

    match getter {
        0 => {
            let mut out = vec![0xA5u8; cap];
            let mut out_len = usize::MAX;
            // SAFETY: every pointer is valid for its length, the buffers are distinct.
            let status = unsafe {
                ct_claims_get_str(c, claims.len(), n, name.len(), out.as_mut_ptr().cast(), cap, &mut out_len)
            };
            let want = early.unwrap_or(match found {
                Some(J::Str(s)) if s.contains('\0') => CT_STATUS_EMBEDDED_NUL,
                Some(J::Str(s)) if s.len() + 1 > cap => CT_STATUS_BUFFER_TOO_SMALL,
                Some(J::Str(_)) => CT_STATUS_OK,
                _ => CT_STATUS_CLAIM_WRONG_TYPE,
            });
            if unknown {
                assert_ne!(status, CT_STATUS_PANIC);
                return;
            }
            assert_eq!(status, want, "get_str: {found:?} cap {cap}");
            match (status, found) {
                (CT_STATUS_OK, Some(J::Str(s))) => {
                    assert_eq!(out_len, s.len());
                    assert_eq!(&out[..s.len()], s.as_bytes());
                    assert_eq!(out[s.len()], 0);
                }
                (CT_STATUS_BUFFER_TOO_SMALL, Some(J::Str(s))) => {
                    assert_eq!(out_len, s.len() + 1);
                    assert!(out.iter().all(|&b| b == 0xA5), "output written on BUFFER_TOO_SMALL");
                }
                _ => {
                    assert_eq!(out_len, usize::MAX, "out_len written on failure");
                    assert!(out.iter().all(|&b| b == 0xA5), "output written on failure");
                }
            }
        }
        1 => {
            let mut out = 0xDEAD_BEEFu64;
            // SAFETY: valid pointers and lengths.
            let status = unsafe { ct_claims_get_u64(c, claims.len(), n, name.len(), &mut out) };
            let want = early.unwrap_or(match found {
                Some(J::U64(_)) => CT_STATUS_OK,
                Some(J::OtherNumber) => CT_STATUS_CLAIM_OUT_OF_RANGE,
                _ => CT_STATUS_CLAIM_WRONG_TYPE,
            });
            if unknown {
                assert_ne!(status, CT_STATUS_PANIC);
                return;
            }
            assert_eq!(status, want, "get_u64: {found:?}");
            match found {
                Some(J::U64(x)) if status == CT_STATUS_OK => assert_eq!(out, *x),
                _ => assert_eq!(out, 0xDEAD_BEEF, "out written on failure"),
            }
        }
        2 => {
            let mut out = false;
            // SAFETY: valid pointers and lengths.
            let status = unsafe { ct_claims_get_bool(c, claims.len(), n, name.len(), &mut out) };
            let want = early.unwrap_or(match found {
                Some(J::Bool(_)) => CT_STATUS_OK,
                _ => CT_STATUS_CLAIM_WRONG_TYPE,
            });
            if unknown {
                assert_ne!(status, CT_STATUS_PANIC);
                return;
            }
            assert_eq!(status, want, "get_bool: {found:?}");
            if let (CT_STATUS_OK, Some(J::Bool(b))) = (status, found) {
                assert_eq!(out, *b);
            }
        }
        _ => {
            let mut hit = false;
            // SAFETY: valid pointers and lengths.
            let status =
                unsafe { ct_claims_has_value(c, claims.len(), n, name.len(), v, value.len(), &mut hit) };
            let Ok(value) = std::str::from_utf8(&value) else {
                assert_eq!(status, CT_STATUS_INVALID_UTF8);
                return;
            };
            let want = early.unwrap_or(match found {
                Some(J::Str(_) | J::Arr(_)) => CT_STATUS_OK,
                _ => CT_STATUS_CLAIM_WRONG_TYPE,
            });
            if unknown {
                assert_ne!(status, CT_STATUS_PANIC);
                return;
            }
            assert_eq!(status, want, "has_value: {found:?}");
            let expected = match found {
                Some(J::Str(s)) => s == value,
                Some(J::Arr(items)) => items.iter().any(|i| matches!(i, J::Str(s) if s == value)),
                _ => false,
            };
            if status == CT_STATUS_OK {
                assert_eq!(hit, expected, "has_value {value:?} in {found:?}");
            }
        }
    }
});
