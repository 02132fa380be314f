//! `ct_key`: a signing or verifying key in caller-allocated storage.

use crate::raw::{guard, input, input_str, non_null, output, write_out};
use crate::status::{check, ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_UNINITIALIZED};
use ciphertoken::{Algorithm, Error, KeyId, SigningKey, VerifyingKey};
use core::ffi::c_char;
use core::mem::{align_of, size_of, MaybeUninit};

/// Bytes of storage a `ct_key` needs (`sizeof(ct_key)`).
pub const CT_KEY_SIZE: usize = 320;

/// Caller-allocated storage for one key: an HMAC secret or a private key (signs and
/// verifies) or a public key (verifies). Opaque: initialize it with one of the `ct_key_*` constructors,
/// never read or write its bytes, and erase it with `ct_key_wipe` when done. It holds no
/// pointer and no heap memory, so it needs no other clean-up; it may live anywhere
/// (stack, static, pool) that is aligned like `uint64_t`. A byte-wise copy is an independent
/// key holding the same secret: wipe every copy.
#[repr(C)]
pub struct ct_key {
    _opaque: [u64; 40],
}

/// Marks storage that holds a live key (`ctkey_v1`); zero after `ct_key_wipe`.
const KEY_MAGIC: u64 = u64::from_le_bytes(*b"ctkey_v1");

pub(crate) enum Key {
    Signing(SigningKey),
    Public(PublicKey),
}

/// The longest public key encoding kept: SEC1 uncompressed P-256.
const MAX_PUBLIC_LEN: usize = 65;

/// A verify-only key, kept as its encoding and rebuilt for each verification.
///
/// Not the core's `VerifyingKey`: with the core's `rsa` feature (which another crate of a
/// workspace build may switch on, cargo unifies features) that type holds an inline RSA key
/// of ~1 KiB, which would not fit `CT_KEY_SIZE`. Rebuilding costs an on-curve check (ES256)
/// or a point decoding (Ed25519), small next to the signature check itself.
#[derive(Clone)]
pub(crate) struct PublicKey {
    alg: Algorithm,
    len: u8,
    bytes: [u8; MAX_PUBLIC_LEN],
    kid: Option<KeyId>,
}

impl PublicKey {
    /// Parses (validates) a public key and keeps its canonical encoding.
    fn new(key: VerifyingKey) -> Result<PublicKey, Error> {
        let mut bytes = [0u8; MAX_PUBLIC_LEN];
        let n = key.public_key_bytes(&mut bytes)?;
        let len = u8::try_from(n).map_err(|_| Error::InvalidKey)?;
        Ok(PublicKey { alg: key.algorithm(), len, bytes, kid: None })
    }

    fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        let bytes = self.bytes.get(..usize::from(self.len)).ok_or(Error::InvalidKey)?;
        let key = match self.alg {
            Algorithm::ES256 => VerifyingKey::es256_sec1(bytes)?,
            Algorithm::EdDSA => VerifyingKey::ed25519(bytes)?,
            _ => return Err(Error::InvalidKey),
        };
        match &self.kid {
            Some(kid) => key.with_kid(kid.as_str()),
            None => Ok(key),
        }
    }
}

/// What `ct_key` storage holds once initialized. `repr(C)` keeps `magic` at offset 0, where
/// it is read (as a plain integer) before anything else is trusted.
#[repr(C)]
struct KeySlot {
    magic: u64,
    key: Key,
}

// The header's `ct_key` must hold a `KeySlot` on every target, aligned.
const _: () = assert!(size_of::<KeySlot>() <= size_of::<ct_key>());
const _: () = assert!(align_of::<KeySlot>() <= align_of::<ct_key>());
const _: () = assert!(size_of::<ct_key>() == CT_KEY_SIZE);

/// The size in bytes of `ct_key` (equal to `CT_KEY_SIZE`), for bindings that allocate the
/// storage themselves. Its alignment is that of `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_key_size() -> usize {
    CT_KEY_SIZE
}

fn aligned(key: *const ct_key) -> Result<(), ct_status> {
    if key.cast::<KeySlot>().is_aligned() {
        Ok(())
    } else {
        Err(CT_STATUS_INVALID_ARGUMENT)
    }
}

