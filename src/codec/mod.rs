//! Encodings at the bottom of the stack: base64url for token segments ([`base64url`],
//! table-driven) and for secrets ([`base64ct`], constant-time), and the strict JSON
//! reader ([`json`]) and writer ([`ser`]). No keys, no crypto.

pub mod base64ct;
pub mod base64url;
pub mod json;
pub(crate) mod ser;

/// What the two base64url decoders are checked against, in their tests.
#[cfg(test)]
pub(crate) mod test_inputs {
    extern crate std;
    use std::vec::Vec;

    /// `base64ct`'s strict unpadded base64url decoder (the crate, a dev-dependency).
    pub(crate) fn reference(src: &[u8]) -> Option<Vec<u8>> {
        use ::base64ct::{Base64UrlUnpadded, Encoding};
        let mut buf = [0u8; 16];
        Base64UrlUnpadded::decode(src, &mut buf).ok().map(|d| d.to_vec())
    }

    /// Calls `check` with every input of up to two bytes, then three- and four-character
    /// inputs over the alphabet's edges plus every kind of invalid byte.
    pub(crate) fn short_inputs(mut check: impl FnMut(&[u8])) {
        for len in 0..=2usize {
            for n in 0..(1usize << (8 * len)) {
                let src: Vec<u8> = (0..len).map(|i| (n >> (8 * i)) as u8).collect();
                check(&src);
            }
        }
        let chars = b"AQgwBP_-9azZ5=+/ .\x00\x7f\x80\xff";
        for a in chars {
            for b in chars {
                for c in chars {
                    check(&[*a, *b, *c]);
                    for d in b"Ag-_=+" {
                        check(&[*a, *b, *c, *d]);
                    }
                }
            }
        }
    }
}
