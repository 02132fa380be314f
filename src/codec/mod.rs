//! Encodings at the bottom of the stack: base64url for token segments and the strict JSON
//! reader ([`json`]) and writer ([`ser`]). No keys, no crypto.

pub mod base64url;
pub mod json;
pub(crate) mod ser;
