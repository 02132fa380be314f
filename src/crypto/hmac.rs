//! HMAC-SHA-256/384/512 (RFC 2104, FIPS 198-1) over `sha2`'s block compression functions.
//!
//! The key's inner and outer pad states are computed once at construction, so a MAC costs
//! no re-keying. Those states are secret-equivalent: this module owns them as plain arrays,
//! zeroizes them on drop and never prints them. Tags are compared in constant time.

use crate::{Algorithm, Error};
// generic-array 0.14 is deprecated upstream but is what sha2 0.10 takes.
#[allow(deprecated)]
use sha2::digest::generic_array::GenericArray;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A SHA-2 compression function with its parameters.
pub(crate) trait Sha2: Sized {
    type Word: Copy + Zeroize;
    /// One block as a byte array (64 or 128 bytes), so that buffers are sized per hash: an
    /// HS256 frame does not carry SHA-512's 128-byte blocks.
    type Block: AsRef<[u8]> + AsMut<[u8]> + Copy;
    /// A zeroed block.
    const EMPTY_BLOCK: Self::Block;
    /// One digest as a byte array (32, 48 or 64 bytes).
    type Digest: AsRef<[u8]> + AsMut<[u8]> + Copy;
    /// A zeroed digest.
    const EMPTY_DIGEST: Self::Digest;
    const BLOCK: usize;
    const IV: [Self::Word; 8];
    /// Output bytes (32, 48 or 64).
    const OUT: usize;
    /// Bytes of the length field in the final block (8 for SHA-256, 16 for SHA-512).
    const LEN_BYTES: usize;
    fn compress(state: &mut [Self::Word; 8], block: &[u8]);
    fn write_state(state: &[Self::Word; 8], out: &mut [u8]);
}

pub(crate) struct Sha256;
pub(crate) struct Sha384;
pub(crate) struct Sha512;

#[allow(deprecated)]
fn compress_256(state: &mut [u32; 8], block: &[u8]) {
    if block.len() == 64 {
        sha2::compress256(state, core::slice::from_ref(GenericArray::from_slice(block)));
    }
}

#[allow(deprecated)]
fn compress_512(state: &mut [u64; 8], block: &[u8]) {
    if block.len() == 128 {
        sha2::compress512(state, core::slice::from_ref(GenericArray::from_slice(block)));
    }
}

fn write_words_32(state: &[u32; 8], out: &mut [u8]) {
    for (chunk, word) in out.chunks_mut(4).zip(state) {
        let bytes = word.to_be_bytes();
        let n = chunk.len();
        crate::copy_bytes(chunk, bytes.get(..n).unwrap_or(&bytes));
    }
}

fn write_words_64(state: &[u64; 8], out: &mut [u8]) {
    for (chunk, word) in out.chunks_mut(8).zip(state) {
        let bytes = word.to_be_bytes();
        let n = chunk.len();
        crate::copy_bytes(chunk, bytes.get(..n).unwrap_or(&bytes));
    }
}

// FIPS 180-4 §5.3.3, §5.3.4, §5.3.5: initial hash values.
impl Sha2 for Sha256 {
    type Word = u32;
    type Block = [u8; 64];
    const EMPTY_BLOCK: [u8; 64] = [0; 64];
    type Digest = [u8; 32];
    const EMPTY_DIGEST: [u8; 32] = [0; 32];
    const BLOCK: usize = 64;
    const IV: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const OUT: usize = 32;
    const LEN_BYTES: usize = 8;
    fn compress(state: &mut [u32; 8], block: &[u8]) {
        compress_256(state, block);
    }
    fn write_state(state: &[u32; 8], out: &mut [u8]) {
        write_words_32(state, out);
    }
}

