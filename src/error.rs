//! The one error type of the crate.

use core::fmt;

/// A registered claim, named in [`Error::MissingClaim`] and [`Error::InvalidClaim`].
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Claim {
    /// `iss` (RFC 7519 §4.1.1).
    Issuer,
    /// `sub` (RFC 7519 §4.1.2).
    Subject,
    /// `aud` (RFC 7519 §4.1.3).
    Audience,
    /// `exp` (RFC 7519 §4.1.4).
    ExpirationTime,
    /// `nbf` (RFC 7519 §4.1.5).
    NotBefore,
    /// `iat` (RFC 7519 §4.1.6).
    IssuedAt,
    /// `jti` (RFC 7519 §4.1.7).
    JwtId,
    /// `type`: the token's role in the life cycle (`access` or `refresh`).
    TokenType,
    /// `ver`: the subject's token version.
    Version,
    /// `fam`: the refresh-token family (login session).
    Family,
}

impl Claim {
    /// The claim's name as it appears in the JSON payload.
    ///
    /// ```
    /// assert_eq!(ciphertoken::Claim::ExpirationTime.name(), "exp");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Claim::Issuer => "iss",
            Claim::Subject => "sub",
            Claim::Audience => "aud",
            Claim::ExpirationTime => "exp",
            Claim::NotBefore => "nbf",
            Claim::IssuedAt => "iat",
            Claim::JwtId => "jti",
            Claim::TokenType => "type",
            Claim::Version => "ver",
            Claim::Family => "fam",
        }
    }
}

/// Everything that can go wrong, as one small `Copy` value without heap payloads.
///
/// Each variant has a stable numeric [`code`](Error::code) that the C ABI reuses as its
/// `ct_status` value. A bad signature says nothing more than "invalid signature".
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The token is not three non-empty base64url segments of acceptable length.
    Malformed,
    /// A segment is not canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5).
    InvalidBase64,
    /// The header or payload is not a strict JSON object (bad syntax, duplicate
    /// member, too deep, too many members, invalid UTF-8).
    InvalidJson,
    /// The token, header or a field is longer than the configured limit.
    TooLong,
    /// The header's `alg` names no algorithm this library implements (including `none`).
    UnsupportedAlgorithm,
    /// The header's `alg` is not the algorithm of the key.
    AlgorithmMismatch,
    /// The header lists a critical extension (`crit`, RFC 7515 §4.1.11) this library does not understand.
    UnsupportedCritical,
    /// The header's `typ` is not the expected type.
    InvalidTokenType,
    /// The signature does not verify.
    InvalidSignature,
    /// `exp` has passed (with leeway).
    Expired,
    /// `nbf` has not been reached yet (with leeway).
    NotYetValid,
    /// `iat` lies in the future (with leeway).
    IssuedInFuture,
    /// A claim the validation requires is absent.
    MissingClaim(Claim),
    /// A claim has the wrong JSON type or an unacceptable value (for time claims: a string,
    /// a fraction, a negative or an overflowing number).
    InvalidClaim(Claim),
    /// `iss` is not the expected issuer.
    InvalidIssuer,
    /// `aud` does not contain the expected audience, or is present when none is expected.
    InvalidAudience,
    /// `sub` is not the expected subject.
    InvalidSubject,
    /// The `type` claim is not the expected token type (`access` / `refresh`).
    WrongTokenUse,
    /// The output buffer is too small; `needed` bytes would do.
    BufferTooSmall {
        /// The size the buffer needs to have.
        needed: usize,
    },
    /// A key is too short: an HMAC secret under the hash output size (RFC 7518 §3.2), an RSA
    /// modulus under 2048 bits (RFC 7518 §3.3), or a generated secret under 32 bytes.
    KeyTooShort,
    /// Key material is malformed (wrong length, not on the curve, weak point, zero scalar).
    InvalidKey,
    /// The key can only verify, not sign.
    VerifyOnlyKey,
    /// A `kid` is too long or contains characters that are not allowed.
    InvalidKeyId,
    /// The clock cannot tell the time (RTC unset, not yet synchronised).
    TimeUnavailable,
    /// The claims could not be serialized (unsupported value, such as a non-finite float).
    ClaimsSerialization,
    /// The verified payload does not deserialize into the application's claims type.
    ClaimsDeserialization,
    /// The token's `jti` (or its family) has been revoked.
    Revoked,
    /// A refresh token was used a second time; its whole family is now revoked.
    RefreshTokenReused,
    /// The token's `ver` is older than the subject's current version.
    StaleVersion,
    /// A fixed-capacity store is full of live entries.
    StoreFull,
    /// No key in the key set matches the token's `kid`.
    UnknownKey,
    /// The random number generator failed.
    RandomUnavailable,
    /// An internal invariant did not hold (a bug in this library, never caused by input):
    /// the sign path's "cannot happen" branches report it rather than [`Error::Malformed`],
    /// which means "not three segments" to a verifier.
    Internal,
    /// An external signer (secure element, PSA, PKCS#11, TPM) failed, or returned a
    /// signature of the wrong length, out of range, or one that does not verify against its
    /// public key. No token was released.
    SignerFailed,
}

