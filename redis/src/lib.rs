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
//! * **Replicated Redis** ([`FleetConfig::sentinel`], [`FleetConfig::cluster`]): the
//!   gateway finds the primary through Redis Sentinel or the Cluster slot map, follows a
//!   failover, `MOVED`, `ASK` and `TRYAGAIN`, and resumes the change log from the last id it
//!   saw — re-reading from before it when the node changed or the log went back — while
//!   verifications keep answering from the mirror (see [`topology`](Topology) for why
//!   discovery is hand-written on plain connections).
//!
//! # Durability
//!
//! Redis replication is asynchronous: a write the primary acknowledged can be lost when a
//! replica that never received it is promoted — a revoked token that works again. So with
//! [`FleetConfig::wait_replicas`] `n > 0` (the default under Sentinel and Cluster: 1) every
//! write (login, rotation, revocation, logout, version bump) is followed by
//! `WAIT n timeout` on the same connection, and is reported done only when `n` replicas
//! acknowledged it. Otherwise the call fails with [`FleetError::NotDurable`]: the write *is*
//! applied on the primary (and in this gateway's mirror) but may not survive a failover, so
//! it must not be called done; the example gateway answers 503 `{"durable": false}` with
//! `Retry-After: 1`, and a retry is safe (a repeated revocation re-replicates its key, so
//! its `WAIT` covers it). What `WAIT` buys, and what it does not:
//!
//! * Sentinel promotes the replica with the largest replication offset (after
//!   `replica-priority`), and Cluster replicas with larger offsets win the election first;
//!   so a write acknowledged by one replica is on the promoted one — unless every replica
//!   holding it is unavailable or not eligible (down, disconnected too long, priority 0).
//!   `wait_replicas` equal to the replica count closes that gap, at the price that one slow
//!   replica makes every write not durable. `WAIT` is not consensus (Redis documents that
//!   it does not make Redis strongly consistent).
//! * After a failover the new primary has one replica fewer; with one replica per shard it
//!   has none until the old primary returns as a replica, and every write there is
//!   `NotDurable` meanwhile (the Cluster test shows it). Run two replicas to keep writing.
//! * `min-replicas-to-write N` with `min-replicas-max-lag S` (server side) makes a primary
//!   refuse writes (`NOREPLICAS`) when fewer than `N` replicas were in touch within `S`
//!   seconds. `WAIT` tells the writer *after* the write that it is not durable;
//!   `min-replicas-to-write` stops a primary cut off from its replicas (a partition, before
//!   Sentinel demotes it) from applying writes at all, so gateways on its side get errors
//!   instead of writes that the demotion will discard, and bounds how long such a primary
//!   keeps serving as if nothing happened. It is advised alongside `WAIT`;
//!   [`Fleet::check_server_settings`] notes it when unset.
//! * Not covered: a gateway partitioned together with an old primary and away from the
//!   sentinel majority keeps reading that primary (it looks fresh) and misses revocations
//!   made on the new one until the partition heals; the sync thread asks the sentinels every
//!   second whether its node is still the primary, which catches every case where it can
//!   reach a sentinel that knows better.
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
