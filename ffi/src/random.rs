//! Callbacks into C: the random source (`ct_random_fn`, adapted to `rand_core`'s
//! `RngCore + CryptoRng`) and the subjects' current token versions (`ct_version_fn`,
//! adapted to the core's `VersionSource`); and `ct_secret_generate`.

use crate::raw::{guard, non_null, output};
use crate::status::{check, ct_status, CT_STATUS_NULL_ARGUMENT, CT_STATUS_OK, CT_STATUS_RANDOM_UNAVAILABLE};
use ciphertoken::lifecycle::MAX_SUBJECT_LEN;
use ciphertoken::{secret_key_with_size, Error, VersionSource};
use core::cell::Cell;
use core::ffi::{c_char, c_void};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// A cryptographically secure random source supplied by the application (a hardware TRNG,
/// `getrandom()`, a DRBG seeded from one...): it must fill all `len` bytes at `out` with
/// unpredictable bytes and return `CT_STATUS_OK`, or return any other status if it cannot
/// (the call then fails with `CT_STATUS_RANDOM_UNAVAILABLE`). `ctx` is the pointer given
/// next to the callback, passed through untouched. It is called synchronously from the
/// library call that received it and must not call the library with the same objects.
pub type ct_random_fn = Option<unsafe extern "C" fn(ctx: *mut c_void, out: *mut u8, len: usize) -> ct_status>;

/// The current token version of a subject, supplied by the application (logout everywhere
/// and password changes bump it; tokens with an older `ver` then fail with
/// `CT_STATUS_STALE_VERSION`). `sub` is the token's subject, `sub_len` bytes of UTF-8
/// followed by a NUL (use `sub_len`: a subject may contain U+0000).
///
/// For a subject whose versions are tracked, set `*current` and `*tracked = true`; for one
/// that is not, set `*tracked = false`; then return `CT_STATUS_OK`. Both start out as
/// "tracked, version UINT64_MAX", so a callback that sets nothing refuses every token (fail
/// closed). Any other return value aborts the verification, and the library call returns
/// that status as is (e.g. a database that cannot be reached). `ctx` is passed through
/// untouched; the callback runs synchronously and must not call the library with the same
/// objects.
pub type ct_version_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        sub: *const c_char,
        sub_len: usize,
        current: *mut u64,
        tracked: *mut bool,
    ) -> ct_status,
>;

type RandomFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> ct_status;
type VersionFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut u64, *mut bool) -> ct_status;

/// `ct_random_fn` as a `rand_core` RNG. Once the callback fails, every later request fails
/// too and [`CallbackRng::failed`] stays set, so a caller can refuse the whole operation even
/// if the infallible `fill_bytes` was used.
pub(crate) struct CallbackRng {
    fill: RandomFn,
    ctx: *mut c_void,
    failed: bool,
}

impl CallbackRng {
    /// `CT_STATUS_NULL_ARGUMENT` for a NULL callback.
    pub(crate) fn new(fill: ct_random_fn, ctx: *mut c_void) -> Result<Self, ct_status> {
        let fill = fill.ok_or(CT_STATUS_NULL_ARGUMENT)?;
        Ok(CallbackRng { fill, ctx, failed: false })
    }

    /// Whether the callback ever failed.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }
}

impl RngCore for CallbackRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // A failure leaves zeros and sets `failed`, which every caller checks.
        let _ = self.try_fill_bytes(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        if !self.failed && !dest.is_empty() {
            // SAFETY: `dest` is valid for writes of `dest.len()` bytes; the callback's
            // contract is to write at most `len` bytes at `out`.
            let status = unsafe { (self.fill)(self.ctx, dest.as_mut_ptr(), dest.len()) };
            self.failed = status != CT_STATUS_OK;
        }
        if self.failed {
            dest.zeroize();
            return Err(rand_core::Error::from(RNG_FAILED));
        }
        Ok(())
    }
}

/// The application promises a cryptographic source (`ct_random_fn`'s contract).
impl CryptoRng for CallbackRng {}

