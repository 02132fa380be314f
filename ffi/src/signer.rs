//! `ct_signer`: a private key the library never sees (secure element, PSA Crypto / TF-M,
//! PKCS#11, TPM), reached through a callback; `ct_sign_with_signer`,
//! `ct_issuer_init_with_signer` and the strict DER→raw conversion `ct_ecdsa_der_to_raw`.
//!
//! The object holds the callback, its context, the algorithm, the public key (prepared once)
//! and the `kid`. Every signature that comes back is checked by the core's `ExternalKey`
//! (length, `0 < r, s < n`, `S < L`, and unless `CT_SIGNER_SHAPE_ONLY` a verification
//! against the public key) before a token is released.

use crate::object::{self, fits, Object};
use crate::raw::{disjoint, guard, input, input_str, non_null, output, write_out};
use crate::status::{
    check, ct_status, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_OK, CT_STATUS_UNSUPPORTED_ALGORITHM,
};
use crate::token::{finish_token, token_body};
use ciphertoken::{
    Algorithm, Error, ExternalKey, ExternalSigner, JwsSigner, ReleaseCheck, SigningKey, VerifyingKey,
};
use core::ffi::{c_char, c_void};
use core::mem::size_of;

/// HMAC with SHA-256: the `alg` values of `ct_signer_init` (the core's order; RSA's
/// `CT_ALG_RS256`.. follow from 6 and cannot sign).
pub const CT_ALG_HS256: u32 = 1;
/// HMAC with SHA-384.
pub const CT_ALG_HS384: u32 = 2;
/// HMAC with SHA-512.
pub const CT_ALG_HS512: u32 = 3;
/// ECDSA P-256 with SHA-256.
pub const CT_ALG_ES256: u32 = 4;
/// Ed25519.
pub const CT_ALG_EDDSA: u32 = 5;

/// `ct_signer_init` flag: the ES256 callback writes an ASN.1 DER signature
/// (`SEQUENCE { INTEGER r, INTEGER s }`, up to `CT_SIGNER_DER_MAX` bytes, as OpenSSL-style
/// APIs return it) instead of raw `r‖s`; the library converts it strictly
/// (`ct_ecdsa_der_to_raw`). Only with `CT_ALG_ES256`.
pub const CT_SIGNER_DER: u32 = 1;
/// `ct_signer_init` flag: check the shape of returned signatures only (length, `r`/`s`
/// range, canonical `S`), without verifying them against the public key (for HMAC: without
/// asking for the MAC a second time). Saves one verification per token (ES256 on a
/// Cortex-M4: see the README); a glitched device can then emit a bad token. Not recommended.
pub const CT_SIGNER_SHAPE_ONLY: u32 = 2;

/// The largest DER signature a `CT_SIGNER_DER` callback may write: the `sig_cap` it gets.
pub const CT_SIGNER_DER_MAX: usize = 72;

/// Bytes of storage a `ct_signer` needs (`sizeof(ct_signer)`).
pub const CT_SIGNER_SIZE: usize = 320;

/// The signing callback of a `ct_signer`: signs `input` with a key the library never sees.
///
/// Contract:
/// - `input` / `input_len`: for `CT_ALG_ES256` the 32-byte SHA-256 digest of the JWS
///   signing input (sign it as a prehashed message: PSA `psa_sign_hash` with
///   `PSA_ALG_ECDSA(PSA_ALG_SHA_256)`, PKCS#11 `CKM_ECDSA`, ATECC608 `atcab_sign`); for
///   `CT_ALG_EDDSA` and `CT_ALG_HS*` the whole signing input (ASCII, not NUL-terminated;
///   PSA `psa_sign_message` / `psa_mac_compute`, PKCS#11 `CKM_EDDSA` / `CKM_SHA256_HMAC`).
/// - `sig_out` / `sig_cap`: room for exactly the signature: 64 bytes of raw `r‖s` (32 bytes
///   each, big-endian, as `psa_sign_hash` and `CKM_ECDSA` return) for ES256, or
///   `CT_SIGNER_DER_MAX` bytes of DER with `CT_SIGNER_DER`; 64 bytes for EdDSA; 32, 48 or 64
///   bytes for HS256/384/512. Write the signature there and its length to `*sig_len`
///   (which starts at 0); a different length fails the call.
/// - Return `CT_STATUS_OK` on success; any other value means the device failed, and the
///   library call returns `CT_STATUS_SIGNER_FAILED` with zeros in its output.
/// - `ctx` is the pointer given to `ct_signer_init`, passed through untouched; `alg` is the
///   signer's `CT_ALG_*`.
/// - It runs synchronously inside the library call and may block (a bus transaction, an
///   HSM round trip). It must not call into the library with the same objects (the
///   `ct_signer`, the `ct_issuer`, the output buffer), must not keep `input` or `sig_out`
///   after it returns, and must not unwind or `longjmp` out. It may be called twice per
///   token for HMAC (the release check), and concurrently if the application shares one
///   signer between threads.
pub type ct_sign_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        alg: u32,
        input: *const u8,
        input_len: usize,
        sig_out: *mut u8,
        sig_cap: usize,
        sig_len: *mut usize,
    ) -> ct_status,
