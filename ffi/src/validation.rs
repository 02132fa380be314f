//! `ct_validation`: the claim policy `ct_verify` applies, in caller-allocated storage.

use crate::raw::{disjoint, guard, input_str, non_null};
use crate::status::{ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_TOO_LONG, CT_STATUS_UNINITIALIZED};
use ciphertoken::{RequiredClaims, Validation};
use core::ffi::c_char;
use core::mem::{align_of, size_of};

/// Bytes of storage a `ct_validation` needs (`sizeof(ct_validation)`).
pub const CT_VALIDATION_SIZE: usize = 416;

/// The longest expected issuer, audience or subject, in bytes.
pub const CT_VALIDATION_MAX_VALUE_LEN: usize = 128;

/// `exp` must be present (required by `ct_validation_init`'s defaults).
pub const CT_CLAIM_EXP: u32 = 1;
/// `nbf` must be present.
pub const CT_CLAIM_NBF: u32 = 1 << 1;
/// `iat` must be present.
pub const CT_CLAIM_IAT: u32 = 1 << 2;
/// `iss` must be present.
pub const CT_CLAIM_ISS: u32 = 1 << 3;
/// `aud` must be present.
pub const CT_CLAIM_AUD: u32 = 1 << 4;
/// `sub` must be present.
pub const CT_CLAIM_SUB: u32 = 1 << 5;
/// `jti` must be present.
pub const CT_CLAIM_JTI: u32 = 1 << 6;

/// Caller-allocated storage for a validation policy. Opaque: initialize it with
/// `ct_validation_init`, configure it with the `ct_validation_set_*` calls, pass it to
/// `ct_verify`. It holds no pointer: expected values are copied into it, and it needs no
/// clean-up. Align it like `uint64_t`. One policy may serve any number of `ct_verify`
/// calls, also concurrently, as long as nobody modifies it meanwhile.
#[repr(C)]
pub struct ct_validation {
    _opaque: [u64; 52],
}

/// Marks storage initialized by `ct_validation_init` (`ctvalid1`).
const VALIDATION_MAGIC: u64 = u64::from_le_bytes(*b"ctvalid1");

/// An expected value, copied in. Length 0 means "not set" (empty values are refused).
/// Also the issuer's `iss` and `aud` (lifecycle.rs).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Text {
    len: u32,
    bytes: [u8; CT_VALIDATION_MAX_VALUE_LEN],
}

impl Text {
    pub(crate) const EMPTY: Text = Text { len: 0, bytes: [0; CT_VALIDATION_MAX_VALUE_LEN] };

    /// The value, if set. The storage is caller memory: re-check what a setter ensured.
    pub(crate) fn get(&self) -> Result<Option<&str>, ct_status> {
        if self.len == 0 {
            return Ok(None);
        }
        let len = usize::try_from(self.len).map_err(|_| CT_STATUS_UNINITIALIZED)?;
        let bytes = self.bytes.get(..len).ok_or(CT_STATUS_UNINITIALIZED)?;
        core::str::from_utf8(bytes).map(Some).map_err(|_| CT_STATUS_UNINITIALIZED)
    }

    pub(crate) fn set(&mut self, value: &str) -> Result<(), ct_status> {
        if value.is_empty() {
            return Err(CT_STATUS_INVALID_ARGUMENT);
        }
        let dst = self.bytes.get_mut(..value.len()).ok_or(CT_STATUS_TOO_LONG)?;
        let len = u32::try_from(value.len()).map_err(|_| CT_STATUS_TOO_LONG)?;
        dst.copy_from_slice(value.as_bytes());
        self.len = len;
        Ok(())
    }
}

/// What `ct_validation` storage holds: integers and bytes only, so any bit pattern is a
/// valid value; `magic` (offset 0) tells initialized storage from garbage.
#[repr(C)]
struct ValidationSlot {
    magic: u64,
    leeway: u64,
    required: u32,
    issuer: Text,
    audience: Text,
    subject: Text,
}

const _: () = assert!(size_of::<ValidationSlot>() == size_of::<ct_validation>());
const _: () = assert!(align_of::<ValidationSlot>() <= align_of::<ct_validation>());
const _: () = assert!(size_of::<ct_validation>() == CT_VALIDATION_SIZE);