const RNG_FAILED: core::num::NonZeroU32 = match core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START) {
    Some(code) => code,
    None => core::num::NonZeroU32::MIN,
};

/// `ct_version_fn` as a `VersionSource` (no callback: no subject's versions are tracked).
pub(crate) struct CallbackVersions {
    current: Option<VersionFn>,
    ctx: *mut c_void,
    /// The callback's failure, reported instead of the core's error.
    status: Cell<ct_status>,
}

impl CallbackVersions {
    pub(crate) fn new(current: ct_version_fn, ctx: *mut c_void) -> Self {
        CallbackVersions { current, ctx, status: Cell::new(CT_STATUS_OK) }
    }

    /// `result`, unless the callback failed: then the callback's status.
    pub(crate) fn outcome<T>(&self, result: Result<T, ct_status>) -> Result<T, ct_status> {
        match self.status.get() {
            CT_STATUS_OK => result,
            failed => Err(failed),
        }
    }
}

impl VersionSource for CallbackVersions {
    fn current_version(&self, subject: &str) -> Result<Option<u64>, Error> {
        let Some(current_version) = self.current else { return Ok(None) };
        // The subject, NUL-terminated for the callback's convenience.
        let mut text = [0u8; MAX_SUBJECT_LEN + 1];
        if subject.len() >= text.len() {
            return Err(Error::TooLong);
        }
        for (d, s) in text.iter_mut().zip(subject.as_bytes()) {
            *d = *s;
        }
        let mut current = u64::MAX;
        // Read back as a byte: any non-zero value a C `bool` may hold counts as true.
        let mut tracked: u8 = 1;
        // SAFETY: `text` is readable for `subject.len() + 1` bytes and NUL-terminated;
        // `current` and `tracked` are valid for writes of a `uint64_t` and a `bool` (1 byte).
        let status = unsafe {
            current_version(
                self.ctx,
                text.as_ptr().cast(),
                subject.len(),
                &mut current,
                core::ptr::addr_of_mut!(tracked).cast::<bool>(),
            )
        };
        if status != CT_STATUS_OK {
            self.status.set(status);
            // A placeholder: `outcome` reports the callback's own status.
            return Err(Error::StaleVersion);
        }
        Ok((tracked != 0).then_some(current))
    }
}

