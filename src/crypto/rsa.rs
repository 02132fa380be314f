//! RSA signature verification without a heap: RS256/RS384/RS512 (RSASSA-PKCS1-v1_5) and
//! PS256/PS384/PS512 (RSASSA-PSS), RFC 7518 §3.3 and §3.5 over RFC 8017. Verify only.
//!
//! Rules (stricter than RFC 8017 where a JWT verifier can afford it):
//! - moduli of [`MIN_MODULUS_BITS`] to [`MAX_MODULUS_BITS`] bits (RFC 7518 §3.3: "a key of size
//!   2048 bits or larger MUST be used"), odd;
//! - an odd public exponent `e` with `3 ≤ e <` [`PUBLIC_EXPONENT_LIMIT`] (2^33);
//! - the signature is exactly as long as the modulus (RFC 8017 §8.2.2 step 1, §8.1.2 step 1)
//!   and `s < n` (§5.2.2);
//! - PKCS#1 v1.5: the whole expected encoding `00 01 FF…FF 00 DigestInfo` is built and
//!   compared byte for byte with the recovered message (§8.2.2 steps 3–4), never parsed: that
//!   is what keeps Bleichenbacher'06-style forgeries with `e = 3` out;
//! - PSS: MGF1 with the message hash and a salt exactly as long as the hash (RFC 7518 §3.5),
//!   `emBits = modBits − 1`, so moduli of `8j + 1` bits are handled (§9.1.2, §8.1.2).
//!
//! The arithmetic is a Montgomery multiplication (CIOS) on fixed-size limb arrays sized for
//! 4096-bit moduli; a key uses only the limbs it needs. Limbs are 64 bits on 64-bit targets
//! and 32 bits elsewhere (a 32×32→64 multiplication is what Cortex-M3/M4 have). Everything
//! here is public (key, message, signature), so the code is variable time on purpose. The
//! exponentiation is plain left-to-right square-and-multiply over the bits of `e`: 16
//! squarings and one multiplication for `e = 65537`, no tables.
//!
//! A [`RsaPublicKey`] is prepared once (it caches `−n⁻¹ mod 2^w` and `R² mod n`) and then
//! verifies any number of signatures; keep it around in a gateway. It is about 1 KiB (two
//! 4096-bit numbers) and lives wherever the caller puts it: nothing is allocated.

use crate::{Algorithm, Error};
use core::fmt;
use sha2::Digest;

// `--cfg ciphertoken_limb32` forces 32-bit limbs on a 64-bit host, so that the code the
// microcontrollers run is tested natively (`cargo xtask test` does it for the RSA tests).
#[cfg(all(target_pointer_width = "64", not(ciphertoken_limb32)))]
type Limb = u64;
#[cfg(all(target_pointer_width = "64", not(ciphertoken_limb32)))]
type Wide = u128;
#[cfg(not(all(target_pointer_width = "64", not(ciphertoken_limb32))))]
type Limb = u32;
#[cfg(not(all(target_pointer_width = "64", not(ciphertoken_limb32))))]
type Wide = u64;

const LIMB_BITS: usize = Limb::BITS as usize;
const LIMB_BYTES: usize = LIMB_BITS / 8;

/// The smallest modulus accepted, in bits (RFC 7518 §3.3 and §3.5).
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest modulus accepted, in bits.
pub const MAX_MODULUS_BITS: usize = 4096;
/// The longest RSA signature, in bytes (a 4096-bit modulus).
pub const MAX_SIGNATURE_LEN: usize = MAX_MODULUS_BITS / 8;
/// Public exponents must be below this (2^33); larger ones only cost time and are not used.
pub const PUBLIC_EXPONENT_LIMIT: u64 = 1 << 33;

const MAX_LIMBS: usize = MAX_MODULUS_BITS / LIMB_BITS;
const MAX_HASH_LEN: usize = 64;

type Num = [Limb; MAX_LIMBS];

/// `a·b + c + d` as `(low, high)`. Never overflows: `(2^w−1)² + 2(2^w−1) = 2^2w − 1`.
#[inline(always)]
fn mul_add(a: Limb, b: Limb, c: Limb, d: Limb) -> (Limb, Limb) {
    let t = Wide::from(a).wrapping_mul(Wide::from(b)).wrapping_add(Wide::from(c)).wrapping_add(Wide::from(d));
    (t as Limb, t.wrapping_shr(Limb::BITS) as Limb)
}

/// `a + b` as `(sum, carry)`.
#[inline(always)]
fn add_carry(a: Limb, b: Limb) -> (Limb, Limb) {
    let (s, c) = a.overflowing_add(b);
    (s, Limb::from(c))
}

