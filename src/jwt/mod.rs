//! JWT (RFC 7519): registered claims, validation rules, clocks, and signing and verifying
//! tokens.

pub(crate) mod claims;
pub(crate) mod clock;
pub(crate) mod token;
pub(crate) mod validation;
