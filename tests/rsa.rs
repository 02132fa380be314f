//! RSA verification (`rsa` feature) against the `rsa` crate and against forgeries.
//!
//! Keys: tests/data/rsa/*.pem, made once for these tests (see tests/data/rsa/README.md):
//! 2048, 2049, 3072, 3073 and 4096 bits with e = 65537, 3072 bits with e = 3, and 2048 bits
//! with e = 2^32 + 1 (the largest kind of exponent accepted), e = 7 and e = 65539 (set bits
//! between the lowest and the highest: the exponentiation's multiply step).
#![cfg(feature = "rsa")]

use ciphertoken::hazmat::RawVerifier;
use ciphertoken::rsa::RsaPublicKey;
use ciphertoken::{
    verify_registered, verify_scratch_len, Algorithm, Error, FixedClock, RsaVerifyingKey, Validation,
};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey as TheirPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

const KEYS: [&str; 9] = [
    "key_2048",
    "key_2049",
    "key_3072",
    "key_3073",
    "key_4096",
    "key_3072_e3",
    "key_2048_e4294967297",
    "key_2048_e7",
    "key_2048_e65539",
];

const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

const NOW: u64 = 1_700_000_000;

fn private_key(name: &str) -> RsaPrivateKey {
    let path = format!("{}/tests/data/rsa/{name}.pem", env!("CARGO_MANIFEST_DIR"));
    RsaPrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ours(alg: Algorithm, key: &RsaPrivateKey) -> RsaVerifyingKey {
    RsaVerifyingKey::new(alg, &key.n().to_bytes_be(), &key.e().to_bytes_be()).unwrap()
}

/// Signs with the `rsa` crate (PSS: random salt as long as the hash).
fn their_sign(key: &RsaPrivateKey, alg: Algorithm, msg: &[u8]) -> Vec<u8> {
    use rsa::{pkcs1v15, pss};
    let rng = &mut rand_core::OsRng;
    let k = key.clone();
    match alg {
        Algorithm::RS256 => pkcs1v15::SigningKey::<Sha256>::new(k).sign(msg).to_vec(),
        Algorithm::RS384 => pkcs1v15::SigningKey::<Sha384>::new(k).sign(msg).to_vec(),
        Algorithm::RS512 => pkcs1v15::SigningKey::<Sha512>::new(k).sign(msg).to_vec(),
        Algorithm::PS256 => pss::SigningKey::<Sha256>::new(k).sign_with_rng(rng, msg).to_vec(),
        Algorithm::PS384 => pss::SigningKey::<Sha384>::new(k).sign_with_rng(rng, msg).to_vec(),
        Algorithm::PS512 => pss::SigningKey::<Sha512>::new(k).sign_with_rng(rng, msg).to_vec(),
        other => panic!("{other:?}"),
    }
}

/// Verifies with the `rsa` crate.
fn their_verify(key: &TheirPublicKey, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
    use rsa::{pkcs1v15, pss};
    let k = key.clone();
    match alg {
        Algorithm::RS256 => pkcs1v15::Signature::try_from(sig)
            .is_ok_and(|s| pkcs1v15::VerifyingKey::<Sha256>::new(k).verify(msg, &s).is_ok()),
        Algorithm::RS384 => pkcs1v15::Signature::try_from(sig)
            .is_ok_and(|s| pkcs1v15::VerifyingKey::<Sha384>::new(k).verify(msg, &s).is_ok()),
        Algorithm::RS512 => pkcs1v15::Signature::try_from(sig)
            .is_ok_and(|s| pkcs1v15::VerifyingKey::<Sha512>::new(k).verify(msg, &s).is_ok()),
        Algorithm::PS256 => pss::Signature::try_from(sig)
            .is_ok_and(|s| pss::VerifyingKey::<Sha256>::new(k).verify(msg, &s).is_ok()),
        Algorithm::PS384 => pss::Signature::try_from(sig)
            .is_ok_and(|s| pss::VerifyingKey::<Sha384>::new(k).verify(msg, &s).is_ok()),
        Algorithm::PS512 => pss::Signature::try_from(sig)
            .is_ok_and(|s| pss::VerifyingKey::<Sha512>::new(k).verify(msg, &s).is_ok()),
        other => panic!("{other:?}"),
    }
}

/// Deterministic test messages of assorted lengths (empty, one byte, around hash block
/// sizes, a kilobyte).
fn messages() -> Vec<Vec<u8>> {
    let mut x: u32 = 0x1234_5678;
    [0usize, 1, 55, 64, 111, 128, 1000]
        .iter()
        .map(|&len| {
            (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect()
        })
        .collect()
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut v = bytes.to_vec();
    let i = (bit / 8) % v.len();
    v[i] ^= 1 << (bit % 8);
    v
}

#[test]
fn differential_against_rsa_crate() {
    let msgs = messages();
    let (mut accepted, mut rejected) = (0usize, 0usize);
    for name in KEYS {
        let sk = private_key(name);
        let pk = sk.to_public_key();
        let keys: Vec<RsaVerifyingKey> = RSA_ALGS.iter().map(|&alg| ours(alg, &sk)).collect();
        assert_eq!(keys[0].signature_len(), pk.size(), "{name}");
        for (a, &alg) in RSA_ALGS.iter().enumerate() {
            for (m, msg) in msgs.iter().enumerate() {
                let sig = their_sign(&sk, alg, msg);
                assert_eq!(sig.len(), pk.size());
                assert!(their_verify(&pk, alg, msg, &sig));
                assert_eq!(keys[a].verify_raw(msg, &sig), Ok(()), "{name} {alg:?} msg {m}");
                accepted += 1;
                // The key fixes the algorithm: no other RSA algorithm accepts it.
                for (b, other) in keys.iter().enumerate() {
                    if b != a {
                        assert_eq!(
                            other.verify_raw(msg, &sig),
                            Err(Error::InvalidSignature),
                            "{name} {alg:?} as {:?}",
                            other.algorithm()
                        );
                        rejected += 1;
                    }
                }
                // One flipped bit anywhere in the signature or the message: both reject.
                for bit in [0, 7, 8 * sig.len() / 2 + 3, 8 * sig.len() - 1] {
                    let bad = flip(&sig, bit);
                    assert_eq!(
                        keys[a].verify_raw(msg, &bad),
                        Err(Error::InvalidSignature),
                        "{name} {alg:?} sig bit {bit}"
                    );
                    assert!(!their_verify(&pk, alg, msg, &bad));
                    rejected += 1;
                }
                if !msg.is_empty() {
                    let bad = flip(msg, 8 * m + 1);
                    assert_eq!(keys[a].verify_raw(&bad, &sig), Err(Error::InvalidSignature));
                    rejected += 1;
                }
            }
        }
    }
    println!(
        "rsa crate differential: {accepted} signatures accepted, {rejected} altered/misattributed rejected"
    );
    assert_eq!(accepted, KEYS.len() * RSA_ALGS.len() * msgs.len());
}

#[test]
fn prepared_key_verifies_both_schemes_when_asked_explicitly() {
    let sk = private_key("key_3073");
    let prepared = RsaPublicKey::new(&sk.n().to_bytes_be(), &sk.e().to_bytes_be()).unwrap();
    assert_eq!(prepared.modulus_bits(), 3073);
    assert_eq!(prepared.modulus_len(), 385);
    assert_eq!(prepared.exponent(), 65537);
    let msg = b"header.payload";
    let rs = their_sign(&sk, Algorithm::RS384, msg);
    let ps = their_sign(&sk, Algorithm::PS384, msg);
    assert_eq!(prepared.verify(Algorithm::RS384, msg, &rs), Ok(()));
    assert_eq!(prepared.verify(Algorithm::PS384, msg, &ps), Ok(()));
    assert_eq!(prepared.verify(Algorithm::PS384, msg, &rs), Err(Error::InvalidSignature));
    assert_eq!(prepared.verify(Algorithm::HS384, msg, &rs), Err(Error::AlgorithmMismatch));
    // Bound to one algorithm, the same prepared key accepts only that one.
    let vk = RsaVerifyingKey::from_public(Algorithm::RS384, prepared.clone()).unwrap();
    assert_eq!(vk.verify_raw(msg, &rs), Ok(()));
    assert_eq!(vk.verify_raw(msg, &ps), Err(Error::InvalidSignature));
    assert_eq!(
        RsaVerifyingKey::from_public(Algorithm::ES256, prepared.clone()).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
    // Modulus and exponent round-trip.
    let mut buf = [0u8; 512];
    assert_eq!(prepared.write_modulus(&mut buf).unwrap(), &sk.n().to_bytes_be()[..]);
    assert_eq!(prepared.write_exponent(&mut buf).unwrap(), &[1, 0, 1]);
    // Debug shows the size, not the modulus.
    let dbg = format!("{prepared:?} {vk:?}");
    assert!(dbg.contains("3073") && dbg.contains("RS384"), "{dbg}");
    assert!(dbg.len() < 200, "{dbg}");
}

#[test]
fn out_of_range_and_wrong_length_signatures() {
    for name in ["key_2048", "key_2049", "key_3072_e3"] {
        let sk = private_key(name);
        let k = sk.size();
        let n = sk.n().clone();
        let be = |v: &BigUint| {
            let b = v.to_bytes_be();
            let mut out = vec![0u8; k.saturating_sub(b.len())];
            out.extend_from_slice(&b);
            out
        };
        let msg = b"m";
        for alg in RSA_ALGS {
            let vk = ours(alg, &sk);
            let good = their_sign(&sk, alg, msg);
            assert_eq!(vk.verify_raw(msg, &good), Ok(()));
            let one = BigUint::from(1u32);
            let cases: Vec<(&str, Vec<u8>)> = vec![
                ("s = 0", vec![0u8; k]),
                ("s = 1", be(&one)),
                ("s = n - 1", be(&(&n - &one))),
                ("s = n", be(&n)),
                ("s = n + 1", be(&(&n + &one))),
                ("s = good + n", be(&(BigUint::from_bytes_be(&good) + &n))),
                ("all ones", vec![0xff; k]),
                ("empty", vec![]),
                ("one byte short", good[1..].to_vec()),
                ("leading zero added", [&[0u8][..], &good].concat()),
                ("trailing byte added", [&good[..], &[0u8]].concat()),
                ("twice", [&good[..], &good[..]].concat()),
            ];
            for (what, sig) in cases {
                if what == "s = good + n" && sig.len() != k {
                    continue; // does not fit in k bytes for this modulus
                }
                assert_eq!(vk.verify_raw(msg, &sig), Err(Error::InvalidSignature), "{name} {alg:?} {what}");
            }
        }
    }
}

#[test]
fn key_rules() {
    let sk = private_key("key_2048");
    let n = sk.n().to_bytes_be();
    let e = sk.e().to_bytes_be();
    // Not an RSA algorithm: the key can never be an HMAC secret or anything else.
    for alg in [Algorithm::HS256, Algorithm::HS512, Algorithm::ES256, Algorithm::EdDSA] {
        assert_eq!(RsaVerifyingKey::new(alg, &n, &e).unwrap_err(), Error::UnsupportedAlgorithm);
    }
    // Leading zero bytes (as in DER or some JWKs) are ignored.
    let padded = [&[0u8, 0][..], &n].concat();
    let sig = their_sign(&sk, Algorithm::RS256, b"x");
    let vk = RsaVerifyingKey::new(Algorithm::RS256, &padded, &[0, 0, 1, 0, 1]).unwrap();
    assert_eq!(vk.verify_raw(b"x", &sig), Ok(()));
    // 2047 bits: too short. 4097 bits: unsupported.
    let n2047 = (sk.n() >> 1usize) | BigUint::from(1u32);
    assert_eq!(n2047.bits(), 2047);
    assert_eq!(
        RsaVerifyingKey::new(Algorithm::RS256, &n2047.to_bytes_be(), &e).unwrap_err(),
        Error::KeyTooShort
    );
    let sk4096 = private_key("key_4096");
    let n4097 = (sk4096.n() << 1usize) | BigUint::from(1u32);
    assert_eq!(n4097.bits(), 4097);
    assert_eq!(
        RsaVerifyingKey::new(Algorithm::RS256, &n4097.to_bytes_be(), &e).unwrap_err(),
        Error::InvalidKey
    );
    // Even modulus.
    let even = sk.n() - BigUint::from(1u32);
    assert_eq!(
        RsaVerifyingKey::new(Algorithm::RS256, &even.to_bytes_be(), &e).unwrap_err(),
        Error::InvalidKey
    );
    // Exponents: odd, 3 ≤ e < 2^33.
    for bad in [&[][..], &[1], &[2], &[0x01, 0x00, 0x00], &[2, 0, 0, 0, 1], &[0xff; 9]] {
        assert_eq!(
            RsaVerifyingKey::new(Algorithm::RS256, &n, bad).unwrap_err(),
            Error::InvalidKey,
            "{bad:?}"
        );
    }
    for good in [&[3u8][..], &[1, 0, 0, 0, 1], &[1, 0xff, 0xff, 0xff, 0xff]] {
        assert!(RsaVerifyingKey::new(Algorithm::RS256, &n, good).is_ok(), "{good:?}");
    }
}

/// JWS tokens signed by the `rsa` crate through the whole `verify` path.
#[test]
fn tokens_through_verify() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = format!(r#"{{"iss":"idp","sub":"user-1","exp":{}}}"#, NOW + 60);
    for name in ["key_2048", "key_3073", "key_4096"] {
        let sk = private_key(name);
        for alg in RSA_ALGS {
            let vk = ours(alg, &sk).with_kid("idp-key-1").unwrap();
            let header = format!(r#"{{"alg":"{}","typ":"JWT","kid":"idp-key-1"}}"#, alg.name());
            let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(&header), URL_SAFE_NO_PAD.encode(&payload));
            let sig = their_sign(&sk, alg, input.as_bytes());
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
            let v = Validation::new().issuer("idp");
            // verify_scratch_len covers the RSA signature decoded into the scratch.
            let mut scratch = vec![0u8; verify_scratch_len(token.len())];
            let (h, claims, _) = verify_registered(&token, &vk, &v, &FixedClock(NOW), &mut scratch).unwrap();
            assert_eq!(h.alg, alg);
            assert!(claims.sub.unwrap().eq_str("user-1"));
            // Header + payload alone is not enough: the exact size needed is reported.
            let hp = token.split('.').take(2).map(|s| s.len() * 3 / 4).sum::<usize>();
            let needed = hp + sig.len();
            assert!(needed <= verify_scratch_len(token.len()));
            // Reported exactly on the first try, before anything is written (even with no scratch).
            assert_eq!(
                verify_registered(&token, &vk, &v, &FixedClock(NOW), &mut []).err(),
                Some(Error::BufferTooSmall { needed }),
                "{name} {alg:?} first report"
            );
            let mut short = vec![0u8; needed - 1];
            assert_eq!(
                verify_registered(&token, &vk, &v, &FixedClock(NOW), &mut short).err(),
                Some(Error::BufferTooSmall { needed }),
                "{name} {alg:?}"
            );
            let mut exact = vec![0u8; needed];
            assert!(verify_registered(&token, &vk, &v, &FixedClock(NOW), &mut exact).is_ok());
            // Expired is still expired.
            assert_eq!(
                verify_registered(&token, &vk, &v, &FixedClock(NOW + 3600), &mut scratch).err(),
                Some(Error::Expired)
            );
            // A truncated or extended signature segment is an invalid signature.
            let cut = &token[..token.len() - 4];
            assert_eq!(
                verify_registered(cut, &vk, &v, &FixedClock(NOW), &mut scratch).err(),
                Some(Error::InvalidSignature)
            );
            let long = format!("{token}AAAA");
            let mut long_scratch = vec![0u8; verify_scratch_len(long.len())];
            assert_eq!(
                verify_registered(&long, &vk, &v, &FixedClock(NOW), &mut long_scratch).err(),
                Some(Error::InvalidSignature)
            );
        }
    }
}

/// RS↔PS and RSA↔HMAC confusion at the token level: the key decides the algorithm.
#[test]
fn algorithm_confusion_tokens() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let sk = private_key("key_2048");
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{}}}"#, NOW + 60));
    let rs_key = ours(Algorithm::RS256, &sk);
    let v = Validation::new();
    let mut scratch = vec![0u8; 2048];
    // A PS256 token (really signed by this key) against the RS256 key.
    let input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256"}"#));
    let sig = their_sign(&sk, Algorithm::PS256, input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
    assert_eq!(
        verify_registered(&token, &rs_key, &v, &FixedClock(NOW), &mut scratch).err(),
        Some(Error::AlgorithmMismatch)
    );
    // Relabelled as RS256: the header now matches, the signature (PSS) does not.
    let input2 = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#));
    let relabelled = format!("{input2}.{}", URL_SAFE_NO_PAD.encode(&sig));
    assert_eq!(
        verify_registered(&relabelled, &rs_key, &v, &FixedClock(NOW), &mut scratch).err(),
        Some(Error::InvalidSignature)
    );
    // HS256 with the public key's modulus (or its PEM) as the HMAC secret.
    use hmac::{Hmac, Mac};
    let hs_input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#));
    for secret in [sk.n().to_bytes_be(), {
        use rsa::pkcs8::EncodePublicKey;
        sk.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap().into_bytes()
    }] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
        mac.update(hs_input.as_bytes());
        let forged = format!("{hs_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        assert_eq!(
            verify_registered(&forged, &rs_key, &v, &FixedClock(NOW), &mut scratch).err(),
            Some(Error::AlgorithmMismatch)
        );
    }
}

