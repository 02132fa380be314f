//! The verify targets: `verify_hs256`, `verify_es256`, `verify_eddsa`.
//!
//! Input: one selector byte, then data. `selector % 3` picks the mode and
//! `selector / 3 % POLICIES` the validation policy ([`Policy::pick`]):
//!
//! - 0, raw: the data is the token (seed corpus: RFC tokens and attack tokens);
//! - 1, mutate: a valid token with every registered claim is edited by 4-byte commands
//!   `[op, pos_lo, pos_hi, value]` (bit flips, byte edits, insertions, deletions, truncation,
//!   segment swaps, special characters, duplicated ranges);
//! - 2, forge: the data is `header JSON, 0x00, payload JSON`, signed with the fixed key, so
//!   the header, payload and validation rules behind the signature are reached.
//!
//! In every mode ciphertoken's verdict must equal the model's ([`reference`]): the token
//! split, base64url-decoded (`base64` crate), the header and claims judged by
//! [`crate::model`], the signature checked independently (`hmac`, `p256`, and for Ed25519
//! equality with the deterministic RFC 8032 signature).

use ciphertoken::hazmat::RawSigner;
use crate::model::{self, ClaimsModel, HeaderVerdict, Policy, Strict, POLICIES};
use crate::{b64d, b64e, Fixed, NOW};
use ciphertoken::{Error, FixedClock, SigningKey, MAX_KID_LEN};
use std::sync::OnceLock;

/// Where the model says a token fails.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Accept, with these registered claims.
    Accept(Box<ClaimsModel>),
    /// Length, segments, header base64, header JSON or header rules.
    BeforeKey,
    /// The header's `alg` is not the key's.
    AlgorithmMismatch,
    /// The signature is wrong (bad base64 included).
    Signature,
    /// The signature is right; the payload, its claims or the policy refuse the token.
    AfterSignature,
    /// The model cannot decide (see [`Strict::Unknown`]).
    Unknown,
}

fn keys() -> &'static [(Fixed, SigningKey); 3] {
    static KEYS: OnceLock<[(Fixed, SigningKey); 3]> = OnceLock::new();
    KEYS.get_or_init(|| [Fixed::Hs256, Fixed::Es256, Fixed::EdDSA].map(|f| (f, f.signing_key())))
}

/// The cached signing key of `fixed`.
pub fn key(fixed: Fixed) -> &'static SigningKey {
    match keys().iter().find(|(f, _)| *f == fixed) {
        Some((_, k)) => k,
        None => panic!("no key {fixed:?}"),
    }
}

/// The cached verifying key of `fixed`.
pub fn verifying_key(fixed: Fixed) -> &'static ciphertoken::VerifyingKey {
    static KEYS: OnceLock<[ciphertoken::VerifyingKey; 3]> = OnceLock::new();
    let keys =
        KEYS.get_or_init(|| [Fixed::Hs256, Fixed::Es256, Fixed::EdDSA].map(|f| key(f).verifying_key()));
    &keys[fixed as usize]
}

fn p256_key() -> &'static p256::ecdsa::VerifyingKey {
    static KEY: OnceLock<p256::ecdsa::VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| match p256::ecdsa::SigningKey::from_slice(&crate::es256_scalar()) {
        Ok(sk) => *sk.verifying_key(),
        Err(e) => panic!("p256 key: {e}"),
    })
}

/// The independent signature check.
fn signature_ok(fixed: Fixed, signing_input: &[u8], sig: &[u8]) -> bool {
    match fixed {
        Fixed::Hs256 => {
            use hmac::Mac;
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&crate::hs256_secret()) else {
                panic!("hmac key")
            };
            mac.update(signing_input);
            mac.verify_slice(sig).is_ok()
        }
        Fixed::Es256 => {
            use p256::ecdsa::signature::Verifier;
            let Ok(sig) = p256::ecdsa::Signature::from_slice(sig) else { return false };
            p256_key().verify(signing_input, &sig).is_ok()
        }
        Fixed::EdDSA => {
            let mut expected = [0u8; 64];
            match key(fixed).sign_raw(signing_input, &mut expected) {
                Ok(64) => sig == expected,
                other => panic!("Ed25519 sign_raw: {other:?}"),
            }
        }
    }
}

fn alg_name(fixed: Fixed) -> &'static str {
    match fixed {
        Fixed::Hs256 => "HS256",
        Fixed::Es256 => "ES256",
        Fixed::EdDSA => "EdDSA",
    }
}

