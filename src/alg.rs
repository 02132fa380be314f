//! Signature algorithms (RFC 7518 §3.1, RFC 8037 §3.1). There is no `none`.

use core::fmt;

/// A JWS algorithm this library implements. `none` cannot be expressed.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256 (RFC 7518 §3.2).
    HS256,
    /// HMAC with SHA-384 (RFC 7518 §3.2).
    HS384,
    /// HMAC with SHA-512 (RFC 7518 §3.2).
    HS512,
    /// ECDSA with P-256 and SHA-256, signature as raw `r‖s` (RFC 7518 §3.4).
    ES256,
    /// Ed25519 (RFC 8037 §3.1).
    EdDSA,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3). Verify only, `rsa` feature.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (RFC 7518 §3.3). Verify only, `rsa` feature.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 7518 §3.3). Verify only, `rsa` feature.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, 32-byte salt (RFC 7518 §3.5). Verify only.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, 48-byte salt (RFC 7518 §3.5). Verify only.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, 64-byte salt (RFC 7518 §3.5). Verify only.
    PS512,
}

impl Algorithm {
    /// Every algorithm, in a fixed order.
    pub const ALL: [Algorithm; 11] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];

    /// The `alg` header value.
    ///
    /// ```
    /// assert_eq!(ciphertoken::Algorithm::EdDSA.name(), "EdDSA");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
        }
    }

    /// The algorithm whose `alg` value is exactly `name` (case-sensitive, RFC 7515 §4.1.1).
    ///
    /// ```
    /// use ciphertoken::Algorithm;
    /// assert_eq!(Algorithm::from_name("HS256"), Some(Algorithm::HS256));
    /// assert_eq!(Algorithm::from_name("none"), None);
    /// assert_eq!(Algorithm::from_name("hs256"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The length in bytes of a signature (or MAC) of this algorithm.
    ///
    /// For the RSA algorithms the length is the key's modulus length
    /// (`VerifyingKey::signature_len`); this returns the largest one accepted, 512 bytes
    /// (a 4096-bit modulus).
    pub const fn signature_len(self) -> usize {
        match self {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            Algorithm::ES256 => 64,
            Algorithm::EdDSA => 64,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => 512,
        }
    }

    /// Whether this is an HMAC (symmetric) algorithm.
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// Whether this is an RSA algorithm (`RS*`, `PS*`): verify only.
    pub const fn is_rsa(self) -> bool {
        matches!(
            self,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        )
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
