//! `ctgrind`: every secret-bearing operation of ciphertoken, run under valgrind memcheck with
//! its secret inputs marked undefined (the "ctgrind" technique of BoringSSL and BearSSL).
//! Memcheck then reports any conditional jump and any memory address computed from a secret;
//! `cargo xtask ct` runs this binary with `--error-exitcode` so that any report fails.
//!
//! What is declassified (marked defined again), and only that: outputs that are public by
//! design — a signature or MAC tag once produced, a token, the accepted/refused answer of a
//! verification (the `Result` discriminant), a public key derived from a private one. Each
//! place is a `vg::public*` call below, named in SECURITY.md.
//!
//! Run natively it only checks the cases work (every operation gives the expected result);
//! the constant-time proof is the run under valgrind.

#![allow(dead_code)]

mod vg;

// The CLI's key readers, compiled in from cli/src so the checked code is the CLI's own.
#[path = "../../cli/src/exit.rs"]
mod exit;
#[path = "../../cli/src/io.rs"]
mod io;
#[path = "../../cli/src/jwk.rs"]
mod jwk;
#[path = "../../cli/src/keys.rs"]
mod keys;
#[path = "../../cli/src/pkcs.rs"]
mod pkcs;

use ciphertoken::hazmat::{RawSigner, RawVerifier};
use ciphertoken::{Algorithm, Error, SigningKey, VerifyingKey};
use std::process::ExitCode;

const MESSAGE: &[u8] = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtNyIsImV4cCI6MTkwMDAwMDAwMH0";

/// A secret of `n` bytes (fixed, non-trivial values; the checks mark them undefined).
fn secret_bytes<const N: usize>(seed: u8) -> [u8; N] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(seed) | 1)
}

/// Declassifies and returns a result: its discriminant (and payload) is public by design.
fn public_result<T>(r: Result<T, Error>) -> Result<T, Error> {
    vg::public_value(&r);
    core::hint::black_box(r)
}

/// Signs `MESSAGE` with a key built from `secret` (marked undefined first) and returns the
/// signature, declassified (a signature is public once produced).
fn sign_with(build: impl Fn(&[u8]) -> Result<SigningKey, Error>, secret: &[u8]) -> Result<Vec<u8>, String> {
    let secret = secret.to_vec();
    vg::secret(&secret);
    let key = build(&secret).map_err(|e| format!("key: {e}"))?;
    let mut sig = [0u8; 64];
    let n = key.sign_raw(MESSAGE, &mut sig).map_err(|e| format!("sign: {e}"))?;
    vg::public(&sig[..n]);
    Ok(sig[..n].to_vec())
}

/// One case: a name and a check returning an error text on failure.
type Case = (&'static str, fn() -> Result<(), String>);

fn hmac_case(alg: Algorithm, len: usize) -> Result<(), String> {
    let secret: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(29) ^ 0x5c).collect();
    // Key from raw bytes, then a MAC (the key schedule: pads, inner/outer states).
    let tag = sign_with(|s| SigningKey::hmac(alg, s), &secret)?;
    // Token signing end to end (header, claims, tag, base64url of the tag).
    {
        let s = secret.clone();
        vg::secret(&s);
        let key = SigningKey::hmac(alg, &s).map_err(|e| e.to_string())?;
        let mut out = [0u8; 512];
        let claims = br#"{"sub":"device-7","exp":1900000000}"#;
        let token =
            ciphertoken::sign_json(&key, claims, &mut out).map(|t| t.len()).map_err(|e| e.to_string())?;
        vg::public(&out[..token]);
        if !out[..token].starts_with(b"eyJ") {
            return Err("token shape".into());
        }
    }
    // Verification: the key is secret, the tag public. Only the final answer is declassified:
    // the tag comparison itself must not branch on the secret-derived expected tag.
    let s = secret.clone();
    vg::secret(&s);
    let vk = VerifyingKey::hmac(alg, &s).map_err(|e| e.to_string())?;
    public_result(vk.verify_raw(MESSAGE, &tag)).map_err(|e| format!("verify: {e}"))?;
    // A tag differing in its first byte, its last byte and in every byte.
    for pos in [0, tag.len() - 1] {
        let mut bad = tag.clone();
        bad[pos] ^= 1;
        if public_result(vk.verify_raw(MESSAGE, &bad)) != Err(Error::InvalidSignature) {
            return Err(format!("a tag differing at {pos} verified"));
        }
    }
    let zeros = vec![0u8; tag.len()];
    if public_result(vk.verify_raw(MESSAGE, &zeros)) != Err(Error::InvalidSignature) {
        return Err("a zero tag verified".into());
    }
    // A whole token through the verify pipeline with the secret key: nothing declassified
    // by the harness (the library's own declassification of the MAC answer is all there is).
    let key = SigningKey::hmac(alg, &secret).map_err(|e| e.to_string())?;
    let mut out = [0u8; 512];
    let claims = br#"{"sub":"device-7","exp":1900000000}"#;
    let token = ciphertoken::sign_json(&key, claims, &mut out).map_err(|e| e.to_string())?.to_owned();
    let mut scratch = [0u8; 512];
    let validation = ciphertoken::Validation::new();
    let clock = ciphertoken::FixedClock(1_800_000_000);
    ciphertoken::verify_registered(&token, &vk, &validation, &clock, &mut scratch)
        .map_err(|e| format!("token verify: {e}"))?;
    let mut forged = token.into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    match ciphertoken::verify_registered(&forged, &vk, &validation, &clock, &mut scratch) {
        Err(Error::InvalidSignature) => Ok(()),
        other => Err(format!("forged token: {:?}", other.map(|_| ()))),
    }
}

