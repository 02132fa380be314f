//! Signing: the header, the claims and the signature written into the caller's buffer.
//!
//! One function writes every token: [`sign_with`]. It takes what produces the signature
//! (a [`JwsSigner`]: a [`SigningKey`](crate::SigningKey), or an external signer's
//! [`ExternalKey`](crate::ExternalKey)) and a writer of the
//! claims JSON, lays the token out once from lengths (arithmetic, no trial signature),
//! writes the claims JSON once at the end of the token's space, checks it once (skipped
//! when the caller's bytes were checked already, as `sign_json` does), encodes it in
//! place, writes the header, and asks the source for the signature over the signing input.

use crate::codec::base64url;
use crate::codec::ser::{self, Sink, SliceSink};
use crate::jwt::claims::RegisteredClaims;
use crate::jwt::size::{MAX_SIGNATURE_LEN, MAX_SIGNED_HEADER_JSON_LEN};
use crate::keys::signer::JwsSigner;
use crate::{Algorithm, Error};
use serde::Serialize;

/// Whether [`sign_with`] checks the claims JSON it wrote (RFC 7519 §7.1 step 2: one strict
/// object whose registered claims are well-formed) or was handed bytes already checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimsCheck {
    /// Parse strictly after writing (serde output, merged life-cycle claims).
    Strict,
    /// The bytes were checked by the caller just before (`sign_json`).
    AlreadyChecked,
}

/// Writes the header JSON for `alg` and `kid` into `out`, returning its length.
fn write_header(alg: Algorithm, kid: Option<&str>, out: &mut [u8]) -> Result<usize, Error> {
    let mut sink = SliceSink { out, len: 0 };
    sink.put(b"{\"alg\":\"")?;
    sink.put(alg.name().as_bytes())?;
    sink.put(b"\",\"typ\":\"JWT\"")?;
    if let Some(kid) = kid {
        sink.put(b",\"kid\":\"")?;
        ser::escape_into(kid, |b| sink.put(b))?;
        sink.put(b"\"")?;
    }
    sink.put(b"}")?;
    Ok(sink.len)
}

/// The exact length of the token `sign` would produce.
///
/// # Errors
/// [`Error::ClaimsSerialization`] when the claims cannot be serialized.
pub fn token_len<T: Serialize + ?Sized, K: JwsSigner + ?Sized>(key: &K, claims: &T) -> Result<usize, Error> {
    let mut header = [0u8; MAX_SIGNED_HEADER_JSON_LEN];
    let header_len = write_header(key.algorithm(), key.kid(), &mut header)?;
    let claims_len = ser::serialized_len(claims)?;
    let parts = [
        base64url::encoded_len(header_len),
        base64url::encoded_len(claims_len),
        base64url::encoded_len(key.algorithm().signature_len()),
    ];
    parts.iter().try_fold(2usize, |acc, p| acc.checked_add((*p)?)).ok_or(Error::TooLong)
}

/// Signs `claims` with `key` into `out` and returns the token.
///
/// The header is `{"alg":…,"typ":"JWT"}` plus `kid` when the key has one. Signatures are
/// deterministic (no RNG). Nothing is written unless the whole token fits: a short buffer
/// gives [`Error::BufferTooSmall`] with the exact size needed.
///
/// # Errors
/// [`Error::BufferTooSmall`], [`Error::ClaimsSerialization`], [`Error::SignerFailed`] (an
/// external signer failed; the output is wiped).
///
/// `key` is any [`JwsSigner`]: a [`SigningKey`](crate::SigningKey) or a key in hardware
/// ([`ExternalKey`](crate::ExternalKey)).
///
/// ```
/// # #[cfg(feature = "hs")] {
/// use ciphertoken::{sign, verify, FixedClock, SigningKey, Validation};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Claims<'a> { sub: &'a str, exp: u64 }
///
/// let key = SigningKey::hs256(b"0123456789abcdef0123456789abcdef")?;
/// let mut out = [0u8; 256];
/// let token = sign(&key, &Claims { sub: "dev-1", exp: 2_000_000_000 }, &mut out)?;
///
/// let mut scratch = [0u8; 256];
/// let ok = verify::<Claims, _>(token, &key.verifying_key(), &Validation::new(),
///                              &FixedClock(1_900_000_000), &mut scratch)?;
/// assert_eq!(ok.claims().sub, "dev-1");
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub fn sign<'o, T: Serialize + ?Sized, K: JwsSigner + ?Sized>(
    key: &K,
    claims: &T,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let claims_len = ser::serialized_len(claims)?;
    sign_with(key, claims_len, |sink| ser::to_sink(claims, sink), ClaimsCheck::Strict, out)
}

