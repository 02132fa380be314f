//! ES256 through the Cortex-M4 backend (`p256-cm4`, chosen by the core for thumbv7em), held
//! against the portable RustCrypto `p256` and Wycheproof, on the emulated Cortex-M4F only
//! (the portable path on the M0 would take billions of instructions for the same work):
//!
//! * every Wycheproof ECDSA P-256 / SHA-256 P1363 vector through `VerifyingKey::verify_raw`
//!   (key import with the range and curve checks, then verification), each with its
//!   expected result;
//! * signatures of ciphertoken's key (`RawSigner::sign_raw`) byte-equal to `p256`'s over
//!   several keys and messages (both deterministic, RFC 6979), and accepted by `p256`.

use crate::wycheproof_p256::{Expect, GROUPS, NUMBER_OF_TESTS};
use crate::Checks;
use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{SigningKey, VerifyingKey};

/// Runs every vector; one check for the whole file, one line per failing vector.
#[inline(never)]
pub fn wycheproof(checks: &mut Checks) {
    let (mut valid, mut invalid, mut acceptable, mut wrong, mut total) = (0u32, 0u32, 0u32, 0u32, 0usize);
    let t0 = crate::board::ticks();
    for group in GROUPS {
        let key = VerifyingKey::es256_sec1(group.key);
        for t in group.tests {
            total += 1;
            let ok = match &key {
                Ok(k) => k.verify_raw(t.msg, t.sig).is_ok(),
                Err(_) => false,
            };
            match (t.expect, ok) {
                (Expect::Valid, true) => valid += 1,
                (Expect::Invalid, false) => invalid += 1,
                (Expect::Acceptable, _) => acceptable += 1,
                (expect, _) => {
                    wrong += 1;
                    let want = if expect == Expect::Valid { "valid" } else { "invalid" };
                    println!(
                        "FAIL Wycheproof P-256 tcId {}: expected {want}, got {}",
                        t.id,
                        if ok { "accepted" } else { "rejected" }
                    );
                }
            }
        }
    }
    let ticks = crate::board::ticks().saturating_sub(t0);
    checks.check(
        format_args!(
            "Wycheproof ECDSA P-256 SHA-256 P1363: {total} of {NUMBER_OF_TESTS} vectors, {valid} valid accepted, {invalid} invalid rejected, {acceptable} acceptable, {wrong} wrong ({ticks} ticks)"
        ),
        wrong == 0 && total == NUMBER_OF_TESTS && valid > 0 && invalid > 0,
    );
}

/// Signatures equal to `p256`'s for 6 keys × 4 messages.
#[inline(never)]
pub fn differential(checks: &mut Checks) {
    use p256::ecdsa::signature::{Signer, Verifier};
    let (mut same, mut n) = (0u32, 0u32);
    let mut scalar = crate::ES256_SCALAR;
    for i in 0..6u8 {
        // Another valid scalar each round (the top byte stays below n's 0xff..).
        scalar[31] = scalar[31].wrapping_add(i.wrapping_mul(29) | 1);
        scalar[0] = 0x10 + i;
        let (Ok(ours), Ok(reference)) =
            (SigningKey::es256(&scalar), p256::ecdsa::SigningKey::from_slice(&scalar))
        else {
            checks.check(format_args!("ES256 differential: key {i}"), false);
            return;
        };
        let vk = ours.verifying_key();
        for len in [0usize, 5, 64, 150] {
            let mut msg = [0u8; 150];
            for (j, b) in msg.iter_mut().enumerate() {
                *b = (j as u8).wrapping_mul(13) ^ i;
            }
            let msg = &msg[..len];
            let mut sig = [0u8; 64];
            let ok = ours.sign_raw(msg, &mut sig).is_ok();
            let want: p256::ecdsa::Signature = reference.sign(msg);
            let accepted = p256::ecdsa::Signature::from_slice(&sig)
                .map(|s| reference.verifying_key().verify(msg, &s).is_ok())
                .unwrap_or(false);
            n += 1;
            if ok && sig[..] == want.to_bytes()[..] && accepted && vk.verify_raw(msg, &sig).is_ok() {
                same += 1;
            } else {
                println!("FAIL ES256 differential: key {i}, message of {len} B");
            }
        }
    }
    checks.check(
        format_args!("ES256 signatures byte-equal to the portable p256's and accepted by it: {same} of {n}"),
        same == n,
    );
}