/// Whether `a < b`, both of the same length, little-endian limbs.
fn less_than(a: &[Limb], b: &[Limb]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a −= b` modulo `2^(w·len)`.
fn sub_in_place(a: &mut [Limb], b: &[Limb]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(Limb::from(borrow));
        *x = d2;
        borrow = b1 | b2;
    }
}

/// `x = 2x mod n` for `x < n`.
fn double_mod(x: &mut [Limb], n: &[Limb]) {
    let mut carry: Limb = 0;
    for limb in x.iter_mut() {
        let top = limb.wrapping_shr(Limb::BITS.wrapping_sub(1));
        *limb = limb.wrapping_shl(1) | carry;
        carry = top;
    }
    if carry != 0 || !less_than(x, n) {
        sub_in_place(x, n);
    }
}

/// Montgomery multiplication `out = a·b·R⁻¹ mod n` with `R = 2^(w·len)`, for `a, b < n`
/// (CIOS with the two carry chains fused; Koç, Acar, Kaliski 1996). All slices have the
/// key's limb count; `out` is separate from the inputs.
///
/// Invariant: the running value `T` (the `out` limbs plus `hi`) stays below `2n`, since
/// `(T + a·bᵢ + m·n) / 2^w < (2n + (2^w−1)n + (2^w−1)n) / 2^w = 2n`; one final subtraction
/// brings it below `n`.
fn mont_mul(out: &mut [Limb], a: &[Limb], b: &[Limb], n: &[Limb], n0inv: Limb) {
    out.fill(0);
    let (Some((&a0, a_rest)), Some((&n0, n_rest))) = (a.split_first(), n.split_first()) else {
        return;
    };
    let mut hi: Limb = 0;
    for &bi in b {
        let Some((first, rest)) = out.split_first_mut() else { return };
        let (x, mut c1) = mul_add(a0, bi, *first, 0);
        let m = x.wrapping_mul(n0inv);
        // The low limb of x + m·n0 is zero by the choice of m.
        let (_, mut c2) = mul_add(m, n0, x, 0);
        let mut prev = first;
        for ((t, &aj), &nj) in rest.iter_mut().zip(a_rest).zip(n_rest) {
            let (x, c) = mul_add(aj, bi, *t, c1);
            c1 = c;
            let (y, c) = mul_add(m, nj, x, c2);
            c2 = c;
            *prev = y;
            prev = t;
        }
        let (x, c3) = add_carry(hi, c1);
        let (y, c4) = add_carry(x, c2);
        *prev = y;
        hi = c3.wrapping_add(c4);
    }
    if hi != 0 || !less_than(out, n) {
        sub_in_place(out, n);
    }
}

/// Montgomery squaring `out = a²·R⁻¹ mod n` for `a < n`: the full square (each cross
/// product once, doubled, plus the diagonal) into `wide` (`2·len` limbs), then Montgomery
/// reduction (REDC, Handbook of Applied Cryptography 14.32). About 1.5·len² limb
/// multiplications against 2·len² for [`mont_mul`]; RSA verification is mostly squarings.
fn mont_sqr(out: &mut [Limb], a: &[Limb], n: &[Limb], n0inv: Limb, wide: &mut [Limb]) {
    let len = a.len();
    wide.fill(0);
    // Cross products a_i·a_j, i < j, at position i + j.
    for (i, &ai) in a.iter().enumerate() {
        let (Some(row), Some(rest)) =
            (wide.get_mut(i.saturating_mul(2).saturating_add(1)..), a.get(i.saturating_add(1)..))
        else {
            return;
        };
        let mut carry: Limb = 0;
        for (w, &aj) in row.iter_mut().zip(rest) {
            let (lo, hi) = mul_add(ai, aj, *w, carry);
            *w = lo;
            carry = hi;
        }
        // Position i + len: no earlier row reached it.
        if let Some(w) = wide.get_mut(i.saturating_add(len)) {
            *w = carry;
        }
    }
    // Double, and add the squares a_i² at position 2i.
    let mut shifted_out: Limb = 0;
    let mut carry: Limb = 0;
    for (pair, &ai) in wide.chunks_exact_mut(2).zip(a) {
        let (sq_lo, sq_hi) = mul_add(ai, ai, 0, 0);
        for (w, sq) in pair.iter_mut().zip([sq_lo, sq_hi]) {
            let doubled = w.wrapping_shl(1) | shifted_out;
            shifted_out = w.wrapping_shr(Limb::BITS.wrapping_sub(1));
            let (x, c1) = add_carry(doubled, sq);
            let (y, c2) = add_carry(x, carry);
            *w = y;
            carry = c1.wrapping_add(c2);
        }
    }
    // REDC: for each low limb, add m·n·2^(w·i) so that the limb becomes zero; the carry out of
    // position i + len is kept in `top` and added at the next step's position.
    let mut top: Limb = 0;
    for i in 0..len {
        let Some(window) = wide.get_mut(i..) else { return };
        let Some(&w0) = window.first() else { return };
        let m = w0.wrapping_mul(n0inv);
        let mut c: Limb = 0;
        let (low, high) = window.split_at_mut(len.min(window.len()));
        for (w, &nj) in low.iter_mut().zip(n) {
            let (lo, hi) = mul_add(m, nj, *w, c);
            *w = lo;
            c = hi;
        }
        if let Some(w) = high.first_mut() {
            let (x, c1) = add_carry(*w, c);
            let (y, c2) = add_carry(x, top);
            *w = y;
            top = c1.wrapping_add(c2);
        }
    }
    if let Some(result) = wide.get(len..) {
        for (o, &r) in out.iter_mut().zip(result) {
            *o = r;
        }
    }
    if top != 0 || !less_than(out, n) {
        sub_in_place(out, n);
    }
}

/// `−n₀⁻¹ mod 2^w` for odd `n₀`, by Newton's iteration (each step doubles the correct bits:
/// `n₀·n₀ ≡ 1 mod 8` gives 3, then 6, 12, 24, 48, 96).
fn neg_inverse(n0: Limb) -> Limb {
    let mut inv = n0;
    for _ in 0..5 {
        inv = inv.wrapping_mul((2 as Limb).wrapping_sub(n0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Loads big-endian `bytes` into little-endian `out` limbs (zero-extended).
/// Returns `false` when the value does not fit.
fn load_be(bytes: &[u8], out: &mut [Limb]) -> bool {
    out.fill(0);
    let mut chunks = bytes.rchunks(LIMB_BYTES);
    for limb in out.iter_mut() {
        let Some(chunk) = chunks.next() else { break };
        let mut buf = [0u8; LIMB_BYTES];
        if let Some(dst) = buf.get_mut(LIMB_BYTES.saturating_sub(chunk.len())..) {
            crate::copy_bytes(dst, chunk);
        }
        *limb = Limb::from_be_bytes(buf);
    }
    chunks.all(|c| c.iter().all(|&b| b == 0))
}

/// Writes `limbs` big-endian into all of `out` (the value must fit; higher limbs are dropped).
fn store_be(limbs: &[Limb], out: &mut [u8]) {
    out.fill(0);
    for (chunk, limb) in out.rchunks_mut(LIMB_BYTES).zip(limbs) {
        let bytes = limb.to_be_bytes();
        if let Some(src) = bytes.get(LIMB_BYTES.saturating_sub(chunk.len())..) {
            crate::copy_bytes(chunk, src);
        }
    }
}

/// Strips leading zero bytes (a JWK or DER integer may carry one).
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// The hash of an RSA algorithm: its DER `DigestInfo` prefix (RFC 8017 §9.2 note 1: the DER
/// of `DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING (hLen bytes) }` up to the
/// hash value) and its output length.
///
/// The verification code is generic over it, one instance per algorithm, so that an
/// application that only builds RS256 keys (with the algorithm known where the key is made)
/// links SHA-256 and not SHA-384/512: see [`verifier`].
trait JwsHash: Digest {
    const LEN: usize;
    const DIGEST_INFO: [u8; 19];
}

impl JwsHash for sha2::Sha256 {
    const LEN: usize = 32;
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
        0x04, 0x20,
    ];
}

impl JwsHash for sha2::Sha384 {
    const LEN: usize = 48;
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
        0x04, 0x30,
    ];
}

impl JwsHash for sha2::Sha512 {
    const LEN: usize = 64;
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
        0x04, 0x40,
    ];
}

/// The hash of the concatenated `parts` in `out[..H::LEN]`.
fn digest_into<H: JwsHash>(parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) {
    let mut h = H::new();
    for part in parts {
        h.update(part);
    }
    let digest = h.finalize();
    if let Some(dst) = out.get_mut(..digest.len()) {
        crate::copy_bytes(dst, &digest);
    }
}

/// Verifies a signature over a message with a prepared key, for one algorithm.
pub(crate) type VerifyFn = fn(&RsaPublicKey, &[u8], &[u8]) -> Result<(), Error>;

/// The verification of an RSA algorithm (RFC 7518 §3.3: RSASSA-PKCS1-v1_5, §3.5: RSASSA-PSS
/// with MGF1 and a salt as long as the hash), `None` for the others.
///
/// Always inlined: where `alg` is a constant (`VerifyingKey::rsa(Algorithm::RS256, ..)`) the
/// match folds and only that algorithm's instance, and its hash, is linked.
#[inline(always)]
pub(crate) fn verifier(alg: Algorithm) -> Option<VerifyFn> {
    match alg {
        Algorithm::RS256 => Some(verify_with::<sha2::Sha256, false>),
        Algorithm::RS384 => Some(verify_with::<sha2::Sha384, false>),
        Algorithm::RS512 => Some(verify_with::<sha2::Sha512, false>),
        Algorithm::PS256 => Some(verify_with::<sha2::Sha256, true>),
        Algorithm::PS384 => Some(verify_with::<sha2::Sha384, true>),
        Algorithm::PS512 => Some(verify_with::<sha2::Sha512, true>),
        _ => None,
    }
}

/// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) or, with `PSS`, RSASSA-PSS-VERIFY (§8.1.2)
/// with the hash `H`.
fn verify_with<H: JwsHash, const PSS: bool>(
    key: &RsaPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let mut em = [0u8; MAX_SIGNATURE_LEN];
    let em = em.get_mut(..key.modulus_len()).ok_or(Error::InvalidSignature)?;
    key.public_op(signature, em)?;
    let mut m_hash = [0u8; MAX_HASH_LEN];
    digest_into::<H>(&[message], &mut m_hash);
    let m_hash = m_hash.get(..H::LEN).ok_or(Error::InvalidSignature)?;
    let ok = if PSS {
        pss_matches::<H>(em, key.bits, m_hash).unwrap_or(false)
    } else {
        pkcs1v15_matches::<H>(em, m_hash)
    };
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// A prepared RSA public key: the modulus `n`, the exponent `e`, and the Montgomery
/// constants `−n⁻¹ mod 2^w` and `R² mod n`, computed once.
///
/// ```
/// use ciphertoken::rsa::RsaPublicKey;
/// // Keys under 2048 bits are refused.
/// let mut n = [0xffu8; 128];
/// n[127] = 0xfb;
/// assert_eq!(RsaPublicKey::new(&n, &[1, 0, 1]).unwrap_err(), ciphertoken::Error::KeyTooShort);
/// ```
#[derive(Clone)]
pub struct RsaPublicKey {
    n: Num,
    /// `R² mod n` with `R = 2^(w·limbs)`.
    r2: Num,
    /// `−n⁻¹ mod 2^w`.
    n0inv: Limb,
    /// Limbs in use.
    limbs: usize,
    /// The modulus length in bits.
    bits: usize,
    e: u64,
}

