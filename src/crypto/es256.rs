//! ES256 (ECDSA over P-256 with SHA-256, RFC 7518 §3.4): one backend per platform behind one
//! small trait, [`Backend`]. `build.rs` chooses it (`cfg(ciphertoken_es256)`):
//!
//! | cfg | where | crate |
//! |---|---|---|
//! | `"cm4"` | Cortex-M4/M7 (`thumbv7em`), Cortex-M33 (`thumbv8m.main`) | `p256-cm4` (assembly) |
//! | `"host"` | `std` on x86_64 / aarch64 (feature `host-backend`, implied by `std`) | `graviola` (assembly) |
//! | `"portable"` | everything else, or feature `portable` | RustCrypto `p256` |
//!
//! Every backend gives the same answer for every input: signatures are RFC 6979 §3.2
//! deterministic (no low-S normalization), so they are byte-identical; verification accepts
//! exactly the raw `r‖s` with `0 < r, s < n` that satisfy SEC 1 §4.1.4; public keys are
//! SEC1 points (uncompressed `04‖x‖y`, 65 bytes, or compressed `02/03‖x`, 33 bytes) with
//! coordinates below p, on the curve. The portable backend is the reference: differential
//! tests and Wycheproof run through each.

use crate::Error;

#[cfg(ciphertoken_es256 = "cm4")]
#[path = "p256_cm4.rs"]
mod backend;
#[cfg(ciphertoken_es256 = "host")]
#[path = "p256_host.rs"]
mod backend;
#[cfg(any(ciphertoken_es256 = "portable", ciphertoken_es256 = "host", test))]
#[path = "p256_portable.rs"]
pub(crate) mod portable;
#[cfg(ciphertoken_es256 = "portable")]
use portable as backend;

/// What an ES256 backend provides. Keys are prepared when they are made (range and curve
/// checks, public key derived, tables built), never per token.
pub(crate) trait Backend {
    /// A private scalar in `[1, n-1]` with its public point; zeroized on drop.
    type Secret: Clone;
    /// A public point, validated.
    type Public: Clone;
    /// The key of a 32-byte big-endian scalar; [`Error::InvalidKey`] unless in `[1, n-1]`.
    fn secret(scalar: &[u8; 32]) -> Result<Self::Secret, Error>;
    /// The public key of a private key.
    fn public_of(secret: &Self::Secret) -> Self::Public;
    /// A SEC1 point, 33 or 65 bytes; [`Error::InvalidKey`] unless valid (see the module doc).
    fn public(sec1: &[u8]) -> Result<Self::Public, Error>;
    /// The uncompressed SEC1 encoding `04‖x‖y`.
    fn encode(public: &Self::Public) -> [u8; 65];
    /// The RFC 6979 signature `r‖s` of SHA-256(`message`).
    fn sign(secret: &Self::Secret, message: &[u8], out: &mut [u8; 64]) -> Result<(), Error>;
    /// Verifies `r‖s` over SHA-256(`message`); [`Error::InvalidSignature`] otherwise.
    fn verify(public: &Self::Public, message: &[u8], signature: &[u8; 64]) -> Result<(), Error>;
}

/// The backend this build uses.
pub(crate) type Active = backend::Es256;
/// A prepared ES256 private key.
pub(crate) type SecretKey = <Active as Backend>::Secret;
/// A prepared ES256 public key.
pub(crate) type PublicKey = <Active as Backend>::Public;

