//! Zeroization, checked by reading memory back: key objects after drop, and the caller's
//! buffers after every failure path of signing, verifying and key loading. "No secret byte
//! left" is checked as: no 8-byte window of the secret (in the byte orders it could be
//! stored in) appears in the memory afterwards.

use ciphertoken::hazmat::{base64ct, RawSigner};
use ciphertoken::{Error, FixedClock, SigningKey, Validation, VerifyingKey};
use std::mem::{size_of, MaybeUninit};

/// Whether any 8-byte window of `secret` (or of its byte reversal: little-endian limbs)
/// occurs in `memory`.
fn holds_secret(memory: &[u8], secret: &[u8]) -> bool {
    let reversed: Vec<u8> = secret.iter().rev().copied().collect();
    [secret, &reversed[..]].iter().flat_map(|s| s.windows(8)).any(|w| memory.windows(8).any(|m| m == w))
}

/// Builds a value in a buffer we own, drops it in place, and returns the buffer's bytes
/// before and after the drop.
fn drop_and_read<T>(value: T) -> (Vec<u8>, Vec<u8>) {
    // Zeroed first: bytes the value never writes (an enum's unused variant space) stay zero
    // and cannot be mistaken for leftovers (an uninit slot shows stale stack data).
    let mut slot = MaybeUninit::<T>::zeroed();
    slot.write(value);
    let ptr = slot.as_mut_ptr();
    // SAFETY: `slot` holds an initialized `T`, read as bytes (every byte of these key types
    // is initialized: plain arrays and integers, no padding read as meaningful)...
    let before = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), size_of::<T>()) }.to_vec();
    // ...dropped exactly once here (never again: `MaybeUninit` does not drop)...
    unsafe { std::ptr::drop_in_place(ptr) };
    // ...and its storage read back: still our memory, now holding whatever drop left.
    let after = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), size_of::<T>()) }.to_vec();
    (before, after)
}

fn secret(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(151).wrapping_add(seed) | 0x11).collect()
}

/// The HS256 pad states a key made from `key` (at most 64 bytes) must hold (RFC 2104 §2):
/// SHA-256's state after compressing `key ^ ipad` and `key ^ opad`, as native-endian bytes.
#[allow(deprecated)] // generic-array 0.14 is what sha2 0.10 takes
fn hs256_states(key: &[u8]) -> [Vec<u8>; 2] {
    use sha2::digest::generic_array::GenericArray;
    const IV: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    [0x36u8, 0x5c].map(|pad| {
        let mut block = [pad; 64];
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        let mut state = IV;
        sha2::compress256(&mut state, &[*GenericArray::from_slice(&block)]);
        state.iter().flat_map(|w| w.to_ne_bytes()).collect()
    })
}

#[test]
// Reads a dropped value's storage (padding included) as bytes: deliberate, not for miri.
#[cfg_attr(miri, ignore)]
fn hmac_keys_are_wiped_on_drop() {
    let s = secret(32, 3);
    let states = hs256_states(&s);
    for (name, (before, after)) in [
        ("signing", drop_and_read(SigningKey::hs256(&s).unwrap())),
        ("verifying", drop_and_read(VerifyingKey::hs256(&s).unwrap())),
    ] {
        // The live state is wiped: one occurrence fewer after drop. (A second, stale copy
        // left by a move in the object's unused enum bytes is the known limitation below.)
        let count = |m: &[u8], st: &[u8]| m.windows(st.len()).filter(|w| *w == st).count();
        for state in &states {
            let (n_before, n_after) = (count(&before, state), count(&after, state));
            assert!(n_before >= 1, "{name}: the key holds its pad state");
            assert_eq!(n_after, n_before - 1, "{name}: the live pad state is not wiped");
        }
        assert!(!holds_secret(&after, &s));
    }
}

#[test]
// Reads a dropped value's storage (padding included) as bytes: deliberate, not for miri.
#[cfg_attr(miri, ignore)]
fn es256_and_ed25519_keys_are_wiped_on_drop() {
    let scalar = secret(32, 0x42);
    let (before, after) = drop_and_read(SigningKey::es256(&scalar).unwrap());
    assert!(holds_secret(&before, &scalar), "the scalar is stored in a searchable byte order");
    assert!(!holds_secret(&after, &scalar), "ES256 scalar left after drop");
    let seed = secret(32, 0x24);
    let (before, after) = drop_and_read(SigningKey::ed25519(&seed).unwrap());
    assert!(holds_secret(&before, &seed), "the seed is stored as is");
    assert!(!holds_secret(&after, &seed), "Ed25519 seed left after drop");
}

