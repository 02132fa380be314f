//! External signers (keys in hardware): tokens from a device equal the software key's, every
//! kind of bad device answer is caught before a token is released, and the output is wiped.
//!
//! The "device" here is a software model of a secure element (it holds the private key the
//! test code never passes to the library) with fault injection; the real devices are tested
//! in cli/tests/cli/pkcs11.rs (SoftHSM2), examples/psa (mbedTLS PSA) and the QEMU firmware.

use ciphertoken::lifecycle::{minutes, CipherToken, NoClaims, Subject};
use ciphertoken::{
    ecdsa_der_to_raw, sign, sign_json, token_len, verify_registered, Algorithm, Error, ExternalKey,
    ExternalSigner, FixedClock, NoVersions, ReleaseCheck, RevocationList, SigningKey, Validation,
    VerifyingKey,
};
use core::cell::{Cell, RefCell};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use sha2::Digest;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    /// The device reports an error.
    Error,
    /// One byte short.
    Short,
    /// ES256 with r = 0 (CVE-2022-21449).
    ZeroR,
    /// ES256 with s = n.
    SEqualsN,
    /// EdDSA with S = L (non-canonical).
    SEqualsL,
    /// One bit flipped (a glitch): right shape, wrong signature.
    FlipBit,
    /// HMAC: a different answer the second time.
    Unstable,
    /// Writes more than it was given room for (reports the larger length).
    Long,
}

const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

enum Secret {
    Es256(p256::ecdsa::SigningKey),
    Ed25519(SigningKey),
    Hmac(SigningKey),
}

/// A software secure element with fault injection.
struct Device {
    alg: Algorithm,
    secret: Secret,
    public: Vec<u8>,
    kid: Option<&'static str>,
    fault: Cell<Fault>,
    calls: Cell<usize>,
    last_input: RefCell<Vec<u8>>,
}

impl Device {
    fn es256(seed: u8) -> Device {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        let public = key.verifying_key().to_encoded_point(false).as_bytes().to_vec();
        Device::new(Algorithm::ES256, Secret::Es256(key), public)
    }

    fn ed25519(seed: u8) -> Device {
        let key = SigningKey::ed25519(&[seed; 32]).unwrap();
        let mut public = [0u8; 32];
        key.verifying_key().public_key_bytes(&mut public).unwrap();
        Device::new(Algorithm::EdDSA, Secret::Ed25519(key), public.to_vec())
    }

    fn hmac(alg: Algorithm, secret: &[u8]) -> Device {
        Device::new(alg, Secret::Hmac(SigningKey::hmac(alg, secret).unwrap()), Vec::new())
    }

    fn new(alg: Algorithm, secret: Secret, public: Vec<u8>) -> Device {
        Device {
            alg,
            secret,
            public,
            kid: Some("se-slot-3"),
            fault: Cell::new(Fault::None),
            calls: Cell::new(0),
            last_input: RefCell::new(Vec::new()),
        }
    }

    fn with_fault(self, fault: Fault) -> Device {
        self.fault.set(fault);
        self
    }
}

impl ExternalSigner for Device {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
    fn kid(&self) -> Option<&str> {
        self.kid
    }
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn sign(&self, input: &[u8], signature: &mut [u8]) -> Result<usize, Error> {
        use ciphertoken::hazmat::RawSigner;
        self.calls.set(self.calls.get() + 1);
        *self.last_input.borrow_mut() = input.to_vec();
        let n = match &self.secret {
            Secret::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(input).unwrap();
                signature[..64].copy_from_slice(&sig.to_bytes());
                64
            }
            Secret::Ed25519(k) | Secret::Hmac(k) => k.sign_raw(input, signature)?,
        };
        match self.fault.get() {
            Fault::None => Ok(n),
            Fault::Error => {
                signature.fill(0x5a);
                Err(Error::InvalidKey)
            }
            Fault::Short => Ok(n - 1),
            Fault::Long => Ok(n + 1),
            Fault::ZeroR => {
                signature[..32].fill(0);
                Ok(n)
            }
            Fault::SEqualsN => {
                signature[32..64].copy_from_slice(&N);
                Ok(n)
            }
            Fault::SEqualsL => {
                signature[32..64].copy_from_slice(&L);
                Ok(n)
            }
            Fault::FlipBit => {
                signature[5] ^= 0x10;
                Ok(n)
            }
            Fault::Unstable => {
                if self.calls.get().is_multiple_of(2) {
                    signature[0] ^= 1;
                }
                Ok(n)
            }
        }
    }
}