>;

type SignFn =
    unsafe extern "C" fn(*mut c_void, u32, *const u8, usize, *mut u8, usize, *mut usize) -> ct_status;

/// Caller-allocated storage for an external signer: the callback and its context, the
/// algorithm, the public key and the `kid`. Opaque: initialize it with `ct_signer_init`,
/// erase it with `ct_signer_wipe`. It holds the context pointer (never dereferenced by the
/// library) and no heap memory; align it like `uint64_t`.
#[repr(C)]
pub struct ct_signer {
    _opaque: [u64; 40],
}

/// The device side: the callback, its context and the public key bytes.
#[derive(Clone)]
pub(crate) struct CSigner {
    callback: SignFn,
    ctx: *mut c_void,
    alg: Algorithm,
    code: u32,
    der: bool,
    public_len: u8,
    public: [u8; 65],
}

impl ExternalSigner for CSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &[u8] {
        self.public.get(..usize::from(self.public_len)).unwrap_or_default()
    }

    fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error> {
        if self.der {
            let mut der = [0u8; CT_SIGNER_DER_MAX];
            let n = self.call(input, &mut der)?;
            let der = der.get(..n).ok_or(Error::SignerFailed)?;
            return ciphertoken::ecdsa_der_to_raw(der, signature).map_err(|_| Error::SignerFailed);
        }
        self.call(input, signature)
    }
}

impl CSigner {
    /// Calls the callback with `out` as its signature buffer; its reported length, checked
    /// against `out`'s.
    fn call(&self, input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let mut len = 0usize;
        // SAFETY: the callback follows `ct_sign_fn`'s contract (caller of `ct_signer_init`):
        // `input` is readable and `out` writable for their lengths during the call, `len` is
        // a live `size_t`; `ctx` is the application's own pointer, passed through.
        let status = unsafe {
            (self.callback)(
                self.ctx,
                self.code,
                input.as_ptr(),
                input.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len,
            )
        };
        if status != CT_STATUS_OK || len > out.len() {
            return Err(Error::SignerFailed);
        }
        Ok(len)
    }
}

/// What `ct_signer` storage holds: the device behind the core's checks.
pub(crate) type Signer = ExternalKey<CSigner>;

// SAFETY: the storage holds a `Slot<Signer>` (asserted below); the magic is unique.
unsafe impl Object for ct_signer {
    type Value = Signer;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctsigne1");
}

const _: () = assert!(fits::<ct_signer>());
const _: () = assert!(size_of::<ct_signer>() == CT_SIGNER_SIZE);

/// The size in bytes of `ct_signer` (equal to `CT_SIGNER_SIZE`). Its alignment is that of
/// `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_signer_size() -> usize {
    CT_SIGNER_SIZE
}

fn algorithm(alg: u32) -> Result<Algorithm, ct_status> {
    Ok(match alg {
        CT_ALG_HS256 => Algorithm::HS256,
        CT_ALG_HS384 => Algorithm::HS384,
        CT_ALG_HS512 => Algorithm::HS512,
        CT_ALG_ES256 => Algorithm::ES256,
        CT_ALG_EDDSA => Algorithm::EdDSA,
        _ => return Err(CT_STATUS_UNSUPPORTED_ALGORITHM),
    })
}

