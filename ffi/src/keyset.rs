//! `ct_key_set`: verification keys selected by `kid`, with rotation windows, in
//! caller-allocated storage; `ct_verify_with_key_set`.

use crate::key::{ct_key, key_ref, CT_KEY_SIZE};
use crate::object::{self, fits, Object};
use crate::raw::{disjoint, guard, input_str, non_null, write_out};
use crate::status::{check, ct_status};
use crate::token::verify_call;
use crate::validation::ct_validation;
use ciphertoken::{Error, KeySet, UnixSeconds};
use core::ffi::c_char;
use core::mem::size_of;

/// The number of keys a `ct_key_set` holds.
pub const CT_KEY_SET_CAPACITY: usize = 4;

/// Bytes of storage a `ct_key_set` needs (`sizeof(ct_key_set)`).
pub const CT_KEY_SET_SIZE: usize = 1024;

/// Copies every key of `from`, with its window, into the core's `set` (the issuer's keys of
/// earlier rotations joining its `CipherToken`).
pub(crate) fn add_to<const F: usize, const K: usize>(
    from: &KeySet<F>,
    set: &mut KeySet<K>,
) -> Result<(), Error> {
    for (key, retire_at) in from.iter() {
        set.insert(key.clone())?;
        if let (Some(at), Some(kid)) = (retire_at, key.kid()) {
            set.retire(kid, at)?;
        }
    }
    Ok(())
}

/// Caller-allocated storage for up to `CT_KEY_SET_CAPACITY` verification keys, selected
/// by the token's `kid` (never by `jku`, `x5u` or `jwk` headers, which are ignored), each
/// accepted until the end of its rotation window if it has one. Opaque: initialize it with
/// `ct_key_set_init`, add keys with `ct_key_set_insert`, erase it with `ct_key_set_wipe`
/// (it holds copies of the keys, HMAC secrets included). No pointer, no heap memory; align
/// it like `uint64_t`.
///
/// With more than one key, every key needs a distinct `kid`. A token without `kid` is
/// accepted only when exactly one key is usable (a set in steady state); with several
/// usable keys it is refused with `CT_STATUS_UNKNOWN_KEY` (trying each key would multiply
/// the cost of every forged token and blur which key a token belongs to).
#[repr(C)]
pub struct ct_key_set {
    _opaque: [u64; 128],
}

// SAFETY: the storage holds a `Slot<KeySet<..>>` (asserted below); the magic is unique.
unsafe impl Object for ct_key_set {
    type Value = KeySet<CT_KEY_SET_CAPACITY>;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctkeyst1");
}

// The core's key set itself: prepared `VerifyingKey`s, whose size does not depend on the
// core's features (RSA keys are a type of their own), and the core's selection rules.
const _: () = assert!(fits::<ct_key_set>());
const _: () = assert!(size_of::<ct_key_set>() == CT_KEY_SET_SIZE);

/// The size in bytes of `ct_key_set` (equal to `CT_KEY_SET_SIZE`). Its alignment is that of
/// `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_key_set_size() -> usize {
    CT_KEY_SET_SIZE
}

/// Initializes `set` as an empty key set (overwriting whatever it held).
///
/// # Safety
/// `set` points to `CT_KEY_SET_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_init(set: *mut ct_key_set) -> ct_status {
    guard(|| {
        non_null(&[set.cast()])?;
        // SAFETY: non-null and writable (caller).
        unsafe { object::install(set, KeySet::new()) }
    })
}

/// Adds a copy of `key` (public or private, with the `kid` given to `ct_key_set_kid`), accepted
/// without time limit until `ct_key_set_retire`. `CT_STATUS_STORE_FULL` when the set holds
/// `CT_KEY_SET_CAPACITY` keys; `CT_STATUS_INVALID_KEY_ID` when the set would hold two keys
/// and one has no `kid`, or for a `kid` already in the set. On failure the set is unchanged.
///
/// # Safety
/// `set` points to an initialized `ct_key_set`; `key` to an initialized `ct_key`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_insert(set: *mut ct_key_set, key: *const ct_key) -> ct_status {
    guard(|| {
        non_null(&[set.cast(), key.cast()])?;
        disjoint(set.cast(), CT_KEY_SET_SIZE, key.cast(), CT_KEY_SIZE)?;
        // SAFETY: `key` points to a `ct_key` (caller) outside the set (checked).
        let key = unsafe { key_ref(key) }?.verifying_key();
        // SAFETY: `set` non-null and writable (caller).
        let entries = unsafe { object::get_mut(set) }?;
        check(entries.insert(key))
    })
}

/// Runs `f` on the set's entries with the `kid` argument.
///
/// # Safety
/// `set` as for `ct_key_set_insert`; `kid` readable for `len` bytes.
unsafe fn with_kid(
    set: *mut ct_key_set,
    kid: *const c_char,
    len: usize,
    f: impl FnOnce(&mut KeySet<CT_KEY_SET_CAPACITY>, &str) -> Result<(), Error>,
) -> ct_status {
    guard(|| {
        non_null(&[set.cast(), kid.cast()])?;
        disjoint(set.cast(), CT_KEY_SET_SIZE, kid.cast(), len)?;
        // SAFETY: `kid` readable for `len` bytes (caller), outside the set (checked).
        let kid = unsafe { input_str(kid, len) }?;
        // SAFETY: `set` non-null and writable (caller).
        let entries = unsafe { object::get_mut(set) }?;
        check(f(entries, kid))
    })
}