fn es256_case() -> Result<(), String> {
    let scalar = secret_bytes::<32>(0x42);
    let sig = sign_with(SigningKey::es256, &scalar)?;
    // The verifying key is public: check the signature natively against p256's.
    let key = SigningKey::es256(&scalar).map_err(|e| e.to_string())?;
    let vk = key.verifying_key();
    vg::public_value(&vk);
    vk.verify_raw(MESSAGE, &sig).map_err(|e| format!("verify: {e}"))?;
    // Deterministic (RFC 6979): the same signature twice.
    if sign_with(SigningKey::es256, &scalar)? != sig {
        return Err("ES256 signatures differ".into());
    }
    Ok(())
}

fn ed25519_case() -> Result<(), String> {
    let seed = secret_bytes::<32>(0x24);
    let sig = sign_with(SigningKey::ed25519, &seed)?;
    let key = SigningKey::ed25519(&seed).map_err(|e| e.to_string())?;
    let vk = key.verifying_key();
    vg::public_value(&vk);
    vk.verify_raw(MESSAGE, &sig).map_err(|e| format!("verify: {e}"))
}

/// Public key derivation from a secret key (published in JWKs, C `ct_key_public_key`).
fn public_key_case() -> Result<(), String> {
    for (alg, len) in [(Algorithm::ES256, 65), (Algorithm::EdDSA, 32)] {
        let secret = secret_bytes::<32>(0x11);
        vg::secret(&secret);
        let key = match alg {
            Algorithm::ES256 => SigningKey::es256(&secret),
            _ => SigningKey::ed25519(&secret),
        }
        .map_err(|e| e.to_string())?;
        let vk = key.verifying_key();
        let mut out = [0u8; 65];
        let n = vk.public_key_bytes(&mut out).map_err(|e| e.to_string())?;
        vg::public(&out[..n]);
        if n != len {
            return Err(format!("{alg}: public key of {n} bytes"));
        }
    }
    Ok(())
}

/// The secret's range of `text` (a JSON document) between `"name":"` and the next quote.
fn member_range(text: &[u8], name: &str) -> Result<core::ops::Range<usize>, String> {
    let pat = format!("\"{name}\"");
    let at = text.windows(pat.len()).position(|w| w == pat.as_bytes()).ok_or(format!("no `{name}`"))?;
    let rest = at + pat.len();
    let quote = text[rest..].iter().position(|&c| c == b'"').ok_or("no value")?;
    let start = rest + quote + 1;
    let len = text[start..].iter().position(|&c| c == b'"').ok_or("unterminated")?;
    Ok(start..start + len)
}