impl Sha2 for Sha384 {
    type Word = u64;
    type Block = [u8; 128];
    const EMPTY_BLOCK: [u8; 128] = [0; 128];
    type Digest = [u8; 48];
    const EMPTY_DIGEST: [u8; 48] = [0; 48];
    const BLOCK: usize = 128;
    const IV: [u64; 8] = [
        0xcbbb9d5dc1059ed8,
        0x629a292a367cd507,
        0x9159015a3070dd17,
        0x152fecd8f70e5939,
        0x67332667ffc00b31,
        0x8eb44a8768581511,
        0xdb0c2e0d64f98fa7,
        0x47b5481dbefa4fa4,
    ];
    const OUT: usize = 48;
    const LEN_BYTES: usize = 16;
    fn compress(state: &mut [u64; 8], block: &[u8]) {
        compress_512(state, block);
    }
    fn write_state(state: &[u64; 8], out: &mut [u8]) {
        write_words_64(state, out);
    }
}

impl Sha2 for Sha512 {
    type Word = u64;
    type Block = [u8; 128];
    const EMPTY_BLOCK: [u8; 128] = [0; 128];
    type Digest = [u8; 64];
    const EMPTY_DIGEST: [u8; 64] = [0; 64];
    const BLOCK: usize = 128;
    const IV: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    const OUT: usize = 64;
    const LEN_BYTES: usize = 16;
    fn compress(state: &mut [u64; 8], block: &[u8]) {
        compress_512(state, block);
    }
    fn write_state(state: &[u64; 8], out: &mut [u8]) {
        write_words_64(state, out);
    }
}

/// Hashes `prefix_blocks` whole blocks already absorbed into `state`, then `parts` (in
/// order, as one message), and writes the digest into `out[..H::OUT]`.
fn finish<H: Sha2>(mut state: [H::Word; 8], prefix_blocks: u64, parts: &[&[u8]], out: &mut [u8]) {
    let mut block_buf = H::EMPTY_BLOCK;
    let block = block_buf.as_mut();
    let block_len = H::BLOCK;
    let mut fill = 0usize;
    let mut total: u64 = prefix_blocks.wrapping_mul(block_len as u64);
    for part in parts {
        total = total.wrapping_add(part.len() as u64);
        let mut rest: &[u8] = part;
        while !rest.is_empty() {
            let take = block_len.saturating_sub(fill).min(rest.len());
            let (head, tail) = rest.split_at(take);
            if let Some(dst) = block.get_mut(fill..fill.saturating_add(take)) {
                crate::copy_bytes(dst, head);
            }
            fill = fill.saturating_add(take);
            rest = tail;
            if fill == block_len {
                H::compress(&mut state, block.get(..block_len).unwrap_or_default());
                fill = 0;
            }
        }
    }
    // FIPS 180-4 §5.1: a 1 bit, zeros, then the message length in bits (big endian).
    if let Some(b) = block.get_mut(fill) {
        *b = 0x80;
    }
    fill = fill.saturating_add(1);
    if fill > block_len.saturating_sub(H::LEN_BYTES) {
        if let Some(tail) = block.get_mut(fill..block_len) {
            tail.fill(0);
        }
        H::compress(&mut state, block.get(..block_len).unwrap_or_default());
        fill = 0;
    }
    if let Some(tail) = block.get_mut(fill..block_len) {
        tail.fill(0);
    }
    let bits = u128::from(total).wrapping_mul(8).to_be_bytes();
    let len_field = bits.get(bits.len().saturating_sub(H::LEN_BYTES)..).unwrap_or_default();
    if let Some(dst) = block.get_mut(block_len.saturating_sub(H::LEN_BYTES)..block_len) {
        crate::copy_bytes(dst, len_field);
    }
    H::compress(&mut state, block.get(..block_len).unwrap_or_default());
    if let Some(digest) = out.get_mut(..H::OUT) {
        H::write_state(&state, digest);
    }
    state.zeroize();
    block.zeroize();
}

/// The keyed states of one HMAC key.
pub(crate) struct Keyed<H: Sha2> {
    inner: [H::Word; 8],
    outer: [H::Word; 8],
}

impl<H: Sha2> Clone for Keyed<H> {
    fn clone(&self) -> Self {
        Keyed { inner: self.inner, outer: self.outer }
    }
}

