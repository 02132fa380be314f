//! RS256 and PS256 verification, and JWK Set import, on tokens and a key set made by a real
//! peer (PyJWT; see [`crate::rsa_fixtures`]). Verify only: the device never holds an RSA
//! private key, the identity provider does.
//!
//! Each function is out of line, so its keys (a prepared RSA key is ~1 KiB) and buffers are
//! off the stack once it returns.

use crate::measure::measure;
use crate::rsa_fixtures::{EXPIRES, ISSUED_AT, KID, PS256_TOKEN, RS256_TOKEN, RSA_E, RSA_N, SCOPE, SUBJECT};
use crate::{tamper, validation, Checks, Claims, DeviceClock, Row, Table};
use ciphertoken::{verify, verify_registered, Algorithm, Error, RsaVerifyingKey};

/// The longest RSA token here (both are signed with the same 2048-bit key and claims).
const RSA_TOKEN_LEN: usize = max(RS256_TOKEN.len(), PS256_TOKEN.len());
/// The verify scratch for it: the decoded header, claims and the 256-byte signature.
const RSA_SCRATCH_LEN: usize = ciphertoken::verify_scratch_len(RSA_TOKEN_LEN);

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Prints the RSA buffer sizes.
pub fn print_buffers() {
    println!(
        "RSA buffers: token {RSA_TOKEN_LEN} B (PyJWT's, 2048-bit key), verify scratch {RSA_SCRATCH_LEN} B (verify_scratch_len)"
    );
}

/// The claims as the peer signed them.
fn as_signed(c: &Claims<'_>) -> bool {
    c.iss == "device-7"
        && c.sub == SUBJECT
        && c.aud == "gateway"
        && c.iat == ISSUED_AT
        && c.exp == EXPIRES
        && c.scope == SCOPE
}

