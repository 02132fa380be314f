//! External signers: private keys that live where the firmware cannot read them (a secure
//! element such as ATECC608 / SE050 / OPTIGA Trust M, PSA Crypto / TF-M, a TPM, an HSM
//! behind PKCS#11).
//!
//! Two traits:
//! - [`JwsSigner`] is the seam every sign path takes (`sign`, `sign_json`, `token_len`,
//!   [`CipherToken`](crate::lifecycle::CipherToken)): the algorithm, the `kid`, and one call
//!   that signs the JWS signing input (RFC 7515 §5.1 step 5). [`SigningKey`] implements it,
//!   and so does [`ExternalKey`].
//! - [`ExternalSigner`] is what the application implements for its device: it knows its
//!   algorithm, `kid` and public key and signs what its algorithm needs, the way such devices
//!   work — ES256: the 32-byte SHA-256 digest of the signing input, answered with raw `r‖s`
//!   (PSA `psa_sign_hash`, ATECC608, PKCS#11 `CKM_ECDSA`); EdDSA and HS*: the whole signing
//!   input (Ed25519 devices hash internally; PKCS#11 `CKM_SHA256_HMAC`, PSA `psa_mac_compute`).
//!
//! [`ExternalKey`] wraps an [`ExternalSigner`] and checks what comes back before a token is
//! released: the exact length; for ES256 `0 < r, s < n` (the CVE-2022-21449 class); for EdDSA
//! a canonical `S < L` (RFC 8032 §5.1.7); and by default ([`ReleaseCheck::Verify`]) the
//! signature is verified against the public key, so a faulty or glitched device (fault
//! injection on the nonce is a known way to extract ECDSA keys) cannot emit a bad token. For
//! HMAC there is no public key: the check asks the device for the MAC a second time and
//! compares in constant time. Any failure is [`Error::SignerFailed`], never a panic; the
//! signature buffer and the token buffer are wiped.
//!
//! Hand-written glue, no crate: the checks reuse the core's own P-256 (`p256`), Ed25519 and
//! SHA-256 code; nothing here allocates.

use crate::keys::key::{KeyId, SigningKey, VerifyingKey};
use crate::{Algorithm, Error};
use core::fmt;

/// What a sign path needs from a key: the algorithm and `kid` that go into the header, and a
/// signature over the JWS signing input (`BASE64URL(header) || '.' || BASE64URL(payload)`).
///
/// Implemented by [`SigningKey`] (keys in RAM) and [`ExternalKey`] (keys in hardware,
/// checked before release). Implementing it directly skips [`ExternalKey`]'s checks: wrap a
/// device in [`ExternalKey`] instead.
pub trait JwsSigner {
    /// The algorithm (the header's `alg`).
    fn algorithm(&self) -> Algorithm;

    /// The `kid` written into the header, if any (at most [`MAX_KID_LEN`](crate::MAX_KID_LEN) bytes).
    fn kid(&self) -> Option<&str>;

    /// Signs `signing_input` into the start of `out`, returning the signature length (the
    /// algorithm's [`signature_len`](Algorithm::signature_len)).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than the signature,
    /// [`Error::SignerFailed`] when an external signer fails or returns a bad signature.
    fn sign_input(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error>;

    /// The key that verifies this signer's tokens (with its `kid`), for the life cycle's key
    /// set.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for an HMAC key held in hardware (its secret cannot be
    /// read out to verify with); [`Error::InvalidKey`].
    fn verifier(&self) -> Result<VerifyingKey, Error>;
}

impl JwsSigner for SigningKey {
    fn algorithm(&self) -> Algorithm {
        SigningKey::algorithm(self)
    }

    fn kid(&self) -> Option<&str> {
        SigningKey::kid(self)
    }

    fn sign_input(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        self.sign_raw(signing_input, out)
    }

    fn verifier(&self) -> Result<VerifyingKey, Error> {
        Ok(self.verifying_key())
    }
}

impl<T: JwsSigner + ?Sized> JwsSigner for &T {
    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }

    fn kid(&self) -> Option<&str> {
        (**self).kid()
    }

    fn sign_input(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        (**self).sign_input(signing_input, out)
    }

    fn verifier(&self) -> Result<VerifyingKey, Error> {
        (**self).verifier()
    }
}

