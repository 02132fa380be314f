//! Signing and verifying compact JWS tokens (RFC 7515 §7.1, RFC 7519 §7).

use crate::codec::base64url;
use crate::codec::ser::{self, Sink, SliceSink};
use crate::jws::header::{Header, MAX_HEADER_B64_LEN};
use crate::jwt::claims::RegisteredClaims;
use crate::keys::key::MAX_KID_LEN;
use crate::keys::signer::JwsSigner;
use crate::{Clock, Error, Validation, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The longest header this library writes, in bytes of JSON: `{"alg":"HS256","typ":"JWT",
/// "kid":"…"}` with a [`MAX_KID_LEN`]-byte kid in which every byte needs a two-byte escape
/// (36 bytes of fixed text: every `alg` name is 5 characters).
pub const MAX_SIGNED_HEADER_JSON_LEN: usize = 36 + 2 * MAX_KID_LEN;

/// The largest signature this library produces (HS*, ES256, EdDSA), in bytes. RSA
/// signatures (`rsa` feature, verify only) are up to 512 bytes. [`verify`] decodes every
/// signature into its scratch buffer, which [`verify_scratch_len`] sizes for it.
pub const MAX_SIGNATURE_LEN: usize = 64;

/// An upper bound on the length of a token whose claims serialize to `claims_json_len`
/// bytes, for any key (any algorithm, any kid): size output buffers at compile time.
///
/// ```
/// const CLAIMS_MAX: usize = 200;
/// let mut buf = [0u8; ciphertoken::max_token_len(CLAIMS_MAX)];
/// # let _ = &mut buf;
/// ```
pub const fn max_token_len(claims_json_len: usize) -> usize {
    let header = b64_len(MAX_SIGNED_HEADER_JSON_LEN);
    let payload = b64_len(claims_json_len);
    let signature = b64_len(MAX_SIGNATURE_LEN);
    header.saturating_add(payload).saturating_add(signature).saturating_add(2)
}

/// An upper bound on the scratch buffer [`verify`] needs for a token of `token_len` bytes.
///
/// ```
/// let scratch = [0u8; ciphertoken::verify_scratch_len(512)];
/// # let _ = scratch;
/// ```
pub const fn verify_scratch_len(token_len: usize) -> usize {
    base64url::decoded_len_max(token_len)
}

/// An upper bound on the scratch buffer [`verify`] needs for a token of `token_len` bytes
/// when the application's claims type holds owned strings (e.g. `heapless::String`) that
/// may arrive with JSON escapes (`\u00e9`, `\"`): room for the decoded token plus room to
/// unescape the longest string. With [`verify_scratch_len`] only, such a string fails with
/// [`Error::ClaimsDeserialization`] instead of being decoded.
///
/// ```
/// let scratch = [0u8; ciphertoken::verify_scratch_len_unescaped(512)];
/// # let _ = scratch;
/// ```
pub const fn verify_scratch_len_unescaped(token_len: usize) -> usize {
    base64url::decoded_len_max(token_len).saturating_mul(2)
}

const fn b64_len(n: usize) -> usize {
    match base64url::encoded_len(n) {
        Some(len) => len,
        None => usize::MAX,
    }
}

/// Writes the header JSON for `key` into `out`, returning its length.
fn write_header<K: JwsSigner + ?Sized>(key: &K, out: &mut [u8]) -> Result<usize, Error> {
    let mut sink = SliceSink { out, len: 0 };
    sink.put(b"{\"alg\":\"")?;
    sink.put(key.algorithm().name().as_bytes())?;
    sink.put(b"\",\"typ\":\"JWT\"")?;
    if let Some(kid) = key.kid() {
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
    let header_len = write_header(key, &mut header)?;
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
/// `key` is any [`JwsSigner`]: a [`SigningKey`](crate::SigningKey) or a key in hardware
/// ([`ExternalKey`](crate::ExternalKey)).
///
/// # Errors
/// [`Error::BufferTooSmall`], [`Error::ClaimsSerialization`], [`Error::SignerFailed`] (an
/// external signer failed; the output is wiped).
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
    sign_payload(key, claims_len, |sink| ser::to_sink(claims, sink), out)
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
    RegisteredClaims::parse(claims_json)?;
    sign_payload(key, claims_json.len(), |sink| sink.put(claims_json), out)
}

pub(crate) fn sign_payload<'o, K: JwsSigner + ?Sized>(
    key: &K,
    claims_len: usize,
    write_claims: impl FnOnce(&mut SliceSink<'_>) -> Result<(), Error>,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let mut header = [0u8; MAX_SIGNED_HEADER_JSON_LEN];
    let header_len = write_header(key, &mut header)?;
    let header = header.get(..header_len).ok_or(Error::Malformed)?;
    let header_b64 = base64url::encoded_len(header_len).ok_or(Error::TooLong)?;
    let payload_b64 = base64url::encoded_len(claims_len).ok_or(Error::TooLong)?;
    let sig_b64 = base64url::encoded_len(key.algorithm().signature_len()).ok_or(Error::TooLong)?;
    let payload_start = header_b64.checked_add(1).ok_or(Error::TooLong)?;
    let signing_input_len = payload_start.checked_add(payload_b64).ok_or(Error::TooLong)?;
    let needed =
        signing_input_len.checked_add(1).and_then(|n| n.checked_add(sig_b64)).ok_or(Error::TooLong)?;
    let Some(out) = out.get_mut(..needed) else {
        return Err(Error::BufferTooSmall { needed });
    };
    let layout = Layout { payload_start, signing_input_len, claims_len };
    match write_token(key, header, write_claims, out, layout) {
        Ok(()) => core::str::from_utf8(out).map_err(|_| Error::Malformed),
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
        let chunk = chunk.get_mut(..take).ok_or(Error::Malformed)?;
        crate::copy_bytes(chunk, buf.get(read..next).ok_or(Error::Malformed)?);
        let written = base64url::encoded_len(take).ok_or(Error::TooLong)?;
        let write_end = write.checked_add(written).ok_or(Error::TooLong)?;
        if write_end > next {
            return Err(Error::Malformed);
        }
        base64url::encode(chunk, buf.get_mut(write..write_end).ok_or(Error::Malformed)?)?;
        read = next;
        write = write_end;
    }
    Ok(())
}

fn write_token<K: JwsSigner + ?Sized>(
    key: &K,
    header: &[u8],
    write_claims: impl FnOnce(&mut SliceSink<'_>) -> Result<(), Error>,
    out: &mut [u8],
    layout: Layout,
) -> Result<(), Error> {
    // 1. The claims JSON goes at the very end of the token's space (over the signature's
    //    place), where it can be checked as plain JSON and then encoded in place.
    let json_start = out.len().checked_sub(layout.claims_len).ok_or(Error::Malformed)?;
    let mut sink = SliceSink { out: out.get_mut(json_start..).ok_or(Error::Malformed)?, len: 0 };
    write_claims(&mut sink)?;
    if sink.len != layout.claims_len {
        // The claims serialized differently the second time.
        return Err(Error::ClaimsSerialization);
    }
    // 2. Never sign what a verifier would refuse: one strict JSON object, no duplicate
    //    names, registered claims of the right types (RFC 7519 §4, RFC 7515 §4).
    RegisteredClaims::parse(out.get(json_start..).ok_or(Error::Malformed)?)?;
    // 3. Encode the payload into its place, then the header before it.
    encode_in_place(out, json_start, layout.claims_len, layout.payload_start)?;
    let (signing_input, sig_part) =
        out.split_at_mut_checked(layout.signing_input_len).ok_or(Error::Malformed)?;
    let (header_part, _) =
        signing_input.split_at_mut_checked(layout.payload_start).ok_or(Error::Malformed)?;
    let (dot, header_part) = header_part.split_last_mut().ok_or(Error::Malformed)?;
    base64url::encode(header, header_part)?;
    *dot = b'.';
    let mut signature = [0u8; MAX_SIGNATURE_LEN];
    let sig_len = key.sign_input(signing_input, &mut signature)?;
    let (dot, sig_part) = sig_part.split_first_mut().ok_or(Error::Malformed)?;
    *dot = b'.';
    base64url::encode(signature.get(..sig_len).ok_or(Error::Malformed)?, sig_part)?;
    Ok(())
}

/// A token whose signature and claims have been verified.
///
/// Everything borrows the caller's scratch buffer.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'s, T> {
    header: Header<'s>,
    registered: RegisteredClaims<'s>,
    claims: T,
}

impl<'s, T> Verified<'s, T> {
    /// The verified header (`alg`, `kid`, `typ`).
    pub fn header(&self) -> &Header<'s> {
        &self.header
    }

    /// The registered claims, parsed and validated by the library.
    pub fn registered(&self) -> &RegisteredClaims<'s> {
        &self.registered
    }

    /// The application's claims.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The application's claims, by value.
    pub fn into_claims(self) -> T {
        self.claims
    }
}

