//! Integration tests of the `ciphertoken` command: every command, every exit code, round
//! trips with the library, OpenSSL-made keys, and PyJWT interop.

mod common;
mod keys;
mod pkcs11;
mod pyjwt;
mod rsa;
mod tokens;
#[cfg(feature = "tpm")]
mod tpm;