impl<H: Sha2> Drop for Keyed<H> {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl<H: Sha2> Keyed<H> {
    fn new(secret: &[u8]) -> Keyed<H> {
        // RFC 2104 §2: keys longer than the block are hashed first; then zero-padded.
        let mut key_buf = H::EMPTY_BLOCK;
        let key = key_buf.as_mut();
        if secret.len() > H::BLOCK {
            finish::<H>(H::IV, 0, &[secret], key);
        } else if let Some(dst) = key.get_mut(..secret.len()) {
            crate::copy_bytes(dst, secret);
        }
        let mut pad_buf = H::EMPTY_BLOCK;
        let pad = pad_buf.as_mut();
        let mut inner = H::IV;
        let mut outer = H::IV;
        for (p, k) in pad.iter_mut().zip(key.iter()) {
            *p = k ^ 0x36;
        }
        H::compress(&mut inner, pad.get(..H::BLOCK).unwrap_or_default());
        for (p, k) in pad.iter_mut().zip(key.iter()) {
            *p = k ^ 0x5c;
        }
        H::compress(&mut outer, pad.get(..H::BLOCK).unwrap_or_default());
        key.zeroize();
        pad.zeroize();
        Keyed { inner, outer }
    }

    fn mac(&self, message: &[&[u8]], out: &mut [u8; 64]) {
        let mut inner_hash = H::EMPTY_DIGEST;
        finish::<H>(self.inner, 1, message, inner_hash.as_mut());
        finish::<H>(self.outer, 1, &[inner_hash.as_ref()], out);
        inner_hash.as_mut().zeroize();
    }
}

/// The pre-hashed pads of one key, for one of the three hashes.
#[derive(Clone)]
enum States {
    Sha256(Keyed<Sha256>),
    Sha384(Keyed<Sha384>),
    Sha512(Keyed<Sha512>),
}

/// Computes a tag with the states of one hash; returns the tag length (0 for states of
/// another hash, which [`HmacKey::new`] never pairs it with).
type MacFn = fn(&States, &[&[u8]], &mut [u8; 64]) -> usize;

fn mac_sha256(states: &States, message: &[&[u8]], out: &mut [u8; 64]) -> usize {
    match states {
        States::Sha256(k) => {
            k.mac(message, out);
            Sha256::OUT
        }
        _ => 0,
    }
}

fn mac_sha384(states: &States, message: &[&[u8]], out: &mut [u8; 64]) -> usize {
    match states {
        States::Sha384(k) => {
            k.mac(message, out);
            Sha384::OUT
        }
        _ => 0,
    }
}

fn mac_sha512(states: &States, message: &[&[u8]], out: &mut [u8; 64]) -> usize {
    match states {
        States::Sha512(k) => {
            k.mac(message, out);
            Sha512::OUT
        }
        _ => 0,
    }
}

/// An HMAC key with its pads pre-hashed. Zeroized on drop (by [`Keyed`]).
///
/// The tag function is chosen when the key is made, not matched per tag: where the algorithm
/// is a constant (`SigningKey::hs256`), only SHA-256 is linked, not SHA-384/512.
#[derive(Clone)]
pub(crate) struct HmacKey {
    states: States,
    mac: MacFn,
}

impl HmacKey {
    /// Keys `alg` (an `HS*` algorithm) with `secret`. Always inlined, so that a constant
    /// `alg` links only its own hash.
    #[inline(always)]
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Result<HmacKey, Error> {
        match alg {
            Algorithm::HS256 => Ok(HmacKey { states: States::Sha256(Keyed::new(secret)), mac: mac_sha256 }),
            Algorithm::HS384 => Ok(HmacKey { states: States::Sha384(Keyed::new(secret)), mac: mac_sha384 }),
            Algorithm::HS512 => Ok(HmacKey { states: States::Sha512(Keyed::new(secret)), mac: mac_sha512 }),
            _ => Err(Error::UnsupportedAlgorithm),
        }
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self.states {
            States::Sha256(_) => Algorithm::HS256,
            States::Sha384(_) => Algorithm::HS384,
            States::Sha512(_) => Algorithm::HS512,
        }
    }

    /// The tag of the concatenation of `message` parts, in `out[..tag_len]`; returns
    /// `tag_len` (never 0 for a key made by [`HmacKey::new`]).
    pub(crate) fn mac_parts(&self, message: &[&[u8]], out: &mut [u8; 64]) -> usize {
        (self.mac)(&self.states, message, out)
    }

