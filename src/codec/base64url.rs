//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5), table-driven: for public data
//! only (token segments, ids, public keys). Secrets use [`base64ct`](super::base64ct).

use crate::Error;

/// The encoded length of `n` bytes, or `None` on overflow.
///
/// ```
/// assert_eq!(ciphertoken::hazmat::base64url::encoded_len(32), Some(43));
/// ```
pub const fn encoded_len(n: usize) -> Option<usize> {
    // 4 characters per 3 bytes, the last group shortened (no padding).
    let full = n / 3;
    let rem = n % 3;
    // `rem` is 0, 1 or 2: 2 and 3 characters for the last one and two bytes.
    let tail = match rem {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    match full.checked_mul(4) {
        Some(x) => x.checked_add(tail),
        None => None,
    }
}

/// The largest number of bytes `n` encoded characters can decode to.
pub const fn decoded_len_max(n: usize) -> usize {
    // n/4*3 <= n and the remainder term is at most 2: no overflow.
    let tail = match n % 4 {
        0 | 1 => 0,
        2 => 1,
        _ => 2,
    };
    (n / 4).saturating_mul(3).saturating_add(tail)
}

/// Decodes canonical unpadded base64url `src` into `dst`, returning the decoded bytes.
///
/// Padding, the standard alphabet (`+`, `/`), white space and non-canonical trailing
/// bits are all rejected.
///
/// # Errors
/// [`Error::InvalidBase64`] for any non-canonical input; [`Error::BufferTooSmall`] when
/// `dst` is shorter than the decoded length.
///
/// ```
/// let mut buf = [0u8; 8];
/// assert_eq!(ciphertoken::hazmat::base64url::decode(b"aGk", &mut buf).unwrap(), b"hi");
/// assert!(ciphertoken::hazmat::base64url::decode(b"aGl", &mut buf).is_err()); // trailing bits set
/// ```
pub fn decode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let needed = decoded_len_max(src.len());
    if dst.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let len = decode_into(src, dst).ok_or(Error::InvalidBase64)?;
    dst.get(..len).ok_or(Error::InvalidBase64)
}

/// The 6-bit value of each base64url character (RFC 4648 §5), `INVALID` for every other
/// byte (padding `=`, `+`, `/`, white space, non-ASCII).
const INVALID: u8 = 0xff;
// Evaluated at compile time: an index out of range would fail the build, never panic at run time.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8) -> u32 {
    u32::from(DECODE.get(usize::from(c)).copied().unwrap_or(INVALID))
}

/// Table-driven decoding; `None` for any non-canonical input. Variable time (a table
/// indexed by each input byte): only for public data — token segments, ids, public key
/// members. Secret material (an `oct` JWK's `k`, a private `d`, key files) goes through
/// the constant-time [`base64ct`](super::base64ct) instead. `dst` must hold
/// `decoded_len_max(src.len())` bytes.
fn decode_into(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let mut bad = 0u32;
    let mut len = 0usize;
    let (mut rest, mut out) = (src, dst);
    while let Some((quad, tail)) = rest.split_first_chunk::<4>() {
        let (group, out_tail) = core::mem::take(&mut out).split_first_chunk_mut::<3>()?;
        let [a, b, c, d] = quad.map(sextet);
        // An invalid character sets bit 8 or above (0xff), so one test covers all four.
        bad |= a | b | c | d;
        let v = (a << 18) | (b << 12) | (c << 6) | d;
        *group = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        len = len.checked_add(3)?;
        (rest, out) = (tail, out_tail);
    }
    if bad > 63 {
        return None;
    }
    match *rest {
        [] => Some(len),
        // RFC 4648 §3.5: the unused low bits of the last character must be zero.
        [a, b] => {
            let (a, b) = (sextet(a), sextet(b));
            if (a | b) > 63 || b & 0x0f != 0 {
                return None;
            }
            *out.first_mut()? = ((a << 2) | (b >> 4)) as u8;
            len.checked_add(1)
        }
        [a, b, c] => {
            let (a, b, c) = (sextet(a), sextet(b), sextet(c));
            if (a | b | c) > 63 || c & 0x03 != 0 {
                return None;
            }
            let v = (a << 10) | (b << 4) | (c >> 2);
            *out.first_chunk_mut::<2>()? = [(v >> 8) as u8, v as u8];
            len.checked_add(2)
        }
        _ => None,
    }
}

