//! `ct_revocation_list`: revoked tokens (`jti`) and login families in caller-allocated
//! storage of fixed capacity (the core's `RevocationList`).

use crate::object::{self, fits, Object};
use crate::raw::{disjoint, guard, input_str, non_null, write_out};
use crate::status::{check, ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_TIME_UNAVAILABLE};
use ciphertoken::{RevocationList, RevocationStore, Revoked};
use core::ffi::c_char;
use core::mem::size_of;

/// The number of entries a `ct_revocation_list` holds.
pub const CT_REVOCATION_LIST_CAPACITY: usize = 64;

/// Bytes of storage a `ct_revocation_list` needs (`sizeof(ct_revocation_list)`).
pub const CT_REVOCATION_LIST_SIZE: usize = 5760;

/// The longest id (`jti` or family) a `ct_revocation_list` stores, in bytes.
pub const CT_REVOCATION_MAX_ID_LEN: usize = 64;

/// `ct_revocation_list_*` `kind`: a single token, by its `jti`.
pub const CT_REVOKED_TOKEN: u32 = 0;
/// `ct_revocation_list_*` `kind`: every token of a login, by its family id (`fam`).
pub const CT_REVOKED_FAMILY: u32 = 1;

/// Caller-allocated storage for a revocation list of `CT_REVOCATION_LIST_CAPACITY` entries:
/// revoked tokens (by `jti`) and revoked login families (by `fam`), each kept until the
/// expiry given when it was revoked. Opaque: initialize it with `ct_revocation_list_init`,
/// never read or write its bytes. It holds no pointer and no heap memory; align it like
/// `uint64_t`. An entry is dropped only once its expiry has passed (`now_unix` later than
/// it); when every entry is live, revoking more fails with `CT_STATUS_STORE_FULL`: a revoked
/// token is never silently forgotten. Revoking an id again extends its expiry if later.
#[repr(C)]
pub struct ct_revocation_list {
    _opaque: [u64; 720],
}

type List = RevocationList<CT_REVOCATION_LIST_CAPACITY>;

// SAFETY: the storage holds a `Slot<List>` (asserted below); the magic is unique.
unsafe impl Object for ct_revocation_list {
    type Value = List;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctrevok1");
}

// The header's size holds the list on every target (it has no feature-dependent parts).
const _: () = assert!(fits::<ct_revocation_list>());
const _: () = assert!(size_of::<ct_revocation_list>() == CT_REVOCATION_LIST_SIZE);
const _: () = assert!(CT_REVOCATION_MAX_ID_LEN == ciphertoken::MAX_REVOKED_ID_LEN);

/// The size in bytes of `ct_revocation_list` (equal to `CT_REVOCATION_LIST_SIZE`). Its
/// alignment is that of `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_revocation_list_size() -> usize {
    CT_REVOCATION_LIST_SIZE
}

/// The list in `list`'s storage.
///
/// # Safety
/// `list` non-null, pointing to `CT_REVOCATION_LIST_SIZE` readable bytes not written during `'a`.
pub(crate) unsafe fn list_ref<'a>(list: *const ct_revocation_list) -> Result<&'a List, ct_status> {
    // SAFETY: forwarded caller contract.
    unsafe { object::get(list) }
}

/// The list in `list`'s storage, for modification.
///
/// # Safety
/// `list` non-null, pointing to `CT_REVOCATION_LIST_SIZE` writable bytes nothing else accesses.
pub(crate) unsafe fn list_mut<'a>(list: *mut ct_revocation_list) -> Result<&'a mut List, ct_status> {
    // SAFETY: forwarded caller contract.
    unsafe { object::get_mut(list) }
}

/// `now_unix`, refusing 0 ("time unknown"): expiries cannot be judged without the time.
pub(crate) fn known_time(now_unix: u64) -> Result<u64, ct_status> {
    if now_unix == 0 {
        Err(CT_STATUS_TIME_UNAVAILABLE)
    } else {
        Ok(now_unix)
    }
}