/// Accepts the key `kid` (`len` bytes) only while `now_unix < at_unix`: the end of its
/// rotation window. Setting it again moves the end. `CT_STATUS_UNKNOWN_KEY` if no key has
/// that `kid`.
///
/// # Safety
/// `set` points to an initialized `ct_key_set`; `kid` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_retire(
    set: *mut ct_key_set,
    kid: *const c_char,
    len: usize,
    at_unix: u64,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { with_kid(set, kid, len, |e, kid| e.retire(kid, at_unix)) }
}

/// Removes the key `kid` (`len` bytes) now. `CT_STATUS_UNKNOWN_KEY` if no key has that `kid`.
///
/// # Safety
/// `set` points to an initialized `ct_key_set`; `kid` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_remove(
    set: *mut ct_key_set,
    kid: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { with_kid(set, kid, len, |e, kid| e.remove(kid).map(drop)) }
}

/// Removes the keys whose window has closed (`at_unix <= now_unix`) and writes how many to
/// `*pruned`. `now_unix` 0 gives `CT_STATUS_TIME_UNAVAILABLE`.
///
/// # Safety
/// `set` points to an initialized `ct_key_set`; `pruned` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_prune(
    set: *mut ct_key_set,
    now_unix: u64,
    pruned: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[set.cast(), pruned.cast_const().cast()])?;
        disjoint(set.cast(), CT_KEY_SET_SIZE, pruned.cast(), size_of::<usize>())?;
        let now = crate::revocation::known_time(now_unix)?;
        // SAFETY: `set` non-null and writable (caller).
        let n = unsafe { object::get_mut(set) }?.prune(now);
        // SAFETY: `pruned` non-null, writable and outside the set (checked).
        unsafe { write_out(pruned, n) };
        Ok(())
    })
}

/// Writes the number of keys held (usable or with a closed window not yet pruned) to `*len`.
///
/// # Safety
/// `set` points to an initialized `ct_key_set`; `len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_len(set: *const ct_key_set, len: *mut usize) -> ct_status {
    guard(|| {
        non_null(&[set.cast(), len.cast_const().cast()])?;
        // SAFETY: `set` non-null and readable (caller).
        let n = unsafe { object::get(set) }?.len();
        // SAFETY: `len` non-null and writable (caller).
        unsafe { write_out(len, n) };
        Ok(())
    })
}

/// Erases a key set (every byte, keys included). Afterwards calls with it return
/// `CT_STATUS_UNINITIALIZED`. Safe on a wiped or never-initialized set; does nothing for
/// NULL or misaligned pointers.
///
/// # Safety
/// `set` is NULL or points to `CT_KEY_SET_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_wipe(set: *mut ct_key_set) {
    // SAFETY: forwarded caller contract.
    unsafe { object::wipe(set) }
}

/// Like `ct_verify`, with the key chosen from `set` by the token's `kid` among the keys
/// usable at `now_unix` (see `ct_key_set`): `CT_STATUS_UNKNOWN_KEY` when no usable key has
/// that `kid`, or when the token has no `kid` and the set does not have exactly one usable
/// key. The key's algorithm must equal the header's `alg` (`CT_STATUS_ALGORITHM_MISMATCH`).
/// With `now_unix` 0 ("time unknown") keys with a rotation window are not used. Outputs and
/// buffer sizes exactly as for `ct_verify` (`CT_VERIFY_CLAIMS_CAP(token_len)` is enough).
///
/// # Safety
/// `set` points to a `ct_key_set`, `v` to a `ct_validation`, `token` to `token_len` readable
/// bytes, `claims_out` to `claims_cap` writable bytes overlapping none of them, `claims_len`
/// to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_verify_with_key_set(
    set: *const ct_key_set,
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
        let call = unsafe { verify_call((set.cast(), CT_KEY_SET_SIZE), v, token, token_len, outputs) }?;
        // SAFETY: `set` points to a `ct_key_set` (caller), outside `claims_out` (checked).
        let keys = unsafe { object::get(set) }?;
        // Without the time, no window can be judged open: only keys without one are usable.
        let window_now = if now_unix == 0 { UnixSeconds::MAX } else { now_unix };
        // SAFETY: `claims_len` non-null and writable (caller).
        unsafe { call.run(&keys.at(window_now), now_unix, claims_len) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_tight() {
        assert_eq!(ct_key_set_size(), size_of::<ct_key_set>());
        let used = size_of::<crate::object::Slot<KeySet<CT_KEY_SET_CAPACITY>>>();
        assert!(used <= CT_KEY_SET_SIZE && CT_KEY_SET_SIZE - used < CT_KEY_SET_SIZE / 8, "{used}");
    }
}
