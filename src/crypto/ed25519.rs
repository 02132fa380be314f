//! Ed25519 keys (RFC 8032 §5.1).
//!
//! Microcontrollers use `ed25519-compact` (small, `opt_size`). With the `eddsa-dalek`
//! feature, hosts and gateways sign with `ed25519-dalek` and verify with `curve25519-dalek`
//! (precomputed base-point tables, AVX2 where the CPU has it): several times faster, for a
//! lot more flash. Both give the same answer for every input:
//!
//! * signing is deterministic RFC 8032 §5.1.6 in both, so the signatures are byte-equal;
//! * verification follows `ed25519-compact`'s rules exactly: `S` canonical (`S < L`), `A` and
//!   `R` canonical encodings of points that are not of small order, and acceptance when
//!   `[S]B - [k]A - R` has small order (RFC 8032 §5.1.7). The dalek path decodes `A` once, when
//!   the key is made, instead of on every verification.
//!
//! Tests compare the two paths on RFC 8032 and Wycheproof vectors and on mutated signatures.
//!
//! With the host backend (`std` on x86_64/aarch64, `cfg(ciphertoken_host)`), `graviola`
//! (assembly) signs and verifies, ahead of both: signing is RFC 8032 §5.1.6, byte-equal.
//! graviola verifies by comparing encodings (`R == enc([S]B - [k]A)`), stricter than the rule
//! above, so: when graviola accepts, the result stands once `R` is checked not to be of small
//! order (ed25519-compact's own point check); when it rejects, ed25519-compact decides (it
//! accepts `R` off by a small-order point, which only a key holder can produce). Honest
//! signatures take the fast path; a rejected one costs graviola plus ed25519-compact. CPUs
//! graviola does not support use ed25519-compact throughout.

use crate::Error;
#[cfg(ciphertoken_host)]
use zeroize::Zeroizing;

/// An Ed25519 public key, checked at construction: a canonical encoding of a point that is
/// not of small order.
#[derive(Clone, Copy)]
pub(crate) struct PublicKey {
    compact: ed25519_compact::PublicKey,
    /// `-A`, decoded once.
    #[cfg(feature = "eddsa-dalek")]
    minus_a: curve25519_dalek::edwards::EdwardsPoint,
}

impl core::ops::Deref for PublicKey {
    type Target = [u8; 32];
    fn deref(&self) -> &[u8; 32] {
        &self.compact
    }
}

impl PublicKey {
    /// A validated public key.
    pub(crate) fn new(bytes: &[u8]) -> Result<PublicKey, Error> {
        let compact = ed25519_compact::PublicKey::from_slice(bytes).map_err(|_| Error::InvalidKey)?;
        compact.validate().map_err(|_| Error::InvalidKey)?;
        Ok(PublicKey {
            compact,
            #[cfg(feature = "eddsa-dalek")]
            minus_a: core::ops::Neg::neg(dalek::decode(&compact).ok_or(Error::InvalidKey)?),
        })
    }

    /// Verifies a 64-byte signature over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        #[cfg(ciphertoken_host)]
        if let Some(verdict) = host::verify(&self.compact, message, signature) {
            return verdict;
        }
        #[cfg(feature = "eddsa-dalek")]
        {
            dalek::verify(&self.minus_a, &self.compact, message, signature)
        }
        #[cfg(not(feature = "eddsa-dalek"))]
        {
            self.verify_compact(message, signature)
        }
    }

    /// Verification with `ed25519-compact` (the only one without `eddsa-dalek`; the
    /// reference for the dalek path in tests).
    #[cfg(any(test, not(feature = "eddsa-dalek")))]
    pub(crate) fn verify_compact(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = ed25519_compact::Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
        self.compact.verify(message, &sig).map_err(|_| Error::InvalidSignature)
    }
}

/// An Ed25519 signing key (from a 32-byte seed) and its public key. Zeroized on drop by the
/// primitives' own `Drop`.
#[derive(Clone)]
pub(crate) struct KeyPair {
    pub(crate) pk: PublicKey,
    #[cfg(not(feature = "eddsa-dalek"))]
    compact: ed25519_compact::KeyPair,
    #[cfg(feature = "eddsa-dalek")]
    dalek: ed25519_dalek::SigningKey,
}