/// An `oct` JWK's `k` through the core's JWK Set reader: the secret is the base64url text.
fn core_jwk_oct_case() -> Result<(), String> {
    use ciphertoken::jwk::JwkSet;
    let secret = secret_bytes::<32>(0x33);
    let mut k = [0u8; 43];
    let n = ciphertoken::hazmat::base64url::encode(&secret, &mut k).map_err(|e| e.to_string())?;
    let doc = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"h1","alg":"HS256","k":"{}"}}]}}"#,
        std::str::from_utf8(&k[..n]).map_err(|e| e.to_string())?
    );
    let doc = doc.into_bytes();
    let range = member_range(&doc, "k")?;
    // The document's structure (where each string starts and ends) is public; the JSON
    // reader finds it by comparing every byte with `"` and `\`, which memcheck cannot tell
    // apart from a secret-dependent branch. So the set is read first, then `k`'s characters
    // are marked secret for everything that handles their value: the shape check again
    // (`base64ct::decoded_len`), the constant-time decoding and the HMAC key schedule.
    let set = JwkSet::<2>::from_trusted(&doc).map_err(|e| format!("JWK Set: {e}"))?;
    let jwk = set.keys().first().ok_or("no key kept")?;
    vg::secret(&doc[range.clone()]);
    let len = ciphertoken::hazmat::base64ct::decoded_len(&doc[range]).ok_or(Error::InvalidBase64);
    if public_result(len).map_err(|e| e.to_string())? != 32 {
        return Err("k: wrong length".into());
    }
    let vk = jwk.verifying_key(Algorithm::HS256).map_err(|e| e.to_string())?;
    // The key made from the JWK verifies a tag made from the raw secret.
    let mut tag = [0u8; 32];
    SigningKey::hs256(&secret).and_then(|k| k.sign_raw(MESSAGE, &mut tag)).map_err(|e| e.to_string())?;
    public_result(vk.verify_raw(MESSAGE, &tag)).map_err(|e| format!("verify: {e}"))
}

/// Loads `bytes` with the CLI's reader after marking `secret` (a range of it) undefined,
/// then signs with the key; the signature is declassified and compared with `want`.
fn cli_load(
    bytes: &[u8],
    secret: core::ops::Range<usize>,
    format: keys::InFormat,
    alg: Option<keys::AlgArg>,
    want: &[u8],
) -> Result<(), String> {
    let bytes = bytes.to_vec();
    vg::secret(&bytes[secret]);
    let loaded = keys::decode(&bytes, format, alg, false);
    let key = match loaded {
        Ok(keys::Loaded::One(k)) => k,
        Ok(_) => return Err("a key set".into()),
        Err(e) => return Err(format!("load: {}", e.message)),
    };
    let signing = key.signing_key().map_err(|e| e.message)?;
    let mut sig = [0u8; 64];
    let n = signing.sign_raw(MESSAGE, &mut sig).map_err(|e| e.to_string())?;
    vg::public(&sig[..n]);
    if &sig[..n] != want {
        return Err("the loaded key signs differently".into());
    }
    Ok(())
}

