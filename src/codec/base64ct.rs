//! Constant-time canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5) for secrets.
//!
//! Every path that decodes or encodes **secret** material (an `oct` JWK's `k`, a private
//! JWK's `d`, CLI key files) uses this module; public token segments use the faster
//! table-driven [`base64url`](super::base64url).
//!
//! The running time and the memory addresses touched depend only on the input *length*:
//! each character is mapped to its 6-bit value (and back) with arithmetic on masks — no
//! table indexed by a secret byte, no branch on one. Invalid characters and non-canonical
//! trailing bits are accumulated into one flag tested once at the end, so the only
//! secret-derived fact that steers the code is "this text is valid base64url". The mask
//! technique is the one of Steve Thomas's constant-time encodings (used by the `base64ct`
//! crate). Hand-written rather than that crate because `base64ct` 1.8 needs Rust 1.85
//! (the core's MSRV is 1.82) and to keep the no-panic rules of this crate (checked
//! arithmetic, no indexing); the `cargo xtask ct` valgrind run checks it (secrets marked
//! undefined) and the unit tests compare it with `base64ct` on every short input.

pub use crate::codec::base64url::{decoded_len_max, encoded_len};
use crate::Error;

/// All ones when `lo <= c <= hi`, else zero. `c`, `lo`, `hi` are byte values (0..=255), so
/// both differences lie in -256..=255 and an arithmetic shift by 8 leaves -1 or 0.
#[inline(always)]
fn in_range(c: i32, lo: i32, hi: i32) -> i32 {
    (lo.wrapping_sub(1).wrapping_sub(c) & c.wrapping_sub(hi).wrapping_sub(1)) >> 8
}

/// The 6-bit value of base64url character `c` (RFC 4648 §5, table 2), or -1, without a
/// branch or a table: each range adds `value + 1` when `c` is in it.
#[inline(always)]
fn sextet(c: u8) -> i32 {
    let c = i32::from(c);
    let mut v = -1i32;
    v = v.wrapping_add(in_range(c, 0x41, 0x5a) & c.wrapping_sub(0x41 - 1)); // 'A'..='Z' → 0..=25
    v = v.wrapping_add(in_range(c, 0x61, 0x7a) & c.wrapping_sub(0x61 - 27)); // 'a'..='z' → 26..=51
    v = v.wrapping_add(in_range(c, 0x30, 0x39) & c.wrapping_add(52 + 1 - 0x30)); // '0'..='9' → 52..=61
    v = v.wrapping_add(in_range(c, 0x2d, 0x2d) & 63); // '-' → 62
    v.wrapping_add(in_range(c, 0x5f, 0x5f) & 64) // '_' → 63
}

/// The base64url character of the low six bits of `s`, without a branch or a table.
#[inline(always)]
fn char_of(s: u32) -> u8 {
    let s = (s & 0x3f) as i32;
    // From 'A' - 0, shift the offset at each range boundary (25|26, 51|52, 61|62, 62|63).
    let mut diff = 0x41i32;
    diff = diff.wrapping_add((25i32.wrapping_sub(s) >> 8) & 6); // 'a' - 26 = 0x47
    diff = diff.wrapping_sub((51i32.wrapping_sub(s) >> 8) & 75); // '0' - 52 = -4
    diff = diff.wrapping_sub((61i32.wrapping_sub(s) >> 8) & 13); // '-' - 62 = -17
    diff = diff.wrapping_add((62i32.wrapping_sub(s) >> 8) & 49); // '_' - 63 = 32
    s.wrapping_add(diff) as u8
}

/// Decodes the characters of one group (2 to 4 of them) into `out` (1 to 3 bytes); returns
/// the accumulated invalid flag (negative when a character is invalid) and the group's
/// bits as one integer.
#[inline(always)]
fn group(chars: &[u8]) -> (i32, u32) {
    let mut bad = 0i32;
    let mut bits = 0u32;
    for &c in chars {
        let v = sextet(c);
        bad |= v;
        bits = (bits << 6) | (v as u32 & 0x3f);
    }
    // -1 (invalid) has every bit set; a valid value is 0..=63, so `bad >> 6` is zero.
    (bad >> 6, bits)
}

/// The decoded length of `src` if it is canonical unpadded base64url, checked in constant
/// time (without writing the decoded bytes anywhere).
pub fn decoded_len(src: &[u8]) -> Option<usize> {
    let bad = scan(src, &mut |_, _| {});
    if !is_valid(bad) {
        return None;
    }
    Some(decoded_len_max(src.len()))
}

/// Whether the accumulated flag says "valid": computed in constant time; the answer alone is
/// declassified (valid or not is public: the key is accepted or refused).
fn is_valid(bad: i32) -> bool {
    crate::ct::declassify_choice(subtle::ConstantTimeEq::ct_eq(&bad, &0))
}

/// Runs the decoder over `src`, handing each decoded group (`bits`, byte count) to `emit`;
/// returns a non-zero flag when `src` is not canonical. Constant time in `src`'s content.
fn scan(src: &[u8], emit: &mut impl FnMut(u32, usize)) -> i32 {
    // RFC 4648 §3.5 / RFC 7515 §2: a length of 1 mod 4 is never an encoding.
    let mut bad = i32::from(src.len() % 4 == 1);
    let mut chunks = src.chunks_exact(4);
    for quad in &mut chunks {
        let (b, bits) = group(quad);
        bad |= b;
        emit(bits, 3);
    }
    let tail = chunks.remainder();
    // 2 or 3 trailing characters carry 12 or 18 bits for 8 or 16: the unused low bits
    // must be zero (canonical encoding, RFC 4648 §3.5).
    let (unused, bytes) = match tail.len() {
        2 => (4u32, 1usize),
        3 => (2, 2),
        _ => (0, 0),
    };
    if bytes > 0 {
        let (b, bits) = group(tail);
        bad |= b;
        bad |= ((bits & ((1u32 << unused).wrapping_sub(1))) != 0) as i32;
        emit(bits >> unused, bytes);
    }
    bad
}

