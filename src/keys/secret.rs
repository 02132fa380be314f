//! Secrets generated from a caller-supplied cryptographic RNG (no global RNG), and random
//! identifiers (`jti`, family ids).

use crate::codec::base64url;
use crate::Error;
use core::fmt;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// The smallest secret [`secret_key_with_size`] generates: 256 bits.
pub const MIN_SECRET_LEN: usize = 32;

/// Fills `buf` with a new secret from `rng` and returns it.
///
/// Secrets shorter than [`MIN_SECRET_LEN`] bytes are refused: size `buf` for the HMAC
/// algorithm you use (32, 48 or 64 bytes for HS256/HS384/HS512, RFC 7518 §3.2).
///
/// # Errors
/// [`Error::KeyTooShort`], [`Error::RandomUnavailable`].
///
/// ```
/// # #[cfg(feature = "hs")] {
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { rand_core::impls::fill_bytes_via_next(self, d) }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
/// # let mut rng = Rng(1); // use a real CSPRNG (a TRNG peripheral, getrandom, ...)
/// let mut buf = [0u8; 32];
/// let secret = ciphertoken::secret_key_with_size(&mut rng, &mut buf)?;
/// let key = ciphertoken::SigningKey::hs256(secret)?;
/// assert!(ciphertoken::secret_key_with_size(&mut rng, &mut [0u8; 16]).is_err());
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub fn secret_key_with_size<'b, R: RngCore + CryptoRng + ?Sized>(
    rng: &mut R,
    buf: &'b mut [u8],
) -> Result<&'b [u8], Error> {
    if buf.len() < MIN_SECRET_LEN {
        return Err(Error::KeyTooShort);
    }
    if rng.try_fill_bytes(buf).is_err() {
        buf.zeroize();
        return Err(Error::RandomUnavailable);
    }
    Ok(buf)
}

/// A secret of up to `N` bytes that masks itself in `Debug`/`Display` and is zeroized on drop.
///
/// ```
/// let s = ciphertoken::Secret::<64>::from_slice(b"do not print me")?;
/// assert_eq!(format!("{s:?}"), "Secret(15 bytes, ***)");
/// assert_eq!(s.expose(), b"do not print me");
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub struct Secret<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Secret<N> {
    /// A copy of `bytes`.
    ///
    /// # Errors
    /// [`Error::TooLong`] when `bytes` is longer than `N`.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut s = Secret { bytes: [0; N], len: bytes.len() };
        crate::copy_bytes(s.bytes.get_mut(..bytes.len()).ok_or(Error::TooLong)?, bytes);
        Ok(s)
    }

    /// `len` fresh random bytes from `rng` (at least [`MIN_SECRET_LEN`]).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`], [`Error::TooLong`], [`Error::RandomUnavailable`].
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Result<Self, Error> {
        let mut s = Secret { bytes: [0; N], len };
        let buf = s.bytes.get_mut(..len).ok_or(Error::TooLong)?;
        secret_key_with_size(rng, buf)?;
        Ok(s)
    }

    /// The secret bytes. Handle with care.
    pub fn expose(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl<const N: usize> Drop for Secret<N> {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes, ***)", self.len)
    }
}

impl<const N: usize> fmt::Display for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The length of a generated id: 16 random bytes in base64url.
pub const RANDOM_ID_LEN: usize = 22;

/// A random identifier: 128 bits from the caller's RNG, base64url-encoded (22 characters).
/// Used for `jti` and refresh-token family ids.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RandomId([u8; RANDOM_ID_LEN]);

impl RandomId {
    /// A fresh id.
    ///
    /// # Errors
    /// [`Error::RandomUnavailable`].
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Result<RandomId, Error> {
        let mut raw = [0u8; 16];
        rng.try_fill_bytes(&mut raw).map_err(|_| Error::RandomUnavailable)?;
        let mut id = [0u8; RANDOM_ID_LEN];
        base64url::encode(&raw, &mut id)?;
        Ok(RandomId(id))
    }

    /// An id from its text: exactly 22 base64url characters (as [`RandomId::generate`] makes).
    pub fn parse(text: &str) -> Option<RandomId> {
        let bytes: [u8; RANDOM_ID_LEN] = text.as_bytes().try_into().ok()?;
        let mut raw = [0u8; 16];
        base64url::decode(&bytes, &mut raw).ok()?;
        Some(RandomId(bytes))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Always base64url characters.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for RandomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RandomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