/// Key setup, verify and verify_registered of the RS256 token; the token with one payload
/// character changed.
#[inline(never)]
pub fn rs256(checks: &mut Checks, table: &mut Table, clock: &DeviceClock) {
    let (key, cost) = measure(|| RsaVerifyingKey::new(Algorithm::RS256, &RSA_N, &RSA_E));
    let cost = checks.cost("RS256 key setup", cost);
    // Borrowed, not moved: one copy of the ~1 KiB key on the stack.
    let key = match &key {
        Ok(key) => key,
        Err(e) => {
            checks.check(format_args!("RS256 key setup: {e:?}"), false);
            return;
        }
    };
    let bits = key.public_key().modulus_bits();
    checks.check(format_args!("RS256 key setup: {bits}-bit modulus, e = 65537"), bits == 2048);
    table.push(Row { what: "RS256 key setup", library: cost, primitive: None });

    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let v = validation();
    let (verified, cost) = measure(|| verify::<Claims<'_>, _>(RS256_TOKEN, key, &v, clock, &mut scratch));
    let cost = checks.cost("RS256 verify", cost);
    match verified {
        Ok(ok) => {
            let c = ok.claims();
            checks.check(
                format_args!("RS256 verify (PyJWT token): sub={} exp={} scope={}", c.sub, c.exp, c.scope),
                as_signed(c),
            );
        }
        Err(e) => {
            checks.check(format_args!("RS256 verify (PyJWT token): {e:?}"), false);
        }
    }
    table.push(Row { what: "RS256 verify", library: cost, primitive: None });

    let (registered, cost) = measure(|| verify_registered(RS256_TOKEN, key, &v, clock, &mut scratch));
    let cost = checks.cost("RS256 verify_registered", cost);
    let ok = matches!(registered, Ok((h, r, _))
        if r.exp == Some(EXPIRES) && r.iat == Some(ISSUED_AT) && h.kid.is_some_and(|k| k.raw() == KID));
    checks.check(format_args!("RS256 verify_registered: exp, iat and kid as signed"), ok);
    table.push(Row { what: "RS256 verify_registered", library: cost, primitive: None });

    refused_tampered(checks, key, clock);
}

/// The RS256 token with one payload character changed (out of line: its buffers are not
/// on the stack during the measured calls).
#[inline(never)]
fn refused_tampered(checks: &mut Checks, key: &RsaVerifyingKey, clock: &DeviceClock) {
    let mut copy = [0u8; RSA_TOKEN_LEN];
    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let tampered = tamper(RS256_TOKEN, &mut copy);
    checks.refused(
        "RS256 tampered payload",
        verify_registered(tampered, key, &validation(), clock, &mut scratch),
        Error::InvalidSignature,
    );
}

/// The PS256 token with a PS256 key of the same modulus; the RS256 token refused by it.
#[inline(never)]
pub fn ps256(checks: &mut Checks, table: &mut Table, clock: &DeviceClock) {
    let key = RsaVerifyingKey::new(Algorithm::PS256, &RSA_N, &RSA_E);
    let key = match &key {
        Ok(key) => key,
        Err(e) => {
            checks.check(format_args!("PS256 key setup: {e:?}"), false);
            return;
        }
    };
    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let v = validation();
    let (verified, cost) = measure(|| verify::<Claims<'_>, _>(PS256_TOKEN, key, &v, clock, &mut scratch));
    let cost = checks.cost("PS256 verify", cost);
    match verified {
        Ok(ok) => {
            let c = ok.claims();
            checks.check(
                format_args!("PS256 verify (PyJWT token): sub={} exp={} scope={}", c.sub, c.exp, c.scope),
                as_signed(c),
            );
        }
        Err(e) => {
            checks.check(format_args!("PS256 verify (PyJWT token): {e:?}"), false);
        }
    }
    table.push(Row { what: "PS256 verify", library: cost, primitive: None });

    checks.refused(
        "RS256 token with a PS256 key of the same modulus",
        verify_registered(RS256_TOKEN, key, &v, clock, &mut scratch),
        Error::AlgorithmMismatch,
    );
}

/// The provider-shaped JWK Set: parse (keys kept and skipped), the key for the RS256 token's
/// header (selected by `kid`), and the RS256 token verified through the set. Each step is
/// out of line, so only the set (a few hundred bytes) stays on the stack between them.
#[cfg(feature = "jwk")]
#[inline(never)]
pub fn jwks(checks: &mut Checks, table: &mut Table, clock: &DeviceClock) {
    use crate::rsa_fixtures::{JWKS, JWKS_KEPT, JWKS_SKIPPED};

    let (set, cost) = measure(|| JwkSet::<4>::from_public(JWKS));
    let cost = checks.cost("JWKS parse", cost);
    let set = match &set {
        Ok(set) => set,
        Err(e) => {
            checks.check(format_args!("JWKS parse: {e:?}"), false);
            return;
        }
    };
    let (kept, skipped) = (set.keys().len(), set.skipped());
    checks.check(
        format_args!(
            "JWKS parse ({} B): {kept} keys kept, {} skipped ({} unusable), expected {JWKS_KEPT} and {JWKS_SKIPPED}",
            JWKS.len(),
            skipped.total(),
            skipped.unusable
        ),
        kept == JWKS_KEPT && skipped.total() == JWKS_SKIPPED && skipped.unusable == JWKS_SKIPPED,
    );
    table.push(Row { what: "JWKS parse", library: cost, primitive: None });

    jwks_select(checks, table, set);
    jwks_verify(checks, table, set, clock);
    jwks_tampered(checks, set, clock);
}

#[cfg(feature = "jwk")]
use ciphertoken::jwk::JwkSet;

/// The key for the RS256 token's (unverified) header: decode the header, select by `kid`,
/// build and validate the key.
#[cfg(feature = "jwk")]
#[inline(never)]
fn jwks_select<const N: usize>(checks: &mut Checks, table: &mut Table, set: &JwkSet<'_, N>) {
    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let (key, cost) = measure(|| {
        ciphertoken::hazmat::decode_header(RS256_TOKEN.as_bytes(), &mut scratch)
            .and_then(|h| set.verifying_key_for(&h))
    });
    let cost = checks.cost("JWKS select + key", cost);
    match &key {
        Ok(key) => {
            let bits = key.as_rsa().map_or(0, |k| k.public_key().modulus_bits());
            checks.check(
                format_args!("JWKS select + key: kid {:?}, {:?}, {bits} bits", key.kid(), key.algorithm()),
                key.kid() == Some(KID) && key.algorithm() == Algorithm::RS256 && bits == 2048,
            );
        }
        Err(e) => {
            checks.check(format_args!("JWKS select + key: {e:?}"), false);
        }
    }
    table.push(Row { what: "JWKS select + key", library: cost, primitive: None });
}

/// The RS256 token verified through the set (`verify_registered_with_jwks`: header, key
/// selection and preparation, verification), then with one payload character changed.
#[cfg(feature = "jwk")]
#[inline(never)]
fn jwks_verify<const N: usize>(
    checks: &mut Checks,
    table: &mut Table,
    set: &JwkSet<'_, N>,
    clock: &DeviceClock,
) {
    use ciphertoken::jwk::verify_registered_with_jwks;

    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let v = validation();
    let (registered, cost) =
        measure(|| verify_registered_with_jwks(RS256_TOKEN, set, &v, clock, &mut scratch));
    let cost = checks.cost("RS256 verify with JWKS", cost);
    let ok = matches!(registered, Ok((_, r, _)) if r.exp == Some(EXPIRES) && r.iat == Some(ISSUED_AT));
    checks.check(
        format_args!("RS256 verify with JWKS (verify_registered_with_jwks): exp and iat as signed"),
        ok,
    );
    table.push(Row { what: "RS256 verify with JWKS", library: cost, primitive: None });
}

/// The tampered RS256 token through the set (out of line: its buffers are not on the stack
/// during the measured call).
#[cfg(feature = "jwk")]
#[inline(never)]
fn jwks_tampered<const N: usize>(checks: &mut Checks, set: &JwkSet<'_, N>, clock: &DeviceClock) {
    use ciphertoken::jwk::verify_registered_with_jwks;

    let mut copy = [0u8; RSA_TOKEN_LEN];
    let mut scratch = [0u8; RSA_SCRATCH_LEN];
    let tampered = tamper(RS256_TOKEN, &mut copy);
    checks.refused(
        "RS256 tampered payload with JWKS",
        verify_registered_with_jwks(tampered, set, &validation(), clock, &mut scratch),
        Error::InvalidSignature,
    );
}