impl RsaPublicKey {
    /// Prepares the key with modulus `n` and public exponent `e`, both big-endian unsigned
    /// integers (leading zero bytes are ignored).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for a modulus under [`MIN_MODULUS_BITS`] bits;
    /// [`Error::InvalidKey`] for a modulus over [`MAX_MODULUS_BITS`] bits or even, or an
    /// exponent that is even, under 3 or not under [`PUBLIC_EXPONENT_LIMIT`].
    pub fn new(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, Error> {
        let mut key = RsaPublicKey::EMPTY;
        key.prepare(n, e)?;
        Ok(key)
    }

    /// No key (every limb zero): what [`RsaPublicKey::prepare`] fills.
    const EMPTY: RsaPublicKey =
        RsaPublicKey { n: [0; MAX_LIMBS], r2: [0; MAX_LIMBS], n0inv: 0, limbs: 0, bits: 0, e: 0 };

    /// Fills an [`RsaPublicKey::EMPTY`] key in place (the body of [`RsaPublicKey::new`], kept
    /// apart so that the ~1 KiB key is built where `new` returns it rather than copied: 1 KiB
    /// less stack while a key is prepared, measured on Cortex-M4). On error the caller drops it.
    fn prepare(&mut self, n: &[u8], e: &[u8]) -> Result<(), Error> {
        let e = parse_exponent(e)?;
        let n_bytes = strip_zeros(n);
        let Some(&top) = n_bytes.first() else { return Err(Error::InvalidKey) };
        let top_bits = 8usize.saturating_sub(top.leading_zeros() as usize);
        let bits = n_bytes.len().saturating_sub(1).saturating_mul(8).saturating_add(top_bits);
        if bits < MIN_MODULUS_BITS {
            return Err(Error::KeyTooShort);
        }
        if bits > MAX_MODULUS_BITS || n_bytes.last().is_none_or(|&b| b & 1 == 0) {
            return Err(Error::InvalidKey);
        }
        let limbs = bits.div_ceil(LIMB_BITS);
        let n_limbs = self.n.get_mut(..limbs).ok_or(Error::InvalidKey)?;
        if !load_be(n_bytes, n_limbs) {
            return Err(Error::InvalidKey);
        }
        let n0 = n_limbs.first().copied().ok_or(Error::InvalidKey)?;
        self.n0inv = neg_inverse(n0);
        (self.limbs, self.bits, self.e) = (limbs, bits, e);
        self.compute_r2().ok_or(Error::InvalidKey)
    }

    /// Sets `r2` to `R² mod n`: doublings from `2^(bits−1)` (which is below `n`) up to
    /// `R·2^limbs mod n`, then `log2(w)` Montgomery squarings, each taking `R·2^a` to
    /// `R·2^(2a)`, ending at `R·2^(w·limbs) = R²`. Works in `r2` itself and one temporary
    /// (not returned by value: less stack while a key is prepared).
    fn compute_r2(&mut self) -> Option<()> {
        let limbs = self.limbs;
        let n = self.n.get(..limbs)?;
        let x = &mut self.r2;
        *x = [0; MAX_LIMBS];
        let top = self.bits.checked_sub(1)?;
        *x.get_mut(top / LIMB_BITS)? = (1 as Limb).checked_shl(u32::try_from(top % LIMB_BITS).ok()?)?;
        let doublings = limbs.checked_mul(LIMB_BITS)?.checked_sub(top)?.checked_add(limbs)?;
        let xs = x.get_mut(..limbs)?;
        for _ in 0..doublings {
            double_mod(xs, n);
        }
        let mut y: Num = [0; MAX_LIMBS];
        let mut in_x = true;
        for _ in 0..Limb::BITS.trailing_zeros() {
            let (src, dst) = if in_x { (&*x, &mut y) } else { (&y, &mut *x) };
            let src = src.get(..limbs)?;
            mont_mul(dst.get_mut(..limbs)?, src, src, n, self.n0inv);
            in_x = !in_x;
        }
        if !in_x {
            *x = y;
        }
        Some(())
    }

    /// The modulus length in bits.
    pub fn modulus_bits(&self) -> usize {
        self.bits
    }

    /// The modulus length in bytes, which is the length of every signature.
    pub fn modulus_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The public exponent.
    pub fn exponent(&self) -> u64 {
        self.e
    }

    /// Writes the modulus big-endian, without leading zeros, into `out`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] with the modulus length.
    pub fn write_modulus<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], Error> {
        let needed = self.modulus_len();
        let dst = out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
        store_be(self.n.get(..self.limbs).unwrap_or_default(), dst);
        Ok(dst)
    }