/// The model's verdict on `token` for the key `fixed` under `policy` at [`NOW`].
pub fn reference(fixed: Fixed, token: &[u8], policy: &Policy) -> Verdict {
    if token.len() > ciphertoken::DEFAULT_MAX_TOKEN_LEN {
        return Verdict::BeforeKey;
    }
    // RFC 7515 §7.1: three non-empty segments.
    let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    let [h, p, s] = parts.as_slice() else { return Verdict::BeforeKey };
    if h.is_empty() || p.is_empty() || s.is_empty() || h.len() > ciphertoken::MAX_HEADER_B64_LEN {
        return Verdict::BeforeKey;
    }
    let Some(header_json) = std::str::from_utf8(h).ok().and_then(b64d) else {
        return Verdict::BeforeKey;
    };
    let header_obj = match model::strict_object(&header_json) {
        Strict::Valid(o) => o,
        Strict::Invalid => return Verdict::BeforeKey,
        Strict::Unknown => return Verdict::Unknown,
    };
    let header = match model::header(&header_obj) {
        HeaderVerdict::Accept(h) => h,
        HeaderVerdict::Refuse => return Verdict::BeforeKey,
        HeaderVerdict::DependsOnBuild => return Verdict::Unknown,
    };
    if !policy.header_ok(&header) {
        return Verdict::BeforeKey;
    }
    if header.kid.as_ref().is_some_and(|k| k.len() > MAX_KID_LEN) {
        return Verdict::BeforeKey;
    }
    // RFC 8725 §3.1: the key decides the algorithm.
    if header.alg != alg_name(fixed) {
        return Verdict::AlgorithmMismatch;
    }
    let signing_input = &token[..h.len() + 1 + p.len()];
    let Some(sig) = std::str::from_utf8(s).ok().and_then(b64d) else { return Verdict::Signature };
    if !signature_ok(fixed, signing_input, &sig) {
        return Verdict::Signature;
    }
    let Some(payload) = std::str::from_utf8(p).ok().and_then(b64d) else {
        return Verdict::AfterSignature;
    };
    let payload_obj = match model::strict_object(&payload) {
        Strict::Valid(o) => o,
        Strict::Invalid => return Verdict::AfterSignature,
        Strict::Unknown => return Verdict::Unknown,
    };
    let Some(claims) = model::claims(&payload_obj) else { return Verdict::AfterSignature };
    if !policy.claims_ok(&claims, NOW) {
        return Verdict::AfterSignature;
    }
    Verdict::Accept(Box::new(claims))
}

/// Verifies `token` with ciphertoken and asserts that it agrees with the model.
pub fn check(fixed: Fixed, token: &[u8], policy: &Policy) {
    let vk = verifying_key(fixed);
    let validation = policy.validation();
    let clock = FixedClock(NOW);
    let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let got = ciphertoken::verify_registered(token, vk, &validation, &clock, &mut scratch);
    let want = reference(fixed, token, policy);
    match (&got, &want) {
        (_, Verdict::Unknown) => {}
        (Ok((_, claims, payload)), Verdict::Accept(m)) => {
            model::assert_same_claims(claims, m);
            let p = token.split(|&b| b == b'.').nth(1).unwrap_or_default();
            assert_eq!(Some(payload.to_vec()), std::str::from_utf8(p).ok().and_then(b64d));
        }
        (Err(Error::AlgorithmMismatch), Verdict::AlgorithmMismatch) => {}
        (Err(Error::InvalidSignature), Verdict::Signature) => {}
        (Err(e), Verdict::BeforeKey | Verdict::AfterSignature)
            if !matches!(
                e,
                Error::InvalidSignature | Error::AlgorithmMismatch | Error::BufferTooSmall { .. }
            ) => {}
        _ => panic!(
            "ciphertoken and the model disagree on {:?} (policy {policy:?}):\n  ciphertoken: {got:?}\n  model: \
             {want:?}",
            String::from_utf8_lossy(token)
        ),
    }

    // The typed entry point agrees on every refusal (its serde step may refuse more).
    let mut scratch2 = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
    let typed =
        ciphertoken::verify::<serde::de::IgnoredAny, _>(token, vk, &validation, &clock, &mut scratch2);
    match (&got, &typed) {
        (Ok(_), Ok(_)) | (Ok(_), Err(Error::ClaimsDeserialization)) => {}
        (Err(a), Err(b)) if a == b => {}
        _ => panic!("verify and verify_registered disagree: {typed:?} vs {got:?}"),
    }

    // The unverified header peek never panics and never contradicts the verified header.
    let mut scratch3 = vec![0u8; token.len()];
    let peek = ciphertoken::hazmat::decode_header(token, &mut scratch3);
    if let (Ok((header, _, _)), Ok(peeked)) = (&got, &peek) {
        assert_eq!(header, peeked);
    }
}