/// The live key in `key`'s storage.
///
/// # Safety
/// `key` must be non-null and point to `CT_KEY_SIZE` readable bytes not written during `'a`.
pub(crate) unsafe fn key_ref<'a>(key: *const ct_key) -> Result<&'a Key, ct_status> {
    aligned(key)?;
    let slot = key.cast::<KeySlot>();
    // SAFETY: `slot` is non-null, aligned and readable (caller); `magic` is a plain `u64`
    // at offset 0, valid for any bit pattern. Nothing else is read unless it matches.
    let magic = unsafe { core::ptr::addr_of!((*slot).magic).read() };
    if magic != KEY_MAGIC {
        return Err(CT_STATUS_UNINITIALIZED);
    }
    // SAFETY: the magic is only ever stored together with a whole `KeySlot` (`install`)
    // and cleared by `ct_key_wipe`, so the storage holds a valid `Key`.
    Ok(unsafe { &(*slot).key })
}

/// Replaces whatever `key`'s storage holds by `value`, wiping the old bytes first.
///
/// # Safety
/// `key` must be non-null and point to `CT_KEY_SIZE` writable bytes nothing else accesses.
unsafe fn install(key: *mut ct_key, value: Key) -> Result<(), ct_status> {
    aligned(key)?;
    let mut staged = MaybeUninit::new(KeySlot { magic: KEY_MAGIC, key: value });
    // SAFETY: `key` is exclusively ours (caller) and an all-zero `ct_key` is valid. The old
    // contents are erased without being dropped: the key types own no heap memory, and a
    // never-initialized storage must not be read as a Rust value.
    unsafe { zeroize::zeroize_flat_type(key) };
    // SAFETY: `staged` is initialized; the destination is aligned for `KeySlot` (checked),
    // large enough (static assertions) and cannot overlap a local.
    unsafe { core::ptr::copy_nonoverlapping(staged.as_ptr(), key.cast::<KeySlot>(), 1) };
    // SAFETY: the value now lives in `key`; the stack copy is never read or dropped again,
    // and all-zero bytes are a valid `MaybeUninit`. This erases that copy of the secret.
    unsafe { zeroize::zeroize_flat_type(&mut staged) };
    Ok(())
}

/// Builds a key from `len` bytes at `material` and installs it in `key`.
///
/// # Safety
/// `key` as for [`install`]; `material` readable for `len` bytes (or null).
unsafe fn init(
    key: *mut ct_key,
    material: *const u8,
    len: usize,
    make: impl FnOnce(&[u8]) -> Result<Key, Error>,
) -> ct_status {
    guard(|| {
        non_null(&[key.cast(), material.cast()])?;
        aligned(key)?;
        // SAFETY: non-null, `len` readable bytes per the caller.
        let bytes = unsafe { input(material, len) }?;
        let value = check(make(bytes))?;
        // SAFETY: `key` is non-null and writable per the caller; `bytes` is no longer used.
        unsafe { install(key, value) }
    })
}

/// An HS256 key (signs and verifies) from a shared secret of at least 32 bytes
/// (RFC 7518 §3.2). The secret is copied: the caller may erase its buffer afterwards.
///
/// Returns `CT_STATUS_KEY_TOO_SHORT` for shorter secrets; `CT_STATUS_NULL_ARGUMENT` if
/// `key` or `secret` is NULL. On failure `key` is untouched.
///
/// # Safety
/// `key` points to writable `ct_key` storage; `secret` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_hs256(key: *mut ct_key, secret: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, secret, len, |s| SigningKey::hs256(s).map(Key::Signing)) }
}

/// An HS384 key from a shared secret of at least 48 bytes. As `ct_key_hs256` otherwise.
///
/// # Safety
/// As `ct_key_hs256`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_hs384(key: *mut ct_key, secret: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, secret, len, |s| SigningKey::hs384(s).map(Key::Signing)) }
}

/// An HS512 key from a shared secret of at least 64 bytes. As `ct_key_hs256` otherwise.
///
/// # Safety
/// As `ct_key_hs256`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_hs512(key: *mut ct_key, secret: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, secret, len, |s| SigningKey::hs512(s).map(Key::Signing)) }
}

/// An ES256 private key (signs and verifies) from the 32-byte big-endian P-256 scalar
/// (JWK `d`). `CT_STATUS_INVALID_KEY` unless `len` is 32 and the scalar is in [1, n-1].
/// Parsing costs one scalar multiplication: do it once, not per token. On failure `key` is
/// untouched.
///
/// # Safety
/// `key` points to writable `ct_key` storage; `scalar` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_es256_private(key: *mut ct_key, scalar: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, scalar, len, |s| SigningKey::es256(s).map(Key::Signing)) }
}

/// An ES256 public key (verifies only) from a SEC1 point: 65 bytes uncompressed
/// (`04 || x || y`) or 33 bytes compressed. `CT_STATUS_INVALID_KEY` for anything else or a
/// point not on the curve. On failure `key` is untouched.
///
/// # Safety
/// `key` points to writable `ct_key` storage; `sec1` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_es256_public(key: *mut ct_key, sec1: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, sec1, len, |s| PublicKey::new(VerifyingKey::es256_sec1(s)?).map(Key::Public)) }
}