    /// Writes the public exponent big-endian, without leading zeros, into `out`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] with the exponent's length (1 to 5 bytes).
    pub fn write_exponent<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], Error> {
        let bytes = self.e.to_be_bytes();
        let value = strip_zeros(&bytes);
        let needed = value.len();
        let dst = out.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
        crate::copy_bytes(dst, value);
        Ok(dst)
    }

    /// Verifies `signature` over `message` with the RSA algorithm `alg`.
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when `alg` is not an RSA algorithm;
    /// [`Error::InvalidSignature`] for anything wrong with the signature, and nothing more
    /// specific.
    ///
    /// Inlined: with a constant `alg` only that algorithm's code (and hash) is linked.
    #[inline(always)]
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let verify = verifier(alg).ok_or(Error::AlgorithmMismatch)?;
        verify(self, message, signature)
    }

    /// RSAVP1 (RFC 8017 §5.2.2) with the length checks of §8.2.2 step 1 / §8.1.2 step 1:
    /// writes `s^e mod n` as `k` big-endian bytes into `em`.
    #[inline(never)]
    fn public_op(&self, signature: &[u8], em: &mut [u8]) -> Result<(), Error> {
        if signature.len() != self.modulus_len() || em.len() != signature.len() {
            return Err(Error::InvalidSignature);
        }
        let limbs = self.limbs;
        let n = self.n.get(..limbs).ok_or(Error::InvalidSignature)?;
        let r2 = self.r2.get(..limbs).ok_or(Error::InvalidSignature)?;
        let mut base: Num = [0; MAX_LIMBS];
        let mut acc: Num = [0; MAX_LIMBS];
        let mut s: Num = [0; MAX_LIMBS];
        let s = s.get_mut(..limbs).ok_or(Error::InvalidSignature)?;
        if !load_be(signature, s) || !less_than(s, n) {
            // §5.2.2 step 1: "signature representative out of range".
            return Err(Error::InvalidSignature);
        }
        let base = base.get_mut(..limbs).ok_or(Error::InvalidSignature)?;
        mont_mul(base, s, r2, n, self.n0inv); // s·R mod n
        let acc = acc.get_mut(..limbs).ok_or(Error::InvalidSignature)?;
        for (a, b) in acc.iter_mut().zip(base.iter()) {
            *a = *b;
        }
        let mut t: Num = [0; MAX_LIMBS];
        let t = t.get_mut(..limbs).ok_or(Error::InvalidSignature)?;
        let mut wide = [0; 2 * MAX_LIMBS];
        let wide = wide.get_mut(..limbs.saturating_mul(2)).ok_or(Error::InvalidSignature)?;
        let (mut acc, mut t) = (acc, t);
        // Left to right over the bits of e between the top one and bit 0: square, and multiply
        // by s·R when the bit is set. No tables, no windows.
        let top = u64::BITS.saturating_sub(self.e.leading_zeros()).saturating_sub(1);
        for i in (1..top).rev() {
            mont_sqr(t, acc, n, self.n0inv, wide);
            if self.e.wrapping_shr(i) & 1 == 1 {
                mont_mul(acc, t, base, n, self.n0inv);
            } else {
                core::mem::swap(&mut acc, &mut t);
            }
        }
        // Bit 0 is set (e is odd): square, then multiply by the plain s, which also leaves the
        // Montgomery form: s^(e−1)·R · s · R⁻¹ = s^e mod n.
        mont_sqr(t, acc, n, self.n0inv, wide);
        mont_mul(acc, t, s, n, self.n0inv);
        store_be(acc, em);
        Ok(())
    }
}

