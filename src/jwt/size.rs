//! Size arithmetic: how long a token is, how much scratch a verification needs. Pure
//! arithmetic on lengths, never a trial signature (RFC 7515 §7.1: three base64url segments
//! separated by two periods).

use crate::codec::base64url;
use crate::keys::key::MAX_KID_LEN;
#[allow(unused_imports)] // doc links
use crate::Error;

/// The longest header this library writes, in bytes of JSON: `{"alg":"HS256","typ":"JWT",
/// "kid":"…"}` with a [`MAX_KID_LEN`]-byte kid in which every byte needs a two-byte escape
/// (36 bytes of fixed text: every `alg` name is 5 characters).
pub const MAX_SIGNED_HEADER_JSON_LEN: usize = 36 + 2 * MAX_KID_LEN;

/// The largest signature this library produces (HS*, ES256, EdDSA), in bytes. RSA
/// signatures (`rsa` feature, verify only) are up to 512 bytes. [`verify`](crate::verify) decodes every
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

/// An upper bound on the scratch buffer [`verify`](crate::verify) needs for a token of `token_len` bytes.
///
/// ```
/// let scratch = [0u8; ciphertoken::verify_scratch_len(512)];
/// # let _ = scratch;
/// ```
pub const fn verify_scratch_len(token_len: usize) -> usize {
    base64url::decoded_len_max(token_len)
}

/// An upper bound on the scratch buffer [`verify`](crate::verify) needs for a token of `token_len` bytes
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

pub(crate) const fn b64_len(n: usize) -> usize {
    match base64url::encoded_len(n) {
        Some(len) => len,
        None => usize::MAX,
    }
}
