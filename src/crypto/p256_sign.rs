//! ES256 signing with a precomputed table of multiples of the P-256 base point (feature
//! `es256-tables`, hosts only: a ~72 KiB static table built once per process, on first use;
//! no heap).
//!
//! The signature is the same as `p256`'s: RFC 6979 §3.2 nonce `k` (HMAC-DRBG over SHA-256),
//! `R = kG`, `r = x(R) mod n`, `s = k⁻¹(z + r·d) mod n` (SEC 1 §4.1.3), no low-S
//! normalization, byte for byte (tested). Only `kG` changes: instead of 256 doublings and
//! 64 additions, a fixed-base comb adds 64 table entries, `T[w][j] = j·16^w·G`.
//!
//! Constant time, as `p256`'s own signing: every table entry of a window is read and the
//! wanted one kept with `conditional_assign`, the additions are `p256`'s complete (exception
//! free) mixed formulas, and the scalar inversion is `p256`'s.

use crate::Error;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use p256::elliptic_curve::{Field, PrimeField};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// Windows of four bits over a 256-bit scalar.
const WINDOWS: usize = 64;

type Table = [[AffinePoint; 16]; WINDOWS];

/// The group order n of P-256 (FIPS 186-4 §D.1.2.3), big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn table() -> &'static Table {
    // A static, not the heap: built on the first signing thread's stack (~72 KiB), then moved.
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [[AffinePoint::IDENTITY; 16]; WINDOWS];
        let mut base = ProjectivePoint::GENERATOR;
        for window in table.iter_mut() {
            let mut multiple = ProjectivePoint::IDENTITY;
            for entry in window.iter_mut() {
                *entry = multiple.to_affine();
                multiple = multiple.add(&base);
            }
            // `multiple` is now 16·base: the next window's base.
            base = multiple;
        }
        table
    })
}

/// `k·G` in constant time.
fn mul_generator(k: &Scalar) -> ProjectivePoint {
    let bytes = Zeroizing::new(k.to_repr());
    let mut acc = ProjectivePoint::IDENTITY;
    // Window w covers bits 4w..4w+4: the low or high nibble of byte 31 - w/2 (big-endian).
    for (w, window) in table().iter().enumerate() {
        let byte = bytes.get(31usize.saturating_sub(w / 2)).copied().unwrap_or(0);
        let nibble = if w % 2 == 0 { byte & 0x0f } else { byte >> 4 };
        let mut entry = AffinePoint::IDENTITY;
        for (j, candidate) in (0u8..).zip(window.iter()) {
            entry.conditional_assign(candidate, j.ct_eq(&nibble));
        }
        acc = core::ops::Add::add(acc, entry);
    }
    acc
}

/// Signs `message` with the private scalar `d`, writing `r ‖ s` (64 bytes) into `out`.
pub(crate) fn sign(d: &Scalar, message: &[u8], out: &mut [u8]) -> Result<(), Error> {
    // SEC 1 §4.1.3 steps 4-5: the SHA-256 digest as an integer (bits2field: 256 bits already).
    let digest: FieldBytes = Sha256::digest(message);
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest);
    // RFC 6979 §3.2, as `p256` calls it: x = d, h1 = the digest, no extra data.
    let d_bytes = Zeroizing::new(d.to_repr());
    // h1 = bits2octets(digest) = digest mod n (RFC 6979 §2.3.4), as `ecdsa` passes it.
    let k_bytes =
        Zeroizing::new(rfc6979::generate_k::<Sha256, _>(&d_bytes, &ORDER.into(), &z.to_repr(), &[]));
    // Constant time throughout: the validity of k, k⁻¹, r and s (each fails with probability
    // about 2^-256) is accumulated and only the final answer is declassified (`crate::ct`).
    let k_repr = Scalar::from_repr(*k_bytes);
    let k = Zeroizing::new(k_repr.unwrap_or(Scalar::ONE));
    let k_inv_opt = k.invert();
    let k_inv = Zeroizing::new(k_inv_opt.unwrap_or(Scalar::ONE));
    let big_r = mul_generator(&k).to_affine();
    let r = <Scalar as Reduce<U256>>::reduce_bytes(&big_r.x());
    // s = k⁻¹ · (z + r·d) mod n.
    let s = k_inv.multiply(&z.add(&r.multiply(d)));
    let valid = k_repr.is_some() & !k.is_zero() & k_inv_opt.is_some() & !r.is_zero() & !s.is_zero();
    if !crate::ct::declassify_choice(valid) {
        return Err(Error::InvalidKey);
    }
    let (r_out, s_out) = out.split_first_chunk_mut::<32>().ok_or(Error::BufferTooSmall { needed: 64 })?;
    let s_out = s_out.first_chunk_mut::<32>().ok_or(Error::BufferTooSmall { needed: 64 })?;
    *r_out = r.to_repr().into();
    *s_out = s.to_repr().into();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;

    #[test]
    fn order_constant_is_p256s() {
        use p256::elliptic_curve::{bigint::ArrayEncoding, Curve};
        assert_eq!(p256::NistP256::ORDER.to_be_byte_array()[..], ORDER[..]);
    }

    #[test]
    fn comb_matches_plain_scalar_multiplication() {
        let mut scalars =
            std::vec![Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(15u64), Scalar::from(16u64)];
        let mut x = Scalar::from(0x1234_5678_9abc_def0u64);
        for _ in 0..20 {
            x = x * x + Scalar::from(7u64);
            scalars.push(x);
        }
        for k in scalars {
            assert_eq!(mul_generator(&k).to_affine(), (ProjectivePoint::GENERATOR * k).to_affine());
        }
    }

    #[test]
    fn signatures_are_byte_equal_to_p256s() {
        for i in 1u8..=6 {
            let key = p256::ecdsa::SigningKey::from_slice(&[i.wrapping_mul(37); 32]).unwrap();
            for len in [0usize, 1, 55, 64, 200] {
                let msg: std::vec::Vec<u8> = (0..len).map(|j| (j as u8) ^ i).collect();
                let want: p256::ecdsa::Signature = key.sign(&msg);
                let mut got = [0u8; 64];
                sign(key.as_nonzero_scalar(), &msg, &mut got).unwrap();
                assert_eq!(got[..], want.to_bytes()[..], "key {i}, len {len}");
            }
        }
    }
}