/// Parses a public exponent: odd, `3 ≤ e < 2^33`.
pub(crate) fn parse_exponent(e: &[u8]) -> Result<u64, Error> {
    let e = strip_zeros(e);
    if e.len() > 8 {
        return Err(Error::InvalidKey);
    }
    let value = e.iter().fold(0u64, |acc, &b| acc.wrapping_shl(8) | u64::from(b));
    if value < 3 || value & 1 == 0 || value >= PUBLIC_EXPONENT_LIMIT {
        return Err(Error::InvalidKey);
    }
    Ok(value)
}

/// EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) of the hash `m_hash` for a `k`-byte modulus,
/// compared with `em` byte for byte (§8.2.2 steps 3–4). Nothing in `em` is parsed: `em` is
/// cut at offsets fixed by `k` and the hash alone, and every byte has exactly one acceptable
/// value. The expected encoding is compared piece by piece instead of being built in a
/// `k`-byte buffer (512 bytes less stack).
fn pkcs1v15_matches<H: JwsHash>(em: &[u8], m_hash: &[u8]) -> bool {
    let Some(ps_len) = pkcs1v15_ps_len::<H>(em.len(), m_hash) else { return false };
    let Some((head, rest)) = em.split_at_checked(2) else { return false };
    let Some((ps, rest)) = rest.split_at_checked(ps_len) else { return false };
    let Some((&zero, t)) = rest.split_first() else { return false };
    let Some((t_prefix, t_hash)) = t.split_at_checked(H::DIGEST_INFO.len()) else { return false };
    head == [0x00, 0x01]
        && ps.iter().all(|&b| b == 0xff)
        && zero == 0x00
        && t_prefix == H::DIGEST_INFO
        && t_hash == m_hash
}

/// The length of `PS` in the encoding for an `em_len`-byte modulus: `emLen − tLen − 3`, at
/// least 8 (§9.2 step 3: `emLen ≥ tLen + 11`); `None` when it does not fit or `m_hash` is
/// not a hash of `H`.
fn pkcs1v15_ps_len<H: JwsHash>(em_len: usize, m_hash: &[u8]) -> Option<usize> {
    if m_hash.len() != H::LEN {
        return None;
    }
    let t_len = H::DIGEST_INFO.len().checked_add(H::LEN)?;
    let ps_len = em_len.checked_sub(t_len)?.checked_sub(3)?;
    (ps_len >= 8).then_some(ps_len)
}

/// Writes `EM = 0x00 ‖ 0x01 ‖ PS ‖ 0x00 ‖ T` into all of `out` (`emLen = out.len()`), with `T`
/// the DER DigestInfo and `PS` at least eight `0xFF` bytes (§9.2 steps 2–5). Tests only: the
/// verifier compares without building it ([`pkcs1v15_matches`]).
#[cfg(test)]
fn pkcs1v15_encode<H: JwsHash>(m_hash: &[u8], out: &mut [u8]) -> bool {
    let Some(ps_len) = pkcs1v15_ps_len::<H>(out.len(), m_hash) else { return false };
    let (head, rest) = out.split_at_mut(2);
    head.copy_from_slice(&[0x00, 0x01]);
    let (ps, rest) = rest.split_at_mut(ps_len);
    ps.fill(0xff);
    rest[0] = 0x00;
    let (t_prefix, t_hash) = rest[1..].split_at_mut(H::DIGEST_INFO.len());
    t_prefix.copy_from_slice(&H::DIGEST_INFO);
    t_hash.copy_from_slice(m_hash);
    true
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2 steps 3–14) on the `k`-byte integer `m` (in `em_k`) for a
/// modulus of `mod_bits` bits. `None` or `Some(false)`: inconsistent.
fn pss_matches<H: JwsHash>(em_k: &mut [u8], mod_bits: usize, m_hash: &[u8]) -> Option<bool> {
    let h_len = H::LEN;
    let s_len = h_len;
    // §8.1.2 step 2c: EM = I2OSP(m, emLen) with emBits = modBits − 1.
    let em_bits = mod_bits.checked_sub(1)?;
    let em_len = em_bits.div_ceil(8);
    let extra = em_k.len().checked_sub(em_len)?;
    let (high, em) = em_k.split_at_mut_checked(extra)?;
    if high.iter().any(|&b| b != 0) {
        // m ≥ 256^emLen: I2OSP fails, "invalid signature". Happens only for 8j+1-bit moduli.
        return Some(false);
    }
    // Step 3.
    if em_len < h_len.checked_add(s_len)?.checked_add(2)? {
        return Some(false);
    }
    // Step 4: the rightmost octet is 0xbc.
    let (last, em) = em.split_last_mut()?;
    if *last != 0xbc {
        return Some(false);
    }
    // Step 5: maskedDB ‖ H.
    let db_len = em_len.checked_sub(h_len)?.checked_sub(1)?;
    let (masked_db, h) = em.split_at_mut_checked(db_len)?;
    // Step 6: the leftmost 8·emLen − emBits bits of maskedDB must be zero.
    let zero_bits = em_len.checked_mul(8)?.checked_sub(em_bits)?;
    let keep: u8 = 0xffu8.checked_shr(u32::try_from(zero_bits).ok()?)?;
    if masked_db.first()? & !keep != 0 {
        return Some(false);
    }
    // Steps 7–8: DB = maskedDB ⊕ MGF1(H, emLen − hLen − 1), in place.
    mgf1_xor::<H>(h, masked_db);
    let db = masked_db;
    // Step 9.
    *db.first_mut()? &= keep;
    // Step 10: emLen − hLen − sLen − 2 zero octets, then 0x01.
    let ps_len = em_len.checked_sub(h_len)?.checked_sub(s_len)?.checked_sub(2)?;
    let (ps, rest) = db.split_at_checked(ps_len)?;
    let (&one, salt) = rest.split_first()?;
    if ps.iter().any(|&b| b != 0) || one != 0x01 || salt.len() != s_len {
        return Some(false);
    }
    // Steps 11–14: H' = Hash(0x00×8 ‖ mHash ‖ salt) must equal H.
    let mut h2 = [0u8; MAX_HASH_LEN];
    digest_into::<H>(&[&[0u8; 8], m_hash, salt], &mut h2);
    Some(h2.get(..h_len)? == &*h)
}

