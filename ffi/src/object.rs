//! Caller-allocated storage of the life-cycle objects (`ct_revocation_list`, `ct_key_set`,
//! `ct_issuer`): a magic number at offset 0 marks storage that holds a live Rust value, the
//! value follows. The same scheme as `ct_key` (see key.rs), shared by the objects added
//! with the life cycle.

use crate::status::{ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_UNINITIALIZED};
use core::mem::{align_of, size_of, MaybeUninit};

/// A C object type (`ct_*`, an opaque `uint64_t` array) and the Rust value its storage holds.
///
/// # Safety
/// `Self` must be at least as large and as aligned as `Slot<Self::Value>` (each
/// implementation asserts it at compile time), and `MAGIC` distinct per type.
pub(crate) unsafe trait Object {
    /// What initialized storage holds after the magic.
    type Value;
    /// Marks initialized storage; zero after a wipe.
    const MAGIC: u64;
}

/// The layout inside an object: `repr(C)` keeps `magic` at offset 0, where it is read as a
/// plain integer before anything else is trusted.
#[repr(C)]
pub(crate) struct Slot<T> {
    magic: u64,
    value: T,
}

/// Whether `Slot<O::Value>` fits `O` (for the implementations' static assertions).
pub(crate) const fn fits<O: Object>() -> bool {
    size_of::<Slot<O::Value>>() <= size_of::<O>() && align_of::<Slot<O::Value>>() <= align_of::<O>()
}

fn aligned<O: Object>(obj: *const O) -> Result<(), ct_status> {
    if obj.cast::<Slot<O::Value>>().is_aligned() {
        Ok(())
    } else {
        Err(CT_STATUS_INVALID_ARGUMENT)
    }
}

/// The live value in `obj`'s storage.
///
/// # Safety
/// `obj` must be non-null and point to `size_of::<O>()` readable bytes nobody writes
/// during `'a`.
pub(crate) unsafe fn get<'a, O: Object>(obj: *const O) -> Result<&'a O::Value, ct_status> {
    aligned(obj)?;
    let slot = obj.cast::<Slot<O::Value>>();
    // SAFETY: `slot` is non-null, aligned (checked) and readable (caller); `magic` is a plain
    // `u64` at offset 0, valid for any bit pattern. Nothing else is read unless it matches.
    let magic = unsafe { core::ptr::addr_of!((*slot).magic).read() };
    if magic != O::MAGIC {
        return Err(CT_STATUS_UNINITIALIZED);
    }
    // SAFETY: the magic is only ever stored together with a whole value (`install`) and
    // cleared by `wipe`, so the storage holds a valid `O::Value`; `O` is large enough
    // (`Object`'s contract).
    Ok(unsafe { &(*slot).value })
}

/// The live value in `obj`'s storage, for modification.
///
/// # Safety
/// `obj` must be non-null and point to `size_of::<O>()` writable bytes nothing else
/// accesses during `'a`.
pub(crate) unsafe fn get_mut<'a, O: Object>(obj: *mut O) -> Result<&'a mut O::Value, ct_status> {
    // SAFETY: forwarded caller contract (reads the magic only).
    unsafe { get::<O>(obj) }?;
    // SAFETY: as in `get`, and exclusive per the caller.
    Ok(unsafe { &mut (*obj.cast::<Slot<O::Value>>()).value })
}

/// Replaces whatever `obj`'s storage holds by `value`: the old bytes are erased first
/// (without running any destructor: the values own no heap memory and a never-initialized
/// storage must not be read as a Rust value), and the staging copy of `value` afterwards.
///
/// # Safety
/// `obj` must be non-null and point to `size_of::<O>()` writable bytes nothing else
/// accesses.
pub(crate) unsafe fn install<O: Object>(obj: *mut O, value: O::Value) -> Result<(), ct_status> {
    aligned(obj)?;
    let mut staged = MaybeUninit::new(Slot { magic: O::MAGIC, value });
    // SAFETY: `obj` is exclusively ours (caller); all-zero bytes are a valid `O` (an integer
    // array).
    unsafe { zeroize::zeroize_flat_type(obj) };
    // SAFETY: `staged` is initialized; the destination is aligned (checked), large enough
    // (`Object`'s contract) and cannot overlap a local.
    unsafe { core::ptr::copy_nonoverlapping(staged.as_ptr(), obj.cast::<Slot<O::Value>>(), 1) };
    // SAFETY: the value now lives in `obj`; the stack copy is never read or dropped again and
    // all-zero bytes are a valid `MaybeUninit`. This erases that copy (keys, secrets).
    unsafe { zeroize::zeroize_flat_type(&mut staged) };
    Ok(())
}

/// Erases all of `obj`'s bytes (volatile writes), magic included. Reads nothing, so it is
/// safe on wiped and never-initialized storage; does nothing for NULL or misaligned storage.
///
/// # Safety
/// `obj` is NULL or points to `size_of::<O>()` writable bytes nothing else accesses.
pub(crate) unsafe fn wipe<O: Object>(obj: *mut O) {
    if obj.is_null() || aligned(obj).is_err() {
        return;
    }
    // SAFETY: non-null, aligned and writable (caller); all-zero bytes are a valid `O`. A live
    // value is not dropped first: the values own no heap memory and the keys' `Drop` only
    // zeroizes, which this does for every byte.
    unsafe { zeroize::zeroize_flat_type(obj) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct ct_probe {
        _opaque: [u64; 3],
    }

    // SAFETY: `Slot<[u32; 3]>` is 24 bytes aligned to 8 (asserted below).
    unsafe impl Object for ct_probe {
        type Value = [u32; 3];
        const MAGIC: u64 = u64::from_le_bytes(*b"ctprobe1");
    }
    const _: () = assert!(fits::<ct_probe>());

    #[test]
    fn install_get_wipe() {
        let mut p = ct_probe { _opaque: [7; 3] };
        // SAFETY: `p` is a local object.
        unsafe {
            assert_eq!(get::<ct_probe>(&p).err(), Some(CT_STATUS_UNINITIALIZED));
            assert_eq!(install(&mut p, [1, 2, 3]), Ok(()));
            assert_eq!(get::<ct_probe>(&p), Ok(&[1, 2, 3]));
            get_mut::<ct_probe>(&mut p).unwrap()[1] = 9;
            assert_eq!(get::<ct_probe>(&p), Ok(&[1, 9, 3]));
            wipe(&mut p);
            assert_eq!(p._opaque, [0; 3]);
            assert_eq!(get_mut::<ct_probe>(&mut p).err(), Some(CT_STATUS_UNINITIALIZED));
            wipe(core::ptr::null_mut::<ct_probe>());
        }
    }

    #[test]
    fn misaligned_storage_is_refused() {
        let mut storage = [0u64; 4];
        let odd = storage.as_mut_ptr().cast::<u8>().wrapping_add(4).cast::<ct_probe>();
        // SAFETY: `odd` points into `storage` with enough bytes after it; refused before access.
        unsafe {
            assert_eq!(install(odd, [1, 2, 3]), Err(CT_STATUS_INVALID_ARGUMENT));
            assert_eq!(get::<ct_probe>(odd).err(), Some(CT_STATUS_INVALID_ARGUMENT));
            wipe(odd);
        }
        assert_eq!(storage, [0; 4]);
    }
}