/// A naive PKCS#1 v1.5 check that parses the encoding: `00 01`, skip `FF`s to `00`, match the
/// DigestInfo prefix and the hash, and ignore whatever follows (the CVE-2006-4339 bug).
fn naive_pkcs1_accepts(em: &[u8], digest_info: &[u8], hash: &[u8]) -> bool {
    if em.len() < 3 || em[0] != 0 || em[1] != 1 {
        return false;
    }
    let mut i = 2;
    while i < em.len() && em[i] == 0xff {
        i += 1;
    }
    if i >= em.len() || em[i] != 0 {
        return false;
    }
    let rest = &em[i + 1..];
    rest.starts_with(digest_info) && rest[digest_info.len()..].starts_with(hash)
}

/// Bleichenbacher'06 (CVE-2006-4339): with e = 3 and a 3072-bit modulus, a "signature"
/// whose cube begins `00 01 FF…FF 00 DigestInfo H` followed by garbage can be computed
/// without the private key, as an integer cube root. A parser that ignores trailing bytes
/// accepts it; the byte-for-byte comparison with the whole expected encoding must not.
#[test]
fn bleichenbacher_e3_forgery_is_rejected() {
    let sk = private_key("key_3072_e3");
    assert_eq!(sk.e(), &BigUint::from(3u32));
    let k = sk.size();
    assert_eq!(k, 384);
    let msg = br#"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6OTk5OTk5OTk5OX0"#;
    let digest_info: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
        0x04, 0x20,
    ];
    let hash = Sha256::digest(msg);
    // 00 01 FF×8 00 DigestInfo H, then garbage to fill k bytes.
    let mut prefix = vec![0x00, 0x01];
    prefix.extend_from_slice(&[0xff; 8]);
    prefix.push(0x00);
    prefix.extend_from_slice(&digest_info);
    prefix.extend_from_slice(&hash);
    let garbage_bytes = k - prefix.len();
    let low = BigUint::from_bytes_be(&prefix) << (8 * garbage_bytes);
    let high = &low + (BigUint::from(1u32) << (8 * garbage_bytes));
    let mut s = low.cbrt();
    while &s * &s * &s < low {
        s += 1u32;
    }
    let cube = &s * &s * &s;
    assert!(cube < high, "the cube keeps the prefix");
    assert!(&cube < sk.n(), "no reduction mod n: s^3 mod n = s^3");
    let mut sig = vec![0u8; k];
    let s_bytes = s.to_bytes_be();
    sig[k - s_bytes.len()..].copy_from_slice(&s_bytes);
    // What a verifier computes: s^e mod n.
    let em_int = BigUint::from_bytes_be(&sig).modpow(sk.e(), sk.n());
    let mut em = vec![0u8; k];
    let em_bytes = em_int.to_bytes_be();
    em[k - em_bytes.len()..].copy_from_slice(&em_bytes);
    assert!(em.starts_with(&prefix));
    assert_ne!(&em[prefix.len()..], &vec![0u8; garbage_bytes][..], "garbage, not a real encoding");
    // The naive parser is fooled...
    assert!(naive_pkcs1_accepts(&em, &digest_info, &hash));
    // ...ours is not, nor the rsa crate's.
    let vk = ours(Algorithm::RS256, &sk);
    assert_eq!(vk.verify_raw(msg, &sig), Err(Error::InvalidSignature));
    assert!(!their_verify(&sk.to_public_key(), Algorithm::RS256, msg, &sig));
    // The same key verifies honest e = 3 signatures.
    let honest = their_sign(&sk, Algorithm::RS256, msg);
    assert_eq!(vk.verify_raw(msg, &honest), Ok(()));
    let honest_em = BigUint::from_bytes_be(&honest).modpow(sk.e(), sk.n()).to_bytes_be();
    assert!(naive_pkcs1_accepts(&[&[0u8][..], &honest_em].concat(), &digest_info, &hash));
}