/// `out ⊕= MGF1(seed, out.len())` (RFC 8017 Appendix B.2.1).
fn mgf1_xor<H: JwsHash>(seed: &[u8], out: &mut [u8]) {
    let mut block = [0u8; MAX_HASH_LEN];
    let mut counter: u32 = 0;
    for chunk in out.chunks_mut(H::LEN) {
        digest_into::<H>(&[seed, &counter.to_be_bytes()], &mut block);
        for (o, m) in chunk.iter_mut().zip(block.iter()) {
            *o ^= m;
        }
        counter = counter.wrapping_add(1);
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey").field("bits", &self.bits).field("e", &self.e).finish_non_exhaustive()
    }
}

/// An RSA verification key bound to one algorithm (the key fixes the algorithm), with that
/// algorithm's verification chosen once, when the key is made.
#[derive(Clone)]
pub(crate) struct RsaKey {
    pub(crate) alg: Algorithm,
    pub(crate) key: RsaPublicKey,
    verify: VerifyFn,
}

impl RsaKey {
    /// Always inlined, like [`verifier`]: a constant `alg` links only its own algorithm.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] when `alg` is not RS*/PS*.
    #[inline(always)]
    pub(crate) fn new(alg: Algorithm, key: RsaPublicKey) -> Result<RsaKey, Error> {
        let verify = verifier(alg).ok_or(Error::UnsupportedAlgorithm)?;
        Ok(RsaKey { alg, key, verify })
    }

