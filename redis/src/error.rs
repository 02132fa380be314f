//! The crate's error type.

use std::fmt;

/// Why a fleet operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FleetError {
    /// The token or the life-cycle step failed (`Revoked`, `RefreshTokenReused`,
    /// `StaleVersion`, an invalid token…).
    Token(ciphertoken::Error),
    /// Redis did not answer in time, refused, or is unreachable; nothing is assumed done.
    Redis(redis::RedisError),
    /// The mirror is stale (or was never filled) and the policy is to fail closed: the
    /// step was refused without asking Redis.
    Stale,
    /// The write was applied on the primary but fewer replicas than configured
    /// ([`FleetConfig::wait_replicas`](crate::FleetConfig::wait_replicas)) acknowledged it
    /// within the `WAIT` timeout: a failover may still lose it. Never report such a
    /// revocation as done; retry it (every write of this crate is idempotent) until it is
    /// durable. The local mirror already applies it.
    NotDurable {
        /// Replicas that acknowledged the write in time.
        acked: u32,
        /// Replicas required.
        wanted: u32,
    },
    /// The server replied with something this crate does not expect.
    Protocol(&'static str),
    /// A setting is invalid.
    Config(&'static str),
}

impl FleetError {
    /// The core error inside, if this is a token error.
    pub fn token_error(&self) -> Option<ciphertoken::Error> {
        match self {
            FleetError::Token(e) => Some(*e),
            _ => None,
        }
    }
}

impl fmt::Display for FleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FleetError::Token(e) => write!(f, "{e}"),
            FleetError::Redis(e) => write!(f, "redis: {e}"),
            FleetError::Stale => f.write_str("revocation state is stale: failing closed"),
            FleetError::NotDurable { acked, wanted } => write!(
                f,
                "not durable: applied on the Redis primary but acknowledged by {acked} of {wanted} \
                 replicas in time (a failover may lose it); retry"
            ),
            FleetError::Protocol(what) => write!(f, "unexpected redis reply: {what}"),
            FleetError::Config(what) => write!(f, "invalid configuration: {what}"),
        }
    }
}

impl std::error::Error for FleetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FleetError::Token(e) => Some(e),
            FleetError::Redis(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ciphertoken::Error> for FleetError {
    fn from(e: ciphertoken::Error) -> Self {
        FleetError::Token(e)
    }
}

impl From<redis::RedisError> for FleetError {
    fn from(e: redis::RedisError) -> Self {
        FleetError::Redis(e)
    }
}