/// Signs an already serialized claims object (`claims_json`, a JSON object) with `key`.
///
/// The JSON is validated strictly first (one object, no duplicate names, bounded depth) and
/// its registered claims must be well-formed, so a token this library signs is one it
/// would accept. The bytes are signed exactly as given.
///
/// # Errors
/// [`Error::InvalidJson`], [`Error::InvalidClaim`], [`Error::BufferTooSmall`],
/// [`Error::SignerFailed`].
///
/// ```
/// # #[cfg(feature = "hs")] {
/// let key = ciphertoken::SigningKey::hs256(&[1u8; 32])?;
/// let mut out = [0u8; 200];
/// let token = ciphertoken::sign_json(&key, br#"{"sub":"a","exp":2000000000}"#, &mut out)?;
/// assert_eq!(token.split('.').count(), 3);
/// assert!(ciphertoken::sign_json(&key, br#"{"sub":"a","sub":"b"}"#, &mut out).is_err());
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
pub fn sign_json<'o, K: JwsSigner + ?Sized>(
    key: &K,
    claims_json: &[u8],
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    // Checked once, here; `sign_with` then copies the bytes without parsing them again.
    RegisteredClaims::parse(claims_json)?;
    sign_with(key, claims_json.len(), |sink| sink.put(claims_json), ClaimsCheck::AlreadyChecked, out)
}

/// **The** signing function: writes the token for `signer` and the `claims_len`-byte
/// claims JSON that `write_claims` produces into `out`.
///
/// Lengths first (arithmetic: header, payload and signature encodings), so a short `out`
/// gets [`Error::BufferTooSmall`] with the exact size before anything is written; then the
/// claims JSON once, at the end of the token's space; `check` decides whether it is parsed
/// strictly (never sign what a verifier would refuse); the payload is encoded in place,
/// the header before it, and `signer` signs the signing input in place. On any failure the
/// token's space is zeroed: no partial token is left behind.
pub(crate) fn sign_with<'o, S: JwsSigner + ?Sized>(
    signer: &S,
    claims_len: usize,
    write_claims: impl FnOnce(&mut SliceSink<'_>) -> Result<(), Error>,
    check: ClaimsCheck,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let alg = signer.algorithm();
    let mut header = [0u8; MAX_SIGNED_HEADER_JSON_LEN];
    let header_len = write_header(alg, signer.kid(), &mut header)?;
    let header = header.get(..header_len).ok_or(Error::Internal)?;
    let header_b64 = base64url::encoded_len(header_len).ok_or(Error::TooLong)?;
    let payload_b64 = base64url::encoded_len(claims_len).ok_or(Error::TooLong)?;
    let sig_b64 = base64url::encoded_len(alg.signature_len()).ok_or(Error::TooLong)?;
    let payload_start = header_b64.checked_add(1).ok_or(Error::TooLong)?;
    let signing_input_len = payload_start.checked_add(payload_b64).ok_or(Error::TooLong)?;
    let needed =
        signing_input_len.checked_add(1).and_then(|n| n.checked_add(sig_b64)).ok_or(Error::TooLong)?;
    let Some(out) = out.get_mut(..needed) else {
        return Err(Error::BufferTooSmall { needed });
    };
    let layout = Layout { payload_start, signing_input_len, claims_len, check };
    match write_token(signer, header, write_claims, out, layout) {
        Ok(()) => core::str::from_utf8(out).map_err(|_| Error::Internal),
        Err(e) => {
            // Never leave a partial token behind.
            out.fill(0);
            Err(e)
        }
    }
}