/// PSS with a modulus of 8j+1 bits: emLen = k − 1, so the k-byte integer m = s^e mod n must
/// have a zero top byte (I2OSP(m, emLen), RFC 8017 §8.1.2 step 2c). A signature whose m is a
/// valid encoding plus 2^(8·emLen) is refused, though its low emLen bytes are a valid EM.
#[test]
fn pss_8j_plus_1_top_byte_must_be_zero() {
    for name in ["key_2049", "key_3073"] {
        let sk = private_key(name);
        let n = sk.n();
        let k = sk.size();
        let em_len = (n.bits() - 1).div_ceil(8);
        assert_eq!(em_len, k - 1, "{name}: 8j+1 bits");
        let vk = ours(Algorithm::PS256, &sk);
        let mut tried = 0;
        let mut done = false;
        for msg in messages() {
            let sig = their_sign(&sk, Algorithm::PS256, &msg);
            assert_eq!(vk.verify_raw(&msg, &sig), Ok(()));
            let m = BigUint::from_bytes_be(&sig).modpow(sk.e(), n);
            let shifted = &m + (BigUint::from(1u32) << (8 * em_len));
            tried += 1;
            if &shifted >= n {
                continue; // needs m < n − 2^(8·emLen); try another message
            }
            let forged = shifted.modpow(sk.d(), n);
            let mut forged_sig = vec![0u8; k];
            let b = forged.to_bytes_be();
            forged_sig[k - b.len()..].copy_from_slice(&b);
            // Sanity: its low emLen bytes are exactly the valid EM.
            let fm = BigUint::from_bytes_be(&forged_sig).modpow(sk.e(), n).to_bytes_be();
            assert_eq!(fm[0], 1);
            assert_eq!(BigUint::from_bytes_be(&fm[1..]), m);
            assert_eq!(vk.verify_raw(&msg, &forged_sig), Err(Error::InvalidSignature), "{name}");
            done = true;
            break;
        }
        assert!(done, "{name}: no message gave m < n − 2^(8·emLen) in {tried} tries");
    }
}
