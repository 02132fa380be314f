//! Exit codes and the one error type of the command.
//!
//! Every failure maps to exactly one [`Exit`] class, so scripts can tell an expired token from
//! a forged one without parsing messages.

use ciphertoken::Error as CoreError;
use std::fmt;

/// The process exit codes. The numbers are part of the interface: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: an unexpected internal failure (a bug: please report it).
    Internal,
    /// 2: bad command-line usage or bad input data (arguments, claims JSON, missing `exp`).
    Usage,
    /// 3: a file or stream could not be read or written, an output exists, the RNG failed.
    Io,
    /// 4: a key is unreadable, malformed, of the wrong kind or refused (e.g. an HMAC secret
    /// for `export-c`).
    Key,
    /// 5: the token is malformed (segments, base64url, JSON, header, unsupported `alg`).
    Malformed,
    /// 6: the signature does not verify, the token's `alg` is not the key's, or no key
    /// matches the token's `kid`.
    Signature,
    /// 7: `exp` has passed.
    Expired,
    /// 8: `nbf` (or `iat`) is in the future.
    NotYetValid,
    /// 9: the claims break the policy: a required claim is missing or ill-typed, or
    /// `iss`/`aud`/`sub` is not the expected one.
    Claims,
}

impl Exit {
    /// Every code, in numeric order.
    pub const ALL: [Exit; 10] = [
        Exit::Ok,
        Exit::Internal,
        Exit::Usage,
        Exit::Io,
        Exit::Key,
        Exit::Malformed,
        Exit::Signature,
        Exit::Expired,
        Exit::NotYetValid,
        Exit::Claims,
    ];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Internal => 1,
            Exit::Usage => 2,
            Exit::Io => 3,
            Exit::Key => 4,
            Exit::Malformed => 5,
            Exit::Signature => 6,
            Exit::Expired => 7,
            Exit::NotYetValid => 8,
            Exit::Claims => 9,
        }
    }

    /// A stable machine-readable name (used in `--json` errors).
    pub const fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Internal => "internal",
            Exit::Usage => "usage",
            Exit::Io => "io",
            Exit::Key => "key",
            Exit::Malformed => "malformed-token",
            Exit::Signature => "bad-signature",
            Exit::Expired => "expired",
            Exit::NotYetValid => "not-yet-valid",
            Exit::Claims => "claim-policy",
        }
    }

    /// One line for `--help` and the README.
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success (for verify: signature valid and every claim accepted)",
            Exit::Internal => "internal error (a bug; please report it)",
            Exit::Usage => "bad arguments or input data (claims JSON, missing exp, key and token both on stdin)",
            Exit::Io => "cannot read or write a file or stream, output file exists, RNG failure",
            Exit::Key => {
                "key unreadable, malformed, of the wrong kind or algorithm, or refused (HMAC secret for export-c)"
            }
            Exit::Malformed => "segments, base64url, JSON, header, unsupported or none alg",
            Exit::Signature => "bad signature, alg differs from the key's, or no key for the kid",
            Exit::Expired => "exp passed (after leeway)",
            Exit::NotYetValid => "nbf or iat in the future (after leeway)",
            Exit::Claims => "required claim missing or ill-typed, iss/aud/sub mismatch",
        }
    }

    /// The exit-code table shown at the end of `--help`.
    pub fn table() -> String {
        let mut s = String::from("Exit codes:\n");
        for e in Exit::ALL {
            s.push_str(&format!("  {:>2}  {:<16} {}\n", e.code(), e.name(), e.meaning()));
        }
        s
    }
}

/// A failure: its exit class, a message for people, and the core error behind it, if any.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub core: Option<CoreError>,
}

