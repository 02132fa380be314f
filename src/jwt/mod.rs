//! JWT (RFC 7519): registered claims, validation rules, clocks, the verify pipeline,
//! signing, and size arithmetic.

pub(crate) mod claims;
pub(crate) mod clock;
pub(crate) mod sign;
pub(crate) mod size;
pub(crate) mod validation;
pub(crate) mod verify;
