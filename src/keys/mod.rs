//! Keys: [`SigningKey`](key::SigningKey) and [`VerifyingKey`](key::VerifyingKey), key sets
//! selected by `kid`, JWK / JWK Set import and export, and secrets.

#[cfg(feature = "jwk")]
pub mod jwk;
pub(crate) mod key;
pub(crate) mod keyset;
#[cfg(feature = "rsa")]
pub(crate) mod rsa;
pub(crate) mod secret;
pub(crate) mod signer;