impl ValidationSlot {
    /// The core policy, borrowing the copied strings.
    pub(crate) fn policy(&self) -> Result<Validation<'_>, ct_status> {
        let required = RequiredClaims::from_bits(self.required).ok_or(CT_STATUS_UNINITIALIZED)?;
        let mut v = Validation::new().required(required).leeway(self.leeway);
        if let Some(iss) = self.issuer.get()? {
            v = v.issuer(iss);
        }
        if let Some(aud) = self.audience.get()? {
            v = v.audience(aud);
        }
        if let Some(sub) = self.subject.get()? {
            v = v.subject(sub);
        }
        Ok(v)
    }
}

/// The size in bytes of `ct_validation` (equal to `CT_VALIDATION_SIZE`). Its alignment is
/// that of `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_validation_size() -> usize {
    CT_VALIDATION_SIZE
}

fn aligned(v: *const ct_validation) -> Result<(), ct_status> {
    if v.cast::<ValidationSlot>().is_aligned() {
        Ok(())
    } else {
        Err(CT_STATUS_INVALID_ARGUMENT)
    }
}

/// # Safety
/// `v` non-null, pointing to `CT_VALIDATION_SIZE` readable bytes not written during `'a`.
unsafe fn slot_ptr(v: *const ct_validation) -> Result<*const ValidationSlot, ct_status> {
    aligned(v)?;
    let slot = v.cast::<ValidationSlot>();
    // SAFETY: aligned, readable (caller); `magic` is a `u64` at offset 0.
    let magic = unsafe { core::ptr::addr_of!((*slot).magic).read() };
    if magic == VALIDATION_MAGIC {
        Ok(slot)
    } else {
        Err(CT_STATUS_UNINITIALIZED)
    }
}

/// The policy stored in `v`.
///
/// # Safety
/// `v` non-null, pointing to `CT_VALIDATION_SIZE` readable bytes not written during `'a`.
pub(crate) unsafe fn policy<'a>(v: *const ct_validation) -> Result<Validation<'a>, ct_status> {
    // SAFETY: forwarded caller contract.
    let slot = unsafe { slot_ptr(v) }?;
    // SAFETY: `slot` is aligned and readable for `'a` (caller); every bit pattern is a valid
    // `ValidationSlot` (integers and byte arrays only).
    unsafe { &*slot }.policy()
}

/// # Safety
/// `v` non-null, pointing to `CT_VALIDATION_SIZE` writable bytes nothing else accesses.
unsafe fn slot_mut<'a>(v: *mut ct_validation) -> Result<&'a mut ValidationSlot, ct_status> {
    // SAFETY: forwarded caller contract.
    let slot = unsafe { slot_ptr(v) }?;
    // SAFETY: as in `policy`, and exclusive per the caller.
    Ok(unsafe { &mut *slot.cast_mut() })
}

/// Initializes `v` with the safe defaults: `exp` required (`CT_CLAIM_EXP`), no leeway, no
/// expected issuer, audience or subject (a token carrying an `aud` is then refused), `typ`
/// absent or `JWT`, tokens up to 8192 bytes. Overwrites whatever `v` held.
///
/// # Safety
/// `v` points to `CT_VALIDATION_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_init(v: *mut ct_validation) -> ct_status {
    guard(|| {
        non_null(&[v.cast()])?;
        aligned(v)?;
        let slot = ValidationSlot {
            magic: VALIDATION_MAGIC,
            leeway: 0,
            required: CT_CLAIM_EXP,
            issuer: Text::EMPTY,
            audience: Text::EMPTY,
            subject: Text::EMPTY,
        };
        // SAFETY: `v` is non-null, aligned (checked) and writable for a whole
        // `ValidationSlot` (same size as `ct_validation`); `write` reads nothing old.
        unsafe { v.cast::<ValidationSlot>().write(slot) };
        Ok(())
    })
}

/// Applies `set` to the text field `field` selects, from the caller's `(ptr, len)`.
///
/// # Safety
/// `v` as for `slot_mut`; `ptr` readable for `len` bytes (or null).
unsafe fn set_text(
    v: *mut ct_validation,
    ptr: *const c_char,
    len: usize,
    field: fn(&mut ValidationSlot) -> &mut Text,
) -> ct_status {
    guard(|| {
        non_null(&[v.cast(), ptr.cast()])?;
        disjoint(v.cast(), CT_VALIDATION_SIZE, ptr.cast(), len)?;
        // SAFETY: readable for `len` bytes (caller), outside `v` (checked).
        let text = unsafe { input_str(ptr, len) }?;
        // SAFETY: `v` non-null and writable (caller).
        let slot = unsafe { slot_mut(v) }?;
        field(slot).set(text)
    })
}