impl KeyPair {
    /// The key pair of a 32-byte seed (RFC 8032 §5.1.5).
    pub(crate) fn from_seed(seed: &[u8]) -> Result<KeyPair, Error> {
        let seed = ed25519_compact::Seed::from_slice(seed).map_err(|_| Error::InvalidKey)?;
        // `ed25519_compact::KeyPair::from_seed` panics on an all-zero seed; refuse it here
        // (constant-time check, only the answer declassified) and never call the panicking one.
        let zero = subtle::ConstantTimeEq::ct_eq(&seed[..], &[0u8; 32][..]);
        if crate::ct::declassify_choice(zero) {
            return Err(Error::InvalidKey);
        }
        let compact = ed25519_compact::KeyPair::try_from_seed(seed).map_err(|_| Error::InvalidKey)?;
        // The public key is public by design (published, sent as a JWK's `x`): declassified
        // before its variable-time point validation.
        let pk = PublicKey::new(&crate::ct::declassify_bytes(&compact.pk));
        #[cfg(feature = "eddsa-dalek")]
        let pair = KeyPair { pk: pk?, dalek: ed25519_dalek::SigningKey::from_bytes(&seed) };
        #[cfg(not(feature = "eddsa-dalek"))]
        let pair = KeyPair { pk: pk?, compact };
        seed.wipe();
        Ok(pair)
    }

    /// The deterministic signature of `message` (RFC 8032 §5.1.6).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        #[cfg(ciphertoken_host)]
        {
            #[cfg(feature = "eddsa-dalek")]
            let seed = Zeroizing::new(self.dalek.to_bytes());
            #[cfg(not(feature = "eddsa-dalek"))]
            let seed = Zeroizing::new(*self.compact.sk.seed());
            if let Some(sig) = host::sign(&seed, message) {
                return sig;
            }
        }
        #[cfg(feature = "eddsa-dalek")]
        {
            use ed25519_dalek::Signer;
            self.dalek.sign(message).to_bytes()
        }
        #[cfg(not(feature = "eddsa-dalek"))]
        {
            *self.compact.sk.sign(message, None)
        }
    }
}

/// graviola's Ed25519 (see the module doc for how its verdicts are made exact).
#[cfg(ciphertoken_host)]
mod host {
    use crate::Error;
    use graviola::signing::eddsa::{Ed25519SigningKey, Ed25519VerifyingKey};

    /// The signature of `message` by the key of `seed`; `None` when the CPU lacks what
    /// graviola needs. graviola's expanded key (~300 B) is not kept in the key (the C ABI's
    /// `ct_key` is 320 B): it is expanded per signature, on the stack, zeroized on drop.
    pub(super) fn sign(seed: &[u8; 32], message: &[u8]) -> Option<[u8; 64]> {
        if !graviola::util::is_cpu_supported() {
            return None;
        }
        Some(Ed25519SigningKey::from_bytes(seed).ok()?.sign(message))
    }

    /// `Some(verdict)` when graviola settles it (accepts, and `R` is not of small order);
    /// `None` to let ed25519-compact decide.
    pub(super) fn verify(a: &[u8; 32], message: &[u8], signature: &[u8]) -> Option<Result<(), Error>> {
        if !graviola::util::is_cpu_supported() {
            return None;
        }
        let key = Ed25519VerifyingKey::from_bytes(a).ok()?;
        key.verify(signature, message).ok()?;
        // Accepted: R is the canonical encoding of [S]B - [k]A. ed25519-compact also refuses
        // an R of small order: as R is canonical, that is one of the 8 encodings below.
        let r = signature.get(..32)?;
        let small = SMALL_ORDER.iter().any(|t| t[..] == *r);
        Some(if small { Err(Error::InvalidSignature) } else { Ok(()) })
    }

    /// The canonical encodings of the 8 points of small order (the 8-torsion subgroup,
    /// RFC 7748 §4.1's curve; the same list as libsodium's blocklist). Tested against
    /// curve25519-dalek's `EIGHT_TORSION`.
    pub(super) const SMALL_ORDER: [[u8; 32]; 8] = [
        [
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
            0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
        ],
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
        ],
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
            0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
        ],
        [
            0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ],
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
            0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85,
        ],
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
            0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa,
        ],
    ];
}

