//! A secure element, simulated: the private key lives in [`chip`] (a stand-in for an
//! ATECC608 / SE050 / OPTIGA Trust M behind I2C) and the application reaches it only through
//! the chip's command interface (`get_public_key`, `sign_digest`) — it never sees the key.
//! The application implements `ExternalSigner` over that interface, wraps it in
//! `ExternalKey`, and signs tokens with the ordinary `sign`.
//!
//! Checks: the token verifies with the public key read from the chip and is byte-identical
//! to the software key's (RFC 6979); a glitched signature (one bit flipped, as a fault
//! injection would), a chip error and an all-zero `r` are refused with `SignerFailed` before
//! any token exists, and the output holds zeros. Figures: stack and instructions of `sign`
//! through the external signer with the verify-before-release check (the default), without
//! it (`ReleaseCheck::ShapeOnly`), the chip's own signing (which a real chip does on its own
//! silicon), and the software key for comparison.

use crate::measure::{measure, Calibration, Cost};
use crate::{Checks, Claims, DeviceClock, TOKEN_MAX};
use ciphertoken::{sign, Algorithm, Clock, Error, ExternalKey, ExternalSigner, ReleaseCheck, SigningKey};
use core::cell::Cell;

/// The chip. Its key is private to this module: the application below only calls commands.
mod chip {
    use core::cell::Cell;
    use p256::ecdsa::signature::hazmat::PrehashSigner;

    /// A status of the chip's command interface (like ATCA_STATUS).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        Success,
        ExecutionError,
    }

    /// How the next signature goes wrong (test hooks of the simulation).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Fault {
        None,
        Glitch,
        Error,
        ZeroR,
    }

    /// Slot 0's private key (RFC 6979 A.2.5's), provisioned at the factory.
    const SLOT0: [u8; 32] = [
        0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93, 0x4e,
        0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
    ];

    /// The chip: its key slot is a private field, out of the application's reach.
    pub struct Chip {
        slot0: p256::ecdsa::SigningKey,
        pub fault: Cell<Fault>,
    }

    impl Chip {
        /// Powers the chip up (its key is loaded once, as a chip keeps it ready).
        pub fn power_up() -> Option<Chip> {
            let slot0 = p256::ecdsa::SigningKey::from_slice(&SLOT0).ok()?;
            Some(Chip { slot0, fault: Cell::new(Fault::None) })
        }

        /// `GenKey` in public mode: the uncompressed SEC1 point of slot 0.
        pub fn get_public_key(&self, out: &mut [u8; 65]) -> Status {
            let point = self.slot0.verifying_key().to_encoded_point(false);
            out.copy_from_slice(point.as_bytes());
            Status::Success
        }

        /// `Sign` (external message mode): ECDSA over a 32-byte digest, raw r‖s out.
        pub fn sign_digest(&self, digest: &[u8; 32], out: &mut [u8; 64]) -> Status {
            if self.fault.get() == Fault::Error {
                return Status::ExecutionError;
            }
            let Ok(sig) = PrehashSigner::<p256::ecdsa::Signature>::sign_prehash(&self.slot0, digest) else {
                return Status::ExecutionError;
            };
            out.copy_from_slice(&sig.to_bytes());
            match self.fault.get() {
                Fault::Glitch => out[17] ^= 0x08,
                Fault::ZeroR => out[..32].fill(0),
                _ => {}
            }
            Status::Success
        }
    }
}

/// The application's driver: `ExternalSigner` over the chip's commands.
struct SecureElement<'c> {
    chip: &'c chip::Chip,
    public: [u8; 65],
    calls: Cell<u32>,
}

impl ExternalSigner for SecureElement<'_> {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }

    fn kid(&self) -> Option<&str> {
        Some("se-slot-0")
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error> {
        self.calls.set(self.calls.get() + 1);
        let digest: &[u8; 32] = input.try_into().map_err(|_| Error::SignerFailed)?;
        let out: &mut [u8; 64] = signature.try_into().map_err(|_| Error::SignerFailed)?;
        match self.chip.sign_digest(digest, out) {
            chip::Status::Success => Ok(64),
            chip::Status::ExecutionError => Err(Error::SignerFailed),
        }
    }
}

