//! The gateway ES256 backend (`std` on x86_64 and aarch64, feature `host-backend`):
//! `graviola`'s P-256 (s2n-bignum / Fiat assembly), with RustCrypto `p256` kept for what
//! graviola does not expose and as the fallback on CPUs graviola does not support.
//!
//! * **Verify**: graviola's `VerifyingKey`, built once per key (its odd-multiples table of the
//!   public point is precomputed then): SEC 1 §4.1.4 with `0 < r, s < n`, the same rule as
//!   `p256`.
//! * **Sign**: graviola signs with RFC 6979 *plus* fresh randomness (§3.6), which would not be
//!   byte-identical to the portable backend. So the nonce is plain RFC 6979 §3.2
//!   ([`super::nonce`]), `R = kG` is graviola's constant-time fixed-base multiplication (its
//!   P-256 key-agreement public key of `k`), and `r = x(R) mod n`, `s = k⁻¹(z + rd) mod n`
//!   use `p256`'s constant-time scalar arithmetic (SEC 1 §4.1.3).
//! * graviola needs AES-NI, PCLMULQDQ, AVX2, BMI1/2 and ADX on x86_64 (CPUs since ~2014)
//!   and panics without them; `graviola::util::is_cpu_supported` is asked once per key and,
//!   on an older CPU, the key uses `p256` for everything.
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

/// A validated public point: `p256`'s, and graviola's prepared key when the CPU runs it.
pub(crate) struct Public {
    portable: p256::ecdsa::VerifyingKey,
    fast: Option<VerifyingKey<P256>>,
}

impl Clone for Public {
    fn clone(&self) -> Public {
        Public {
            portable: self.portable,
            fast: self.fast.as_ref().map(|k| VerifyingKey { public_key: k.public_key.clone() }),
        }
    }
}

/// A private scalar (zeroized on drop by `p256`) and its public key.
#[derive(Clone)]
pub(crate) struct Secret {
    portable: p256::ecdsa::SigningKey,
    public: Public,
}

fn prepared(portable: p256::ecdsa::VerifyingKey) -> Public {
    let fast = if graviola::util::is_cpu_supported() {
        let point = portable.to_encoded_point(false);
        VerifyingKey::<P256>::from_x962_uncompressed(point.as_bytes()).ok()
    } else {
        None
    };
    Public { portable, fast }
}

impl Backend for Es256 {
    type Secret = Secret;
    type Public = Public;

    fn secret(scalar: &[u8; 32]) -> Result<Secret, Error> {
        let portable = p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| Error::InvalidKey)?;
        let public = prepared(*portable.verifying_key());
        Ok(Secret { portable, public })
    }

    fn public_of(secret: &Secret) -> Public {
        secret.public.clone()
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
        let point = public.portable.to_encoded_point(false);
        let mut out = [0u8; 65];
        crate::copy_bytes(&mut out, point.as_bytes());
        out
    }

    fn sign(secret: &Secret, message: &[u8], out: &mut [u8; 64]) -> Result<(), Error> {
        if secret.public.fast.is_none() {
            return super::portable::Es256::sign(&secret.portable, message, out);
        }
        let z_bytes = reduce_mod_n(&Sha256::digest(message).into());
        let z = <Scalar as Reduce<U256>>::reduce_bytes(&z_bytes.into());
        let d: &Scalar = secret.portable.as_nonzero_scalar();
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
        let k_inv = Zeroizing::new(Option::<Scalar>::from(k.invert()).ok_or(Error::InvalidKey)?);
        let s = *k_inv * (z + r * d);
        if bool::from(r.is_zero() | s.is_zero()) {
            return Err(Error::InvalidKey);
        }
        let (r_out, s_out) = out.split_at_mut(32);
        r_out.copy_from_slice(&r.to_repr());
        s_out.copy_from_slice(&s.to_repr());
        Ok(())
    }

    fn verify(public: &Public, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
        match &public.fast {
            Some(key) => key
                .verify::<graviola::hashing::Sha256>(&[message], signature)
                .map_err(|_| Error::InvalidSignature),
            None => super::portable::Es256::verify(&public.portable, message, signature),
        }
    }
}