pub type Result<T> = std::result::Result<T, CliError>;

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> CliError {
        CliError { exit, message: message.into(), core: None }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Usage, message)
    }

    pub fn io(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Io, message)
    }

    pub fn key(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Key, message)
    }

    pub fn internal(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Internal, message)
    }

    /// A core error met while checking a token (verify, inspect).
    pub fn token(e: CoreError) -> CliError {
        CliError { exit: token_exit(e), message: describe(e), core: Some(e) }
    }

    /// A core error met while building a key from material.
    pub fn key_material(e: CoreError, what: &str) -> CliError {
        CliError { exit: Exit::Key, message: format!("{what}: {}", describe(e)), core: Some(e) }
    }

    /// A core error met while signing caller-supplied claims.
    pub fn signing(e: CoreError) -> CliError {
        let exit = match e {
            CoreError::InvalidJson
            | CoreError::InvalidClaim(_)
            | CoreError::ClaimsSerialization
            | CoreError::TooLong => Exit::Usage,
            CoreError::KeyTooShort
            | CoreError::InvalidKey
            | CoreError::VerifyOnlyKey
            | CoreError::InvalidKeyId
            | CoreError::SignerFailed => Exit::Key,
            _ => Exit::Internal,
        };
        let message = match e {
            CoreError::InvalidJson => {
                "claims are not a strict JSON object (syntax, duplicate member, depth > 16, \
                 more than 64 members, invalid UTF-8)"
                    .to_owned()
            }
            other => describe(other),
        };
        CliError { exit, message, core: Some(e) }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit class of a core error met while checking a token.
pub fn token_exit(e: CoreError) -> Exit {
    match e {
        CoreError::Malformed
        | CoreError::InvalidBase64
        | CoreError::InvalidJson
        | CoreError::TooLong
        | CoreError::UnsupportedAlgorithm
        | CoreError::UnsupportedCritical
        | CoreError::InvalidTokenType
        | CoreError::InvalidKeyId => Exit::Malformed,
        CoreError::InvalidSignature | CoreError::AlgorithmMismatch | CoreError::UnknownKey => Exit::Signature,
        CoreError::Expired => Exit::Expired,
        CoreError::NotYetValid | CoreError::IssuedInFuture => Exit::NotYetValid,
        CoreError::MissingClaim(_)
        | CoreError::InvalidClaim(_)
        | CoreError::InvalidIssuer
        | CoreError::InvalidAudience
        | CoreError::InvalidSubject
        | CoreError::WrongTokenUse
        | CoreError::Revoked
        | CoreError::StaleVersion => Exit::Claims,
        CoreError::KeyTooShort | CoreError::InvalidKey | CoreError::VerifyOnlyKey => Exit::Key,
        _ => Exit::Internal,
    }
}

/// The core's message, with the hints an operator needs.
pub fn describe(e: CoreError) -> String {
    match e {
        CoreError::InvalidAudience => {
            "invalid audience: `aud` does not contain the expected audience, or the token has an \
             `aud` and no --aud was given (pass --aud, or --any-aud to accept any)"
                .to_owned()
        }
        CoreError::AlgorithmMismatch => {
            "the token's alg is not the key's algorithm (the key decides, never the token)".to_owned()
        }
        CoreError::InvalidSignature => {
            "invalid signature: the token was not signed by this key, or it was altered".to_owned()
        }
        CoreError::KeyTooShort => {
            "key too short: HMAC secrets must be at least the hash size (32/48/64 bytes for \
             HS256/HS384/HS512, RFC 7518 §3.2)"
                .to_owned()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_ordered() {
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.code()), i);
        }
    }

    #[test]
    fn token_errors_map_to_their_class() {
        assert_eq!(token_exit(CoreError::Expired), Exit::Expired);
        assert_eq!(token_exit(CoreError::IssuedInFuture), Exit::NotYetValid);
        assert_eq!(token_exit(CoreError::InvalidSignature), Exit::Signature);
        assert_eq!(token_exit(CoreError::UnknownKey), Exit::Signature);
        assert_eq!(token_exit(CoreError::InvalidBase64), Exit::Malformed);
        assert_eq!(token_exit(CoreError::MissingClaim(ciphertoken::Claim::Issuer)), Exit::Claims);
    }
}