/// The valid token that mode 1 mutates: every registered claim, accepted by policies 0–2 and 4.
pub fn valid_token(fixed: Fixed) -> &'static [u8] {
    static TOKENS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let tokens = TOKENS.get_or_init(|| {
        [Fixed::Hs256, Fixed::Es256, Fixed::EdDSA]
            .iter()
            .map(|&f| {
                let claims = format!(
                    r#"{{"iss":"joe","sub":"dev","aud":["api","b"],"exp":{},"nbf":{},"iat":{},"jti":"j-1","type":"access","ver":3,"fam":"f"}}"#,
                    NOW + 300,
                    NOW - 10,
                    NOW - 10
                );
                let key = key(f).clone().with_kid("k1").unwrap_or_else(|e| panic!("kid: {e:?}"));
                let mut out = [0u8; 512];
                match ciphertoken::sign_json(&key, claims.as_bytes(), &mut out) {
                    Ok(t) => t.as_bytes().to_vec(),
                    Err(e) => panic!("sign_json: {e:?}"),
                }
            })
            .collect()
    });
    let i = match fixed {
        Fixed::Hs256 => 0,
        Fixed::Es256 => 1,
        Fixed::EdDSA => 2,
    };
    &tokens[i]
}

const SPECIAL: [u8; 10] = [b'.', b'=', b'+', b'/', b' ', b'\n', 0, 0xff, b'-', b'_'];

/// Applies the 4-byte edit commands in `cmds` to `token`.
pub fn mutate(mut token: Vec<u8>, cmds: &[u8]) -> Vec<u8> {
    for c in cmds.chunks_exact(4) {
        let (op, pos, val) = (c[0], usize::from(u16::from_le_bytes([c[1], c[2]])), c[3]);
        let len = token.len();
        let at = if len == 0 { 0 } else { pos % len };
        match op % 8 {
            0 if len > 0 => token[at] ^= 1 << (val % 8),
            1 if len > 0 => token[at] = val,
            2 => token.insert(pos % (len + 1), val),
            3 if len > 0 => {
                token.remove(at);
            }
            4 => token.truncate(pos % (len + 1)),
            5 => {
                let mut segs: Vec<Vec<u8>> = token.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
                let n = segs.len();
                segs.swap(usize::from(val) % n, usize::from(val / 16) % n);
                token = segs.join(&b'.');
            }
            6 if len > 0 => token[at] = SPECIAL[usize::from(val) % SPECIAL.len()],
            7 if len > 0 => {
                let end = (at + 1 + usize::from(val % 16)).min(len);
                let copy = token[at..end].to_vec();
                token.splice(at..at, copy);
            }
            _ => {}
        }
    }
    token
}

/// Signs `header` and `payload` (raw JSON bytes) with `fixed`'s key, whatever they contain.
pub fn forge(fixed: Fixed, header: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut token = format!("{}.{}", b64e(header), b64e(payload)).into_bytes();
    let mut sig = [0u8; 64];
    let n = match key(fixed).sign_raw(&token, &mut sig) {
        Ok(n) => n,
        Err(e) => panic!("sign_raw: {e:?}"),
    };
    token.push(b'.');
    token.extend_from_slice(b64e(&sig[..n]).as_bytes());
    token
}

/// The body of a verify target.
pub fn run(fixed: Fixed, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let policy = Policy::pick(usize::from(selector / 3) % POLICIES);
    match selector % 3 {
        0 => check(fixed, rest, &policy),
        1 => {
            let original = valid_token(fixed);
            let token = mutate(original.to_vec(), rest);
            check(fixed, &token, &policy);
            // A changed token that still verifies must have the same signing input: the
            // fuzzer cannot forge (this holds whatever the policy, so use the loosest).
            let loose = Policy::pick(0);
            let vk = verifying_key(fixed);
            let mut scratch = vec![0u8; ciphertoken::verify_scratch_len(token.len())];
            let res = ciphertoken::verify_registered(
                &token,
                vk,
                &loose.validation(),
                &FixedClock(NOW),
                &mut scratch,
            );
            if res.is_ok() && token != original {
                let cut = |t: &[u8]| t.iter().rposition(|&b| b == b'.').map(|i| t[..i].to_vec());
                assert_eq!(cut(&token), cut(original), "a modified signing input verified");
                assert_eq!(fixed, Fixed::Es256, "a modified HS256/EdDSA signature verified");
            }
        }
        _ => {
            let (header, payload) = match rest.iter().position(|&b| b == 0) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &b"{}"[..]),
            };
            check(fixed, &forge(fixed, header, payload), &policy);
        }
    }
}