const CLAIMS: &[u8] = br#"{"iss":"factory","sub":"sensor-7","exp":2000000000}"#;

fn verify_with(token: &str, vk: &VerifyingKey) -> Result<(), Error> {
    let mut scratch = [0u8; 512];
    verify_registered(token, vk, &Validation::new(), &FixedClock(1_900_000_000), &mut scratch).map(|_| ())
}

#[test]
fn device_tokens_equal_software_tokens_and_verify() {
    // Deterministic signatures (RFC 6979, RFC 8032, HMAC): the device's token must be byte
    // for byte the token of the same key held in RAM.
    let cases: Vec<(Device, SigningKey)> = vec![
        (Device::es256(3), SigningKey::es256(&[3; 32]).unwrap()),
        (Device::ed25519(4), SigningKey::ed25519(&[4; 32]).unwrap()),
        (Device::hmac(Algorithm::HS256, &[9; 32]), SigningKey::hs256(&[9; 32]).unwrap()),
        (Device::hmac(Algorithm::HS384, &[9; 48]), SigningKey::hs384(&[9; 48]).unwrap()),
        (Device::hmac(Algorithm::HS512, &[9; 64]), SigningKey::hs512(&[9; 64]).unwrap()),
    ];
    for (device, soft) in cases {
        let alg = device.alg;
        let soft = soft.with_kid("se-slot-3").unwrap();
        let ext = ExternalKey::new(device).unwrap();
        let (mut a, mut b) = ([0u8; 400], [0u8; 400]);
        let t_ext = sign_json(&ext, CLAIMS, &mut a).unwrap();
        let t_soft = sign_json(&soft, CLAIMS, &mut b).unwrap();
        assert_eq!(t_ext, t_soft, "{alg:?}");
        assert_eq!(
            token_len(&ext, &serde_json::json!({"a": 1})).unwrap(),
            token_len(&soft, &serde_json::json!({"a": 1})).unwrap()
        );
        verify_with(t_ext, &soft.verifying_key()).unwrap();
        // HMAC under the default check asks the device twice; the others once.
        let calls = ext.signer().calls.get();
        assert_eq!(calls, if alg.is_hmac() { 2 } else { 1 }, "{alg:?}");
    }
}

#[test]
fn es256_device_gets_the_digest_eddsa_and_hmac_the_message() {
    let ext = ExternalKey::new(Device::es256(1)).unwrap();
    let mut out = [0u8; 400];
    let token = sign_json(&ext, CLAIMS, &mut out).unwrap().to_owned();
    let signing_input = &token[..token.rfind('.').unwrap()];
    let digest = sha2::Sha256::digest(signing_input.as_bytes());
    assert_eq!(*ext.signer().last_input.borrow(), digest.to_vec());

    for device in [Device::ed25519(1), Device::hmac(Algorithm::HS256, &[1; 32])] {
        let ext = ExternalKey::new(device).unwrap();
        let token = sign_json(&ext, CLAIMS, &mut out).unwrap().to_owned();
        let signing_input = &token[..token.rfind('.').unwrap()];
        assert_eq!(*ext.signer().last_input.borrow(), signing_input.as_bytes());
    }
}

/// Signs with a faulty device into a buffer pre-filled with a pattern: the error must be
/// `SignerFailed` and no byte of a token may be left behind.
fn faulty(device: Device, check: ReleaseCheck) -> Result<String, Error> {
    let ext = ExternalKey::new(device).unwrap().release_check(check);
    let mut out = [0xa5u8; 400];
    let needed = token_len(&ext, &serde_json::from_slice::<serde_json::Value>(CLAIMS).unwrap()).unwrap();
    match sign_json(&ext, CLAIMS, &mut out) {
        Ok(t) => Ok(t.to_owned()),
        Err(e) => {
            assert!(out[..needed].iter().all(|&b| b == 0), "token area wiped");
            assert!(out[needed..].iter().all(|&b| b == 0xa5), "nothing written past the token");
            Err(e)
        }
    }
}

