//! The JOSE header (RFC 7515 §4).

use crate::codec::json::{self, JsonStr, Value};
use crate::{Algorithm, Error};

/// The longest header segment accepted, in base64url characters.
pub const MAX_HEADER_B64_LEN: usize = 1024;

/// A parsed, validated JOSE header, borrowing the decoded header bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// `alg`: always one of ours; `none` cannot be represented.
    pub alg: Algorithm,
    /// `kid`, if present. It only selects among keys the application supplied.
    pub kid: Option<JsonStr<'a>>,
    /// `typ`, if present.
    pub typ: Option<JsonStr<'a>>,
}

impl<'a> Header<'a> {
    /// Parses a decoded header.
    ///
    /// Rules: a strict JSON object; `alg` a string naming one of our algorithms (exact case,
    /// RFC 7515 §4.1.1); member names and values are compared after decoding JSON escapes
    /// (RFC 7515 §4: the header is a JSON object, and RFC 8259 §7 strings are equal by
    /// their decoded code points); any `crit` rejected since we implement no extensions
    /// (RFC 7515 §4.1.11); `b64` other than `true` rejected (RFC 7797); `cty: "JWT"`
    /// (nested tokens) rejected; `kid`/`typ` must be strings. `jku`, `x5u`, `jwk` and `x5c`
    /// are never used (RFC 8725 §3.10).
    ///
    /// # Errors
    /// [`Error::InvalidJson`], [`Error::UnsupportedAlgorithm`], [`Error::UnsupportedCritical`],
    /// [`Error::InvalidTokenType`].
    pub fn parse(json: &'a [u8]) -> Result<Header<'a>, Error> {
        let mut alg = None;
        let mut kid = None;
        let mut typ = None;
        json::parse_object(json, |name, value| {
            if name.eq_str("alg") {
                let Value::String(s) = value else { return Err(Error::UnsupportedAlgorithm) };
                // RFC 7515 §4 / RFC 8259 §7: the decoded value is compared, so
                // `"HS\u0032\u0035\u0036"` is HS256. Every name is at most 5 bytes; a longer
                // decoded value cannot be one of ours.
                let mut buf = [0u8; 8];
                let found = s.unescape_into(&mut buf).ok().and_then(Algorithm::from_name);
                alg = Some(found.ok_or(Error::UnsupportedAlgorithm)?);
            } else if name.eq_str("crit") {
                return Err(Error::UnsupportedCritical);
            } else if name.eq_str("b64") {
                if value != Value::Bool(true) {
                    return Err(Error::UnsupportedCritical);
                }
            } else if name.eq_str("kid") {
                let Value::String(s) = value else { return Err(Error::InvalidJson) };
                kid = Some(s);
            } else if name.eq_str("typ") {
                let Value::String(s) = value else { return Err(Error::InvalidTokenType) };
                typ = Some(s);
            } else if name.eq_str("cty") {
                let Value::String(s) = value else { return Err(Error::InvalidJson) };
                if eq_ignore_ascii_case(s, "JWT") {
                    return Err(Error::InvalidTokenType);
                }
            }
            Ok(())
        })?;
        Ok(Header { alg: alg.ok_or(Error::UnsupportedAlgorithm)?, kid, typ })
    }
}

/// Case-insensitive ASCII comparison of a JSON string with `expected`.
pub(crate) fn eq_ignore_ascii_case(s: JsonStr<'_>, expected: &str) -> bool {
    let mut theirs = s.chars();
    let mut ours = expected.chars();
    loop {
        match (theirs.next(), ours.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => {}
            _ => return false,
        }
    }
}