/// The base64 characters of a PEM body that encode only bytes of `inner` (a range of the
/// DER), as positions in the PEM text: characters mixing secret and public bits are left
/// defined (a few edge bits of the secret are not tracked; the structure around it is public).
fn pem_secret_chars(pem: &[u8], inner: core::ops::Range<usize>) -> Vec<usize> {
    let body_start = pem.iter().position(|&c| c == b'\n').map_or(0, |p| p + 1);
    let first_char = (inner.start * 8).div_ceil(6);
    let last_char = (inner.end * 8) / 6; // exclusive
    let mut out = Vec::new();
    let mut index = 0usize;
    for (pos, &c) in pem.iter().enumerate().skip(body_start) {
        if c == b'-' {
            break;
        }
        if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' {
            if index >= first_char && index < last_char {
                out.push(pos);
            }
            index += 1;
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Result<core::ops::Range<usize>, String> {
    let at = hay.windows(needle.len()).position(|w| w == needle).ok_or("secret not found in the encoding")?;
    Ok(at..at + needle.len())
}

fn cli_case(alg: keys::AlgArg, secret: &[u8]) -> Result<(), String> {
    use keys::{InFormat, Key, Material, OutFormat};
    let material = match alg {
        keys::AlgArg::Es256 => Material::Es256Private(keys::fixed_secret(secret).map_err(|e| e.message)?),
        keys::AlgArg::Ed25519 => Material::Ed25519Private(keys::fixed_secret(secret).map_err(|e| e.message)?),
        _ => Material::Hmac { alg: alg.algorithm(), secret: zeroize::Zeroizing::new(secret.to_vec()) },
    };
    let key = Key::new(material).map_err(|e| e.message)?;
    let want = {
        let mut sig = [0u8; 64];
        let k = key.signing_key().map_err(|e| e.message)?;
        let n = k.sign_raw(MESSAGE, &mut sig).map_err(|e| e.to_string())?;
        sig[..n].to_vec()
    };
    // Raw bytes: the whole file is the secret.
    cli_load(secret, 0..secret.len(), InFormat::Raw, Some(alg), &want).map_err(|e| format!("raw: {e}"))?;
    // JWK: serde_json finds the document's structure by comparing every byte with `"` and
    // `\` (and indexes its escape table by each byte), which memcheck cannot tell from a
    // secret-dependent branch; the document is read natively, then the member's value
    // decoder (the CLI's `b64`, constant-time) runs on the secret text.
    let jwk = key.encode(OutFormat::Jwk).map_err(|e| e.message)?;
    let member = if key.is_hmac() { "k" } else { "d" };
    let range = member_range(&jwk.bytes, member)?;
    let text = std::str::from_utf8(&jwk.bytes[range]).map_err(|e| e.to_string())?.to_owned();
    vg::secret(text.as_bytes());
    let decoded = jwk::b64(member, &text).map_err(|e| format!("JWK: {}", e.message))?;
    vg::public(&decoded);
    if decoded[..] != *secret {
        return Err("JWK member decodes differently".into());
    }
    if std::env::var_os("CTGRIND_TEXT_CONTAINERS").is_none() {
        // Raw and DER done; PEM's container (pem-rfc7468's line reader) has the same
        // delimiter scanning as JSON: opt-in only (see SECURITY.md).
        if key.is_hmac() {
            return Ok(());
        }
        let der = key.encode(OutFormat::Pkcs8).map_err(|e| e.message)?;
        let inner = find(&der.bytes, secret)?;
        return cli_load(&der.bytes, inner, InFormat::Der, None, &want).map_err(|e| format!("DER: {e}"));
    }
    if key.is_hmac() {
        return Ok(()); // an HMAC secret has no PKCS#8/PEM form
    }
    // DER (PKCS#8): the secret's bytes inside the structure.
    let der = key.encode(OutFormat::Pkcs8).map_err(|e| e.message)?;
    let inner = find(&der.bytes, secret)?;
    cli_load(&der.bytes, inner.clone(), InFormat::Der, None, &want).map_err(|e| format!("DER: {e}"))?;
    // PEM: the base64 characters that encode only the secret's bytes.
    let pem = key.encode(OutFormat::Pem).map_err(|e| e.message)?;
    let chars = pem_secret_chars(&pem.bytes, inner);
    if chars.len() < 40 {
        return Err(format!("PEM: only {} secret characters found", chars.len()));
    }
    let mut text = pem.bytes.to_vec();
    let load = || -> Result<(), String> {
        for &c in &chars {
            vg::secret(&text[c..c + 1]);
        }
        let loaded = keys::decode(&text, InFormat::Pem, None, false);
        vg::public_value(&loaded);
        let key = match core::hint::black_box(loaded) {
            Ok(keys::Loaded::One(k)) => k,
            _ => return Err("PEM load".into()),
        };
        let signing = key.signing_key();
        vg::public_value(&signing);
        let mut sig = [0u8; 64];
        let n =
            public_result(signing.map_err(|_| Error::InvalidKey).and_then(|k| k.sign_raw(MESSAGE, &mut sig)))
                .map_err(|e| e.to_string())?;
        vg::public(&sig[..n]);
        if sig[..n] != want[..] {
            return Err("PEM key signs differently".into());
        }
        Ok(())
    };
    load().map_err(|e| format!("PEM: {e}"))?;
    text.clear();
    Ok(())
}

/// The constant-time codec on secret text and bytes, every length 0..=70.
fn base64ct_case() -> Result<(), String> {
    use ciphertoken::hazmat::base64ct;
    for len in 0..=70usize {
        let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(97) ^ 0xa5).collect();
        vg::secret(&data);
        let mut text = [0u8; 100];
        let n = public_result(base64ct::encode(&data, &mut text)).map_err(|e| e.to_string())?;
        // The encoding of a secret is secret too (a JWK `k`): decode it while still undefined.
        let mut back = [0u8; 80];
        let m = public_result(base64ct::decode(&text[..n], &mut back).map(|d| d.len()))
            .map_err(|e| e.to_string())?;
        let l = public_result(base64ct::decoded_len(&text[..n]).ok_or(Error::InvalidBase64))
            .map_err(|e| e.to_string())?;
        vg::public(&back[..m]);
        vg::public(&data);
        if back[..m] != data[..] || l != len {
            return Err(format!("round trip of {len} bytes"));
        }
    }
    Ok(())
}

/// The negative control: the table-driven decoder (for public token segments) indexes a
/// table by each character, which memcheck must report when the text is secret. Proves the
/// harness detects what it is meant to (run only under valgrind; expects reports).
fn table_decoder_is_caught() -> Result<(), String> {
    if !vg::running_on_valgrind() {
        return Err("--control needs valgrind".into());
    }
    let text = b"c2VjcmV0LWtleS1tYXRlcmlhbC0zMi1ieXRlcyEhIQ".to_vec();
    vg::secret(&text);
    let before = vg::error_count();
    let mut out = [0u8; 64];
    let r = ciphertoken::hazmat::base64url::decode(&text, &mut out).map(|d| d.len());
    vg::public_value(&r);
    let caught = vg::error_count().saturating_sub(before);
    if caught == 0 {
        return Err("memcheck saw nothing: secrets are not being tracked".into());
    }
    println!("ctgrind --control: {caught} report(s) in the table-driven decoder on a secret, as expected");
    Ok(())
}

fn cases() -> Vec<Case> {
    vec![
        ("HS256 key + sign + token + verify", || hmac_case(Algorithm::HS256, 32)),
        ("HS384 key + sign + token + verify", || hmac_case(Algorithm::HS384, 48)),
        ("HS512 key + sign + token + verify", || hmac_case(Algorithm::HS512, 64)),
        ("HS256 long key (hashed first)", || hmac_case(Algorithm::HS256, 100)),
        ("ES256 key + sign", es256_case),
        ("Ed25519 key + sign", ed25519_case),
        ("public key from private", public_key_case),
        ("core JWK Set oct k", core_jwk_oct_case),
        ("base64ct encode/decode 0..=70 bytes", base64ct_case),
        ("CLI HS256 raw, JWK k", || cli_case(keys::AlgArg::Hs256, &secret_bytes::<32>(0x61))),
        ("CLI ES256 raw, JWK d, DER", || cli_case(keys::AlgArg::Es256, &secret_bytes::<32>(0x62))),
        ("CLI Ed25519 raw, JWK d, DER", || cli_case(keys::AlgArg::Ed25519, &secret_bytes::<32>(0x63))),
    ]
}

fn main() -> ExitCode {
    let filter: Option<String> = std::env::args().nth(1);
    if filter.as_deref() == Some("--control") {
        return match table_decoder_is_caught() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                println!("ctgrind --control: FAILED: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let on_valgrind = vg::running_on_valgrind();
    let backend = if cfg!(feature = "accel") { "es256-tables + eddsa-dalek" } else { "portable" };
    println!("ctgrind ({backend}){}", if on_valgrind { "" } else { " — not under valgrind: results only" });
    let mut failed = 0;
    let mut reported = 0;
    for (name, case) in cases() {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let before = vg::error_count();
        let outcome = case();
        let reports = vg::error_count().saturating_sub(before);
        reported += reports;
        match outcome {
            Ok(()) if reports == 0 => println!("  ok      {name}"),
            Ok(()) => println!("  REPORTS {name}: {reports} memcheck report(s)"),
            Err(e) => {
                failed += 1;
                println!("  FAILED  {name}: {e}");
            }
        }
    }
    if failed > 0 || reported > 0 {
        println!("ctgrind: {failed} case(s) failed, {reported} memcheck report(s)");
        ExitCode::FAILURE
    } else {
        println!(
            "ctgrind: every case constant-time{}",
            if on_valgrind { "" } else { " (not checked: run under valgrind)" }
        );
        ExitCode::SUCCESS
    }
}