#[test]
fn every_bad_device_answer_is_signer_failed_and_wiped() {
    let cases = [
        (Device::es256(2), Fault::Error),
        (Device::es256(2), Fault::Short),
        (Device::es256(2), Fault::Long),
        (Device::es256(2), Fault::ZeroR),
        (Device::es256(2), Fault::SEqualsN),
        (Device::es256(2), Fault::FlipBit),
        (Device::ed25519(2), Fault::Error),
        (Device::ed25519(2), Fault::Short),
        (Device::ed25519(2), Fault::SEqualsL),
        (Device::ed25519(2), Fault::FlipBit),
        (Device::hmac(Algorithm::HS256, &[2; 32]), Fault::Error),
        (Device::hmac(Algorithm::HS256, &[2; 32]), Fault::Short),
        (Device::hmac(Algorithm::HS256, &[2; 32]), Fault::Unstable),
    ];
    for (device, fault) in cases {
        let alg = device.alg;
        assert_eq!(
            faulty(device.with_fault(fault), ReleaseCheck::Verify),
            Err(Error::SignerFailed),
            "{alg:?} {fault:?}"
        );
    }
}

#[test]
fn shape_checks_hold_without_verification_and_verification_is_what_catches_a_glitch() {
    // Shape faults are caught even with verification off.
    for (device, fault) in [
        (Device::es256(6), Fault::ZeroR),
        (Device::es256(6), Fault::SEqualsN),
        (Device::es256(6), Fault::Short),
        (Device::ed25519(6), Fault::SEqualsL),
        (Device::hmac(Algorithm::HS256, &[6; 32]), Fault::Long),
    ] {
        assert_eq!(
            faulty(device.with_fault(fault), ReleaseCheck::ShapeOnly),
            Err(Error::SignerFailed),
            "{fault:?}"
        );
    }
    // A flipped bit has the right shape: only the verification stops it. Without it, the
    // token goes out and every verifier rejects it.
    for (device, soft) in [
        (Device::es256(6), SigningKey::es256(&[6; 32]).unwrap()),
        (Device::ed25519(6), SigningKey::ed25519(&[6; 32]).unwrap()),
    ] {
        let token = faulty(device.with_fault(Fault::FlipBit), ReleaseCheck::ShapeOnly).unwrap();
        assert_eq!(verify_with(&token, &soft.verifying_key()), Err(Error::InvalidSignature));
    }
    let token =
        faulty(Device::hmac(Algorithm::HS256, &[6; 32]).with_fault(Fault::Unstable), ReleaseCheck::ShapeOnly);
    assert!(token.is_ok());
}

#[test]
fn a_device_with_another_key_is_caught() {
    // The device signs with key 7 but announces key 8's public key (wrong slot, swapped part).
    let mut device = Device::es256(7);
    device.public = Device::es256(8).public;
    assert_eq!(faulty(device, ReleaseCheck::Verify), Err(Error::SignerFailed));
    let mut device = Device::ed25519(7);
    device.public = Device::ed25519(8).public;
    assert_eq!(faulty(device, ReleaseCheck::Verify), Err(Error::SignerFailed));
}