/// The three segments of a compact token, split strictly.
struct Segments<'t> {
    header: &'t [u8],
    payload: &'t [u8],
    signature: &'t [u8],
    signing_input: &'t [u8],
}

/// The index of the first `.` in `bytes` at or after `from`, eight bytes at a time.
fn find_dot(bytes: &[u8], from: usize) -> Option<usize> {
    const DOTS: u64 = u64::from_le_bytes([b'.'; 8]);
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut rest = bytes.get(from..)?;
    let mut pos = from;
    while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
        let x = u64::from_le_bytes(*chunk) ^ DOTS;
        // Flags the zero bytes of `x` (the dots); the lowest flag is always exact.
        let found = x.wrapping_sub(LOW) & !x & HIGH;
        if found != 0 {
            return pos.checked_add((found.trailing_zeros() / 8) as usize);
        }
        pos = pos.checked_add(8)?;
        rest = tail;
    }
    rest.iter().position(|&b| b == b'.').and_then(|i| i.checked_add(pos))
}

fn split(token: &[u8], max_len: usize) -> Result<Segments<'_>, Error> {
    if token.len() > max_len {
        return Err(Error::TooLong);
    }
    // RFC 7515 §7.1: exactly three segments separated by two periods.
    let dot = |from: usize| find_dot(token, from);
    let first = dot(0).ok_or(Error::Malformed)?;
    let second = dot(first.saturating_add(1)).ok_or(Error::Malformed)?;
    if dot(second.saturating_add(1)).is_some() {
        return Err(Error::Malformed);
    }
    let header = token.get(..first).ok_or(Error::Malformed)?;
    let payload = token.get(first.saturating_add(1)..second).ok_or(Error::Malformed)?;
    let signature = token.get(second.saturating_add(1)..).ok_or(Error::Malformed)?;
    let signing_input = token.get(..second).ok_or(Error::Malformed)?;
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(Error::Malformed);
    }
    if header.len() > MAX_HEADER_B64_LEN {
        return Err(Error::TooLong);
    }
    Ok(Segments { header, payload, signature, signing_input })
}