fn char_of(sextet: u32) -> u8 {
    ALPHABET.get((sextet & 0x3f) as usize).copied().unwrap_or(b'A')
}

/// Table-driven encoding of `src` into `dst` (which holds `encoded_len(src.len())` bytes).
fn encode_into(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let mut len = 0usize;
    let (mut rest, mut out) = (src, dst);
    while let Some((&[a, b, c], tail)) = rest.split_first_chunk::<3>() {
        let (group, out_tail) = core::mem::take(&mut out).split_first_chunk_mut::<4>()?;
        let v = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
        *group = [char_of(v >> 18), char_of(v >> 12), char_of(v >> 6), char_of(v)];
        len = len.checked_add(4)?;
        (rest, out) = (tail, out_tail);
    }
    // The last one or two bytes: two or three characters, no padding (RFC 7515 §2).
    match *rest {
        [] => Some(len),
        [a] => {
            let v = u32::from(a) << 16;
            *out.first_chunk_mut::<2>()? = [char_of(v >> 18), char_of(v >> 12)];
            len.checked_add(2)
        }
        [a, b] => {
            let v = (u32::from(a) << 16) | (u32::from(b) << 8);
            *out.first_chunk_mut::<3>()? = [char_of(v >> 18), char_of(v >> 12), char_of(v >> 6)];
            len.checked_add(3)
        }
        _ => None,
    }
}

/// Encodes `src` into the start of `dst`, returning the number of characters written.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `dst` is too short.
pub fn encode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let needed = encoded_len(src.len()).ok_or(Error::TooLong)?;
    if dst.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    encode_into(src, dst).ok_or(Error::BufferTooSmall { needed })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn encoded_length_matches_the_encoding() {
        let data: [u8; 200] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for len in [0, 1, 2, 3, 47, 48, 49, 100, 200] {
            let mut one = [0u8; 300];
            let n = encode(&data[..len], &mut one).unwrap();
            assert_eq!(Some(n), encoded_len(len));
        }
    }

    fn ours(src: &[u8]) -> Option<std::vec::Vec<u8>> {
        let mut buf = [0u8; 16];
        decode(src, &mut buf).ok().map(|d| d.to_vec())
    }

    #[test]
    fn decode_agrees_with_base64ct_exhaustively_on_short_inputs() {
        crate::codec::test_inputs::short_inputs(|src| {
            assert_eq!(ours(src), crate::codec::test_inputs::reference(src), "{src:?}");
        });
    }

    #[test]
    fn encode_agrees_with_base64ct_and_round_trips() {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let data: [u8; 300] = core::array::from_fn(|i| (i * 151 + 7) as u8);
        for len in 0..=300 {
            let mut want = [0u8; 400];
            let want = Base64UrlUnpadded::encode(&data[..len], &mut want).unwrap();
            let mut got = [0u8; 400];
            let n = encode(&data[..len], &mut got).unwrap();
            assert_eq!(&got[..n], want.as_bytes(), "len {len}");
            let mut back = [0u8; 300];
            assert_eq!(decode(&got[..n], &mut back).unwrap(), &data[..len]);
            // Every single-character corruption still agrees with the reference.
            if len <= 12 {
                for i in 0..n {
                    for bad in [b'=', b'+', b'/', b'A', b'_', 0x80] {
                        let mut c = got;
                        c[i] = bad;
                        assert_eq!(ours(&c[..n]), crate::codec::test_inputs::reference(&c[..n]));
                    }
                }
            }
        }
    }

    #[test]
    fn short_output_buffers_are_refused() {
        let mut small = [0u8; 2];
        assert_eq!(decode(b"aGVsbG8", &mut small), Err(Error::BufferTooSmall { needed: 5 }));
        assert_eq!(encode(b"hello", &mut small), Err(Error::BufferTooSmall { needed: 7 }));
    }

    #[test]
    fn strictness() {
        let mut buf = [0u8; 16];
        assert!(decode(b"aGk=", &mut buf).is_err());
        assert!(decode(b"a+8", &mut buf).is_err());
        assert!(decode(b"a/8", &mut buf).is_err());
        assert!(decode(b"aG k", &mut buf).is_err());
        assert!(decode(b"a", &mut buf).is_err());
        assert_eq!(decode(b"-_8", &mut buf).unwrap(), &[0xfb, 0xff]);
    }
}