struct Layout {
    payload_start: usize,
    signing_input_len: usize,
    claims_len: usize,
    check: ClaimsCheck,
}

/// Base64url-encodes `buf[src..src + n]` into `buf[dst..]` in place (`dst < src`), in
/// 36-byte chunks copied out first; fails rather than overwrite input not yet read.
fn encode_in_place(buf: &mut [u8], src: usize, n: usize, dst: usize) -> Result<(), Error> {
    let end = src.checked_add(n).ok_or(Error::TooLong)?;
    let (mut read, mut write) = (src, dst);
    while read < end {
        let take = end.saturating_sub(read).min(36);
        let next = read.saturating_add(take);
        let mut chunk = [0u8; 36];
        let chunk = chunk.get_mut(..take).ok_or(Error::Internal)?;
        crate::copy_bytes(chunk, buf.get(read..next).ok_or(Error::Internal)?);
        let written = base64url::encoded_len(take).ok_or(Error::TooLong)?;
        let write_end = write.checked_add(written).ok_or(Error::TooLong)?;
        if write_end > next {
            return Err(Error::Internal);
        }
        base64url::encode(chunk, buf.get_mut(write..write_end).ok_or(Error::Internal)?)?;
        read = next;
        write = write_end;
    }
    Ok(())
}

fn write_token<S: JwsSigner + ?Sized>(
    signer: &S,
    header: &[u8],
    write_claims: impl FnOnce(&mut SliceSink<'_>) -> Result<(), Error>,
    out: &mut [u8],
    layout: Layout,
) -> Result<(), Error> {
    // 1. The claims JSON goes at the very end of the token's space (over the signature's
    //    place), where it can be checked as plain JSON and then encoded in place.
    let json_start = out.len().checked_sub(layout.claims_len).ok_or(Error::Internal)?;
    let mut sink = SliceSink { out: out.get_mut(json_start..).ok_or(Error::Internal)?, len: 0 };
    write_claims(&mut sink)?;
    if sink.len != layout.claims_len {
        // The claims serialized differently the second time.
        return Err(Error::ClaimsSerialization);
    }
    // 2. Never sign what a verifier would refuse: one strict JSON object, no duplicate
    //    names, registered claims of the right types (RFC 7519 §4, RFC 7515 §4) — unless
    //    the caller checked these very bytes just before.
    if layout.check == ClaimsCheck::Strict {
        RegisteredClaims::parse(out.get(json_start..).ok_or(Error::Internal)?)?;
    }
    // 3. Encode the payload into its place, then the header before it.
    encode_in_place(out, json_start, layout.claims_len, layout.payload_start)?;
    let (signing_input, sig_part) =
        out.split_at_mut_checked(layout.signing_input_len).ok_or(Error::Internal)?;
    let (header_part, _) = signing_input.split_at_mut_checked(layout.payload_start).ok_or(Error::Internal)?;
    let (dot, header_part) = header_part.split_last_mut().ok_or(Error::Internal)?;
    base64url::encode(header, header_part)?;
    *dot = b'.';
    let mut signature = [0u8; MAX_SIGNATURE_LEN];
    let sig_len = signer.sign_input(signing_input, &mut signature)?;
    if sig_len != signer.algorithm().signature_len() {
        return Err(Error::Internal);
    }
    // The signature is the public output: declassified here (`crate::ct`), so that encoding
    // it and checking the token text only ever see public data.
    let signature = crate::ct::declassify_bytes(&signature);
    let (dot, sig_part) = sig_part.split_first_mut().ok_or(Error::Internal)?;
    *dot = b'.';
    base64url::encode(signature.get(..sig_len).ok_or(Error::Internal)?, sig_part)?;
    Ok(())
}