#[test]
fn construction_rejects_what_cannot_be_checked() {
    let mut d = Device::es256(1);
    d.public.truncate(64);
    assert_eq!(ExternalKey::new(d).err(), Some(Error::InvalidKey));
    let mut d = Device::es256(1);
    d.public[10] ^= 1; // off the curve
    assert_eq!(ExternalKey::new(d).err(), Some(Error::InvalidKey));
    let mut d = Device::ed25519(1);
    d.public.push(0);
    assert_eq!(ExternalKey::new(d).err(), Some(Error::InvalidKey));
    let mut d = Device::hmac(Algorithm::HS256, &[1; 32]);
    d.public = vec![1; 32]; // an HMAC device has no public key to announce
    assert_eq!(ExternalKey::new(d).err(), Some(Error::InvalidKey));
    let mut d = Device::es256(1);
    d.alg = Algorithm::RS256;
    assert_eq!(ExternalKey::new(d).err(), Some(Error::UnsupportedAlgorithm));
    let mut d = Device::es256(1);
    d.kid = Some("bad\nkid");
    assert_eq!(ExternalKey::new(d).err(), Some(Error::InvalidKeyId));
    // Debug shows no key material.
    let ext = ExternalKey::new(Device::es256(1)).unwrap();
    let text = format!("{ext:?}");
    assert!(text.contains("ES256") && text.contains("se-slot-3"), "{text}");
}

#[test]
fn short_output_buffer_reports_the_size_and_never_calls_the_device() {
    let ext = ExternalKey::new(Device::es256(1)).unwrap();
    let needed = sign_json(&ext, CLAIMS, &mut [0u8; 400]).unwrap().len();
    let calls = ext.signer().calls.get();
    let mut out = vec![0x11u8; needed - 1];
    assert_eq!(sign_json(&ext, CLAIMS, &mut out), Err(Error::BufferTooSmall { needed }));
    assert!(out.iter().all(|&b| b == 0x11));
    assert_eq!(ext.signer().calls.get(), calls);
}

#[test]
fn serde_claims_and_borrowed_signers_work() {
    #[derive(serde::Serialize)]
    struct Claims<'a> {
        sub: &'a str,
        exp: u64,
    }
    let device = Device::ed25519(9);
    let ext = ExternalKey::new(&device).unwrap();
    let mut out = [0u8; 300];
    let token = sign(&ext, &Claims { sub: "d", exp: 2_000_000_000 }, &mut out).unwrap();
    verify_with(token, &SigningKey::ed25519(&[9; 32]).unwrap().verifying_key()).unwrap();
    // `&ExternalKey` is a signer too (generic code taking `&S`).
    let token2 = sign(&&ext, &Claims { sub: "d", exp: 2_000_000_000 }, &mut [0u8; 300]).unwrap().to_owned();
    assert_eq!(token, token2);
}

struct Rng(u64);
impl rand_core::RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn fill_bytes(&mut self, d: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, d)
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(d);
        Ok(())
    }
}
impl rand_core::CryptoRng for Rng {}

#[test]
fn life_cycle_issues_and_rotates_with_device_keys() {
    let ext = ExternalKey::new(Device::es256(11)).unwrap();
    let ct =
        CipherToken::<_, 2, ExternalKey<Device>>::new(ext, FixedClock(1_000)).unwrap().access_ttl(minutes(5));
    let (mut a, mut r, mut scratch) = ([0u8; 500], [0u8; 500], [0u8; 500]);
    let pair = ct.issue_pair(&mut Rng(1), Subject::new("alice"), &NoClaims {}, &mut a, &mut r).unwrap();
    let revoked = RevocationList::<4>::new();
    let v = ct.verify_access::<NoClaims, _, _>(pair.access, &revoked, &NoVersions, &mut scratch).unwrap();
    assert_eq!(v.header().kid.unwrap().raw(), "se-slot-3");
    // The token verifies with the software public key too: the device's key is the one in the set.
    let soft = SigningKey::es256(&[11; 32]).unwrap().with_kid("se-slot-3").unwrap();
    let mut scratch = [0u8; 500];
    let v = Validation::new().token_type("access");
    verify_registered(pair.access, &soft.verifying_key(), &v, &FixedClock(1_000), &mut scratch).unwrap();

    // A faulty device: issuing fails with SignerFailed and both outputs are zeros.
    let bad = ExternalKey::new(Device::es256(11).with_fault(Fault::FlipBit)).unwrap();
    let ct = CipherToken::<_, 2, _>::new(bad, FixedClock(1_000)).unwrap();
    let (mut a, mut r) = ([0x77u8; 500], [0x77u8; 500]);
    let err = ct.issue_pair(&mut Rng(1), Subject::new("alice"), &NoClaims {}, &mut a, &mut r).err();
    assert_eq!(err, Some(Error::SignerFailed));
    assert!(a.iter().all(|&b| b == 0 || b == 0x77) && r.iter().all(|&b| b == 0 || b == 0x77));
    assert!(!a.contains(&b'.') && !r.contains(&b'.'));

    // Rotation to a second device key.
    let first = ExternalKey::new(Device::ed25519(1)).unwrap();
    let mut ct = CipherToken::<_, 3, ExternalKey<Device>>::new(first, FixedClock(1_000)).unwrap();
    let mut second = Device::ed25519(2);
    second.kid = Some("se-slot-4");
    ct.rotate_key(ExternalKey::new(second).unwrap(), 60).unwrap();
    let token = ct.issue_access(Subject::new("bob"), None, &NoClaims {}, &mut a).unwrap();
    assert!(ct.verify_access::<NoClaims, _, _>(token, &revoked, &NoVersions, &mut scratch).is_ok());

    // An HMAC key in hardware cannot be read out to verify with: the life cycle refuses it.
    let hmac = ExternalKey::new(Device::hmac(Algorithm::HS256, &[1; 32])).unwrap();
    assert_eq!(CipherToken::<_, 2, _>::new(hmac, FixedClock(1)).err().map(|_| ()), Some(()));
}