    /// Writes the tag of `message` into `out`, returning its length.
    pub(crate) fn sign(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let mut tag = [0u8; 64];
        let n = self.mac_parts(&[message], &mut tag);
        let result = match (out.get_mut(..n), tag.get(..n)) {
            // n = 0 cannot happen (see `mac_parts`); refuse rather than sign with nothing.
            _ if n == 0 => Err(Error::InvalidKey),
            (Some(dst), Some(src)) => {
                crate::copy_bytes(dst, src);
                Ok(n)
            }
            _ => Err(Error::BufferTooSmall { needed: n }),
        };
        tag.zeroize();
        result
    }

    /// Checks `tag` against the MAC of `message` in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        let mut expected = [0u8; 64];
        let n = self.mac_parts(&[message], &mut expected);
        let ok = match expected.get(..n) {
            // The comparison is constant time; only its answer (accepted or refused, which
            // the caller learns anyway) is declassified (`crate::ct`).
            Some(e) if n > 0 && tag.len() == n => crate::ct::declassify_choice(e.ct_eq(tag)),
            _ => false,
        };
        expected.zeroize();
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> ([u8; 256], usize) {
        let mut out = [0u8; 256];
        let b = s.as_bytes();
        for i in 0..b.len() / 2 {
            out[i] = u8::from_str_radix(core::str::from_utf8(&b[2 * i..2 * i + 2]).unwrap(), 16).unwrap();
        }
        (out, b.len() / 2)
    }

    // RFC 4231 §4.2 (test case 1) and §4.7 (test case 6: a key longer than the block).
    #[test]
    fn rfc4231_vectors() {
        // Owned, not leaked: miri (`cargo xtask miri`) reports leaks as errors.
        let long_key = "aa".repeat(131);
        let cases: [(&str, &str, &str, &str, &str); 2] = [
            (
                "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                "4869205468657265",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            ),
            (
                &long_key,
                "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            ),
        ];
        for (key, data, t256, t384, t512) in cases {
            let (k, kn) = hex(key);
            let (d, dn) = hex(data);
            for (alg, want) in [(Algorithm::HS256, t256), (Algorithm::HS384, t384), (Algorithm::HS512, t512)]
            {
                let mac = HmacKey::new(alg, &k[..kn]).unwrap();
                let mut out = [0u8; 64];
                let n = mac.sign(&d[..dn], &mut out).unwrap();
                let (w, wn) = hex(want);
                assert_eq!(&out[..n], &w[..wn], "{alg}");
                assert!(mac.verify(&d[..dn], &w[..wn]).is_ok());
                let mut bad = w;
                bad[0] ^= 1;
                assert!(mac.verify(&d[..dn], &bad[..wn]).is_err());
                assert!(mac.verify(&d[..dn], &w[..wn - 1]).is_err());
            }
        }
    }

    #[test]
    fn every_padding_boundary() {
        // Messages of every length around the block and length-field boundaries keep
        // agreeing with the split computation (message fed in two parts).
        let data: [u8; 300] = core::array::from_fn(|i| i as u8);
        let key = HmacKey::new(Algorithm::HS512, &[7u8; 64]).unwrap();
        for len in 0..300 {
            let mut one = [0u8; 64];
            let mut two = [0u8; 64];
            key.mac_parts(&[&data[..len]], &mut one);
            let mid = len / 3;
            key.mac_parts(&[&data[..mid], &data[mid..len]], &mut two);
            assert_eq!(one, two);
        }
    }
}
#[cfg(test)]
mod sha2_tests {
    use super::*;
    use sha2::Digest;
    #[test]
    fn finish_matches_sha2() {
        for len in [0usize, 1, 55, 56, 63, 64, 65, 131, 200] {
            let msg: [u8; 200] = core::array::from_fn(|i| i as u8);
            let mut out = [0u8; 64];
            finish::<Sha256>(Sha256::IV, 0, &[&msg[..len]], &mut out);
            let want = sha2::Sha256::digest(&msg[..len]);
            assert_eq!(out[..32], want[..], "len {len}");
        }
    }
}
