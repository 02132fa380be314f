//! # ciphertoken-redis
//!
//! Shared revocation, refresh rotation and token versions for a fleet of gateways that
//! verify [`ciphertoken`] tokens, on Redis — without a network round trip per token.
//!
//! * **Writes** (login, refresh rotation, logout, revocation, version bumps) are single
//!   atomic Redis steps: `SET {ns}:revoked:<jti> 1 EXAT <exp+leeway+1> NX` plus a
//!   change-log entry; rotation is a Lua script doing compare-and-set on the family's
//!   current refresh `jti`, and a reused refresh token revokes the family. See
//!   [`scripts`] for the key layout (one hash tag per namespace: Redis Cluster safe).
//! * **Reads** come from each gateway's local [`DenySet`] (fixed capacity, the core's
//!   [`RevocationStore`](ciphertoken::RevocationStore) contract), filled at start-up from
//!   the change log (a stream trimmed to the longest token lifetime) and kept current by
//!   `XREAD BLOCK` on a background thread, which resumes from its last id after a
//!   reconnect.
//! * **Staleness** is measured and reported ([`Fleet::stats`]); past `max_staleness` the
//!   [`StalePolicy`] applies — fail closed by default, fail open only by choice — and
//!   every degraded decision is counted. A full mirror asks Redis or fails closed.
//! * **Token versions**: `INCR {ns}:ver:<sub>` (no TTL). The issuer embeds the current
//!   version as `ver`; a bump makes every older token fail with `StaleVersion`. Chosen over
//!   a `revoke_before` timestamp because it is exact (no clock comparison between the
//!   issuing gateway and Redis) and uses the core's `ver` check as it is.
//!
//! ```no_run
//! use ciphertoken::lifecycle::{CipherToken, NoClaims};
//! use ciphertoken::{SigningKey, SystemClock};
//! use ciphertoken_redis::{Fleet, FleetConfig};
//! use std::time::Duration;
//!
//! let fleet = Fleet::start(FleetConfig::new("redis://127.0.0.1:6379"))?;
//! fleet.wait_synced(Duration::from_secs(2));
//! let ct = CipherToken::<_, 2>::new(SigningKey::hs256(&[7; 32])?.with_kid("k1")?, SystemClock)?;
//! let (mut a, mut r, mut scratch) = ([0u8; 512], [0u8; 512], [0u8; 1024]);
//! let pair = fleet.login(&ct, &mut rand_core::OsRng, "alice", &NoClaims {}, &mut a, &mut r)?;
//! let view = fleet.view();
//! ct.verify_access::<NoClaims, _, _>(pair.access, &view, &view, &mut scratch)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod config;
mod denyset;
mod error;
mod fleet;
pub mod scripts;
mod topology;

pub use config::{FleetConfig, FullPolicy, StalePolicy};
pub use denyset::DenySet;
pub use error::FleetError;
pub use fleet::{Fleet, Stats, View, FAIL_CLOSED};
pub use topology::Topology;