    /// A key whose verification was already chosen by [`verifier`] for `alg`.
    pub(crate) fn with_verifier(alg: Algorithm, key: RsaPublicKey, verify: VerifyFn) -> RsaKey {
        RsaKey { alg, key, verify }
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        (self.verify)(&self.key, message, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slow way: 2·w·limbs doublings of 1.
    fn r2_by_doubling(key: &RsaPublicKey) -> Num {
        let mut x: Num = [0; MAX_LIMBS];
        x[0] = 1;
        for _ in 0..2 * LIMB_BITS * key.limbs {
            double_mod(&mut x[..key.limbs], &key.n[..key.limbs]);
        }
        x
    }

    fn test_modulus(bits: usize, seed: u8) -> [u8; 513] {
        // An odd number of exactly `bits` bits (not a real RSA modulus; fine for arithmetic).
        let mut n = [0u8; 513];
        let len = bits.div_ceil(8);
        let mut x = seed as u32 | 1;
        for b in n[513 - len..].iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *b = (x >> 16) as u8;
        }
        let top_bits = bits - 8 * (len - 1);
        n[513 - len] = (n[513 - len] | 0x80) >> (8 - top_bits);
        n[512] |= 1;
        n
    }

    #[test]
    fn r2_matches_slow_computation() {
        for (bits, seed) in [(2048, 1), (2049, 2), (2050, 9), (3072, 3), (3073, 4), (4095, 7), (4096, 5)] {
            let n = test_modulus(bits, seed);
            let key = RsaPublicKey::new(&n, &[1, 0, 1]).unwrap();
            assert_eq!(key.modulus_bits(), bits);
            assert_eq!(key.r2, r2_by_doubling(&key), "{bits}");
            // n0inv·n0 ≡ −1.
            assert_eq!(key.n0inv.wrapping_mul(key.n[0]), Limb::MAX);
        }
    }

    #[test]
    fn exponent_rules() {
        let n = test_modulus(2048, 1);
        for good in [&[3u8][..], &[1, 0, 1], &[0, 0, 1, 0, 1], &[1, 0xff, 0xff, 0xff, 0xff]] {
            assert!(RsaPublicKey::new(&n, good).is_ok(), "{good:?}");
        }
        for bad in [&[][..], &[0], &[1], &[2], &[1, 0, 0], &[2, 0, 0, 0, 1], &[1, 0, 0, 0, 0, 0, 0, 0, 1]] {
            assert_eq!(RsaPublicKey::new(&n, bad).unwrap_err(), Error::InvalidKey, "{bad:?}");
        }
    }

    #[test]
    fn modulus_rules() {
        let e = [1u8, 0, 1];
        assert_eq!(RsaPublicKey::new(&test_modulus(2047, 1), &e).unwrap_err(), Error::KeyTooShort);
        assert_eq!(RsaPublicKey::new(&[], &e).unwrap_err(), Error::InvalidKey);
        assert_eq!(RsaPublicKey::new(&[0; 300], &e).unwrap_err(), Error::InvalidKey);
        let mut even = test_modulus(2048, 1);
        even[512] &= 0xfe;
        assert_eq!(RsaPublicKey::new(&even, &e).unwrap_err(), Error::InvalidKey);
        let mut big = [0xffu8; 513];
        big[0] = 1; // 4097 bits
        assert_eq!(RsaPublicKey::new(&big, &e).unwrap_err(), Error::InvalidKey);
        // Leading zeros are ignored; the modulus round-trips without them.
        let n = test_modulus(3073, 3);
        let key = RsaPublicKey::new(&n, &e).unwrap();
        let mut out = [0u8; 512];
        let written = key.write_modulus(&mut out).unwrap();
        assert_eq!(written, strip_zeros(&n));
        assert_eq!(key.write_modulus(&mut out[..100]).unwrap_err(), Error::BufferTooSmall { needed: 385 });
        let mut e_out = [0u8; 8];
        assert_eq!(key.write_exponent(&mut e_out).unwrap(), &e);
    }

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of `m_hash` with `salt` into the `k`-byte `em_k`
    /// for a modulus of `mod_bits` bits, with `one` in place of the 0x01 separator and an
    /// optional non-zero byte at `ps_byte` in PS: valid and malformed encodings.
    fn pss_encode<H: JwsHash>(
        m_hash: &[u8],
        salt: &[u8],
        mod_bits: usize,
        em_k: &mut [u8],
        ps_byte: Option<usize>,
        one: u8,
    ) {
        let em_bits = mod_bits - 1;
        let em_len = em_bits.div_ceil(8);
        let extra = em_k.len() - em_len;
        em_k[..extra].fill(0);
        let em = &mut em_k[extra..];
        let mut h = [0u8; MAX_HASH_LEN];
        digest_into::<H>(&[&[0u8; 8], m_hash, salt], &mut h);
        let h = &h[..H::LEN];
        let db_len = em_len - H::LEN - 1;
        let (db, rest) = em.split_at_mut(db_len);
        let ps_len = db_len - salt.len() - 1;
        db[..ps_len].fill(0);
        if let Some(i) = ps_byte {
            db[i] = 0x01;
        }
        db[ps_len] = one;
        db[ps_len + 1..].copy_from_slice(salt);
        mgf1_xor::<H>(h, db);
        db[0] &= 0xffu8 >> (8 * em_len - em_bits);
        rest[..H::LEN].copy_from_slice(h);
        rest[H::LEN] = 0xbc;
    }

    /// PSS at the smallest encoding step 3 allows (emLen = 2·hLen + 2) and at 2048/2049 bits:
    /// the valid encoding verifies; a non-zero PS byte, a wrong separator, a wrong hash or a
    /// set top bit are refused.
    #[test]
    fn pss_encoding_checks_every_part() {
        let m_hash = [0x42u8; 32];
        let salt = [0x24u8; 32];
        for mod_bits in [528usize, 529, 2048, 2049] {
            let k = mod_bits.div_ceil(8);
            let mut valid = [0u8; 257];
            pss_encode::<sha2::Sha256>(&m_hash, &salt, mod_bits, &mut valid[..k], None, 0x01);
            let mut em = valid;
            assert_eq!(
                pss_matches::<sha2::Sha256>(&mut em[..k], mod_bits, &m_hash),
                Some(true),
                "{mod_bits}"
            );
            let mut em = valid;
            assert_ne!(pss_matches::<sha2::Sha256>(&mut em[..k], mod_bits, &[0x43; 32]), Some(true));
            pss_encode::<sha2::Sha256>(&m_hash, &salt, mod_bits, &mut em[..k], None, 0x02);
            assert_ne!(
                pss_matches::<sha2::Sha256>(&mut em[..k], mod_bits, &m_hash),
                Some(true),
                "{mod_bits}"
            );
            if mod_bits > 529 {
                pss_encode::<sha2::Sha256>(&m_hash, &salt, mod_bits, &mut em[..k], Some(3), 0x01);
                assert_ne!(
                    pss_matches::<sha2::Sha256>(&mut em[..k], mod_bits, &m_hash),
                    Some(true),
                    "{mod_bits}"
                );
            }
            // The leftmost 8·emLen − emBits bits must be zero (step 6); for 8j+1-bit moduli
            // emLen is one byte shorter than k, and that byte must be zero (§8.1.2 step 2c).
            let mut em = valid;
            em[0] |= 0x80;
            assert_ne!(
                pss_matches::<sha2::Sha256>(&mut em[..k], mod_bits, &m_hash),
                Some(true),
                "{mod_bits}"
            );
        }
        // One byte shorter than step 3 allows: refused whatever it holds.
        let mut em = [0u8; 65];
        assert_ne!(pss_matches::<sha2::Sha256>(&mut em, 520, &m_hash), Some(true));
    }

    #[test]
    fn exponent_longer_than_eight_bytes_is_refused() {
        // 2^64 + 65537: its low 64 bits alone would be a valid exponent.
        assert_eq!(parse_exponent(&[1, 0, 0, 0, 0, 0, 1, 0, 1]), Err(Error::InvalidKey));
        assert_eq!(parse_exponent(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 1]), Ok(65537));
    }

    #[test]
    fn load_be_refuses_values_that_do_not_fit() {
        let mut out = [0 as Limb; 2];
        // Exactly two limbs' worth, with a zero byte in front: fits.
        let mut bytes = [0u8; 2 * LIMB_BYTES + 1];
        bytes[1] = 0x80;
        bytes[2 * LIMB_BYTES] = 0x01;
        assert!(load_be(&bytes, &mut out));
        assert_eq!(out, [1, (0x80 as Limb) << (LIMB_BITS - 8)]);
        // A non-zero byte beyond the two limbs: refused.
        bytes[0] = 0x01;
        assert!(!load_be(&bytes, &mut out));
    }

    #[test]
    fn public_op_checks_both_lengths() {
        let n = test_modulus(2048, 5);
        let key = RsaPublicKey::new(&n, &[1, 0, 1]).unwrap();
        let k = key.modulus_len();
        assert_eq!(k, 256);
        let signature = [0x11u8; 256];
        let mut em = [0u8; 257];
        assert!(key.public_op(&signature, &mut em[..k]).is_ok());
        // A signature of the right length with an output of the wrong one, and the reverse.
        assert_eq!(key.public_op(&signature, &mut em[..k - 1]), Err(Error::InvalidSignature));
        assert_eq!(key.public_op(&signature, &mut em[..k + 1]), Err(Error::InvalidSignature));
        assert_eq!(key.public_op(&signature[..k - 1], &mut em[..k - 1]), Err(Error::InvalidSignature));
    }