/// Decodes a token's header without verifying anything, to choose a key by `kid`.
///
/// **Unverified**: never trust what it returns beyond selecting among your own keys.
///
/// # Errors
/// As for [`verify`]'s parsing steps.
pub fn decode_header<'s>(token: &[u8], scratch: &'s mut [u8]) -> Result<Header<'s>, Error> {
    let seg = split(token, usize::MAX)?;
    let decoded = base64url::decode(seg.header, scratch)?;
    Header::parse(decoded)
}

/// Verifies `token` with `key` and validates it with `validation` at `clock`'s time.
///
/// Order: length limit; exactly three non-empty segments; canonical base64url; a strict
/// header whose `alg` equals the key's; the signature; a strict JSON payload; the registered
/// claims; then the application's claims `T`, which may borrow from `scratch`.
/// `scratch` needs [`verify_scratch_len`]`(token.len())` bytes at most, or
/// [`verify_scratch_len_unescaped`] when owned string claims may contain JSON escapes
/// (escapes are decoded into the scratch behind the payload; a borrowed `&str` field cannot
/// hold an escaped string and fails with [`Error::ClaimsDeserialization`]).
///
/// # Errors
/// Any parsing, signature or validation error; [`Error::BufferTooSmall`] for a short scratch.
pub fn verify<'s, T, C>(
    token: impl AsRef<[u8]>,
    key: &VerifyingKey,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Verified<'s, T>, Error>
