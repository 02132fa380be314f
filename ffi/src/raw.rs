//! Checked conversions of what C passes in, and the panic guard. Every raw pointer the ABI
//! receives goes through one of these functions before it becomes a Rust reference.

use crate::status::{
    ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_INVALID_UTF8, CT_STATUS_NULL_ARGUMENT, CT_STATUS_OK,
};
use core::ffi::c_char;

/// Runs an ABI body. With the `std` feature a panic (the library has no known panic path)
/// is caught and reported as `CT_STATUS_PANIC` instead of unwinding into C.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), ct_status>) -> ct_status {
    #[cfg(feature = "std")]
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .unwrap_or(Err(crate::status::CT_STATUS_PANIC));
    #[cfg(not(feature = "std"))]
    let result = body();
    match result {
        Ok(()) => CT_STATUS_OK,
        Err(status) => status,
    }
}

/// Fails with `CT_STATUS_NULL_ARGUMENT` if any pointer is null. ABI functions call it first,
/// so a null pointer is reported whatever the other arguments are.
pub(crate) fn non_null(pointers: &[*const ()]) -> Result<(), ct_status> {
    if pointers.iter().any(|p| p.is_null()) {
        Err(CT_STATUS_NULL_ARGUMENT)
    } else {
        Ok(())
    }
}

/// The address range `[ptr, ptr + len)` as integers, refusing lengths `slice::from_raw_parts`
/// forbids (over `isize::MAX`, or wrapping around the address space).
fn range(ptr: *const u8, len: usize) -> Result<(usize, usize), ct_status> {
    let start = ptr as usize;
    let end = start.checked_add(len).ok_or(CT_STATUS_INVALID_ARGUMENT)?;
    if isize::try_from(len).is_err() {
        return Err(CT_STATUS_INVALID_ARGUMENT);
    }
    Ok((start, end))
}

/// Fails with `CT_STATUS_INVALID_ARGUMENT` when an output buffer overlaps an input (Rust
/// may not hold a shared and a mutable reference to the same bytes).
pub(crate) fn disjoint(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> Result<(), ct_status> {
    let (a0, a1) = range(a, a_len)?;
    let (b0, b1) = range(b, b_len)?;
    if a0 == a1 || b0 == b1 || a1 <= b0 || b1 <= a0 {
        Ok(())
    } else {
        Err(CT_STATUS_INVALID_ARGUMENT)
    }
}

/// The `len` bytes at `ptr`.
///
/// # Safety
/// Unless null, `ptr` must be valid for reads of `len` bytes that nothing writes during `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], ct_status> {
    if ptr.is_null() {
        return Err(CT_STATUS_NULL_ARGUMENT);
    }
    range(ptr, len)?;
    // SAFETY: `ptr` is non-null, the caller guarantees `len` readable bytes that stay
    // unchanged for `'a`, and `range` checked `len <= isize::MAX` without address wrap-around.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The `len` bytes at `ptr` as UTF-8 text (`CT_STATUS_INVALID_UTF8` otherwise).
///
/// # Safety
/// As for [`input`].
pub(crate) unsafe fn input_str<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, ct_status> {
    // SAFETY: forwarded caller contract; `c_char` and `u8` have the same size and alignment.
    let bytes = unsafe { input(ptr.cast::<u8>(), len) }?;
    core::str::from_utf8(bytes).map_err(|_| CT_STATUS_INVALID_UTF8)
}

/// The `cap` writable bytes at `ptr`.
///
/// # Safety
/// Unless null, `ptr` must be valid for reads and writes of `cap` bytes that nothing else
/// accesses during `'a` (in particular no input of the same call: see [`disjoint`]).
pub(crate) unsafe fn output<'a>(ptr: *mut u8, cap: usize) -> Result<&'a mut [u8], ct_status> {
    if ptr.is_null() {
        return Err(CT_STATUS_NULL_ARGUMENT);
    }
    range(ptr, cap)?;
    // SAFETY: non-null, `cap` bytes valid and unaliased per the caller, size checked by `range`.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, cap) })
}

/// Writes a scalar output (`size_t *`, `uint64_t *`, `bool *`), which C may not have aligned.
///
/// # Safety
/// `ptr` must be non-null and valid for writes of `size_of::<T>()` bytes.
pub(crate) unsafe fn write_out<T: Copy>(ptr: *mut T, value: T) {
    // SAFETY: per the caller; `write_unaligned` needs no alignment.
    unsafe { ptr.write_unaligned(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_ranges() {
        let buf = [0u8; 16];
        let p = buf.as_ptr();
        assert_eq!(disjoint(p, 8, p.wrapping_add(8), 8), Ok(()));
        assert_eq!(disjoint(p.wrapping_add(8), 8, p, 8), Ok(()));
        assert_eq!(disjoint(p, 9, p.wrapping_add(8), 8), Err(CT_STATUS_INVALID_ARGUMENT));
        assert_eq!(disjoint(p.wrapping_add(4), 2, p, 16), Err(CT_STATUS_INVALID_ARGUMENT));
        // Empty ranges never overlap.
        assert_eq!(disjoint(p, 0, p, 16), Ok(()));
        // Lengths that wrap the address space are refused.
        assert_eq!(disjoint(p, usize::MAX, p, 0), Err(CT_STATUS_INVALID_ARGUMENT));
    }

    #[test]
    fn inputs_checked() {
        // SAFETY: null and oversized inputs are refused before any dereference.
        unsafe {
            assert_eq!(input(core::ptr::null(), 0), Err(CT_STATUS_NULL_ARGUMENT));
            let b = [1u8];
            assert_eq!(input(b.as_ptr(), usize::MAX), Err(CT_STATUS_INVALID_ARGUMENT));
            assert_eq!(input(b.as_ptr(), 1), Ok(&b[..]));
            let bad = [0xffu8];
            assert_eq!(input_str(bad.as_ptr().cast(), 1), Err(CT_STATUS_INVALID_UTF8));
        }
    }

    #[test]
    fn guard_catches_panics() {
        assert_eq!(guard(|| Ok(())), CT_STATUS_OK);
        assert_eq!(guard(|| Err(CT_STATUS_NULL_ARGUMENT)), CT_STATUS_NULL_ARGUMENT);
        #[cfg(feature = "std")]
        {
            let status = guard(|| -> Result<(), ct_status> { std::panic::panic_any("boom") });
            assert_eq!(status, crate::status::CT_STATUS_PANIC);
        }
    }
}