/// The group order n of P-256 (FIPS 186-4 §D.1.2.3), big-endian.
pub(crate) const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `value mod n` for a 32-byte big-endian `value` (< 2^256 < 2n: one conditional
/// subtraction), in constant time. RFC 6979 §2.3.4 (bits2octets) and SEC 1 §4.1.3 step 5
/// reduce the digest this way; `r = x(R) mod n` too.
#[cfg_attr(ciphertoken_es256 = "portable", allow(dead_code))]
pub(crate) fn reduce_mod_n(value: &[u8; 32]) -> [u8; 32] {
    let mut diff = [0u8; 32];
    let mut borrow = 0u16;
    for ((d, &v), &n) in diff.iter_mut().zip(value.iter()).zip(ORDER.iter()).rev() {
        let t = u16::from(v).wrapping_sub(u16::from(n)).wrapping_sub(borrow);
        *d = t.to_le_bytes()[0];
        borrow = (t >> 15) & 1;
    }
    // borrow = 1: value < n, keep it; else keep the difference.
    let keep = 0u8.wrapping_sub(borrow.to_le_bytes()[0]);
    let mut out = [0u8; 32];
    for ((o, &v), &d) in out.iter_mut().zip(value.iter()).zip(diff.iter()) {
        *o = (v & keep) | (d & !keep);
    }
    out
}

/// The RFC 6979 §3.2 nonce for the private scalar `d` (big-endian) and the reduced digest
/// `h1` (HMAC-DRBG over SHA-256, no extra data): what `p256`/`ecdsa` use, so every backend
/// signs with the same `k`.
#[cfg_attr(ciphertoken_es256 = "portable", allow(dead_code))]
pub(crate) fn nonce(d: &[u8; 32], h1: &[u8; 32]) -> zeroize::Zeroizing<[u8; 32]> {
    let k = rfc6979::generate_k::<sha2::Sha256, _>(d.into(), &ORDER.into(), h1.into(), &[]);
    zeroize::Zeroizing::new(k.into())
}

/// [`Backend::secret`] of the active backend.
pub(crate) fn secret(scalar: &[u8]) -> Result<SecretKey, Error> {
    let scalar: &[u8; 32] = scalar.try_into().map_err(|_| Error::InvalidKey)?;
    Active::secret(scalar)
}

/// [`Backend::public`] of the active backend, for a 33- or 65-byte SEC1 point.
pub(crate) fn public(sec1: &[u8]) -> Result<PublicKey, Error> {
    if !matches!(sec1.len(), 33 | 65) {
        return Err(Error::InvalidKey);
    }
    Active::public(sec1)
}

/// [`Backend::public_of`].
pub(crate) fn public_of(secret: &SecretKey) -> PublicKey {
    Active::public_of(secret)
}

/// [`Backend::encode`].
pub(crate) fn encode(public: &PublicKey) -> [u8; 65] {
    Active::encode(public)
}

/// [`Backend::sign`] into the first 64 bytes of `out`. Out of line, like [`verify`]: inlined
/// into the key's algorithm dispatch, the backend's frame (1.5 KiB of point tables for
/// `p256-cm4`'s verification) would be reserved by every algorithm's sign and verify.
#[inline(never)]
pub(crate) fn sign(secret: &SecretKey, message: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let out: &mut [u8; 64] = out.try_into().map_err(|_| Error::BufferTooSmall { needed: 64 })?;
    Active::sign(secret, message, out)
}

/// [`Backend::verify`] of a 64-byte `r‖s` (out of line: see [`sign`]).
#[inline(never)]
pub(crate) fn verify(public: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), Error> {
    let signature: &[u8; 64] = signature.try_into().map_err(|_| Error::InvalidSignature)?;
    Active::verify(public, message, signature)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn order_constant_is_p256s() {
        use p256::elliptic_curve::{bigint::ArrayEncoding, Curve};
        assert_eq!(p256::NistP256::ORDER.to_be_byte_array()[..], ORDER[..]);
    }

    #[test]
    fn reduce_mod_n_matches_p256() {
        use p256::elliptic_curve::ops::Reduce;
        use p256::elliptic_curve::PrimeField;
        let mut cases = std::vec![[0u8; 32], [0xff; 32], ORDER];
        let mut n_minus_1 = ORDER;
        n_minus_1[31] -= 1;
        let mut n_plus_1 = ORDER;
        n_plus_1[31] += 1;
        cases.extend([n_minus_1, n_plus_1]);
        for i in 0..200u8 {
            let x: [u8; 32] =
                sha2::Digest::finalize(sha2::Digest::chain_update(sha2::Sha256::default(), [i])).into();
            cases.push(x);
        }
        for c in cases {
            let want = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&c.into()).to_repr();
            assert_eq!(reduce_mod_n(&c)[..], want[..], "{c:02x?}");
        }
    }

    /// Differential test of the active backend (on x86_64/aarch64 with `std`: graviola)
    /// against the portable one over pseudo-random keys and messages: same public keys, same
    /// signatures byte for byte, same verdicts on good, mutated and out-of-range signatures.
    #[test]
    fn active_backend_matches_portable() {
        use sha2::Digest;
        type P = portable::Es256;
        let mut seed = [0u8; 32];
        for i in 0..64u32 {
            seed = sha2::Sha256::new().chain_update(seed).chain_update(i.to_le_bytes()).finalize().into();
            let scalar = if i == 0 {
                let mut n1 = ORDER;
                n1[31] -= 1;
                n1
            } else if i == 1 {
                let mut one = [0u8; 32];
                one[31] = 1;
                one
            } else {
                seed
            };
            let (Ok(ours), Ok(reference)) = (Active::secret(&scalar), P::secret(&scalar)) else {
                assert!(Active::secret(&scalar).is_err() && P::secret(&scalar).is_err());
                continue;
            };
            let public = Active::public_of(&ours);
            let encoded = Active::encode(&public);
            assert_eq!(encoded[..], P::encode(&P::public_of(&reference))[..]);
            // The compressed form decodes to the same point.
            let mut compressed = [0u8; 33];
            compressed[0] = 2 | (encoded[64] & 1);
            compressed[1..].copy_from_slice(&encoded[1..33]);
            assert_eq!(Active::encode(&Active::public(&compressed).unwrap())[..], encoded[..]);
            for len in [0usize, 1, 31, 32, 55, 56, 64, 100, 300] {
                let msg: std::vec::Vec<u8> =
                    (0..len).map(|j| (j as u8).wrapping_mul(31) ^ seed[j % 32]).collect();
                let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
                Active::sign(&ours, &msg, &mut a).unwrap();
                P::sign(&reference, &msg, &mut b).unwrap();
                assert_eq!(a, b, "key {i}, len {len}");
                let p_public = P::public(&encoded).unwrap();
                assert!(Active::verify(&public, &msg, &a).is_ok());
                let mut bad = a;
                bad[(len * 7) % 64] ^= 1 << (len % 8);
                assert_eq!(
                    Active::verify(&public, &msg, &bad).is_ok(),
                    P::verify(&p_public, &msg, &bad).is_ok()
                );
                assert!(Active::verify(&public, &msg, &bad).is_err());
                // r = n, s = n, r = 0: rejected by both.
                for (at, value) in [(0usize, ORDER), (32, ORDER), (0, [0u8; 32])] {
                    let mut sig = a;
                    sig[at..at + 32].copy_from_slice(&value);
                    assert!(Active::verify(&public, &msg, &sig).is_err());
                    assert!(P::verify(&p_public, &msg, &sig).is_err());
                }
            }
        }
        // Out-of-range scalars and invalid points are refused by both.
        for scalar in [[0u8; 32], ORDER, [0xff; 32]] {
            assert!(Active::secret(&scalar).is_err() && P::secret(&scalar).is_err());
        }
        let mut off_curve = [0u8; 65];
        off_curve[0] = 4;
        off_curve[64] = 1;
        assert!(Active::public(&off_curve).is_err() && P::public(&off_curve).is_err());
        let mut hybrid = Active::encode(&Active::public_of(&Active::secret(&[7; 32]).unwrap()));
        hybrid[0] = 6 | (hybrid[64] & 1);
        assert!(Active::public(&hybrid).is_err() && P::public(&hybrid).is_err());
    }
}
