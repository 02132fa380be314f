//! `ct_status`: the result of every fallible call, and the library's version.
//!
//! Codes 1..=99 are the core's [`ciphertoken::Error::code`] values, one `CT_STATUS_<NAME>`
//! each; codes from 100 are errors only the C boundary has.

use ciphertoken::Error;
use core::ffi::{c_char, CStr};

/// The result of every fallible call: `CT_STATUS_OK` (0) or one of the `CT_STATUS_*` error
/// codes. A 32-bit integer on every target (not a C enum, whose size varies), so a status
/// can be stored, passed back to `ct_status_str` and compared as a plain number.
pub type ct_status = u32;

/// Success.
pub const CT_STATUS_OK: ct_status = 0;
/// The token is not three non-empty base64url segments of acceptable length.
pub const CT_STATUS_MALFORMED: ct_status = 1;
/// A segment is not canonical unpadded base64url.
pub const CT_STATUS_INVALID_BASE64: ct_status = 2;
/// The header, payload or claims are not a strict JSON object (syntax, duplicate member,
/// depth, member count, invalid UTF-8).
pub const CT_STATUS_INVALID_JSON: ct_status = 3;
/// The token, header or a field is longer than the limit.
pub const CT_STATUS_TOO_LONG: ct_status = 4;
/// The header's `alg` names no supported algorithm (including `none`).
pub const CT_STATUS_UNSUPPORTED_ALGORITHM: ct_status = 5;
/// The header's `alg` is not the algorithm of the key.
pub const CT_STATUS_ALGORITHM_MISMATCH: ct_status = 6;
/// The header lists a critical extension (`crit`) that is not supported.
pub const CT_STATUS_UNSUPPORTED_CRITICAL: ct_status = 7;
/// The header's `typ` is not `JWT`.
pub const CT_STATUS_INVALID_TOKEN_TYPE: ct_status = 8;
/// The signature does not verify (wrong key or altered token).
pub const CT_STATUS_INVALID_SIGNATURE: ct_status = 9;
/// `exp` has passed (leeway included).
pub const CT_STATUS_EXPIRED: ct_status = 10;
/// `nbf` has not been reached yet (leeway included).
pub const CT_STATUS_NOT_YET_VALID: ct_status = 11;
/// `iat` lies in the future (leeway included).
pub const CT_STATUS_ISSUED_IN_FUTURE: ct_status = 12;
/// A claim the validation requires is absent.
pub const CT_STATUS_MISSING_CLAIM: ct_status = 13;
/// A registered claim has the wrong type or an unacceptable value (e.g. `"exp":"soon"`).
pub const CT_STATUS_INVALID_CLAIM: ct_status = 14;
/// `iss` is not the expected issuer.
pub const CT_STATUS_INVALID_ISSUER: ct_status = 15;
/// `aud` does not contain the expected audience, or is present when none is expected.
pub const CT_STATUS_INVALID_AUDIENCE: ct_status = 16;
/// `sub` is not the expected subject.
pub const CT_STATUS_INVALID_SUBJECT: ct_status = 17;
/// The `type` claim is not the expected token use (`access` / `refresh`).
pub const CT_STATUS_WRONG_TOKEN_USE: ct_status = 18;
/// An output buffer is too small; the size needed was written to the length output.
pub const CT_STATUS_BUFFER_TOO_SMALL: ct_status = 19;
/// An HMAC secret is shorter than the hash output (32/48/64 bytes).
pub const CT_STATUS_KEY_TOO_SHORT: ct_status = 20;
/// Key material is malformed (wrong length, not on the curve, zero scalar, weak point).
pub const CT_STATUS_INVALID_KEY: ct_status = 21;
/// The key is a public key: it can verify, not sign.
pub const CT_STATUS_VERIFY_ONLY_KEY: ct_status = 22;
/// A `kid` is empty, longer than 64 bytes or contains control characters.
pub const CT_STATUS_INVALID_KEY_ID: ct_status = 23;
/// The time is not known (`now_unix` 0 with a token that has time claims).
pub const CT_STATUS_TIME_UNAVAILABLE: ct_status = 24;
/// The claims could not be serialized.
pub const CT_STATUS_CLAIMS_SERIALIZATION: ct_status = 25;
/// The verified claims do not match the expected type.
pub const CT_STATUS_CLAIMS_DESERIALIZATION: ct_status = 26;
/// The token has been revoked.
pub const CT_STATUS_REVOKED: ct_status = 27;
/// A refresh token was used twice; its family is revoked.
pub const CT_STATUS_REFRESH_TOKEN_REUSED: ct_status = 28;
/// The token's `ver` is older than the subject's current version.
pub const CT_STATUS_STALE_VERSION: ct_status = 29;
/// A fixed-capacity store is full of live entries.
pub const CT_STATUS_STORE_FULL: ct_status = 30;
/// No key matches the token's `kid`.
pub const CT_STATUS_UNKNOWN_KEY: ct_status = 31;
/// The random number generator failed.
pub const CT_STATUS_RANDOM_UNAVAILABLE: ct_status = 32;
/// An internal invariant did not hold (a bug in the library, never caused by input): the
/// sign path's "cannot happen" branches.
pub const CT_STATUS_INTERNAL: ct_status = 33;
/// An external signer (`ct_signer` callback: secure element, PSA, PKCS#11, TPM) failed, or
/// returned a signature of the wrong length, out of range, or one that does not verify
/// against its public key. No token was released; the output buffer holds zeros.
pub const CT_STATUS_SIGNER_FAILED: ct_status = 34;