/// Decodes canonical unpadded base64url `src` into `dst`, returning the decoded bytes; the
/// time taken and the addresses touched depend only on `src.len()`.
///
/// On any error `dst` is left zeroed over the length it would have used (no partial secret).
///
/// # Errors
/// [`Error::InvalidBase64`] for any non-canonical input (padding, `+`, `/`, white space,
/// trailing bits set, impossible length); [`Error::BufferTooSmall`] when `dst` is shorter
/// than the decoded length.
///
/// ```
/// use ciphertoken::hazmat::base64ct;
/// let mut buf = [0u8; 8];
/// assert_eq!(base64ct::decode(b"aGk", &mut buf).unwrap(), b"hi");
/// assert!(base64ct::decode(b"aGl", &mut buf).is_err()); // trailing bits set
/// ```
pub fn decode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let needed = decoded_len_max(src.len());
    let out = dst.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
    let mut pos = 0usize;
    let bad = scan(src, &mut |bits, n| {
        // Big-endian bytes of the group: 3 bytes from 24 bits, 2 from 16, 1 from 8.
        for i in 0..n {
            let shift = 8u32.saturating_mul((n.saturating_sub(1).saturating_sub(i)) as u32);
            if let Some(b) = out.get_mut(pos) {
                *b = (bits.checked_shr(shift).unwrap_or(0) & 0xff) as u8;
            }
            pos = pos.saturating_add(1);
        }
    });
    if !is_valid(bad) {
        zeroize::Zeroize::zeroize(out);
        return Err(Error::InvalidBase64);
    }
    Ok(out)
}

/// Encodes `src` into the start of `dst` and returns the number of characters written; the
/// time taken and the addresses touched depend only on `src.len()`.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `dst` is too short.
pub fn encode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let needed = encoded_len(src.len()).ok_or(Error::TooLong)?;
    let out = dst.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
    let mut chars = out.iter_mut();
    for piece in src.chunks(3) {
        // 1, 2 or 3 bytes give 2, 3 or 4 characters (no padding, RFC 7515 §2).
        let mut bits = 0u32;
        for &b in piece {
            bits = (bits << 8) | u32::from(b);
        }
        let nbits = 8u32.saturating_mul(piece.len() as u32);
        let nchars = piece.len().saturating_add(1);
        // Left-align the bits on a multiple of 6.
        let pad = 6u32.saturating_mul(nchars as u32).saturating_sub(nbits);
        bits <<= pad;
        for i in 0..nchars {
            let shift = 6u32.saturating_mul(nchars.saturating_sub(1).saturating_sub(i) as u32);
            if let Some(slot) = chars.next() {
                *slot = char_of(bits.checked_shr(shift).unwrap_or(0));
            }
        }
    }
    Ok(needed)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn ours(src: &[u8]) -> Option<Vec<u8>> {
        let mut buf = [0u8; 16];
        let got = decode(src, &mut buf).ok().map(|d| d.to_vec());
        assert_eq!(got.as_ref().map(Vec::len), decoded_len(src), "decoded_len agrees: {src:?}");
        got
    }

    #[test]
    fn every_byte_maps_like_the_alphabet() {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for c in 0..=255u8 {
            let want = ALPHABET.iter().position(|&a| a == c).map_or(-1, |p| p as i32);
            assert_eq!(sextet(c), want, "byte {c:#x}");
        }
        for (s, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(char_of(s as u32), c);
        }
    }

    #[test]
    fn decode_agrees_with_base64ct_exhaustively_on_short_inputs() {
        crate::codec::test_inputs::short_inputs(|src| {
            assert_eq!(ours(src), crate::codec::test_inputs::reference(src), "{src:?}");
        });
    }

    #[test]
    fn encode_agrees_with_the_table_driven_codec_and_round_trips() {
        let data: [u8; 300] = core::array::from_fn(|i| (i * 151 + 7) as u8);
        for len in 0..=300 {
            let mut want = [0u8; 400];
            let m = crate::codec::base64url::encode(&data[..len], &mut want).unwrap();
            let mut got = [0u8; 400];
            let n = encode(&data[..len], &mut got).unwrap();
            assert_eq!(&got[..n], &want[..m], "len {len}");
            let mut back = [0u8; 300];
            assert_eq!(decode(&got[..n], &mut back).unwrap(), &data[..len]);
        }
    }

    #[test]
    fn errors_leave_no_partial_output() {
        let mut buf = [0xaau8; 8];
        assert_eq!(decode(b"c2VjcmV0=", &mut buf), Err(Error::InvalidBase64));
        assert_eq!(decode(b"c2VjcmV+", &mut buf), Err(Error::InvalidBase64));
        assert!(buf[..6].iter().all(|&b| b == 0), "{buf:?}");
        let mut small = [0u8; 2];
        assert_eq!(decode(b"aGVsbG8", &mut small), Err(Error::BufferTooSmall { needed: 5 }));
        assert_eq!(encode(b"hello", &mut small), Err(Error::BufferTooSmall { needed: 7 }));
        assert_eq!(decoded_len(b"a"), None);
        assert_eq!(decoded_len(b"aGk"), Some(2));
        assert_eq!(decoded_len(b""), Some(0));
    }
}