/// Requires the token's `iss` claim to equal the issuer `iss` exactly (`len` bytes of
/// UTF-8, 1 to `CT_VALIDATION_MAX_VALUE_LEN`; no NUL needed). The value is copied. `CT_STATUS_TOO_LONG` / `CT_STATUS_INVALID_ARGUMENT` (empty) /
/// `CT_STATUS_INVALID_UTF8`; on failure `v` is unchanged.
///
/// # Safety
/// `v` points to an initialized `ct_validation`; `iss` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_set_issuer(
    v: *mut ct_validation,
    iss: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_text(v, iss, len, |s| &mut s.issuer) }
}

/// Requires the token's `aud` claim (a string, or an array of strings) to contain the
/// audience `aud` exactly. As `ct_validation_set_issuer` otherwise.
///
/// # Safety
/// `v` points to an initialized `ct_validation`; `aud` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_set_audience(
    v: *mut ct_validation,
    aud: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_text(v, aud, len, |s| &mut s.audience) }
}

/// Requires the token's `sub` claim to equal the subject `sub` exactly. As
/// `ct_validation_set_issuer` otherwise.
///
/// # Safety
/// `v` points to an initialized `ct_validation`; `sub` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_set_subject(
    v: *mut ct_validation,
    sub: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_text(v, sub, len, |s| &mut s.subject) }
}

/// Tolerates `seconds` of clock skew on `exp`, `nbf` and `iat` (default 0).
///
/// # Safety
/// `v` points to an initialized `ct_validation`.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_set_leeway(v: *mut ct_validation, seconds: u32) -> ct_status {
    guard(|| {
        non_null(&[v.cast()])?;
        // SAFETY: `v` non-null and writable (caller).
        let slot = unsafe { slot_mut(v) }?;
        slot.leeway = u64::from(seconds);
        Ok(())
    })
}