/// A pointer argument is NULL.
pub const CT_STATUS_NULL_ARGUMENT: ct_status = 100;
/// An argument is out of range: a length over `PTRDIFF_MAX` or wrapping the address space,
/// an output buffer overlapping an input, a misaligned object, an empty expected value,
/// unknown `CT_CLAIM_*` bits.
pub const CT_STATUS_INVALID_ARGUMENT: ct_status = 101;
/// A text argument (claim name, expected value, `kid`, issuer...) is not valid UTF-8.
pub const CT_STATUS_INVALID_UTF8: ct_status = 102;
/// The object was never initialized by its init function, or has been wiped.
pub const CT_STATUS_UNINITIALIZED: ct_status = 103;
/// The claims have no member of that name.
pub const CT_STATUS_CLAIM_NOT_FOUND: ct_status = 104;
/// The claim has another JSON type than the getter reads.
pub const CT_STATUS_CLAIM_WRONG_TYPE: ct_status = 105;
/// The claim is a number, but not an integer in 0..=UINT64_MAX (negative, fraction,
/// exponent, overflow).
pub const CT_STATUS_CLAIM_OUT_OF_RANGE: ct_status = 106;
/// The decoded string contains U+0000, which a C string would silently truncate.
pub const CT_STATUS_EMBEDDED_NUL: ct_status = 107;
/// An internal panic was caught (a bug: please report it). Outputs are unspecified.
pub const CT_STATUS_PANIC: ct_status = 108;

/// The status of a core error: its stable code.
pub(crate) const fn from_error(e: Error) -> ct_status {
    e.code()
}

/// Maps a core result to `Result<T, ct_status>`.
pub(crate) fn check<T>(r: Result<T, Error>) -> Result<T, ct_status> {
    r.map_err(from_error)
}

const UNKNOWN: &CStr = c"unknown status";