impl Error {
    /// The stable numeric code of this error, shared with the C ABI (`ct_status`).
    ///
    /// `0` is never an error code: it is `CT_STATUS_OK` in C.
    ///
    /// ```
    /// use ciphertoken::Error;
    /// assert_eq!(Error::InvalidSignature.code(), 9);
    /// assert_eq!(Error::BufferTooSmall { needed: 10 }.code(), 19);
    /// ```
    pub const fn code(self) -> u32 {
        match self {
            Error::Malformed => 1,
            Error::InvalidBase64 => 2,
            Error::InvalidJson => 3,
            Error::TooLong => 4,
            Error::UnsupportedAlgorithm => 5,
            Error::AlgorithmMismatch => 6,
            Error::UnsupportedCritical => 7,
            Error::InvalidTokenType => 8,
            Error::InvalidSignature => 9,
            Error::Expired => 10,
            Error::NotYetValid => 11,
            Error::IssuedInFuture => 12,
            Error::MissingClaim(_) => 13,
            Error::InvalidClaim(_) => 14,
            Error::InvalidIssuer => 15,
            Error::InvalidAudience => 16,
            Error::InvalidSubject => 17,
            Error::WrongTokenUse => 18,
            Error::BufferTooSmall { .. } => 19,
            Error::KeyTooShort => 20,
            Error::InvalidKey => 21,
            Error::VerifyOnlyKey => 22,
            Error::InvalidKeyId => 23,
            Error::TimeUnavailable => 24,
            Error::ClaimsSerialization => 25,
            Error::ClaimsDeserialization => 26,
            Error::Revoked => 27,
            Error::RefreshTokenReused => 28,
            Error::StaleVersion => 29,
            Error::StoreFull => 30,
            Error::UnknownKey => 31,
            Error::RandomUnavailable => 32,
            Error::Internal => 33,
            Error::SignerFailed => 34,
        }
    }

    /// A short, static description of the error kind (no payload).
    pub const fn as_str(self) -> &'static str {
        match self {
            Error::Malformed => "malformed token",
            Error::InvalidBase64 => "invalid base64url encoding",
            Error::InvalidJson => "invalid JSON",
            Error::TooLong => "token or field too long",
            Error::UnsupportedAlgorithm => "unsupported algorithm",
            Error::AlgorithmMismatch => "algorithm does not match the key",
            Error::UnsupportedCritical => "unsupported critical header parameter",
            Error::InvalidTokenType => "invalid token type header",
            Error::InvalidSignature => "invalid signature",
            Error::Expired => "token expired",
            Error::NotYetValid => "token not yet valid",
            Error::IssuedInFuture => "token issued in the future",
            Error::MissingClaim(_) => "required claim missing",
            Error::InvalidClaim(_) => "invalid claim",
            Error::InvalidIssuer => "invalid issuer",
            Error::InvalidAudience => "invalid audience",
            Error::InvalidSubject => "invalid subject",
            Error::WrongTokenUse => "wrong token type (access/refresh)",
            Error::BufferTooSmall { .. } => "buffer too small",
            Error::KeyTooShort => "key too short",
            Error::InvalidKey => "invalid key",
            Error::VerifyOnlyKey => "key can only verify",
            Error::InvalidKeyId => "invalid key id",
            Error::TimeUnavailable => "time unavailable",
            Error::ClaimsSerialization => "claims cannot be serialized",
            Error::ClaimsDeserialization => "claims do not match the expected type",
            Error::Revoked => "token revoked",
            Error::RefreshTokenReused => "refresh token reused; family revoked",
            Error::StaleVersion => "token version is stale",
            Error::StoreFull => "store full",
            Error::UnknownKey => "no key for this kid",
            Error::RandomUnavailable => "random number generator failed",
            Error::Internal => "internal error (bug)",
            Error::SignerFailed => "external signer failed",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingClaim(c) => write!(f, "required claim `{}` missing", c.name()),
            Error::InvalidClaim(c) => write!(f, "invalid claim `{}`", c.name()),
            Error::BufferTooSmall { needed } => write!(f, "buffer too small: {needed} bytes needed"),
            other => f.write_str(other.as_str()),
        }
    }
}

impl core::error::Error for Error {}