/// Initializes `signer`: tokens are signed by `sign` (see `ct_sign_fn` for the contract),
/// which receives `ctx`, with the key of algorithm `alg` (`CT_ALG_ES256`, `CT_ALG_EDDSA`,
/// `CT_ALG_HS256`/`384`/`512`) whose public key is `public_key` (`public_len` bytes: SEC1
/// for ES256, 65 bytes uncompressed or 33 compressed; 32 bytes for Ed25519; NULL and 0 for
/// HMAC, whose secret stays in the device). `kid` (`kid_len` bytes of UTF-8, or NULL for
/// none) goes into every header. `flags`: 0, or `CT_SIGNER_DER` and/or
/// `CT_SIGNER_SHAPE_ONLY`.
///
/// The public key is validated and prepared here, once. Every signature the callback returns
/// is checked before a token is released: its length, `0 < r, s < n` for ES256, a canonical
/// `S` for Ed25519, and (unless `CT_SIGNER_SHAPE_ONLY`) a verification against the public
/// key — for HMAC, a second MAC compared in constant time. A faulty or glitched device thus
/// gives `CT_STATUS_SIGNER_FAILED`, never a bad token.
///
/// Errors: `CT_STATUS_UNSUPPORTED_ALGORITHM`, `CT_STATUS_INVALID_KEY` (public key malformed,
/// not on the curve, or given for HMAC), `CT_STATUS_INVALID_KEY_ID`,
/// `CT_STATUS_INVALID_ARGUMENT` (unknown flags, `CT_SIGNER_DER` with another algorithm). On
/// failure `signer` is untouched.
///
/// # Safety
/// `signer` points to `CT_SIGNER_SIZE` writable bytes; `public_key` to `public_len` readable
/// bytes (or NULL with 0); `kid` to `kid_len` readable bytes (or NULL), neither inside
/// `signer`. `sign` follows `ct_sign_fn`'s contract for as long as `signer` is used.
#[no_mangle]
pub unsafe extern "C" fn ct_signer_init(
    signer: *mut ct_signer,
    alg: u32,
    public_key: *const u8,
    public_len: usize,
    kid: *const c_char,
    kid_len: usize,
    flags: u32,
    sign: ct_sign_fn,
    ctx: *mut c_void,
) -> ct_status {
    guard(|| {
        non_null(&[signer.cast(), sign.map_or(core::ptr::null(), |f| f as *const ())])?;
        let callback = sign.ok_or(CT_STATUS_INVALID_ARGUMENT)?;
        if flags & !(CT_SIGNER_DER | CT_SIGNER_SHAPE_ONLY) != 0 {
            return Err(CT_STATUS_INVALID_ARGUMENT);
        }
        let der = flags & CT_SIGNER_DER != 0;
        let code = alg;
        let alg = algorithm(alg)?;
        if der && alg != Algorithm::ES256 {
            return Err(CT_STATUS_INVALID_ARGUMENT);
        }
        let public_bytes: &[u8] = if public_key.is_null() {
            if public_len != 0 {
                return Err(crate::status::CT_STATUS_NULL_ARGUMENT);
            }
            &[]
        } else {
            disjoint(signer.cast(), CT_SIGNER_SIZE, public_key, public_len)?;
            // SAFETY: readable for `public_len` bytes (caller), outside `signer` (checked).
            unsafe { input(public_key, public_len) }?
        };
        let mut public = [0u8; 65];
        let public_len = u8::try_from(public_bytes.len()).map_err(|_| from(Error::InvalidKey))?;
        public.get_mut(..public_bytes.len()).ok_or(from(Error::InvalidKey))?.copy_from_slice(public_bytes);
        let kid = if kid.is_null() {
            None
        } else {
            disjoint(signer.cast(), CT_SIGNER_SIZE, kid.cast(), kid_len)?;
            // SAFETY: readable for `kid_len` bytes (caller), outside `signer` (checked).
            let kid = unsafe { input_str(kid, kid_len) }?;
            Some(kid)
        };
        let device = CSigner { callback, ctx, alg, code, der, public_len, public };
        let release =
            if flags & CT_SIGNER_SHAPE_ONLY != 0 { ReleaseCheck::ShapeOnly } else { ReleaseCheck::Verify };
        let mut value = check(ExternalKey::new(device))?.release_check(release);
        if let Some(kid) = kid {
            value = check(value.with_kid(kid))?;
        }
        // SAFETY: `signer` non-null and writable (caller).
        unsafe { object::install(signer, value) }
    })
}