#[cfg(feature = "eddsa-dalek")]
mod dalek {
    use crate::Error;
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use curve25519_dalek::scalar::Scalar;
    use sha2::{Digest, Sha512};

    /// Decodes a point as `ed25519-compact` does: the encoding must be canonical (`y < p`, and
    /// not `x = 0` with the sign bit set; RFC 8032 §5.1.3), the point on the curve and not of
    /// small order. The only points with `x = 0` are `(0, ±1)`, of order 1 and 2, so the
    /// small-order test covers the second rule.
    pub(super) fn decode(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
        if !canonical_y(bytes) {
            return None;
        }
        let point = CompressedEdwardsY(*bytes).decompress()?;
        if point.is_small_order() {
            return None;
        }
        Some(point)
    }

    /// Whether the 255-bit little-endian `y` (sign bit ignored) is below p = 2^255 - 19: the
    /// only larger values are p..=2^255-1, all ones above the low byte.
    fn canonical_y(bytes: &[u8; 32]) -> bool {
        let [low, middle @ .., top] = *bytes;
        !(top & 0x7f == 0x7f && middle.iter().all(|&b| b == 0xff) && low >= 0xed)
    }

    /// RFC 8032 §5.1.7 with `ed25519-compact`'s acceptance rule.
    pub(super) fn verify(
        minus_a: &EdwardsPoint,
        a: &[u8; 32],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let (r_bytes, s_bytes) = signature.split_first_chunk::<32>().ok_or(Error::InvalidSignature)?;
        let s_bytes: [u8; 32] = s_bytes.try_into().map_err(|_| Error::InvalidSignature)?;
        let s =
            Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)).ok_or(Error::InvalidSignature)?;
        let hash: [u8; 64] =
            Sha512::new().chain_update(r_bytes).chain_update(a).chain_update(message).finalize().into();
        let k = Scalar::from_bytes_mod_order_wide(&hash);
        let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, minus_a, &s);
        // Honest signatures: R is exactly the canonical encoding of [S]B - [k]A. Then R decodes
        // to that point and the difference is the identity, so the rule reduces to "R not of
        // small order"; encoding the point costs what decoding R would.
        if sb_minus_ka.compress().as_bytes() == r_bytes {
            return if sb_minus_ka.is_small_order() { Err(Error::InvalidSignature) } else { Ok(()) };
        }
        // Otherwise the full rule: R must decode, and differ from [S]B - [k]A by a point of
        // small order.
        let r = decode(r_bytes).ok_or(Error::InvalidSignature)?;
        if core::ops::Sub::sub(sb_minus_ka, r).is_small_order() {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

#[cfg(all(test, any(feature = "eddsa-dalek", ciphertoken_host)))]
mod tests {
    extern crate std;
    use super::*;

    fn pair(i: u8) -> KeyPair {
        KeyPair::from_seed(&core::array::from_fn::<u8, 32, _>(|j| (j as u8).wrapping_mul(31) ^ i)).unwrap()
    }

    #[test]
    fn signatures_equal_compact_and_paths_agree_on_mutations() {
        // Kept small: debug builds verify slowly, and Wycheproof covers the edge cases.
        for i in 0..2u8 {
            let kp = pair(i);
            let seed: [u8; 32] = core::array::from_fn(|j| (j as u8).wrapping_mul(31) ^ i);
            let compact = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
            for len in [0usize, 200] {
                let msg: [u8; 200] = core::array::from_fn(|j| (j as u8) ^ i);
                let msg = &msg[..len];
                let sig = kp.sign(msg);
                assert_eq!(sig, *compact.sk.sign(msg, None), "seed {i} len {len}");
                assert_eq!(kp.pk.verify(msg, &sig), Ok(()));
                // Flip bits across R and S: both paths agree on each result.
                for bit in (0..512).step_by(13) {
                    let mut bad = sig;
                    bad[bit / 8] ^= 1 << (bit % 8);
                    assert_eq!(kp.pk.verify(msg, &bad), kp.pk.verify_compact(msg, &bad), "bit {bit}");
                }
                // S + L (non-canonical S) and R of small order are refused by both.
                let mut s_plus_l = sig;
                let l: [u8; 32] = [
                    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
                    0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
                ];
                let mut carry = 0u16;
                for j in 0..32 {
                    let v = u16::from(s_plus_l[32 + j]) + u16::from(l[j]) + carry;
                    s_plus_l[32 + j] = v as u8;
                    carry = v >> 8;
                }
                assert!(kp.pk.verify(msg, &s_plus_l).is_err());
                assert!(kp.pk.verify_compact(msg, &s_plus_l).is_err());
                let mut small_r = sig;
                small_r[..32].copy_from_slice(&[
                    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0,
                ]);
                assert!(kp.pk.verify(msg, &small_r).is_err());
                assert!(kp.pk.verify_compact(msg, &small_r).is_err());
            }
        }
    }

    #[test]
    fn torsion_in_r_takes_the_full_rule_and_agrees_with_compact() {
        use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
        use curve25519_dalek::edwards::EdwardsPoint;
        use curve25519_dalek::scalar::Scalar;
        use sha2::{Digest, Sha512};
        // A signer who knows `a` signs with R = [r]B + T for a small-order T: then
        // [S]B - [k]A = R - T, which ed25519-compact accepts (cofactored check) while a plain
        // encoding comparison would not. The dalek path must agree with compact.
        let seed = [9u8; 32];
        let kp = KeyPair::from_seed(&seed).unwrap();
        let h: [u8; 64] = Sha512::digest(seed).into();
        let mut a_bytes: [u8; 32] = h[..32].try_into().unwrap();
        a_bytes[0] &= 248;
        a_bytes[31] &= 127;
        a_bytes[31] |= 64;
        let a = Scalar::from_bytes_mod_order(a_bytes);
        let r = Scalar::from_bytes_mod_order([5u8; 32]);
        let msg = b"torsion";
        for (i, t) in EIGHT_TORSION.iter().enumerate() {
            let big_r: EdwardsPoint = ED25519_BASEPOINT_POINT * r + t;
            let r_bytes = big_r.compress().to_bytes();
            let hash: [u8; 64] =
                Sha512::new().chain_update(r_bytes).chain_update(*kp.pk).chain_update(msg).finalize().into();
            let k = Scalar::from_bytes_mod_order_wide(&hash);
            let s = r + k * a;
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r_bytes);
            sig[32..].copy_from_slice(s.as_bytes());
            let compact = kp.pk.verify_compact(msg, &sig);
            assert_eq!(compact, Ok(()), "compact accepts R with torsion {i}");
            assert_eq!(kp.pk.verify(msg, &sig), compact, "torsion {i}");
        }
    }

    #[cfg(ciphertoken_host)]
    #[test]
    fn small_order_list_is_the_eight_torsion() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        let mut want: std::vec::Vec<[u8; 32]> =
            EIGHT_TORSION.iter().map(|p| p.compress().to_bytes()).collect();
        let mut got = host::SMALL_ORDER.to_vec();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn key_decoding_matches_compact() {
        // Canonical and non-canonical encodings around the edges: y = 0, 1, p - 1, p, p + 1,
        // 2^255 - 1, each with and without the sign bit, plus real keys.
        let p_minus = |d: u8| {
            let mut b = [0xffu8; 32];
            b[0] = 0xed - d;
            b[31] = 0x7f;
            b
        };
        let mut cases = std::vec::Vec::new();
        for base in [
            [0u8; 32],
            {
                let mut b = [0u8; 32];
                b[0] = 1;
                b
            },
            p_minus(1),
            p_minus(0),
            [0xffu8; 32],
        ] {
            for sign in [0u8, 0x80] {
                let mut b = base;
                b[31] = (b[31] & 0x7f) | sign;
                cases.push(b);
            }
        }
        for i in 0..8u8 {
            cases.push(*pair(i).pk);
            let mut b = *pair(i).pk;
            b[31] ^= 0x80;
            cases.push(b);
            b[0] ^= 1;
            cases.push(b);
        }
        for bytes in cases {
            let compact = ed25519_compact::PublicKey::from_slice(&bytes).unwrap().validate().is_ok();
            assert_eq!(PublicKey::new(&bytes).is_ok(), compact, "{bytes:02x?}");
        }
    }
}
