//! Keys in a TPM 2.0 (gateways): `sign --tpm TCTI --tpm-handle 0x81xxxxxx` (cargo feature
//! `tpm`: links the system's tpm2-tss through the `tss-esapi` crate; Debian `libtss2-dev`).
//!
//! An ES256 key (an unrestricted ECC NIST P-256 signing key made persistent with
//! `tpm2_evictcontrol`) signs the SHA-256 digest with `TPM2_Sign` (scheme ECDSA-SHA256, a
//! NULL hash-check ticket: the digest was computed outside the TPM, which an unrestricted key
//! allows). The TPM returns `r` and `s` separately; they are left-padded to 32 bytes each
//! into the JWS `r‖s`. The core's `ExternalKey` then checks the signature against the public
//! key read from the TPM (`TPM2_ReadPublic`) before the token is printed. Keys with an
//! authorization value are not supported yet (the key's auth must be empty).

use crate::exit::{CliError, Result};
use ciphertoken::{Algorithm, Error as CoreError, ExternalKey, ExternalSigner};
use clap::Args;
use std::cell::RefCell;
use std::str::FromStr;
use tss_esapi::constants::tss::{TPM2_RH_NULL, TPM2_ST_HASHCHECK};
use tss_esapi::handles::{KeyHandle, PersistentTpmHandle, TpmHandle};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::structures::{Digest, Public, Signature, SignatureScheme};
use tss_esapi::tcti_ldr::TctiNameConf;
use tss_esapi::tss2_esys::TPMT_TK_HASHCHECK;
use tss_esapi::Context;

/// The options of `sign` for a key in a TPM.
#[derive(Debug, Args, Clone, Default)]
pub struct TpmArgs {
    /// Sign with a key in a TPM 2.0, through this TCTI (e.g. `device:/dev/tpmrm0`,
    /// `tabrmd`, `swtpm:host=127.0.0.1,port=2321`)
    #[arg(long, value_name = "TCTI", requires = "tpm_handle")]
    pub tpm: Option<String>,
    /// The key's persistent handle (e.g. 0x81000001): an ECC P-256 signing key
    #[arg(long, value_name = "HANDLE", requires = "tpm")]
    pub tpm_handle: Option<String>,
}

fn tss(what: &str) -> impl Fn(tss_esapi::Error) -> CliError + '_ {
    move |e| CliError::key(format!("tpm: {what}: {e}"))
}

/// A P-256 key in a TPM.
pub struct TpmKey {
    context: RefCell<Context>,
    key: KeyHandle,
    public: [u8; 65],
    kid: Option<String>,
}

impl std::fmt::Debug for TpmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TpmKey").finish_non_exhaustive()
    }
}

/// `s` (a big-endian integer of at most 32 bytes) right-aligned into `out`.
fn left_pad(s: &[u8], out: &mut [u8]) -> Option<()> {
    let digits = s.iter().position(|&b| b != 0).map_or(&[][..], |i| &s[i..]);
    let start = out.len().checked_sub(digits.len())?;
    out[..start].fill(0);
    out[start..].copy_from_slice(digits);
    Some(())
}

impl ExternalSigner for TpmKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn sign(&self, input: &[u8], signature: &mut [u8]) -> std::result::Result<usize, CoreError> {
        let digest = Digest::try_from(input.to_vec()).map_err(|_| CoreError::SignerFailed)?;
        let ticket =
            TPMT_TK_HASHCHECK { tag: TPM2_ST_HASHCHECK, hierarchy: TPM2_RH_NULL, digest: Default::default() };
        let ticket = ticket.try_into().map_err(|_| CoreError::SignerFailed)?;
        let mut context = self.context.try_borrow_mut().map_err(|_| CoreError::SignerFailed)?;
        let key = self.key;
        let sig = context
            .execute_with_nullauth_session(|ctx| ctx.sign(key, digest, SignatureScheme::Null, ticket))
            .map_err(|_| CoreError::SignerFailed)?;
        let Signature::EcDsa(sig) = sig else {
            return Err(CoreError::SignerFailed);
        };
        let (r, s) = signature.split_at_mut_checked(32).ok_or(CoreError::SignerFailed)?;
        left_pad(sig.signature_r().value(), r).ok_or(CoreError::SignerFailed)?;
        left_pad(sig.signature_s().value(), s.get_mut(..32).ok_or(CoreError::SignerFailed)?)
            .ok_or(CoreError::SignerFailed)?;
        Ok(64)
    }
}

/// Connects to the TPM and loads the key's public part.
pub fn open(args: &TpmArgs) -> Result<TpmKey> {
    let tcti = args.tpm.as_deref().ok_or_else(|| CliError::usage("no --tpm TCTI"))?;
    let handle = args.tpm_handle.as_deref().ok_or_else(|| CliError::usage("no --tpm-handle"))?;
    let handle = u32::from_str_radix(handle.trim_start_matches("0x"), 16)
        .map_err(|_| CliError::usage(format!("--tpm-handle {handle}: not a hexadecimal handle")))?;
    let conf = TctiNameConf::from_str(tcti).map_err(tss("TCTI"))?;
    let mut context = Context::new(conf).map_err(tss("connect"))?;
    let persistent = PersistentTpmHandle::new(handle).map_err(tss("handle"))?;
    let key: KeyHandle =
        context.tr_from_tpm_public(TpmHandle::Persistent(persistent)).map_err(tss("TPM2_ReadPublic"))?.into();
    let (public, _, _) = context.read_public(key).map_err(tss("TPM2_ReadPublic"))?;
    let Public::Ecc { parameters, unique, .. } = public else {
        return Err(CliError::key("tpm: the key is not an ECC key"));
    };
    if parameters.ecc_curve() != EccCurve::NistP256 {
        return Err(CliError::key("tpm: the key is not on NIST P-256 (ES256)"));
    }
    let mut point = [0u8; 65];
    point[0] = 4;
    left_pad(unique.x().value(), &mut point[1..33]).ok_or_else(|| CliError::key("tpm: bad public x"))?;
    left_pad(unique.y().value(), &mut point[33..]).ok_or_else(|| CliError::key("tpm: bad public y"))?;
    Ok(TpmKey { context: RefCell::new(context), key, public: point, kid: None })
}

impl TpmKey {
    /// The default kid: the RFC 7638 thumbprint of the public key.
    pub fn default_kid(&self) -> Result<String> {
        let vk = ciphertoken::VerifyingKey::es256_sec1(&self.public)
            .map_err(|e| CliError::key_material(e, "public key in the TPM"))?;
        crate::jwk::core_thumbprint(&vk)
    }

    /// The signer with its kid, behind the core's checks.
    pub fn into_signer(mut self, kid: Option<String>) -> Result<ExternalKey<TpmKey>> {
        self.kid = kid;
        ExternalKey::new(self).map_err(|e| CliError::key_material(e, "key in the TPM"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn left_pad() {
        let mut out = [9u8; 4];
        assert_eq!(super::left_pad(&[0, 0, 1, 2], &mut out), Some(()));
        assert_eq!(out, [0, 0, 1, 2]);
        assert_eq!(super::left_pad(&[1, 2, 3, 4, 5], &mut out), None);
        assert_eq!(super::left_pad(&[0, 1, 2, 3, 4], &mut out), Some(()));
        assert_eq!(out, [1, 2, 3, 4]);
    }
}