/// Runs the secure-element checks and prints the cost table (M4 figures in README.md).
#[inline(never)]
pub fn run(checks: &mut Checks, clock: &DeviceClock, cal: &Calibration) {
    let Some(chip) = chip::Chip::power_up() else {
        checks.check(format_args!("SE: chip power-up"), false);
        return;
    };
    let mut public = [0u8; 65];
    let ok = chip.get_public_key(&mut public) == chip::Status::Success;
    checks.check(format_args!("SE: public key read from the chip"), ok);
    let device = SecureElement { chip: &chip, public, calls: Cell::new(0) };
    let Ok(now) = clock.now() else {
        checks.check(format_args!("SE: clock not synced"), false);
        return;
    };
    let claims = Claims::issued_at(now, 600);
    let mut out = [0u8; TOKEN_MAX];
    let mut soft_out = [0u8; TOKEN_MAX];

    let (signer, setup) = measure(|| ExternalKey::new(&device));
    let setup = checks.cost("SE setup", setup);
    let Ok(signer) = signer else {
        checks.check(format_args!("SE: ExternalKey::new refused the chip's public key"), false);
        return;
    };
    let shape_only = signer.clone().release_check(ReleaseCheck::ShapeOnly);

    // The default: shape checks and a verification against the chip's public key.
    let (token, verified_cost) = measure(|| sign(&signer, &claims, &mut out).map(str::len));
    let verified_cost = checks.cost("SE sign", verified_cost);
    let token_len = token.unwrap_or(0);
    checks.check(format_args!("SE sign (verified before release): {token_len} B token"), token_len > 0);
    let token = core::str::from_utf8(out.get(..token_len).unwrap_or(&[])).unwrap_or("");

    // The same key in RAM gives the same token (RFC 6979), and its public key verifies it.
    let soft = SigningKey::es256(&[
        0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93, 0x4e,
        0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
    ])
    .and_then(|k| k.with_kid("se-slot-0"));
    let Ok(soft) = soft else {
        checks.check(format_args!("SE: software key"), false);
        return;
    };
    let (soft_token, soft_cost) = measure(|| sign(&soft, &claims, &mut soft_out).map(str::len));
    let soft_cost = checks.cost("software sign", soft_cost);
    let same = soft_token.ok().and_then(|n| soft_out.get(..n)) == Some(token.as_bytes());
    checks.check(format_args!("SE token equals the software key's token (RFC 6979)"), same);
    let mut scratch = [0u8; ciphertoken::verify_scratch_len(TOKEN_MAX)];
    let vk = ciphertoken::VerifyingKey::es256_sec1(&public);
    let verifies = vk.is_ok_and(|vk| {
        ciphertoken::verify_registered(token, &vk, &crate::validation(), clock, &mut scratch).is_ok()
    });
    checks.check(format_args!("SE token verifies with the chip's public key"), verifies);

    // Without the check: cheaper, and a glitch then goes out.
    let (plain, shape_cost) = measure(|| sign(&shape_only, &claims, &mut out).map(str::len));
    let shape_cost = checks.cost("SE sign shape-only", shape_cost);
    checks.check(format_args!("SE sign (shape checks only)"), plain.is_ok());

    // The chip's own work alone (on a real chip: its silicon, not the MCU's).
    let digest = [0x5au8; 32];
    let mut raw = [0u8; 64];
    let (_, chip_cost) = measure(|| chip.sign_digest(&digest, &mut raw));
    let chip_cost = checks.cost("chip sign", chip_cost);

    // Faults: refused with SignerFailed, nothing but zeros where the token would be.
    for (fault, what) in [
        (chip::Fault::Glitch, "glitched signature (bit flip)"),
        (chip::Fault::Error, "chip error"),
        (chip::Fault::ZeroR, "r = 0"),
    ] {
        chip.fault.set(fault);
        out.fill(0xa5);
        let result = sign(&signer, &claims, &mut out);
        let refused = result == Err(Error::SignerFailed);
        let wiped = out.iter().take(token_len).all(|&b| b == 0);
        checks.check(format_args!("SE {what}: SignerFailed, output wiped"), refused && wiped);
    }
    chip.fault.set(chip::Fault::Glitch);
    let escaped = sign(&shape_only, &claims, &mut out).is_ok();
    checks.check(
        format_args!("SE glitch without the verify check is released (why it is the default)"),
        escaped,
    );
    chip.fault.set(chip::Fault::None);

    let row = |what: &str, c: Cost| println!("| {} | {} | {} |", what, c.stack, cal.instructions(c.ticks));
    println!();
    println!("| ES256 external signer (simulated secure element) | stack (B) | instructions |");
    println!("|---|---:|---:|");
    row("ExternalKey::new (public key prepared)", setup);
    row("sign, verify before release (default)", verified_cost);
    row("sign, ReleaseCheck::ShapeOnly", shape_cost);
    row("chip's own ECDSA sign (off-MCU on real hardware)", chip_cost);
    row("sign with SigningKey in RAM (for comparison)", soft_cost);
    let [verified, shape, chip] = [verified_cost, shape_cost, chip_cost].map(|c| cal.instructions(c.ticks));
    println!(
        "verify-before-release check: +{} instructions; MCU work per token besides the chip: {} with the check, {} without",
        verified.saturating_sub(shape),
        verified.saturating_sub(chip),
        shape.saturating_sub(chip)
    );
}