    #[test]
    fn longest_signature_is_a_4096_bit_modulus() {
        assert_eq!(MAX_SIGNATURE_LEN, 512);
        let n = test_modulus(MAX_MODULUS_BITS, 9);
        assert_eq!(RsaPublicKey::new(&n, &[3]).unwrap().modulus_len(), MAX_SIGNATURE_LEN);
        let n = test_modulus(MAX_MODULUS_BITS + 1, 9);
        assert_eq!(RsaPublicKey::new(&n, &[3]).unwrap_err(), Error::InvalidKey);
    }

    #[test]
    fn montgomery_round_trip() {
        // (a·R)·1·R⁻¹ = a for a < n, through the public conversion path.
        let n = test_modulus(2049, 11);
        let key = RsaPublicKey::new(&n, &[3]).unwrap();
        let l = key.limbs;
        let mut a: Num = [0; MAX_LIMBS];
        for (i, x) in a[..l - 1].iter_mut().enumerate() {
            *x = (i as Limb).wrapping_mul(0x9e37_79b9) ^ 0x5555;
        }
        let mut am: Num = [0; MAX_LIMBS];
        mont_mul(&mut am[..l], &a[..l], &key.r2[..l], &key.n[..l], key.n0inv);
        let mut one: Num = [0; MAX_LIMBS];
        one[0] = 1;
        let mut back: Num = [0; MAX_LIMBS];
        mont_mul(&mut back[..l], &am[..l], &one[..l], &key.n[..l], key.n0inv);
        assert_eq!(back, a);
    }

    #[test]
    fn limb_width_follows_cfg() {
        #[cfg(ciphertoken_limb32)]
        assert_eq!(LIMB_BITS, 32);
        #[cfg(not(ciphertoken_limb32))]
        assert_eq!(LIMB_BITS, usize::BITS as usize);
        assert_eq!(MAX_LIMBS * LIMB_BITS, 4096);
    }

    fn hex(s: &str) -> [u8; 520] {
        let mut out = [0u8; 520];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            out[i] = u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap();
        }
        out
    }

    /// Known answers from the OpenSSL CLI (tests/data/rsa/make_kat.sh): 2049-bit (8j+1),
    /// 3072-bit e = 3 and 4096-bit keys, every algorithm. Runs with the native limb width
    /// and, under `--cfg ciphertoken_limb32`, with the 32-bit limbs microcontrollers use.
    #[test]
    fn openssl_known_answers() {
        let mut count = 0;
        for line in include_str!("../../tests/data/rsa/kat.txt").lines().filter(|l| !l.starts_with('#')) {
            let f: [&str; 5] = line.split(' ').collect::<heapless::Vec<&str, 5>>().into_array().unwrap();
            let alg = Algorithm::from_name(f[0]).unwrap();
            let (n, e, msg, sig) = (hex(f[1]), hex(f[2]), hex(f[3]), hex(f[4]));
            let (n, e, msg, sig) =
                (&n[..f[1].len() / 2], &e[..f[2].len() / 2], &msg[..f[3].len() / 2], &sig[..f[4].len() / 2]);
            let key = RsaPublicKey::new(n, e).unwrap();
            assert_eq!(key.verify(alg, msg, sig), Ok(()), "{line:.40}");
            let mut bad = hex(f[4]);
            bad[sig.len() / 2] ^= 0x10;
            assert_eq!(key.verify(alg, msg, &bad[..sig.len()]), Err(Error::InvalidSignature));
            assert_eq!(key.verify(alg, &msg[1..], sig), Err(Error::InvalidSignature));
            for other in Algorithm::ALL.into_iter().filter(|a| a.is_rsa() && *a != alg) {
                assert_eq!(key.verify(other, msg, sig), Err(Error::InvalidSignature), "{other:?}");
            }
            count += 1;
        }
        assert_eq!(count, 18);
    }

    #[test]
    fn pkcs1_encoding_shape() {
        let mut out = [0u8; 256];
        let h = [0xabu8; 32];
        assert!(pkcs1v15_encode::<sha2::Sha256>(&h, &mut out));
        assert_eq!(&out[..2], &[0, 1]);
        assert!(out[2..256 - 52].iter().all(|&b| b == 0xff));
        assert_eq!(out[256 - 52], 0);
        assert_eq!(&out[256 - 51..256 - 32], &<sha2::Sha256 as JwsHash>::DIGEST_INFO);
        assert_eq!(&out[256 - 32..], &h);
        // Too short for eight bytes of PS.
        assert!(!pkcs1v15_encode::<sha2::Sha256>(&h, &mut out[..61]));
        assert!(pkcs1v15_encode::<sha2::Sha256>(&h, &mut out[..62]));
    }

    /// The piecewise comparison accepts exactly the encoding: every single-bit change of
    /// it, a wrong hash and a wrong hash function are refused, for every modulus length.
    #[test]
    fn pkcs1_comparison_accepts_only_the_encoding() {
        let h256 = [0x5au8; 32];
        let h512 = [0xa5u8; 64];
        for k in [62usize, 100, 256, 257, 384, 512] {
            let mut buf = [0u8; 512];
            let em = &mut buf[..k];
            assert!(pkcs1v15_encode::<sha2::Sha256>(&h256, em));
            assert!(pkcs1v15_matches::<sha2::Sha256>(em, &h256));
            assert!(!pkcs1v15_matches::<sha2::Sha384>(em, &[0x5a; 48]));
            assert!(!pkcs1v15_matches::<sha2::Sha256>(em, &[0x5b; 32]));
            for i in 0..k {
                for bit in 0..8 {
                    em[i] ^= 1 << bit;
                    assert!(!pkcs1v15_matches::<sha2::Sha256>(em, &h256), "k {k} byte {i} bit {bit}");
                    em[i] ^= 1 << bit;
                }
            }
            // Too short for SHA-512's T plus 11 bytes below 94.
            let mut buf = [0u8; 512];
            let em = &mut buf[..k];
            assert_eq!(pkcs1v15_encode::<sha2::Sha512>(&h512, em), k >= 94);
            assert_eq!(pkcs1v15_matches::<sha2::Sha512>(em, &h512), k >= 94);
        }
    }
}