/// A signing device the application drives: a secure element, PSA Crypto, a TPM, an HSM.
///
/// `algorithm`, `kid` and `public_key` are read once, by [`ExternalKey::new`]. `sign` is
/// called for every token (twice for HMAC under [`ReleaseCheck::Verify`]); it takes `&self`,
/// so a device behind a bus keeps its handle in a `Cell`/`RefCell` or a mutex.
///
/// ```
/// # #[cfg(feature = "eddsa")] {
/// use ciphertoken::{Algorithm, Error, ExternalKey, ExternalSigner, SigningKey};
///
/// /// Stands in for a device: the application code never sees the seed.
/// struct Device { key: SigningKey, public: [u8; 32] }
///
/// impl ExternalSigner for Device {
///     fn algorithm(&self) -> Algorithm { Algorithm::EdDSA }
///     fn kid(&self) -> Option<&str> { Some("se-slot-0") }
///     fn public_key(&self) -> &[u8] { &self.public }
///     fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error> {
///         use ciphertoken::hazmat::RawSigner;
///         self.key.sign_raw(input, signature)
///     }
/// }
///
/// let key = SigningKey::ed25519(&[5; 32])?;
/// let mut public = [0u8; 32];
/// key.verifying_key().public_key_bytes(&mut public)?;
/// let signer = ExternalKey::new(Device { key, public })?;
/// let mut out = [0u8; 200];
/// let token = ciphertoken::sign_json(&signer, br#"{"sub":"dev-7"}"#, &mut out)?;
/// assert_eq!(token.split('.').count(), 3);
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub trait ExternalSigner {
    /// The device key's algorithm: [`Algorithm::ES256`], [`Algorithm::EdDSA`] or an HMAC
    /// algorithm (RSA cannot sign here).
    fn algorithm(&self) -> Algorithm;

    /// The `kid` to put into the header, if any.
    fn kid(&self) -> Option<&str> {
        None
    }

    /// The public key: SEC1 for ES256 (65 bytes uncompressed or 33 compressed), 32 bytes for
    /// Ed25519, empty for HMAC (a secret is not public).
    fn public_key(&self) -> &[u8];

    /// Signs `input` into `signature` and returns the number of bytes written.
    ///
    /// `input` is, for ES256, the 32-byte SHA-256 digest of the signing input (sign it as a
    /// prehashed message: PSA `psa_sign_hash`, PKCS#11 `CKM_ECDSA`); for EdDSA and HS*, the
    /// whole signing input. `signature` is exactly the algorithm's signature length: 64
    /// bytes of raw `r‖s` (32 bytes each, big-endian) for ES256 — convert DER with
    /// [`ecdsa_der_to_raw`] — 64 bytes for EdDSA, 32/48/64 bytes for HS256/384/512.
    ///
    /// Must not panic; report failure with any `Err` (the library returns
    /// [`Error::SignerFailed`] whatever the error).
    ///
    /// # Errors
    /// Any error: the device failed.
    fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error>;
}

impl<T: ExternalSigner + ?Sized> ExternalSigner for &T {
    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }

    fn kid(&self) -> Option<&str> {
        (**self).kid()
    }

    fn public_key(&self) -> &[u8] {
        (**self).public_key()
    }

    fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error> {
        (**self).sign(input, signature)
    }
}

/// What [`ExternalKey`] checks before it releases a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReleaseCheck {
    /// The default: the shape checks, then the signature is verified against the public key
    /// (for HMAC: signed a second time and compared in constant time). An ES256 device
    /// signature then costs one P-256 verification on top (measured in the README's
    /// "keys in hardware" section).
    #[default]
    Verify,
    /// Shape only: the exact length, `0 < r, s < n` for ES256, `S < L` for EdDSA. For
    /// devices that verify their own output, when the verification's time matters more.
    ShapeOnly,
}

/// The public half kept to check a device's signatures, prepared once.
#[derive(Clone)]
enum Check {
    #[cfg(feature = "es256")]
    Es256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "eddsa")]
    EdDSA(crate::crypto::ed25519::PublicKey),
    Hmac,
}

/// An [`ExternalSigner`] with the library's checks on what it returns: the [`JwsSigner`] to
/// pass to [`sign`](crate::sign), [`sign_json`](crate::sign_json) and
/// [`CipherToken`](crate::lifecycle::CipherToken).
///
/// No heap: the device, the `kid` (copied, ≤ 64 bytes) and the prepared public key.
#[derive(Clone)]
pub struct ExternalKey<S> {
    signer: S,
    alg: Algorithm,
    kid: Option<KeyId>,
    check: Check,
    release: ReleaseCheck,
}