#[test]
fn der_to_raw_agrees_with_p256_and_is_strict() {
    use p256::ecdsa::signature::Signer;
    let mut raw = [0u8; 64];
    for i in 1..=200u32 {
        let key = p256::ecdsa::SigningKey::from_slice(&[(i % 250) as u8 + 1; 32]).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(&i.to_be_bytes());
        let der = sig.to_der();
        assert_eq!(ecdsa_der_to_raw(der.as_bytes(), &mut raw), Ok(64));
        assert_eq!(raw[..], sig.to_bytes()[..]);
    }
    // Small values: r = 1, s = 0x80 (needs its leading zero).
    let good = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80];
    assert_eq!(ecdsa_der_to_raw(&good, &mut raw), Ok(64));
    assert_eq!((raw[31], raw[62], raw[63]), (1, 0, 0x80));
    let mut n_der = vec![0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00];
    n_der.extend_from_slice(&N);
    let mut n_minus_1 = n_der.clone();
    *n_minus_1.last_mut().unwrap() -= 1;
    assert_eq!(ecdsa_der_to_raw(&n_minus_1, &mut raw), Ok(64));
    let bad: &[&[u8]] = &[
        &[],
        &[0x30],
        &[0x30, 0x00],
        &[0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], // not a SEQUENCE
        &[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], // length too long
        &[0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], // length too short
        &[0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], // long form
        &[0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00], // trailing data inside
        &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00], // trailing data after
        &[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x02], // r = 0
        &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80], // s negative
        &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02], // superfluous zero
        &[0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02],       // empty INTEGER
        &[0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x02], // OCTET STRING
        &[0x30, 0x03, 0x02, 0x01, 0x01],                   // s missing
    ];
    for der in bad {
        raw = [0xee; 64];
        assert_eq!(ecdsa_der_to_raw(der, &mut raw), Err(Error::InvalidSignature), "{der:02x?}");
        assert_eq!(raw, [0xee; 64], "untouched on failure");
    }
    assert_eq!(ecdsa_der_to_raw(&n_der, &mut raw), Err(Error::InvalidSignature), "s = n");
    let mut big = vec![0x30, 0x27, 0x02, 0x01, 0x01, 0x02, 0x22, 0x00, 0x01];
    big.extend_from_slice(&[0; 32]);
    assert_eq!(ecdsa_der_to_raw(&big, &mut raw), Err(Error::InvalidSignature), "33-byte s");
    assert_eq!(ecdsa_der_to_raw(&good, &mut [0u8; 63]), Err(Error::BufferTooSmall { needed: 64 }));
}