/// Initializes `list` as an empty list (overwriting whatever it held).
///
/// # Safety
/// `list` points to `CT_REVOCATION_LIST_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_revocation_list_init(list: *mut ct_revocation_list) -> ct_status {
    guard(|| {
        non_null(&[list.cast()])?;
        // SAFETY: non-null and writable (caller).
        unsafe { object::install(list, List::new()) }
    })
}

/// The id `(id, len)` of `kind` (`CT_REVOKED_TOKEN` / `CT_REVOKED_FAMILY`).
///
/// # Safety
/// `id` readable for `len` bytes that nothing writes during `'a`.
unsafe fn revoked<'a>(kind: u32, id: *const c_char, len: usize) -> Result<Revoked<'a>, ct_status> {
    // SAFETY: forwarded caller contract.
    let id = unsafe { input_str(id, len) }?;
    match kind {
        CT_REVOKED_TOKEN => Ok(Revoked::Token(id)),
        CT_REVOKED_FAMILY => Ok(Revoked::Family(id)),
        _ => Err(CT_STATUS_INVALID_ARGUMENT),
    }
}

/// Records the token `jti` (`kind` = `CT_REVOKED_TOKEN`) or the login family `fam`
/// (`CT_REVOKED_FAMILY`) as revoked until `expires_at` (Unix seconds: the token's `exp`, or
/// for a family the end of its longest refresh token). `id` is `len` bytes of UTF-8, 1 to
/// `CT_REVOCATION_MAX_ID_LEN` (`CT_STATUS_INVALID_CLAIM` when empty, `CT_STATUS_TOO_LONG`).
///
/// When the list is full, entries whose expiry is before `now_unix` are reclaimed first;
/// if none is, `CT_STATUS_STORE_FULL` and the list is unchanged. `now_unix` 0 gives
/// `CT_STATUS_TIME_UNAVAILABLE`; an unknown `kind` `CT_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `list` points to an initialized `ct_revocation_list`; `id` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_revocation_list_revoke(
    list: *mut ct_revocation_list,
    kind: u32,
    id: *const c_char,
    len: usize,
    expires_at: u64,
    now_unix: u64,
) -> ct_status {
    guard(|| {
        non_null(&[list.cast(), id.cast()])?;
        disjoint(list.cast(), CT_REVOCATION_LIST_SIZE, id.cast(), len)?;
        // SAFETY: `id` readable (caller) and outside the list (checked).
        let revoked = unsafe { revoked(kind, id, len) }?;
        let now = known_time(now_unix)?;
        // SAFETY: `list` non-null and writable (caller).
        let list = unsafe { list_mut(list) }?;
        check(list.revoke(revoked, expires_at, now))
    })
}

/// Sets `*revoked` to whether `id` of `kind` (as for `ct_revocation_list_revoke`) is revoked
/// at `now_unix` (recorded, with an expiry not before `now_unix`). `now_unix` 0 gives
/// `CT_STATUS_TIME_UNAVAILABLE`. `*revoked` is written only on success.
///
/// # Safety
/// `list` points to an initialized `ct_revocation_list`; `id` to `len` readable bytes;
/// `revoked` to a `bool`.
#[no_mangle]
pub unsafe extern "C" fn ct_revocation_list_is_revoked(
    list: *const ct_revocation_list,
    kind: u32,
    id: *const c_char,
    len: usize,
    now_unix: u64,
    revoked: *mut bool,
) -> ct_status {
    guard(|| {
        non_null(&[list.cast(), id.cast(), revoked.cast_const().cast()])?;
        // SAFETY: `id` readable for `len` bytes (caller).
        let id = unsafe { self::revoked(kind, id, len) }?;
        let now = known_time(now_unix)?;
        // SAFETY: `list` non-null and readable (caller).
        let answer = check(unsafe { list_ref(list) }?.is_revoked(id, now))?;
        // SAFETY: `revoked` non-null and writable (caller).
        unsafe { write_out(revoked, answer) };
        Ok(())
    })
}