/// An Ed25519 private key (signs and verifies) from its 32-byte seed (JWK `d`, RFC 8032
/// §5.1.5). `CT_STATUS_INVALID_KEY` unless `len` is 32. On failure `key` is untouched.
///
/// # Safety
/// `key` points to writable `ct_key` storage; `seed` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_ed25519_private(key: *mut ct_key, seed: *const u8, len: usize) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, seed, len, |s| SigningKey::ed25519(s).map(Key::Signing)) }
}

/// An Ed25519 public key (verifies only) from its 32-byte encoding (JWK `x`).
/// `CT_STATUS_INVALID_KEY` for other lengths, non-canonical encodings and small-order
/// points. On failure `key` is untouched.
///
/// # Safety
/// `key` points to writable `ct_key` storage; `public_key` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_key_ed25519_public(
    key: *mut ct_key,
    public_key: *const u8,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { init(key, public_key, len, |s| PublicKey::new(VerifyingKey::ed25519(s)?).map(Key::Public)) }
}

/// Sets the key id (`kid`) of an initialized key: `ct_sign` puts it into the header. `kid`
/// is `len` bytes of UTF-8 (no NUL needed), 1 to 64 bytes, without control characters
/// (`CT_STATUS_INVALID_KEY_ID` otherwise, `CT_STATUS_INVALID_UTF8` for bad UTF-8). Replaces
/// an earlier `kid`. On failure the key is unchanged.
///
/// # Safety
/// `key` points to a `ct_key`; `kid` to `len` readable bytes outside it.
#[no_mangle]
pub unsafe extern "C" fn ct_key_set_kid(key: *mut ct_key, kid: *const c_char, len: usize) -> ct_status {
    guard(|| {
        non_null(&[key.cast(), kid.cast()])?;
        crate::raw::disjoint(key.cast(), CT_KEY_SIZE, kid.cast(), len)?;
        // SAFETY: `kid` readable for `len` bytes (caller) and outside the key (checked).
        let kid = unsafe { input_str(kid, len) }?;
        // SAFETY: `key` is non-null and points to a `ct_key` (caller).
        let current = unsafe { key_ref(key) }?;
        let updated = match current {
            Key::Signing(k) => Key::Signing(check(k.clone().with_kid(kid))?),
            Key::Public(k) => Key::Public(PublicKey { kid: Some(check(KeyId::new(kid))?), ..k.clone() }),
        };
        // SAFETY: `key` is writable (caller); `current` is not used after this point. The
        // old key's bytes are erased by `install` (no heap memory to release).
        unsafe { install(key, updated) }
    })
}

/// Writes the public key: 65 bytes (SEC1 uncompressed) for ES256, 32 for Ed25519, e.g. to
/// provision a gateway from a device's private key. `CT_STATUS_INVALID_KEY` for HMAC keys
/// (the secret is not public). On `CT_STATUS_BUFFER_TOO_SMALL`, `*out_len` is the size
/// needed and `out` is untouched; on success `*out_len` is the number of bytes written.
///
/// # Safety
/// `key` points to a `ct_key`; `out` to `out_cap` writable bytes; `out_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_key_public_key(
    key: *const ct_key,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[key.cast(), out.cast_const().cast(), out_len.cast_const().cast()])?;
        crate::raw::disjoint(key.cast(), CT_KEY_SIZE, out, out_cap)?;
        // SAFETY: `key` is non-null and points to a `ct_key` (caller).
        let key = unsafe { key_ref(key) }?;
        let vk = check(key.verifying_key())?;
        // SAFETY: `out` writable for `out_cap` bytes and outside the key (checked).
        let out = unsafe { output(out, out_cap) }?;
        let written = vk.public_key_bytes(out);
        let len = match written {
            Ok(n) => n,
            Err(Error::BufferTooSmall { needed }) => needed,
            Err(e) => return Err(e.code()),
        };
        // SAFETY: `out_len` is non-null and writable (caller).
        unsafe { write_out(out_len, len) };
        check(written).map(|_| ())
    })
}

/// Erases a key: overwrites all `CT_KEY_SIZE` bytes with zeros (volatile writes the
/// compiler cannot elide). Afterwards calls with it return `CT_STATUS_UNINITIALIZED` until it
/// is initialized again. Safe on a wiped or never-initialized key (it reads nothing); does
/// nothing for NULL or misaligned pointers.
///
/// # Safety
/// `key` is NULL or points to `CT_KEY_SIZE` writable bytes nothing else accesses.
#[no_mangle]
pub unsafe extern "C" fn ct_key_wipe(key: *mut ct_key) {
    let _ = guard(|| {
        non_null(&[key.cast()])?;
        aligned(key)?;
        // SAFETY: `key` is writable and aligned (caller, checked); all-zero bytes are a valid
        // `ct_key`. A live key is not dropped first: the key types own no heap memory and
        // their `Drop` only zeroizes, which this does for every byte, magic included.
        unsafe { zeroize::zeroize_flat_type(key) };
        Ok(())
    });
}

