//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5), over `base64ct`.

use crate::ser::Sink;
use crate::Error;
use base64ct::{Base64UrlUnpadded, Encoding};

/// The encoded length of `n` bytes, or `None` on overflow.
///
/// ```
/// assert_eq!(ciphertoken::base64url::encoded_len(32), Some(43));
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
/// assert_eq!(ciphertoken::base64url::decode(b"aGk", &mut buf).unwrap(), b"hi");
/// assert!(ciphertoken::base64url::decode(b"aGl", &mut buf).is_err()); // trailing bits set
/// ```
pub fn decode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let needed = decoded_len_max(src.len());
    if dst.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    Base64UrlUnpadded::decode(src, dst).map_err(|_| Error::InvalidBase64)
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
    Base64UrlUnpadded::encode(src, dst).map(str::len).map_err(|_| Error::BufferTooSmall { needed })
}

/// A [`Sink`] that base64url-encodes everything put into it, writing into a slice.
pub(crate) struct EncodingSink<'o> {
    out: &'o mut [u8],
    written: usize,
    pending: [u8; 48],
    pending_len: usize,
}

impl<'o> EncodingSink<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        EncodingSink { out, written: 0, pending: [0; 48], pending_len: 0 }
    }

    fn flush_pending(&mut self) -> Result<(), Error> {
        let chunk = self.pending.get(..self.pending_len).ok_or(Error::Malformed)?;
        let dst = self.out.get_mut(self.written..).ok_or(Error::Malformed)?;
        let n = encode(chunk, dst)?;
        self.written = self.written.checked_add(n).ok_or(Error::TooLong)?;
        self.pending_len = 0;
        Ok(())
    }

    /// Encodes what is left and returns the number of characters written.
    pub(crate) fn finish(mut self) -> Result<usize, Error> {
        self.flush_pending()?;
        Ok(self.written)
    }
}

impl Sink for EncodingSink<'_> {
    fn put(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        while !bytes.is_empty() {
            let room = self.pending.len().saturating_sub(self.pending_len);
            let take = room.min(bytes.len());
            let (head, tail) = bytes.split_at_checked(take).ok_or(Error::Malformed)?;
            let end = self.pending_len.checked_add(take).ok_or(Error::Malformed)?;
            crate::copy_bytes(self.pending.get_mut(self.pending_len..end).ok_or(Error::Malformed)?, head);
            self.pending_len = end;
            bytes = tail;
            if self.pending_len == self.pending.len() {
                // 48 is a multiple of 3: full chunks encode without a partial group.
                self.flush_pending()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_matches_one_shot() {
        let data: [u8; 200] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for len in [0, 1, 2, 3, 47, 48, 49, 100, 200] {
            let mut one = [0u8; 300];
            let n = encode(&data[..len], &mut one).unwrap();
            let mut streamed = [0u8; 300];
            let mut sink = EncodingSink::new(&mut streamed);
            for piece in data[..len].chunks(5) {
                sink.put(piece).unwrap();
            }
            let m = sink.finish().unwrap();
            assert_eq!(&one[..n], &streamed[..m]);
            assert_eq!(Some(n), encoded_len(len));
        }
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