/// Drops every entry whose expiry is before `now_unix` and writes how many to `*reclaimed`.
/// Revoking reclaims by itself when the list is full; call this to keep `len` low, e.g.
/// periodically. `now_unix` 0 gives `CT_STATUS_TIME_UNAVAILABLE`.
///
/// # Safety
/// `list` points to an initialized `ct_revocation_list`; `reclaimed` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_revocation_list_reclaim(
    list: *mut ct_revocation_list,
    now_unix: u64,
    reclaimed: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[list.cast(), reclaimed.cast_const().cast()])?;
        disjoint(list.cast(), CT_REVOCATION_LIST_SIZE, reclaimed.cast(), size_of::<usize>())?;
        let now = known_time(now_unix)?;
        // SAFETY: `list` non-null and writable (caller).
        let n = unsafe { list_mut(list) }?.reclaim(now);
        // SAFETY: `reclaimed` non-null, writable and outside the list (checked).
        unsafe { write_out(reclaimed, n) };
        Ok(())
    })
}

/// Writes the number of entries held (live, or expired and not yet reclaimed) to `*len`.
///
/// # Safety
/// `list` points to an initialized `ct_revocation_list`; `len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_revocation_list_len(
    list: *const ct_revocation_list,
    len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[list.cast(), len.cast_const().cast()])?;
        // SAFETY: `list` non-null and readable (caller).
        let n = unsafe { list_ref(list) }?.len();
        // SAFETY: `len` non-null and writable (caller).
        unsafe { write_out(len, n) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;
    use core::mem::MaybeUninit;

    #[test]
    fn size_is_tight() {
        assert_eq!(ct_revocation_list_size(), size_of::<ct_revocation_list>());
        let used = size_of::<crate::object::Slot<List>>();
        assert!(
            used <= CT_REVOCATION_LIST_SIZE && CT_REVOCATION_LIST_SIZE - used < CT_REVOCATION_LIST_SIZE / 8,
            "{used}"
        );
    }

    #[test]
    fn revoke_check_reclaim() {
        let mut l = MaybeUninit::<ct_revocation_list>::zeroed();
        let p = l.as_mut_ptr();
        let (mut yes, mut n) = (false, 0usize);
        // SAFETY: local storage, local inputs of the stated lengths.
        unsafe {
            assert_eq!(ct_revocation_list_len(p, &mut n), CT_STATUS_UNINITIALIZED);
            assert_eq!(ct_revocation_list_init(p), CT_STATUS_OK);
            assert_eq!(
                ct_revocation_list_revoke(p, CT_REVOKED_TOKEN, c"j1".as_ptr(), 2, 100, 10),
                CT_STATUS_OK
            );
            assert_eq!(
                ct_revocation_list_revoke(p, 2, c"j1".as_ptr(), 2, 100, 10),
                CT_STATUS_INVALID_ARGUMENT
            );
            assert_eq!(
                ct_revocation_list_revoke(p, CT_REVOKED_TOKEN, c"j1".as_ptr(), 2, 100, 0),
                CT_STATUS_TIME_UNAVAILABLE
            );
            assert_eq!(
                ct_revocation_list_is_revoked(p, CT_REVOKED_TOKEN, c"j1".as_ptr(), 2, 100, &mut yes),
                0
            );
            assert!(yes);
            // Same text, other kind: not revoked.
            assert_eq!(
                ct_revocation_list_is_revoked(p, CT_REVOKED_FAMILY, c"j1".as_ptr(), 2, 50, &mut yes),
                0
            );
            assert!(!yes);
            assert_eq!(
                ct_revocation_list_is_revoked(p, CT_REVOKED_TOKEN, c"j1".as_ptr(), 2, 101, &mut yes),
                0
            );
            assert!(!yes, "expired");
            assert_eq!(ct_revocation_list_reclaim(p, 100, &mut n), CT_STATUS_OK);
            assert_eq!(n, 0, "kept while now <= expiry");
            assert_eq!(ct_revocation_list_reclaim(p, 101, &mut n), CT_STATUS_OK);
            assert_eq!(n, 1);
            assert_eq!(ct_revocation_list_len(p, &mut n), CT_STATUS_OK);
            assert_eq!(n, 0);
        }
    }
}
