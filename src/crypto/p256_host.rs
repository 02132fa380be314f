//! The gateway ES256 backend (`std` on x86_64 and aarch64, feature `host-backend`):
//! `graviola`'s P-256 (s2n-bignum / Fiat assembly), with RustCrypto `p256` kept for what
//! graviola does not expose and as the fallback on CPUs graviola does not support.
//!
//! * **Verify**: graviola's `VerifyingKey` (SEC 1 §4.1.4 with `0 < r, s < n`, the same rule
//!   as `p256`), made on the stack per verification from the point validated with the key.
//! * **Sign**: graviola signs with RFC 6979 *plus* fresh randomness (§3.6), which would not be
//!   byte-identical to the portable backend. So the nonce is plain RFC 6979 §3.2
//!   ([`super::nonce`]), `R = kG` is graviola's constant-time fixed-base multiplication (its
//!   P-256 key-agreement public key of `k`), and `r = x(R) mod n`, `s = k⁻¹(z + rd) mod n`
//!   use `p256`'s scalar arithmetic (SEC 1 §4.1.3), `k⁻¹` blinded ([`invert_blinded`]).
//! * graviola needs AES-NI, PCLMULQDQ, AVX2, BMI1/2 and ADX on x86_64 (CPUs since ~2014)
//!   and panics without them; `graviola::util::is_cpu_supported` (a cached CPUID answer) is
//!   asked per operation and, on an older CPU, `p256` does everything.
//! * No heap: graviola's P-256 and this code allocate nothing (tests/zero_alloc.rs).

use super::{nonce, reduce_mod_n, Backend};
use crate::Error;
use graviola::signing::ecdsa::{VerifyingKey, P256};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{Scalar, U256};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// graviola, with `p256` for scalar arithmetic and as the fallback.
pub(crate) struct Es256;

/// A validated public point: `p256`'s, and its uncompressed encoding for graviola. graviola's
/// own key (1.6 KiB with its table of odd multiples) would not fit the C ABI's fixed-size
/// `ct_key`: it is built on the stack per verification (an on-curve check and the table, a
/// few µs), from bytes checked when the key was made.
#[derive(Clone)]
pub(crate) struct Public {
    portable: p256::ecdsa::VerifyingKey,
    sec1: [u8; 65],
}

/// A private scalar (zeroized on drop by `p256`).
pub(crate) type Secret = p256::ecdsa::SigningKey;

fn prepared(portable: p256::ecdsa::VerifyingKey) -> Public {
    let mut sec1 = [0u8; 65];
    crate::copy_bytes(&mut sec1, portable.to_encoded_point(false).as_bytes());
    Public { portable, sec1 }
}

/// `k⁻¹ mod n` without a secret-dependent timing, fast: `k⁻¹ = b·(k·b)⁻¹` for a fresh random
/// `b ≠ 0` from the operating system, with `p256`'s variable-time (binary GCD) inversion of
/// `k·b`, which is uniformly distributed whatever `k` is and so reveals nothing about it
/// (6 µs instead of ~50 µs for `p256`'s constant-time Fermat inversion on the test machine).
/// The result is the same number, so signatures stay deterministic. Without randomness, the
/// constant-time inversion.
fn invert_blinded(k: &Scalar) -> Option<Scalar> {
    use p256::elliptic_curve::ops::Invert;
    let mut b_bytes = Zeroizing::new([0u8; 32]);
    let b = match graviola::random::fill(&mut b_bytes[..]) {
        Ok(()) => Zeroizing::new(<Scalar as Reduce<U256>>::reduce_bytes(&(*b_bytes).into())),
        Err(_) => Zeroizing::new(Scalar::ZERO),
    };
    if bool::from(b.is_zero()) {
        return Option::from(k.invert());
    }
    let kb = Zeroizing::new(k.multiply(&b));
    let kb_inv = Zeroizing::new(Option::<Scalar>::from(kb.invert_vartime())?);
    Some(kb_inv.multiply(&b))
}

impl Backend for Es256 {
    type Secret = Secret;
    type Public = Public;

    fn secret(scalar: &[u8; 32]) -> Result<Secret, Error> {
        super::portable::signing_key(scalar)
    }

    fn public_of(secret: &Secret) -> Public {
        prepared(super::portable::declassified_public(secret))
    }

    fn public(sec1: &[u8]) -> Result<Public, Error> {
        // SEC 1 §2.3.4: uncompressed (04) or compressed (02, 03) only; `p256` decompresses.
        match (sec1.first(), sec1.len()) {
            (Some(4), 65) | (Some(2 | 3), 33) => {}
            _ => return Err(Error::InvalidKey),
        }
        let portable = p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(|_| Error::InvalidKey)?;
        Ok(prepared(portable))
    }

    fn encode(public: &Public) -> [u8; 65] {
        public.sec1
    }

    fn sign(secret: &Secret, message: &[u8], out: &mut [u8; 64]) -> Result<(), Error> {
        if !graviola::util::is_cpu_supported() {
            return super::portable::Es256::sign(secret, message, out);
        }
        let z_bytes = reduce_mod_n(&Sha256::digest(message).into());
        let z = <Scalar as Reduce<U256>>::reduce_bytes(&z_bytes.into());
        let d: &Scalar = secret.as_nonzero_scalar();
        let d_bytes = Zeroizing::new(<[u8; 32]>::from(d.to_repr()));
        let k_bytes = nonce(&d_bytes, &z_bytes);
        // R = kG (k is in [1, n-1]: RFC 6979 §3.2 step h.3 retries until it is).
        let big_r = graviola::key_agreement::p256::StaticPrivateKey::from_bytes(&k_bytes[..])
            .map_err(|_| Error::InvalidKey)?
            .public_key_uncompressed();
        let x: &[u8; 32] = big_r.get(1..33).and_then(|x| x.try_into().ok()).ok_or(Error::InvalidKey)?;
        let r = <Scalar as Reduce<U256>>::reduce_bytes(&reduce_mod_n(x).into());
        let k = Zeroizing::new(
            Option::<Scalar>::from(Scalar::from_repr((*k_bytes).into())).ok_or(Error::InvalidKey)?,
        );
        let k_inv = Zeroizing::new(invert_blinded(&k).ok_or(Error::InvalidKey)?);
        let s = k_inv.multiply(&z.add(&r.multiply(d)));
        if bool::from(r.is_zero() | s.is_zero()) {
            return Err(Error::InvalidKey);
        }
        let (r_out, s_out) = out.split_at_mut(32);
        r_out.copy_from_slice(&r.to_repr());
        s_out.copy_from_slice(&s.to_repr());
        Ok(())
    }

    fn verify(public: &Public, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
        if !graviola::util::is_cpu_supported() {
            return super::portable::Es256::verify(&public.portable, message, signature);
        }
        let key = VerifyingKey::<P256>::from_x962_uncompressed(&public.sec1)
            .map_err(|_| Error::InvalidSignature)?;
        key.verify::<graviola::hashing::Sha256>(&[message], signature).map_err(|_| Error::InvalidSignature)
    }
}
