//! JWS (RFC 7515): the protected header.

pub(crate) mod header;