#[test]
fn failed_signing_leaves_the_output_buffer_untouched() {
    for key in [
        SigningKey::hs256(&secret(32, 1)).unwrap(),
        SigningKey::es256(&secret(32, 2)).unwrap(),
        SigningKey::ed25519(&secret(32, 3)).unwrap(),
    ] {
        let claims = br#"{"sub":"device-7","exp":1900000000}"#;
        let mut full = [0u8; 512];
        let needed = ciphertoken::sign_json(&key, claims, &mut full).unwrap().len();
        for cap in [0, 10, needed / 2, needed - 1] {
            let mut out = vec![0u8; cap];
            assert_eq!(ciphertoken::sign_json(&key, claims, &mut out), Err(Error::BufferTooSmall { needed }));
            assert!(out.iter().all(|&b| b == 0), "{}: partial token in a short buffer", key.algorithm());
        }
        // Claims the signer refuses (not an object / duplicate names): nothing written.
        let mut out = [0u8; 512];
        assert!(ciphertoken::sign_json(&key, br#"{"a":1,"a":2}"#, &mut out).is_err());
        assert!(out.iter().all(|&b| b == 0));
        // A raw signature into a short buffer: refused, untouched.
        let mut sig = [0u8; 16];
        assert!(key.sign_raw(b"m", &mut sig).is_err());
        assert!(sig.iter().all(|&b| b == 0));
    }
}

#[test]
fn failed_verification_leaves_no_secret_in_the_scratch() {
    let s = secret(32, 9);
    let key = SigningKey::hs256(&s).unwrap();
    let vk = VerifyingKey::hs256(&s).unwrap();
    let mut out = [0u8; 512];
    let token =
        ciphertoken::sign_json(&key, br#"{"sub":"x","exp":1900000000}"#, &mut out).unwrap().to_owned();
    // Every failure: bad signature, expired, short scratch. The scratch holds only what the
    // token itself carries (public), never the key or the expected MAC.
    // A forged signature sharing nothing with the real tag (all 'A': zero bytes), so any
    // window of the expected MAC found in the scratch came from the verifier, not the token.
    let (input, sig) = token.rsplit_once('.').unwrap();
    let forged = format!("{input}.{}", "A".repeat(sig.len() - 1) + "A").into_bytes();
    let expected_tag = {
        let mut t = [0u8; 32];
        key.sign_raw(token.rsplit_once('.').unwrap().0.as_bytes(), &mut t).unwrap();
        t
    };
    for (t, clock) in [(&forged[..], 1_800_000_000), (token.as_bytes(), 1_950_000_000)] {
        let mut scratch = [0u8; 512];
        let r = ciphertoken::verify_registered(t, &vk, &Validation::new(), &FixedClock(clock), &mut scratch);
        assert!(r.is_err());
        assert!(!holds_secret(&scratch, &s), "key bytes in the scratch");
        if t != token.as_bytes() {
            assert!(!holds_secret(&scratch, &expected_tag), "the expected MAC leaked into the scratch");
        }
    }
}

#[test]
fn failed_key_loading_leaves_nothing_behind() {
    // An out-of-range P-256 scalar (n itself), a zero scalar and seed, short secrets.
    let n: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
        0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];
    assert_eq!(SigningKey::es256(&n).err(), Some(Error::InvalidKey));
    assert_eq!(SigningKey::es256(&[0; 32]).err(), Some(Error::InvalidKey));
    // ed25519-compact panics on an all-zero seed: it must be an error here, never a panic.
    assert_eq!(SigningKey::ed25519(&[0; 32]).err(), Some(Error::InvalidKey));
    assert_eq!(SigningKey::hs256(&[1; 31]).err(), Some(Error::KeyTooShort));
    // The constant-time decoder zeroes its output on a bad encoding.
    let mut out = [0xaau8; 48];
    let mut text = [0u8; 64];
    let len = base64ct::encode(&secret(48, 5), &mut text).unwrap();
    text[len - 1] = b'=';
    assert_eq!(base64ct::decode(&text[..len], &mut out), Err(Error::InvalidBase64));
    assert!(out[..36].iter().all(|&b| b == 0), "partial secret left after a failed decode");
}

/// A JWK `oct` key whose `k` is not canonical base64url: refused, and the JWK Set keeps
/// nothing of it.
#[cfg(feature = "jwk")]
#[test]
fn failed_jwk_secret_loading_is_refused() {
    use ciphertoken::jwk::JwkSet;
    let doc = br#"{"keys":[{"kty":"oct","kid":"a","k":"c2hvcnQ"}]}"#;
    let set = JwkSet::<1>::from_trusted(doc).unwrap();
    assert_eq!(set.keys().len(), 0, "a 5-byte secret is unusable");
    let doc = br#"{"keys":[{"kty":"oct","kid":"a","alg":"HS256","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"}]}"#;
    let set = JwkSet::<1>::from_trusted(doc).unwrap();
    assert_eq!(set.keys().len(), 0, "non-canonical trailing bits");
}