fn from(e: Error) -> ct_status {
    crate::status::from_error(e)
}

/// Erases a signer. Afterwards calls with it return `CT_STATUS_UNINITIALIZED`. Safe on a
/// wiped or never-initialized signer; does nothing for NULL or misaligned pointers. The
/// device and `ctx` are not touched.
///
/// # Safety
/// `signer` is NULL or points to `CT_SIGNER_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_signer_wipe(signer: *mut ct_signer) {
    // SAFETY: forwarded caller contract.
    unsafe { object::wipe(signer) }
}

/// As `ct_sign`, with the key behind `signer`: signs the claims JSON object `claims_json`
/// (`claims_len` bytes, validated strictly and signed exactly as given). The header is
/// `{"alg":…,"typ":"JWT"}` plus the signer's `kid`. The callback is called once (twice for
/// HMAC) after the claims are validated and the buffer size is known to suffice.
///
/// Outputs as `ct_sign`: on success the token and a NUL in `out`, its length in `*out_len`;
/// `CT_STATUS_BUFFER_TOO_SMALL` with the capacity needed in `*out_len` (the callback is not
/// called). A failing callback or a signature that fails the checks gives
/// `CT_STATUS_SIGNER_FAILED`; after any failure `out` holds nothing but zeros where the
/// token would have been.
///
/// # Safety
/// `signer` points to a `ct_signer`; `claims_json` to `claims_len` readable bytes; `out` to
/// `out_cap` writable bytes overlapping neither (else `CT_STATUS_INVALID_ARGUMENT`);
/// `out_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_sign_with_signer(
    signer: *const ct_signer,
    claims_json: *const u8,
    claims_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[signer.cast(), claims_json.cast(), out.cast_const().cast(), out_len.cast_const().cast()])?;
        let out = out.cast::<u8>();
        disjoint(claims_json, claims_len, out, out_cap)?;
        disjoint(signer.cast(), CT_SIGNER_SIZE, out, out_cap)?;
        // SAFETY: `signer` points to a `ct_signer` (caller) that `out` does not overlap (checked).
        let signer = unsafe { object::get(signer) }?;
        // SAFETY: readable for `claims_len` bytes (caller), disjoint from `out` (checked).
        let claims = unsafe { input(claims_json, claims_len) }?;
        // SAFETY: writable for `out_cap` bytes (caller), disjoint from the inputs (checked).
        let out = unsafe { output(out, out_cap) }?;
        let result = ciphertoken::sign_json(signer, claims, token_body(out)).map(str::len);
        // SAFETY: `out_len` non-null and writable (caller).
        unsafe { finish_token(out, result, out_len) }
    })
}

/// Converts an ECDSA P-256 signature from ASN.1 DER (`SEQUENCE { INTEGER r, INTEGER s }`,
/// `der_len` bytes) into the 64-byte raw `r‖s` of JWS (RFC 7518 §3.4), for devices and
/// libraries that return DER. Strict DER: short-form lengths, nothing after the sequence,
/// minimal positive INTEGERs, `0 < r, s < n`; anything else is `CT_STATUS_INVALID_SIGNATURE`.
/// `raw_cap` must be at least 64 (`CT_STATUS_BUFFER_TOO_SMALL`, `*raw_len` = 64). On success
/// `*raw_len` = 64; `raw` is written only on success.
///
/// # Safety
/// `der` points to `der_len` readable bytes, `raw` to `raw_cap` writable bytes not
/// overlapping it, `raw_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_ecdsa_der_to_raw(
    der: *const u8,
    der_len: usize,
    raw: *mut u8,
    raw_cap: usize,
    raw_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[der.cast(), raw.cast_const().cast(), raw_len.cast_const().cast()])?;
        disjoint(der, der_len, raw, raw_cap)?;
        // SAFETY: readable for `der_len` bytes (caller), outside `raw` (checked).
        let der = unsafe { input(der, der_len) }?;
        // SAFETY: writable for `raw_cap` bytes (caller), disjoint from `der` (checked).
        let out = unsafe { output(raw, raw_cap) }?;
        match ciphertoken::ecdsa_der_to_raw(der, out) {
            Ok(n) => {
                // SAFETY: `raw_len` non-null and writable (caller).
                unsafe { write_out(raw_len, n) };
                Ok(())
            }
            Err(Error::BufferTooSmall { needed }) => {
                // SAFETY: as above.
                unsafe { write_out(raw_len, needed) };
                Err(from(Error::BufferTooSmall { needed }))
            }
            Err(e) => Err(from(e)),
        }
    })
}

