//! Encodings at the bottom of the stack: base64url for token segments ([`base64url`],
//! table-driven) and for secrets ([`base64ct`], constant-time), and the strict JSON
//! reader ([`json`]) and writer ([`ser`]). No keys, no crypto.

pub mod base64ct;
pub mod base64url;
pub mod json;
pub(crate) mod ser;
