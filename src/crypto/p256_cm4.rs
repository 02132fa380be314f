//! The Cortex-M4/M7/M33 ES256 backend: `p256-cm4`, a Rust port of Emil Lenngren's
//! P256-Cortex-M4 assembly (UMAAL), about 15× fewer instructions than RustCrypto `p256` on
//! these cores and a third of its flash.
//!
//! `p256-cm4` takes the nonce from the caller: it is RFC 6979 §3.2 ([`super::nonce`]), so a
//! signature is byte-identical to the portable backend's. Around the crate:
//! * scalars and points are range-checked exactly as `p256` does: the private scalar in
//!   `[1, n-1]` (`check_range_n`), point coordinates below p and on the curve (the crate's
//!   `octet_string_to_point`, after our own check of the SEC1 tag and length, which the
//!   crate would otherwise index out of bounds), `0 < r, s < n` (inside `verify`);
//! * signing is constant time (the crate's fixed-base comb reads every table entry and
//!   inverts `k` with constant-time safegcd); the private scalar, `k` and the words derived
//!   from them are zeroized;
//! * `p256-cm4` works on little-endian `[u32; 8]` words; JOSE on big-endian bytes.

use super::{nonce, reduce_mod_n, Backend};
use crate::Error;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// `p256-cm4`.
pub(crate) struct Es256;

/// A public point as `p256-cm4` takes it: affine x and y, little-endian words.
#[derive(Clone, Copy)]
pub(crate) struct Public {
    x: [u32; 8],
    y: [u32; 8],
}

/// A private scalar (little-endian words, zeroized on drop) and its public point.
#[derive(Clone)]
pub(crate) struct Secret {
    d: Zeroizing<[u32; 8]>,
    public: Public,
}

/// Big-endian bytes to little-endian words.
fn words(bytes: &[u8; 32]) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (word, chunk) in w.iter_mut().rev().zip(bytes.chunks_exact(4)) {
        let mut be = [0u8; 4];
        be.copy_from_slice(chunk);
        *word = u32::from_be_bytes(be);
    }
    w
}

/// Little-endian words to big-endian bytes.
fn bytes(words: &[u32; 8]) -> [u8; 32] {
    let mut b = [0u8; 32];
    for (chunk, word) in b.chunks_exact_mut(4).zip(words.iter().rev()) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    b
}

impl Backend for Es256 {
    type Secret = Secret;
    type Public = Public;

    fn secret(scalar: &[u8; 32]) -> Result<Secret, Error> {
        let d = Zeroizing::new(words(scalar));
        let mut public = Public { x: [0; 8], y: [0; 8] };
        // `keygen` checks 1 <= d <= n-1 first (as `p256`'s `SigningKey::from_slice`).
        if !p256_cm4::keygen(&mut public.x, &mut public.y, &d) {
            return Err(Error::InvalidKey);
        }
        Ok(Secret { d, public })
    }

    fn public_of(secret: &Secret) -> Public {
        secret.public
    }

    fn public(sec1: &[u8]) -> Result<Public, Error> {
        // SEC 1 §2.3.4: uncompressed (04, 65 bytes) or compressed (02/03, 33 bytes) only;
        // `octet_string_to_point` alone would also take the hybrid form (06/07) and index a
        // slice shorter than 33 bytes out of bounds.
        match (sec1.first(), sec1.len()) {
            (Some(4), 65) | (Some(2 | 3), 33) => {}
            _ => return Err(Error::InvalidKey),
        }
        let mut public = Public { x: [0; 8], y: [0; 8] };
        // Checks x, y < p and y² = x³ - 3x + b (or decompresses, which fails off the curve).
        if p256_cm4::octet_string_to_point(&mut public.x, &mut public.y, sec1) {
            Ok(public)
        } else {
            Err(Error::InvalidKey)
        }
    }

    fn encode(public: &Public) -> [u8; 65] {
        let mut out = [0u8; 65];
        p256_cm4::point_to_octet_string_uncompressed(&mut out, &public.x, &public.y);
        out
    }

    fn sign(secret: &Secret, message: &[u8], out: &mut [u8; 64]) -> Result<(), Error> {
        // z = digest mod n (SEC 1 §4.1.3 step 5 uses it mod n; given reduced, the crate's
        // modular additions never see a value >= n). RFC 6979 §3.2's h1 is the same value.
        let z = reduce_mod_n(&Sha256::digest(message).into());
        let d_bytes = Zeroizing::new(bytes(&secret.d));
        let k_bytes = nonce(&d_bytes, &z);
        let k = Zeroizing::new(words(&k_bytes));
        let (mut r, mut s) = ([0u32; 8], [0u32; 8]);
        // SEC 1 §4.1.3: R = kG, r = x(R) mod n, s = k⁻¹(z + rd) mod n; false when r or s is 0
        // (as `p256`, an error rather than the next k: probability ~2^-256).
        let ok = p256_cm4::sign(&mut r, &mut s, &z, &secret.d, &k);
        if !ok {
            return Err(Error::InvalidKey);
        }
        let (r_out, s_out) = out.split_at_mut(32);
        r_out.copy_from_slice(&bytes(&r));
        s_out.copy_from_slice(&bytes(&s));
        r.zeroize();
        s.zeroize();
        Ok(())
    }

    fn verify(public: &Public, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
        let z = reduce_mod_n(&Sha256::digest(message).into());
        let (r, s) = signature.split_at(32);
        let r: &[u8; 32] = r.try_into().map_err(|_| Error::InvalidSignature)?;
        let s: &[u8; 32] = s.try_into().map_err(|_| Error::InvalidSignature)?;
        // `verify` rejects r, s outside [1, n-1] before anything else.
        if p256_cm4::verify(&public.x, &public.y, &z, &words(r), &words(s)) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        let b: [u8; 32] = core::array::from_fn(|i| i as u8);
        assert_eq!(bytes(&words(&b)), b);
        assert_eq!(words(&b)[0], 0x1c1d1e1f);
    }
}
