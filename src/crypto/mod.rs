//! Primitives, internal to the crate: HMAC over SHA-2, Ed25519, ES256 (one backend per
//! platform, see [`es256`]), P-256 signing tables and RSA. Keys (`crate::keys`) are the only
//! way in; nothing here is public API except the RSA public key type, re-exported as
//! [`crate::rsa`].

#[cfg(feature = "eddsa")]
pub(crate) mod ed25519;
#[cfg(feature = "es256")]
pub(crate) mod es256;
#[cfg(feature = "hs")]
pub(crate) mod hmac;
#[cfg(feature = "es256-tables")]
pub(crate) mod p256_sign;
#[cfg(feature = "rsa")]
pub(crate) mod rsa;