/// Fills `out` (`len` bytes, at least 32: `CT_STATUS_KEY_TOO_SHORT` otherwise) with a new
/// secret from `random`, e.g. an HMAC key for `ct_key_hs256` (32 bytes), `ct_key_hs384`
/// (48) or `ct_key_hs512` (64). The callback is asked for exactly `len` bytes.
///
/// `CT_STATUS_RANDOM_UNAVAILABLE` if the callback fails; `out` then holds zeros, never a
/// partial secret. `CT_STATUS_NULL_ARGUMENT` if `random` or `out` is NULL (`random_ctx` may be
/// NULL). Erase the secret (e.g. with a volatile memset) once it has been stored.
///
/// # Safety
/// `random` follows the `ct_random_fn` contract; `out` points to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_secret_generate(
    random: ct_random_fn,
    random_ctx: *mut c_void,
    out: *mut u8,
    len: usize,
) -> ct_status {
    guard(|| {
        non_null(&[out.cast_const().cast()])?;
        let mut rng = CallbackRng::new(random, random_ctx)?;
        // SAFETY: `out` is non-null and writable for `len` bytes (caller).
        let out = unsafe { output(out, len) }?;
        let generated = check(secret_key_with_size(&mut rng, out).map(|_| ()));
        if rng.failed() {
            out.zeroize();
            return Err(CT_STATUS_RANDOM_UNAVAILABLE);
        }
        generated
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{CT_STATUS_INVALID_ARGUMENT, CT_STATUS_KEY_TOO_SHORT, CT_STATUS_STALE_VERSION};

    unsafe extern "C" fn counting(ctx: *mut c_void, out: *mut u8, len: usize) -> ct_status {
        // SAFETY: the tests pass a `u8` counter as `ctx` and `len` writable bytes at `out`.
        unsafe {
            let next = &mut *ctx.cast::<u8>();
            for i in 0..len {
                *next = next.wrapping_add(1);
                out.add(i).write(*next);
            }
        }
        CT_STATUS_OK
    }

    unsafe extern "C" fn broken(_ctx: *mut c_void, _out: *mut u8, _len: usize) -> ct_status {
        CT_STATUS_INVALID_ARGUMENT
    }

    #[test]
    fn secrets_come_from_the_callback() {
        let mut counter = 0u8;
        let ctx = core::ptr::addr_of_mut!(counter).cast();
        let mut buf = [0xAAu8; 40];
        // SAFETY: local buffers of the stated lengths, callbacks of the right type.
        unsafe {
            assert_eq!(
                ct_secret_generate(Some(counting), ctx, buf.as_mut_ptr(), 31),
                CT_STATUS_KEY_TOO_SHORT
            );
            assert_eq!(counter, 0, "the RNG is not asked for a refused size");
            assert_eq!(ct_secret_generate(Some(counting), ctx, buf.as_mut_ptr(), 32), CT_STATUS_OK);
            assert_eq!(buf[..32], core::array::from_fn::<u8, 32, _>(|i| i as u8 + 1));
            assert_eq!(buf[32..], [0xAA; 8]);
            buf.fill(0xAA);
            assert_eq!(
                ct_secret_generate(Some(broken), ctx, buf.as_mut_ptr(), 32),
                CT_STATUS_RANDOM_UNAVAILABLE
            );
            assert_eq!(buf[..32], [0; 32]);
            assert_eq!(ct_secret_generate(None, ctx, buf.as_mut_ptr(), 32), CT_STATUS_NULL_ARGUMENT);
            assert_eq!(
                ct_secret_generate(Some(counting), ctx, core::ptr::null_mut(), 32),
                CT_STATUS_NULL_ARGUMENT
            );
        }
    }

    #[test]
    fn a_failed_rng_stays_failed() {
        let mut rng = CallbackRng::new(Some(broken), core::ptr::null_mut()).unwrap();
        let mut b = [1u8; 4];
        assert!(rng.try_fill_bytes(&mut b).is_err());
        assert_eq!(b, [0; 4]);
        assert_eq!(rng.next_u64(), 0);
        assert!(rng.failed());
    }

    unsafe extern "C" fn versions(
        ctx: *mut c_void,
        sub: *const c_char,
        sub_len: usize,
        current: *mut u64,
        tracked: *mut bool,
    ) -> ct_status {
        // SAFETY: the library passes `sub_len` readable bytes plus a NUL and writable outputs.
        unsafe {
            let sub = core::slice::from_raw_parts(sub.cast::<u8>(), sub_len + 1);
            match sub {
                b"alice\0" => {
                    *current = *ctx.cast::<u64>();
                    *tracked = true;
                }
                b"bob\0" => *tracked = false,
                b"down\0" => return CT_STATUS_INVALID_ARGUMENT,
                _ => {} // sets nothing: fail closed
            }
        }
        CT_STATUS_OK
    }

    #[test]
    fn versions_come_from_the_callback() {
        let mut v = 7u64;
        let source = CallbackVersions::new(Some(versions), core::ptr::addr_of_mut!(v).cast());
        assert_eq!(source.current_version("alice"), Ok(Some(7)));
        assert_eq!(source.current_version("bob"), Ok(None));
        assert_eq!(source.current_version("carol"), Ok(Some(u64::MAX)));
        assert_eq!(source.outcome(Ok(())), Ok(()));
        assert_eq!(source.current_version("down"), Err(Error::StaleVersion));
        assert_eq!(source.outcome(Err(CT_STATUS_STALE_VERSION)), Err::<(), _>(CT_STATUS_INVALID_ARGUMENT));
        let long = "x".repeat(MAX_SUBJECT_LEN + 1);
        assert_eq!(source.current_version(&long), Err(Error::TooLong));
        let none = CallbackVersions::new(None, core::ptr::null_mut());
        assert_eq!(none.current_version("alice"), Ok(None));
    }
}