fn message(status: ct_status) -> &'static CStr {
    match status {
        CT_STATUS_OK => c"ok",
        CT_STATUS_MALFORMED => c"malformed token",
        CT_STATUS_INVALID_BASE64 => c"invalid base64url encoding",
        CT_STATUS_INVALID_JSON => c"invalid JSON",
        CT_STATUS_TOO_LONG => c"token or field too long",
        CT_STATUS_UNSUPPORTED_ALGORITHM => c"unsupported algorithm",
        CT_STATUS_ALGORITHM_MISMATCH => c"algorithm does not match the key",
        CT_STATUS_UNSUPPORTED_CRITICAL => c"unsupported critical header parameter",
        CT_STATUS_INVALID_TOKEN_TYPE => c"invalid token type header",
        CT_STATUS_INVALID_SIGNATURE => c"invalid signature",
        CT_STATUS_EXPIRED => c"token expired",
        CT_STATUS_NOT_YET_VALID => c"token not yet valid",
        CT_STATUS_ISSUED_IN_FUTURE => c"token issued in the future",
        CT_STATUS_MISSING_CLAIM => c"required claim missing",
        CT_STATUS_INVALID_CLAIM => c"invalid claim",
        CT_STATUS_INVALID_ISSUER => c"invalid issuer",
        CT_STATUS_INVALID_AUDIENCE => c"invalid audience",
        CT_STATUS_INVALID_SUBJECT => c"invalid subject",
        CT_STATUS_WRONG_TOKEN_USE => c"wrong token type (access/refresh)",
        CT_STATUS_BUFFER_TOO_SMALL => c"buffer too small",
        CT_STATUS_KEY_TOO_SHORT => c"key too short",
        CT_STATUS_INVALID_KEY => c"invalid key",
        CT_STATUS_VERIFY_ONLY_KEY => c"key can only verify",
        CT_STATUS_INVALID_KEY_ID => c"invalid key id",
        CT_STATUS_TIME_UNAVAILABLE => c"time unavailable",
        CT_STATUS_CLAIMS_SERIALIZATION => c"claims cannot be serialized",
        CT_STATUS_CLAIMS_DESERIALIZATION => c"claims do not match the expected type",
        CT_STATUS_REVOKED => c"token revoked",
        CT_STATUS_REFRESH_TOKEN_REUSED => c"refresh token reused; family revoked",
        CT_STATUS_STALE_VERSION => c"token version is stale",
        CT_STATUS_STORE_FULL => c"store full",
        CT_STATUS_UNKNOWN_KEY => c"no key for this kid",
        CT_STATUS_RANDOM_UNAVAILABLE => c"random number generator failed",
        CT_STATUS_INTERNAL => c"internal error (bug)",
        CT_STATUS_SIGNER_FAILED => c"external signer failed",
        CT_STATUS_NULL_ARGUMENT => c"null pointer argument",
        CT_STATUS_INVALID_ARGUMENT => c"invalid argument",
        CT_STATUS_INVALID_UTF8 => c"text argument is not valid UTF-8",
        CT_STATUS_UNINITIALIZED => c"object not initialized (or wiped)",
        CT_STATUS_CLAIM_NOT_FOUND => c"claim not found",
        CT_STATUS_CLAIM_WRONG_TYPE => c"claim has another type",
        CT_STATUS_CLAIM_OUT_OF_RANGE => c"claim is not an integer in 0..=UINT64_MAX",
        CT_STATUS_EMBEDDED_NUL => c"string contains a NUL character",
        CT_STATUS_PANIC => c"internal panic (bug)",
        _ => UNKNOWN,
    }
}

/// A short English description of `status`: a static NUL-terminated string, never NULL,
/// for every value (unknown numbers give "unknown status"). Do not free it.
#[no_mangle]
pub extern "C" fn ct_status_str(status: ct_status) -> *const c_char {
    message(status).as_ptr()
}

/// The library's version, e.g. "0.1.0": a static NUL-terminated string equal to
/// `CT_VERSION_STRING` of the header it was built with. Do not free it.
#[no_mangle]
pub extern "C" fn ct_version() -> *const c_char {
    VERSION.as_ptr()
}

const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(v) => v,
    Err(_) => UNKNOWN,
};

#[cfg(test)]
mod tests {
    use super::*;
    use ciphertoken::Claim;