impl<S: ExternalSigner> ExternalKey<S> {
    /// Wraps `signer`, reading its algorithm, `kid` and public key once (the public key is
    /// validated and prepared here, never per token). Checks default to
    /// [`ReleaseCheck::Verify`].
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for RSA or an algorithm whose feature is off;
    /// [`Error::InvalidKey`] for a malformed public key (or a non-empty one for HMAC);
    /// [`Error::InvalidKeyId`].
    pub fn new(signer: S) -> Result<ExternalKey<S>, Error> {
        let alg = signer.algorithm();
        let public = signer.public_key();
        let check = match alg {
            #[cfg(feature = "es256")]
            Algorithm::ES256 => {
                if !matches!(public.len(), 33 | 65) {
                    return Err(Error::InvalidKey);
                }
                Check::Es256(
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(public).map_err(|_| Error::InvalidKey)?,
                )
            }
            #[cfg(feature = "eddsa")]
            Algorithm::EdDSA => Check::EdDSA(crate::crypto::ed25519::PublicKey::new(public)?),
            a if a.is_hmac() => {
                if !public.is_empty() {
                    return Err(Error::InvalidKey);
                }
                Check::Hmac
            }
            _ => return Err(Error::UnsupportedAlgorithm),
        };
        let kid = signer.kid().map(KeyId::new).transpose()?;
        Ok(ExternalKey { signer, alg, kid, check, release: ReleaseCheck::Verify })
    }

    /// The same signer with another [`ReleaseCheck`].
    pub fn release_check(mut self, check: ReleaseCheck) -> ExternalKey<S> {
        self.release = check;
        self
    }

    /// The wrapped device.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The wrapped device, to reconfigure it (a new bus handle, a session). Its algorithm,
    /// `kid` and public key are not read again: they were fixed by [`ExternalKey::new`].
    pub fn signer_mut(&mut self) -> &mut S {
        &mut self.signer
    }