where
    T: Deserialize<'s>,
    C: Clock + ?Sized,
{
    verify_selecting_key(token, |_| Ok(key), validation, clock, scratch)
}

/// Like [`verify`], but `select` picks the key from the (still unverified) header, e.g. by
/// `kid` among the application's own keys. The key's algorithm must equal the header's.
///
/// # Errors
/// As [`verify`], plus whatever `select` returns (e.g. [`Error::UnknownKey`]).
pub fn verify_selecting_key<'s, 'k, T, C, F>(
    token: impl AsRef<[u8]>,
    select: F,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Verified<'s, T>, Error>
where
    T: Deserialize<'s>,
    C: Clock + ?Sized,
    F: FnOnce(&Header<'_>) -> Result<&'k VerifyingKey, Error>,
{
    let (header, registered, payload, rest) =
        verify_parts_split(token.as_ref(), select, validation, clock, scratch)?;
    // Strings with escapes are decoded into the scratch left behind the payload, so owned
    // string fields (e.g. `heapless::String`) get the real text; a borrowed `&str` field can
    // only hold a string without escapes and fails with `ClaimsDeserialization` otherwise —
    // never the escaped text.
    let (claims, _) =
        serde_json_core::from_slice_escaped::<T>(payload, rest).map_err(|_| Error::ClaimsDeserialization)?;
    Ok(Verified { header, registered, claims })
}

pub(crate) type Parts<'s> = (Header<'s>, RegisteredClaims<'s>, &'s [u8]);

/// Verifies and validates `token` like [`verify_selecting_key`], returning the header, the
/// registered claims and the verified payload JSON.
pub(crate) fn verify_parts<'s, 'k, C, F>(
    token: &[u8],
    select: F,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<Parts<'s>, Error>
where
    C: Clock + ?Sized,
    F: FnOnce(&Header<'_>) -> Result<&'k VerifyingKey, Error>,
{
    let (header, registered, payload, _rest) = verify_parts_split(token, select, validation, clock, scratch)?;
    Ok((header, registered, payload))
}

/// [`verify_parts`], also returning the scratch left over behind the decoded payload.
#[allow(clippy::type_complexity)]
fn verify_parts_split<'s, 'k, C, F>(
    token: &[u8],
    select: F,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<(Header<'s>, RegisteredClaims<'s>, &'s [u8], &'s mut [u8]), Error>
where
    C: Clock + ?Sized,
    F: FnOnce(&Header<'_>) -> Result<&'k VerifyingKey, Error>,
{
    let seg = split(token, validation.token_len_limit())?;
    let header_len = base64url::decoded_len_max(seg.header.len());
    let payload_len = base64url::decoded_len_max(seg.payload.len());
    let needed = header_len.checked_add(payload_len).ok_or(Error::TooLong)?;
    // The signature is decoded into the scratch behind the payload (see `check_signature`):
    // count it up front so the size reported is exact and nothing is written first.
    let needed = needed.checked_add(base64url::decoded_len_max(seg.signature.len())).ok_or(Error::TooLong)?;
    if scratch.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let (header_buf, payload_buf) = scratch.split_at_mut_checked(header_len).ok_or(Error::Malformed)?;

    let header_json: &'s [u8] = base64url::decode(seg.header, header_buf)?;
    let header = Header::parse(header_json)?;
    validation.check_header(&header)?;
    if let Some(kid) = header.kid {
        if kid.unescaped_len() > MAX_KID_LEN {
            return Err(Error::InvalidKeyId);
        }
    }
    let key = select(&header)?;
    // RFC 8725 §3.1: the key decides the algorithm, never the token.
    if header.alg != key.algorithm() {
        return Err(Error::AlgorithmMismatch);
    }

    check_signature(key, &seg, payload_buf, payload_len, needed)?;

    let decoded_len = base64url::decode(seg.payload, payload_buf)?.len();
    let (payload, rest) = payload_buf.split_at_mut_checked(decoded_len).ok_or(Error::Malformed)?;
    let payload: &'s [u8] = payload;
    let registered = RegisteredClaims::parse(payload)?;
    validation.validate(&registered, clock)?;
    Ok((header, registered, payload, rest))
}

/// Decodes the signature segment and verifies it with `key` over the signing input.
///
/// The signature must be exactly as long as the key's (RFC 8017 §8.2.2 step 1 / §8.1.2 step 1
/// for RSA; the fixed lengths of HS*, ES256 and EdDSA), and is decoded into the scratch
/// buffer behind the payload's `payload_len` bytes rather than into a stack buffer: 64 bytes
/// less stack on every verify, and RSA's up to 512 bytes cost no stack at all. `needed`
/// counted it before anything was written; [`verify_scratch_len`] covers it.
fn check_signature(
    key: &VerifyingKey,
    seg: &Segments<'_>,
    payload_buf: &mut [u8],
    payload_len: usize,
    needed: usize,
) -> Result<(), Error> {
    let sig_len = key.signature_len();
    if seg.signature.len() != b64_len(sig_len) {
        return Err(Error::InvalidSignature);
    }
    let end = payload_len.checked_add(sig_len).ok_or(Error::TooLong)?;
    let sig_buf = payload_buf.get_mut(payload_len..end).ok_or(Error::BufferTooSmall { needed })?;
    let signature = base64url::decode(seg.signature, sig_buf).map_err(|_| Error::InvalidSignature)?;
    key.verify_raw(seg.signing_input, signature)
}

/// Verifies and validates `token` like [`verify`], returning only the registered claims
/// (no `serde` deserialization of application claims).
///
/// # Errors
/// As [`verify`].
pub fn verify_registered<'s, C: Clock + ?Sized>(
    token: impl AsRef<[u8]>,
    key: &VerifyingKey,
    validation: &Validation<'_>,
    clock: &C,
    scratch: &'s mut [u8],
) -> Result<(Header<'s>, RegisteredClaims<'s>, &'s [u8]), Error> {
    verify_parts(token.as_ref(), |_| Ok(key), validation, clock, scratch)
}

#[cfg(test)]
mod find_dot_tests {
    use super::find_dot;

    #[test]
    fn agrees_with_a_plain_scan() {
        // Dots at every position of 0..40-byte inputs (and none), from every start, with
        // bytes that differ from '.' by one bit around them.
        for len in 0..40usize {
            for dot in (0..len).map(Some).chain([None]) {
                let mut bytes = [0u8; 40];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = if i % 2 == 0 { b'.' ^ 1 } else { b'.' ^ 0x80 };
                }
                if let Some(d) = dot {
                    bytes[d] = b'.';
                }
                let bytes = &bytes[..len];
                for from in 0..=len + 1 {
                    let want =
                        bytes.get(from..).and_then(|r| r.iter().position(|&b| b == b'.')).map(|i| i + from);
                    assert_eq!(find_dot(bytes, from), want, "len {len} dot {dot:?} from {from}");
                }
            }
        }
    }
}