impl Key {
    /// A verify-only key from a prepared public key, keeping its `kid` (an external
    /// signer's public half, kept for a rotation window).
    pub(crate) fn public(key: &VerifyingKey) -> Result<Key, Error> {
        let kid = key.kid().map(KeyId::new).transpose()?;
        Ok(Key::Public(PublicKey { kid, ..PublicKey::new(key.clone())? }))
    }

    /// The key to verify with: a private key's public half (for HMAC, the secret), or the
    /// public key rebuilt from its encoding.
    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        match self {
            Key::Signing(k) => Ok(k.verifying_key()),
            Key::Public(k) => k.verifying_key(),
        }
    }

    /// The key id, if set.
    pub(crate) fn kid(&self) -> Option<&str> {
        match self {
            Key::Signing(k) => k.kid(),
            Key::Public(k) => k.kid.as_ref().map(KeyId::as_str),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;

    fn zeroed() -> ct_key {
        ct_key { _opaque: [0; 40] }
    }

    #[test]
    fn size_matches_header_and_type() {
        assert_eq!(ct_key_size(), size_of::<ct_key>());
        assert_eq!(align_of::<ct_key>(), 8);
        // Leave headroom for dependency growth, but don't waste much RAM.
        let used = size_of::<KeySlot>();
        assert!(used <= CT_KEY_SIZE && used * 2 > CT_KEY_SIZE, "KeySlot is {used} bytes");
    }

    #[test]
    fn init_wipe_and_uninitialized() {
        let mut k = zeroed();
        // SAFETY: `k` is a local `ct_key`, the inputs are local arrays of the given length.
        unsafe {
            assert_eq!(key_ref(&k).err(), Some(CT_STATUS_UNINITIALIZED));
            assert_eq!(ct_key_hs256(&mut k, [7u8; 31].as_ptr(), 31), CT_STATUS_KEY_TOO_SHORT);
            assert_eq!(key_ref(&k).err(), Some(CT_STATUS_UNINITIALIZED), "untouched on failure");
            assert_eq!(ct_key_hs256(&mut k, [7u8; 32].as_ptr(), 32), CT_STATUS_OK);
            assert!(key_ref(&k).is_ok());
            assert_eq!(ct_key_set_kid(&mut k, c"k1".as_ptr(), 2), CT_STATUS_OK);
            match key_ref(&k) {
                Ok(Key::Signing(s)) => assert_eq!(s.kid(), Some("k1")),
                _ => panic!("not a signing key"),
            }
            ct_key_wipe(&mut k);
            assert!(k._opaque.iter().all(|&w| w == 0), "every byte erased");
            assert_eq!(key_ref(&k).err(), Some(CT_STATUS_UNINITIALIZED));
            assert_eq!(ct_key_set_kid(&mut k, c"k1".as_ptr(), 2), CT_STATUS_UNINITIALIZED);
            ct_key_wipe(&mut k); // twice is fine
            ct_key_wipe(core::ptr::null_mut());
        }
    }

    #[test]
    fn misaligned_storage_is_refused() {
        let mut storage = [0u64; 41];
        let base = storage.as_mut_ptr().cast::<u8>();
        let odd = base.wrapping_add(4).cast::<ct_key>();
        // SAFETY: `odd` points into `storage` with CT_KEY_SIZE bytes after it; it is refused
        // before any access.
        unsafe {
            assert_eq!(ct_key_hs256(odd, [7u8; 32].as_ptr(), 32), CT_STATUS_INVALID_ARGUMENT);
        }
        assert!(storage.iter().all(|&w| w == 0));
    }

    #[test]
    fn reinit_replaces_the_old_key() {
        let mut k = zeroed();
        // SAFETY: local storage and inputs.
        unsafe {
            assert_eq!(ct_key_hs512(&mut k, [0xA5u8; 64].as_ptr(), 64), CT_STATUS_OK);
            assert_eq!(ct_key_ed25519_private(&mut k, [1u8; 32].as_ptr(), 32), CT_STATUS_OK);
            assert!(
                matches!(key_ref(&k), Ok(Key::Signing(s)) if s.algorithm() == ciphertoken::Algorithm::EdDSA)
            );
            ct_key_wipe(&mut k);
        }
    }
}