    /// Every core error, with the C constant that must carry its code. A new core variant
    /// needs a line here (and a constant, and a `message` arm).
    const ALL: &[(Error, ct_status)] = &[
        (Error::Malformed, CT_STATUS_MALFORMED),
        (Error::InvalidBase64, CT_STATUS_INVALID_BASE64),
        (Error::InvalidJson, CT_STATUS_INVALID_JSON),
        (Error::TooLong, CT_STATUS_TOO_LONG),
        (Error::UnsupportedAlgorithm, CT_STATUS_UNSUPPORTED_ALGORITHM),
        (Error::AlgorithmMismatch, CT_STATUS_ALGORITHM_MISMATCH),
        (Error::UnsupportedCritical, CT_STATUS_UNSUPPORTED_CRITICAL),
        (Error::InvalidTokenType, CT_STATUS_INVALID_TOKEN_TYPE),
        (Error::InvalidSignature, CT_STATUS_INVALID_SIGNATURE),
        (Error::Expired, CT_STATUS_EXPIRED),
        (Error::NotYetValid, CT_STATUS_NOT_YET_VALID),
        (Error::IssuedInFuture, CT_STATUS_ISSUED_IN_FUTURE),
        (Error::MissingClaim(Claim::Issuer), CT_STATUS_MISSING_CLAIM),
        (Error::MissingClaim(Claim::Version), CT_STATUS_MISSING_CLAIM),
        (Error::InvalidClaim(Claim::ExpirationTime), CT_STATUS_INVALID_CLAIM),
        (Error::InvalidIssuer, CT_STATUS_INVALID_ISSUER),
        (Error::InvalidAudience, CT_STATUS_INVALID_AUDIENCE),
        (Error::InvalidSubject, CT_STATUS_INVALID_SUBJECT),
        (Error::WrongTokenUse, CT_STATUS_WRONG_TOKEN_USE),
        (Error::BufferTooSmall { needed: 7 }, CT_STATUS_BUFFER_TOO_SMALL),
        (Error::KeyTooShort, CT_STATUS_KEY_TOO_SHORT),
        (Error::InvalidKey, CT_STATUS_INVALID_KEY),
        (Error::VerifyOnlyKey, CT_STATUS_VERIFY_ONLY_KEY),
        (Error::InvalidKeyId, CT_STATUS_INVALID_KEY_ID),
        (Error::TimeUnavailable, CT_STATUS_TIME_UNAVAILABLE),
        (Error::ClaimsSerialization, CT_STATUS_CLAIMS_SERIALIZATION),
        (Error::ClaimsDeserialization, CT_STATUS_CLAIMS_DESERIALIZATION),
        (Error::Revoked, CT_STATUS_REVOKED),
        (Error::RefreshTokenReused, CT_STATUS_REFRESH_TOKEN_REUSED),
        (Error::StaleVersion, CT_STATUS_STALE_VERSION),
        (Error::StoreFull, CT_STATUS_STORE_FULL),
        (Error::UnknownKey, CT_STATUS_UNKNOWN_KEY),
        (Error::RandomUnavailable, CT_STATUS_RANDOM_UNAVAILABLE),
        (Error::Internal, CT_STATUS_INTERNAL),
        (Error::SignerFailed, CT_STATUS_SIGNER_FAILED),
    ];

    const FFI_ONLY: &[ct_status] = &[
        CT_STATUS_NULL_ARGUMENT,
        CT_STATUS_INVALID_ARGUMENT,
        CT_STATUS_INVALID_UTF8,
        CT_STATUS_UNINITIALIZED,
        CT_STATUS_CLAIM_NOT_FOUND,
        CT_STATUS_CLAIM_WRONG_TYPE,
        CT_STATUS_CLAIM_OUT_OF_RANGE,
        CT_STATUS_EMBEDDED_NUL,
        CT_STATUS_PANIC,
    ];

    fn text(status: ct_status) -> &'static str {
        // SAFETY: `ct_status_str` returns a pointer into a static `CStr`.
        unsafe { CStr::from_ptr(ct_status_str(status)) }.to_str().unwrap()
    }

    #[test]
    fn every_core_error_has_its_constant_and_message() {
        for &(error, constant) in ALL {
            assert_eq!(error.code(), constant, "{error:?}");
            assert_eq!(from_error(error), constant, "{error:?}");
            // The C text is the core's text, so the two never drift apart.
            assert_eq!(text(constant), error.as_str(), "{error:?}");
        }
        // The core numbers its errors 1..=N without gaps; all of them are covered above.
        let mut codes: std::vec::Vec<u32> = ALL.iter().map(|(e, _)| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes, (1..=34).collect::<std::vec::Vec<u32>>());
        assert!(codes.iter().all(|&c| c < 100), "core codes must stay below the ffi range");
    }

    #[test]
    fn ffi_statuses_are_distinct_and_described() {
        let mut all: std::vec::Vec<u32> = FFI_ONLY.to_vec();
        all.extend(ALL.iter().map(|(_, s)| *s));
        all.push(CT_STATUS_OK);
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n - 1, "only MissingClaim appears twice in ALL");
        for &s in FFI_ONLY {
            assert!(s >= 100);
            assert_ne!(text(s), "unknown status", "{s}");
        }
        assert_eq!(text(CT_STATUS_OK), "ok");
    }

    #[test]
    fn unknown_statuses_have_a_static_string() {
        for s in [35, 99, 109, 1000, u32::MAX] {
            assert_eq!(text(s), "unknown status");
        }
    }

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: `ct_version` returns a pointer into a static `CStr`.
        let v = unsafe { CStr::from_ptr(ct_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }
}