    /// The same signer with another `kid` than the device's (which goes into the header).
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`] (see [`KeyId::new`]).
    pub fn with_kid(mut self, kid: &str) -> Result<ExternalKey<S>, Error> {
        self.kid = Some(KeyId::new(kid)?);
        Ok(self)
    }

    /// The device's signature into `out` (exactly the signature length): any error, or a
    /// length other than `out.len()`, is a failure.
    fn device(&self, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
        match self.signer.sign(input, out) {
            Ok(n) if n == out.len() => Ok(()),
            _ => Err(Error::SignerFailed),
        }
    }

    /// Signs through the device and checks the result; `out` is exactly the signature length.
    fn sign_checked(&self, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let verify = self.release == ReleaseCheck::Verify;
        match &self.check {
            #[cfg(feature = "es256")]
            Check::Es256(key) => {
                use p256::ecdsa::signature::hazmat::PrehashVerifier;
                use sha2::Digest;
                let digest: [u8; 32] = sha2::Sha256::digest(input).into();
                self.device(&digest, out)?;
                // `from_slice` requires 0 < r < n and 0 < s < n (RFC 7518 §3.4: raw r‖s).
                let sig = p256::ecdsa::Signature::from_slice(out).map_err(|_| Error::SignerFailed)?;
                if verify {
                    key.verify_prehash(&digest, &sig).map_err(|_| Error::SignerFailed)?;
                }
                Ok(())
            }
            #[cfg(feature = "eddsa")]
            Check::EdDSA(key) => {
                self.device(input, out)?;
                if !ed25519_s_canonical(out) {
                    return Err(Error::SignerFailed);
                }
                if verify {
                    key.verify(input, out).map_err(|_| Error::SignerFailed)?;
                }
                Ok(())
            }
            Check::Hmac => {
                self.device(input, out)?;
                if verify {
                    use subtle::ConstantTimeEq;
                    let mut again = [0u8; 64];
                    let again = again.get_mut(..out.len()).ok_or(Error::SignerFailed)?;
                    self.device(input, again)?;
                    let same = bool::from(again.ct_eq(out));
                    zeroize::Zeroize::zeroize(again);
                    if !same {
                        return Err(Error::SignerFailed);
                    }
                }
                Ok(())
            }
        }
    }
}

/// RFC 8032 §5.1.7: `S` (the signature's second half, little-endian) must be below the group
/// order `L = 2^252 + 27742317777372353535851937790883648493`.
#[cfg(feature = "eddsa")]
fn ed25519_s_canonical(signature: &[u8]) -> bool {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let Some(s) = signature.get(32..64) else {
        return false;
    };
    // From the most significant byte down: the first difference decides.
    for (a, b) in s.iter().rev().zip(L.iter().rev()) {
        if a != b {
            return a < b;
        }
    }
    false
}

impl<S: ExternalSigner> JwsSigner for ExternalKey<S> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(KeyId::as_str)
    }

    fn sign_input(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let needed = self.alg.signature_len();
        let out = out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
        match self.sign_checked(signing_input, out) {
            Ok(()) => Ok(needed),
            Err(e) => {
                // Whatever the device wrote is not released.
                zeroize::Zeroize::zeroize(out);
                Err(e)
            }
        }
    }

    #[cfg_attr(not(any(feature = "es256", feature = "eddsa")), allow(unreachable_code, unused_variables))]
    fn verifier(&self) -> Result<VerifyingKey, Error> {
        let key: VerifyingKey = match self.alg {
            #[cfg(feature = "es256")]
            Algorithm::ES256 => VerifyingKey::es256_sec1(self.signer.public_key())?,
            #[cfg(feature = "eddsa")]
            Algorithm::EdDSA => VerifyingKey::ed25519(self.signer.public_key())?,
            _ => return Err(Error::UnsupportedAlgorithm),
        };
        match &self.kid {
            Some(kid) => key.with_kid(kid.as_str()),
            None => Ok(key),
        }
    }
}

impl<S> fmt::Debug for ExternalKey<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("release", &self.release)
            .finish_non_exhaustive()
    }
}

/// Converts an ECDSA P-256 signature from ASN.1 DER (`SEQUENCE { INTEGER r, INTEGER s }`,
/// as OpenSSL-style APIs return it) into the raw 64-byte `r‖s` of JWS (RFC 7518 §3.4).
///
/// Strict DER (X.690 §10, RFC 3279 §2.2.3): definite short-form lengths only (a P-256
/// signature is at most 72 bytes), nothing after the sequence, positive minimal INTEGERs
/// (no superfluous leading zero, no sign bit set), `0 < r, s < n`.
///
/// # Errors
/// [`Error::InvalidSignature`] for anything else; [`Error::BufferTooSmall`] when `out` is
/// shorter than 64 bytes. `out` is written only on success.
///
/// ```
/// let der = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
/// let mut raw = [0u8; 64];
/// ciphertoken::ecdsa_der_to_raw(&der, &mut raw)?;
/// assert_eq!((raw[31], raw[63]), (1, 2));
/// // A superfluous leading zero is not DER.
/// assert!(ciphertoken::ecdsa_der_to_raw(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02], &mut raw).is_err());
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub fn ecdsa_der_to_raw(der: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
        0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];
    let out = out.get_mut(..64).ok_or(Error::BufferTooSmall { needed: 64 })?;
    let bad = Error::InvalidSignature;
    let (&tag, rest) = der.split_first().ok_or(bad)?;
    let (&len, body) = rest.split_first().ok_or(bad)?;
    // SEQUENCE, short-form length covering exactly the rest.
    if tag != 0x30 || len >= 0x80 || usize::from(len) != body.len() {
        return Err(bad);
    }
    let mut raw = [0u8; 64];
    let (r_out, s_out) = raw.split_at_mut(32);
    let rest = der_integer(body, r_out)?;
    let rest = der_integer(rest, s_out)?;
    if !rest.is_empty() {
        return Err(bad);
    }
    for half in [&*r_out, &*s_out] {
        // 0 < x < n, both 32-byte big-endian: lexicographic order is numeric order.
        if half.iter().all(|&b| b == 0) || half >= &N[..] {
            return Err(bad);
        }
    }
    crate::copy_bytes(out, &raw);
    Ok(64)
}

/// Reads one strict DER INTEGER of at most 32 value bytes from the start of `input` into
/// `out` (32 bytes, right-aligned), returning what follows it.
fn der_integer<'a>(input: &'a [u8], out: &mut [u8]) -> Result<&'a [u8], Error> {
    let bad = Error::InvalidSignature;
    let (&tag, rest) = input.split_first().ok_or(bad)?;
    let (&len, rest) = rest.split_first().ok_or(bad)?;
    if tag != 0x02 || len == 0 || len >= 0x80 {
        return Err(bad);
    }
    let (value, rest) = rest.split_at_checked(usize::from(len)).ok_or(bad)?;
    let (&first, tail) = value.split_first().ok_or(bad)?;
    if first & 0x80 != 0 {
        // Negative.
        return Err(bad);
    }
    let digits = if first == 0 {
        // A leading zero is only allowed (and required) before a byte with its top bit set.
        match tail.first() {
            Some(b) if b & 0x80 != 0 => tail,
            _ => return Err(bad),
        }
    } else {
        value
    };
    let start = 32usize.checked_sub(digits.len()).ok_or(bad)?;
    crate::copy_bytes(out.get_mut(start..).ok_or(bad)?, digits);
    Ok(rest)
}