/// Replaces the set of claims that must be present: a bit mask of `CT_CLAIM_EXP`,
/// `CT_CLAIM_NBF`, `CT_CLAIM_IAT`, `CT_CLAIM_ISS`, `CT_CLAIM_AUD`, `CT_CLAIM_SUB`,
/// `CT_CLAIM_JTI`. 0 requires nothing (a present `exp`/`nbf`/`iat` is still checked, and an
/// expected issuer, audience or subject stays required). Unknown bits give
/// `CT_STATUS_INVALID_ARGUMENT` and leave `v` unchanged.
///
/// # Safety
/// `v` points to an initialized `ct_validation`.
#[no_mangle]
pub unsafe extern "C" fn ct_validation_set_required(v: *mut ct_validation, claims: u32) -> ct_status {
    guard(|| {
        non_null(&[v.cast()])?;
        // SAFETY: `v` non-null and writable (caller).
        let slot = unsafe { slot_mut(v) }?;
        let required = RequiredClaims::from_bits(claims).ok_or(CT_STATUS_INVALID_ARGUMENT)?;
        slot.required = required.bits();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;
    use ciphertoken::{Error, FixedClock, RegisteredClaims};

    fn zeroed() -> ct_validation {
        ct_validation { _opaque: [0; 52] }
    }

    #[test]
    fn size_and_claim_bits_match() {
        assert_eq!(ct_validation_size(), size_of::<ct_validation>());
        for (bit, core) in [
            (CT_CLAIM_EXP, RequiredClaims::EXP),
            (CT_CLAIM_NBF, RequiredClaims::NBF),
            (CT_CLAIM_IAT, RequiredClaims::IAT),
            (CT_CLAIM_ISS, RequiredClaims::ISS),
            (CT_CLAIM_AUD, RequiredClaims::AUD),
            (CT_CLAIM_SUB, RequiredClaims::SUB),
            (CT_CLAIM_JTI, RequiredClaims::JTI),
        ] {
            assert_eq!(bit, core.bits());
        }
    }

    fn validate(v: &ct_validation, claims: &str, now: u64) -> Result<(), Error> {
        // SAFETY: `v` is a local, initialized `ct_validation`.
        let policy = unsafe { policy(v) }.map_err(|_| Error::Malformed)?;
        policy.validate(&RegisteredClaims::parse(claims.as_bytes())?, &FixedClock(now))
    }

    #[test]
    fn setters_build_the_policy() {
        let mut v = zeroed();
        // SAFETY: local storage, local inputs of the stated lengths.
        unsafe {
            assert_eq!(policy(&v).err(), Some(CT_STATUS_UNINITIALIZED));
            assert_eq!(ct_validation_set_leeway(&mut v, 5), CT_STATUS_UNINITIALIZED);
            assert_eq!(ct_validation_init(&mut v), CT_STATUS_OK);
            assert_eq!(validate(&v, r#"{"exp":100}"#, 99), Ok(()));
            assert_eq!(
                validate(&v, r#"{"sub":"x"}"#, 99),
                Err(Error::MissingClaim(ciphertoken::Claim::ExpirationTime))
            );
            assert_eq!(ct_validation_set_leeway(&mut v, 5), CT_STATUS_OK);
            assert_eq!(validate(&v, r#"{"exp":100}"#, 104), Ok(()));
            assert_eq!(ct_validation_set_issuer(&mut v, c"gw".as_ptr(), 2), CT_STATUS_OK);
            assert_eq!(validate(&v, r#"{"exp":100,"iss":"gw"}"#, 50), Ok(()));
            assert_eq!(validate(&v, r#"{"exp":100,"iss":"gwx"}"#, 50), Err(Error::InvalidIssuer));
            assert_eq!(ct_validation_set_audience(&mut v, c"api".as_ptr(), 3), CT_STATUS_OK);
            assert_eq!(validate(&v, r#"{"exp":100,"iss":"gw","aud":["x","api"]}"#, 50), Ok(()));
            assert_eq!(ct_validation_set_subject(&mut v, c"dev".as_ptr(), 3), CT_STATUS_OK);
            assert_eq!(
                validate(&v, r#"{"exp":100,"iss":"gw","aud":"api","sub":"de"}"#, 50),
                Err(Error::InvalidSubject)
            );
            assert_eq!(ct_validation_set_required(&mut v, 0), CT_STATUS_OK);
            assert_eq!(validate(&v, r#"{"iss":"gw","aud":"api","sub":"dev"}"#, 50), Ok(()));
            assert_eq!(ct_validation_set_required(&mut v, 0x80), CT_STATUS_INVALID_ARGUMENT);
            assert_eq!(ct_validation_set_required(&mut v, CT_CLAIM_JTI), CT_STATUS_OK);
            assert_eq!(
                validate(&v, r#"{"iss":"gw","aud":"api","sub":"dev"}"#, 50),
                Err(Error::MissingClaim(ciphertoken::Claim::JwtId))
            );
        }
    }

    #[test]
    fn values_are_bounded_and_checked() {
        let mut v = zeroed();
        let long = [b'a'; CT_VALIDATION_MAX_VALUE_LEN + 1];
        // SAFETY: local storage, local inputs of the stated lengths.
        unsafe {
            assert_eq!(ct_validation_init(&mut v), CT_STATUS_OK);
            let p = long.as_ptr().cast::<c_char>();
            assert_eq!(ct_validation_set_issuer(&mut v, p, long.len()), CT_STATUS_TOO_LONG);
            assert_eq!(ct_validation_set_issuer(&mut v, p, CT_VALIDATION_MAX_VALUE_LEN), CT_STATUS_OK);
            assert_eq!(ct_validation_set_issuer(&mut v, p, 0), CT_STATUS_INVALID_ARGUMENT);
            assert_eq!(ct_validation_set_subject(&mut v, c"\xff".as_ptr(), 1), CT_STATUS_INVALID_UTF8);
            // The value set before the failures is still in force.
            let iss = core::str::from_utf8(&long[..CT_VALIDATION_MAX_VALUE_LEN]).unwrap();
            let claims = std::format!(r#"{{"exp":10,"iss":"{iss}"}}"#);
            assert_eq!(validate(&v, &claims, 1), Ok(()));
            // An input inside the object itself is refused, not aliased.
            let inside = (&v as *const ct_validation).cast::<c_char>();
            assert_eq!(ct_validation_set_subject(&mut v, inside, 4), CT_STATUS_INVALID_ARGUMENT);
        }
    }
}