/// The key an issuer signs with: a `ct_key` (in RAM) or a `ct_signer` (in a device).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum IssuerKey {
    Key(SigningKey),
    External(Signer),
}

impl JwsSigner for IssuerKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            IssuerKey::Key(k) => k.algorithm(),
            IssuerKey::External(s) => s.algorithm(),
        }
    }

    fn kid(&self) -> Option<&str> {
        match self {
            IssuerKey::Key(k) => k.kid(),
            IssuerKey::External(s) => JwsSigner::kid(s),
        }
    }

    fn sign_input(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        match self {
            IssuerKey::Key(k) => k.sign_input(signing_input, out),
            IssuerKey::External(s) => s.sign_input(signing_input, out),
        }
    }

    fn verifier(&self) -> Result<VerifyingKey, Error> {
        match self {
            IssuerKey::Key(k) => Ok(k.verifying_key()),
            IssuerKey::External(s) => s.verifier(),
        }
    }
}

/// As `ct_issuer_init`, signing with the device behind `signer` (copied into the issuer: the
/// callback and `ctx` must stay valid while the issuer is used). An HMAC signer is refused
/// with `CT_STATUS_UNSUPPORTED_ALGORITHM`: the issuer verifies its own tokens, and a
/// secret in hardware cannot be read out to verify with. Rotation (`ct_issuer_rotate_key`)
/// to a `ct_key` keeps the device's public key for the grace window.
///
/// # Safety
/// `issuer` points to `CT_ISSUER_SIZE` writable bytes; `signer` to an initialized
/// `ct_signer` outside them.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_init_with_signer(
    issuer: *mut crate::lifecycle::ct_issuer,
    signer: *const ct_signer,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), signer.cast()])?;
        disjoint(issuer.cast(), crate::lifecycle::CT_ISSUER_SIZE, signer.cast(), CT_SIGNER_SIZE)?;
        // SAFETY: `signer` points to a `ct_signer` (caller) outside `issuer` (checked).
        let signer = unsafe { object::get(signer) }?;
        // The issuer verifies with the device's public key: refuse what it cannot verify.
        check(signer.verifier())?;
        // SAFETY: `issuer` non-null, writable and outside `signer` (caller, checked).
        unsafe { crate::lifecycle::init_issuer(issuer, IssuerKey::External(signer.clone())) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{CT_STATUS_NULL_ARGUMENT, CT_STATUS_SIGNER_FAILED, CT_STATUS_UNINITIALIZED};
    use ciphertoken::hazmat::RawSigner;

    const CLAIMS: &[u8] = br#"{"sub":"d","exp":2000000000}"#;

    /// The test's "device": an HMAC key the library only reaches through the callback;
    /// `fail` makes it report an error, `flip` corrupts the MAC.
    struct Device {
        key: SigningKey,
        fail: bool,
        flip: bool,
        calls: u32,
    }

    unsafe extern "C" fn device(
        ctx: *mut c_void,
        alg: u32,
        input: *const u8,
        input_len: usize,
        sig_out: *mut u8,
        sig_cap: usize,
        sig_len: *mut usize,
    ) -> ct_status {
        // SAFETY: the contract of `ct_sign_fn`; `ctx` is the test's `Device`.
        let (d, input, out) = unsafe {
            (
                &mut *ctx.cast::<Device>(),
                core::slice::from_raw_parts(input, input_len),
                core::slice::from_raw_parts_mut(sig_out, sig_cap),
            )
        };
        d.calls += 1;
        assert_eq!(alg, CT_ALG_HS256);
        if d.fail {
            out.fill(0x5a);
            return 1;
        }
        let n = d.key.sign_raw(input, out).unwrap();
        if d.flip {
            out[0] ^= 1;
        }
        // SAFETY: per the contract.
        unsafe { *sig_len = n };
        CT_STATUS_OK
    }

    fn zeroed() -> ct_signer {
        ct_signer { _opaque: [0; 40] }
    }

    #[test]
    fn signs_through_the_callback_and_refuses_bad_answers() {
        let mut d = Device { key: SigningKey::hs256(&[7; 32]).unwrap(), fail: false, flip: false, calls: 0 };
        let mut s = zeroed();
        let ctx = (&mut d as *mut Device).cast::<c_void>();
        // SAFETY: local objects, valid pointers, the callback follows the contract.
        unsafe {
            let kid = c"k1";
            let st = ct_signer_init(
                &mut s,
                CT_ALG_HS256,
                core::ptr::null(),
                0,
                kid.as_ptr(),
                2,
                0,
                Some(device),
                ctx,
            );
            assert_eq!(st, CT_STATUS_OK);
            let mut out = [0u8; 200];
            let mut len = 0usize;
            let st = ct_sign_with_signer(
                &s,
                CLAIMS.as_ptr(),
                CLAIMS.len(),
                out.as_mut_ptr().cast(),
                200,
                &mut len,
            );
            assert_eq!(st, CT_STATUS_OK);
            assert_eq!((*ctx.cast::<Device>()).calls, 2, "HMAC: asked twice");
            let token = core::str::from_utf8(&out[..len]).unwrap();
            let mut want = [0u8; 200];
            let soft = SigningKey::hs256(&[7; 32]).unwrap().with_kid("k1").unwrap();
            assert_eq!(token, ciphertoken::sign_json(&soft, CLAIMS, &mut want).unwrap());
            assert_eq!(out[len], 0);

            for (fail, flip) in [(true, false), (false, true)] {
                (*ctx.cast::<Device>()).fail = fail;
                (*ctx.cast::<Device>()).flip = flip;
                out.fill(0x33);
                let st = ct_sign_with_signer(
                    &s,
                    CLAIMS.as_ptr(),
                    CLAIMS.len(),
                    out.as_mut_ptr().cast(),
                    200,
                    &mut len,
                );
                if flip {
                    // A consistently wrong MAC cannot be told from a right one without the
                    // secret: released (documented); only transient faults are caught.
                    assert_eq!(st, CT_STATUS_OK);
                } else {
                    assert_eq!(st, CT_STATUS_SIGNER_FAILED);
                    assert!(!out.contains(&b'.') && !out.contains(&0x5a));
                }
            }
            // All-zero bytes are a valid `ct_issuer` (an integer array).
            let mut issuer: crate::lifecycle::ct_issuer = core::mem::zeroed();
            assert_eq!(ct_issuer_init_with_signer(&mut issuer, &s), CT_STATUS_UNSUPPORTED_ALGORITHM);
            ct_signer_wipe(&mut s);
            let st = ct_sign_with_signer(
                &s,
                CLAIMS.as_ptr(),
                CLAIMS.len(),
                out.as_mut_ptr().cast(),
                200,
                &mut len,
            );
            assert_eq!(st, CT_STATUS_UNINITIALIZED);
            let st = ct_signer_init(
                &mut s,
                CT_ALG_HS256,
                core::ptr::null(),
                0,
                core::ptr::null(),
                0,
                0,
                None,
                ctx,
            );
            assert_eq!(st, CT_STATUS_NULL_ARGUMENT);
        }
    }

    #[test]
    fn der_to_raw() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
        let mut raw = [0u8; 64];
        let mut n = 0usize;
        // SAFETY: local buffers.
        unsafe {
            assert_eq!(
                ct_ecdsa_der_to_raw(der.as_ptr(), der.len(), raw.as_mut_ptr(), 64, &mut n),
                CT_STATUS_OK
            );
            assert_eq!((n, raw[31], raw[63]), (64, 1, 2));
            let st = ct_ecdsa_der_to_raw(der.as_ptr(), der.len() - 1, raw.as_mut_ptr(), 64, &mut n);
            assert_eq!(st, crate::status::CT_STATUS_INVALID_SIGNATURE);
        }
    }
}
