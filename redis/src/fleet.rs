//! A gateway's handle on the fleet: writes go to Redis (atomic scripts), reads come from the
//! local mirror kept current by a background `XREAD BLOCK` thread.

use crate::config::{FleetConfig, FullPolicy, StalePolicy};
use crate::denyset::DenySet;
use crate::scripts::{Keys, Scripts, LOG_SKEW_MARGIN_SECS};
use crate::topology::Locator;
use crate::FleetError;
use ciphertoken::lifecycle::{CipherToken, Subject, TokenPair};
use ciphertoken::{Claim, Clock, Error, RevocationStore, Revoked, SystemClock, UnixSeconds, VersionSource};
use rand_core::{CryptoRng, RngCore};
use redis::streams::{StreamId, StreamReadOptions, StreamReadReply};
use redis::{Commands, Connection, RedisError, RedisResult};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The error a look-up returns when it fails closed (stale mirror under
/// [`StalePolicy::FailClosed`], never-synced mirror, full mirror and Redis unreachable):
/// the token is treated as revoked. [`Fleet::stats`] tells the causes apart.
pub const FAIL_CLOSED: Error = Error::Revoked;

/// The longest `sub` accepted for versions, as in the core's version check.
const MAX_SUBJECT_LEN: usize = 256;

/// Writer connections (logins, rotations, revocations, fallback look-ups) per gateway.
const WRITERS: usize = 4;

/// After a failed writer connection, no new attempt for this long (see
/// `Shared::connect_writer`).
const WRITER_RETRY: Duration = Duration::from_millis(50);

/// The most redirections (`MOVED`, `ASK`, `TRYAGAIN`, `READONLY`) one call follows.
const REDIRECTS: usize = 5;

/// How often the sync thread asks the sentinels whether its node is still the primary
/// (catches a primary demoted behind the gateway's back, e.g. after a partition).
const PRIMARY_CHECK: Duration = Duration::from_secs(1);

/// Counters of one gateway's handle, monotonic since it was created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Whether the mirror has completed its start-up fill at least once.
    pub synced: bool,
    /// Whether the sync connection is currently up.
    pub connected: bool,
    /// Time since the mirror was last known to be caught up (`None` before the first sync).
    pub staleness: Option<Duration>,
    /// Entries in the mirror.
    pub mirror_len: usize,
    /// Whether the mirror lost an entry to a full store that could still matter.
    pub mirror_incomplete: bool,
    /// The last change-log id applied.
    pub last_id: String,
    /// Change-log entries applied.
    pub entries_applied: u64,
    /// Change-log entries that could not be understood (skipped).
    pub entries_malformed: u64,
    /// Verifications decided on a stale mirror under [`StalePolicy::FailOpen`].
    pub degraded_open: u64,
    /// Verifications refused because the mirror was stale (or never synced).
    pub degraded_closed: u64,
    /// Look-ups the full mirror could not answer, answered by Redis.
    pub full_asked_redis: u64,
    /// Look-ups the full mirror could not answer, failed closed.
    pub full_failed_closed: u64,
    /// Sync-connection reconnections after the first connection.
    pub reconnects: u64,
    /// Failed sync reads and connection attempts.
    pub sync_errors: u64,
    /// `host:port` of the node the sync thread reads the change log from ("" before the
    /// first connection).
    pub node: String,
    /// Times the sync thread found itself on another node (or a restarted one) than before:
    /// failovers followed.
    pub node_changes: u64,
    /// Times the change log was re-read from before the last id seen, because the node
    /// changed or the stream went back (lost entries, reset).
    pub resyncs: u64,
    /// `MOVED` / `ASK` / `TRYAGAIN` / `READONLY` replies followed.
    pub redirects: u64,
    /// Writes that fewer replicas than configured acknowledged in time
    /// ([`FleetError::NotDurable`]).
    pub not_durable: u64,
}

#[derive(Default)]
struct Counters {
    entries_applied: AtomicU64,
    entries_malformed: AtomicU64,
    degraded_open: AtomicU64,
    degraded_closed: AtomicU64,
    full_asked_redis: AtomicU64,
    full_failed_closed: AtomicU64,
    reconnects: AtomicU64,
    sync_errors: AtomicU64,
    node_changes: AtomicU64,
    resyncs: AtomicU64,
    redirects: AtomicU64,
    not_durable: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain data behind: keep going.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Shared {
    config: FleetConfig,
    locator: Locator,
    keys: Keys,
    scripts: Scripts,
    mirror: RwLock<DenySet>,
    writers: Vec<Mutex<Option<Connection>>>,
    next_writer: AtomicUsize,
    /// Milliseconds after `epoch` before which no writer connection is attempted.
    writer_retry_at_ms: AtomicU64,
    epoch: Instant,
    /// Milliseconds after `epoch` at which the mirror was last caught up.
    fresh_at_ms: AtomicU64,
    synced: AtomicBool,
    connected: AtomicBool,
    stop: AtomicBool,
    last_id: Mutex<String>,
    node: Mutex<String>,
    /// Sentinel: the primary a sentinel named last, and when it was asked.
    named: Mutex<Option<(String, Instant)>>,
    counters: Counters,
}

/// Stops and joins the sync thread (and the Sentinel watcher) when the last [`Fleet`]
/// clone is dropped.
struct Worker {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        for t in lock(&self.threads).drain(..) {
            // Bounded: the threads check `stop` after each read or query (each bounded by
            // the timeouts) and each pause step (≤ 10 ms).
            let _ = t.join();
        }
    }
}

/// One gateway's connection to the fleet. Cheap to clone (shared state); the background
/// sync thread stops when the last clone is dropped.
///
/// * Verification never touches the network: pass a [`View`] (or the `Fleet` itself) as
///   the core's [`RevocationStore`] and [`VersionSource`].
/// * [`login`](Fleet::login), [`rotate`](Fleet::rotate), [`logout`](Fleet::logout),
///   [`revoke`](Fleet::revoke) and [`bump_version`](Fleet::bump_version) write to Redis
///   (blocking, bounded by the response timeout) and to the local mirror.
#[derive(Clone)]
pub struct Fleet {
    shared: Arc<Shared>,
    _worker: Arc<Worker>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet").field("namespace", &self.shared.config.namespace).finish_non_exhaustive()
    }
}

impl Fleet {
    /// Starts a gateway's handle: validates `config` and starts the sync thread, which
    /// fills the mirror from the change log and then follows it. Redis need not be up
    /// yet; until the first fill completes every verification fails closed (see
    /// [`wait_synced`](Fleet::wait_synced)).
    ///
    /// # Errors
    /// [`FleetError::Config`] for invalid settings or URL; [`FleetError::Redis`] when the
    /// thread cannot be started.
    pub fn start(config: FleetConfig) -> Result<Fleet, FleetError> {
        config.validate()?;
        let keys = Keys::new(&config.namespace);
        let locator = Locator::new(
            &config.topology,
            config.node_url.as_deref(),
            keys.log(),
            config.connect_timeout,
            config.response_timeout,
        )?;
        let shared = Arc::new(Shared {
            keys,
            locator,
            scripts: Scripts::new(),
            mirror: RwLock::new(DenySet::with_capacity(config.mirror_capacity)),
            writers: (0..WRITERS).map(|_| Mutex::new(None)).collect(),
            next_writer: AtomicUsize::new(0),
            writer_retry_at_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            fresh_at_ms: AtomicU64::new(0),
            synced: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            last_id: Mutex::new(String::from("0-0")),
            node: Mutex::new(String::new()),
            named: Mutex::new(None),
            counters: Counters::default(),
            config,
        });
        let worker = Arc::new(Worker { shared: Arc::clone(&shared), threads: Mutex::new(Vec::new()) });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("ciphertoken-redis-sync".into())
            .spawn(move || sync_loop(&for_thread))
            .map_err(|e| FleetError::Redis(e.into()))?;
        lock(&worker.threads).push(thread);
        if shared.locator.named_primary_applies() {
            let for_thread = Arc::clone(&shared);
            let thread = std::thread::Builder::new()
                .name("ciphertoken-redis-sentinel".into())
                .spawn(move || watch_sentinels(&for_thread))
                .map_err(|e| FleetError::Redis(e.into()))?;
            lock(&worker.threads).push(thread);
        }
        Ok(Fleet { shared, _worker: worker })
    }

    /// Waits (bounded by `timeout`) until the mirror has been filled from the change log.
    pub fn wait_synced(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if self.shared.synced.load(Ordering::Acquire) {
                return true;
            }
            if deadline.is_none_or(|d| Instant::now() >= d) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// A verification-time view: one freshness decision, counted once if degraded.
    pub fn view(&self) -> View<'_> {
        View::new(&self.shared)
    }

    /// The settings.
    pub fn config(&self) -> &FleetConfig {
        &self.shared.config
    }

    /// Time since the mirror was last known to be caught up (`None` before the first sync).
    pub fn staleness(&self) -> Option<Duration> {
        self.shared.staleness()
    }

    /// Whether verifications currently use fresh data (synced and within `max_staleness`).
    pub fn is_fresh(&self) -> bool {
        self.shared.staleness().is_some_and(|s| s <= self.shared.config.max_staleness)
    }

    /// A snapshot of the counters and state.
    pub fn stats(&self) -> Stats {
        let s = &self.shared;
        let c = &s.counters;
        let now = SystemClock.now().unwrap_or(0);
        let (mirror_len, mirror_incomplete) = {
            let m = s.mirror.read().unwrap_or_else(PoisonError::into_inner);
            (m.len(), m.is_incomplete(now))
        };
        Stats {
            synced: s.synced.load(Ordering::Acquire),
            connected: s.connected.load(Ordering::Relaxed),
            staleness: s.staleness(),
            mirror_len,
            mirror_incomplete,
            last_id: lock(&s.last_id).clone(),
            entries_applied: c.entries_applied.load(Ordering::Relaxed),
            entries_malformed: c.entries_malformed.load(Ordering::Relaxed),
            degraded_open: c.degraded_open.load(Ordering::Relaxed),
            degraded_closed: c.degraded_closed.load(Ordering::Relaxed),
            full_asked_redis: c.full_asked_redis.load(Ordering::Relaxed),
            full_failed_closed: c.full_failed_closed.load(Ordering::Relaxed),
            reconnects: c.reconnects.load(Ordering::Relaxed),
            sync_errors: c.sync_errors.load(Ordering::Relaxed),
            node: lock(&s.node).clone(),
            node_changes: c.node_changes.load(Ordering::Relaxed),
            resyncs: c.resyncs.load(Ordering::Relaxed),
            redirects: c.redirects.load(Ordering::Relaxed),
            not_durable: c.not_durable.load(Ordering::Relaxed),
        }
    }

    /// Issues a new login (access + refresh pair, new family) for `sub` at the subject's
    /// current token version (read from Redis), and records the family's current refresh
    /// `jti` for rotation.
    ///
    /// # Errors
    /// [`FleetError::Token`] from issuing; [`FleetError::Redis`] when Redis does not
    /// answer, [`FleetError::NotDurable`] when too few replicas have the family record (no
    /// login is half-made: the tokens are not returned).
    pub fn login<'a, 'r, C, T, R, const K: usize>(
        &self,
        ct: &CipherToken<'_, C, K>,
        rng: &mut R,
        sub: &str,
        claims: &T,
        access_out: &'a mut [u8],
        refresh_out: &'r mut [u8],
    ) -> Result<TokenPair<'a, 'r>, FleetError>
    where
        C: Clock,
        T: Serialize + ?Sized,
        R: RngCore + CryptoRng + ?Sized,
    {
        let ver = self.remote_version(sub)?;
        let pair = ct.issue_pair(rng, Subject::new(sub).version(ver), claims, access_out, refresh_out)?;
        let now = ct.clock().now()?;
        let s = &self.shared;
        let until = s.family_expiry(now).saturating_add(1);
        let key = s.keys.family(pair.family.as_str());
        let jti = pair.refresh_jti;
        let (set, durable): (Option<String>, _) = s.write(|c| {
            redis::cmd("SET").arg(&key).arg(jti.as_str()).arg("EXAT").arg(until).arg("NX").query(c)
        })?;
        match set {
            Some(_) => durable.map(|()| pair),
            None => Err(FleetError::Protocol("family id already registered")),
        }
    }

    /// Uses a refresh token, fleet-wide single use: verifies it (local mirror), issues the
    /// next pair of its family, then commits the rotation in one Redis script that
    /// compares-and-sets the family's current refresh `jti`. A refresh token that is not
    /// the family's current one — used before, on any gateway — revokes the whole family
    /// (RFC 9700 §4.14.2) and gives [`Error::RefreshTokenReused`]; of two concurrent uses
    /// of one token, exactly one wins.
    ///
    /// # Errors
    /// [`FleetError::Token`] with any verification error, `Revoked` (also for an unknown
    /// family), `RefreshTokenReused`, `StaleVersion`; [`FleetError::Stale`] when the mirror
    /// is stale and failing closed; [`FleetError::Redis`] (no new pair is valid then: the
    /// old token stays current); [`FleetError::NotDurable`] when the rotation was applied
    /// on the primary but too few replicas have it (the new pair is not returned; a
    /// failover may bring the old token back, or the next use of the old token counts as
    /// reuse — either way the caller must log in again or retry).
    #[allow(clippy::too_many_arguments)]
    pub fn rotate<'s, 'a, 'r, T, C, R, const K: usize>(
        &self,
        ct: &CipherToken<'_, C, K>,
        refresh_token: impl AsRef<[u8]>,
        rng: &mut R,
        scratch: &'s mut [u8],
        access_out: &'a mut [u8],
        refresh_out: &'r mut [u8],
    ) -> Result<TokenPair<'a, 'r>, FleetError>
    where
        T: Deserialize<'s> + Serialize,
        C: Clock,
        R: RngCore + CryptoRng + ?Sized,
    {
        let view = self.view();
        if view.fails_closed() {
            view.degraded.set(true);
            return Err(FleetError::Stale);
        }
        let recorder = Recorder { shared: &self.shared, error: None };
        let mut gate = RotationGate { view: &view, used: None, recorder };
        let result =
            ct.rotation::<T, _, _, _>(refresh_token, &mut gate, &view, rng, scratch, access_out, refresh_out);
        if let Some(e) = gate.recorder.error.take() {
            return Err(e);
        }
        let pair = result?;
        let (old_jti, old_exp) = gate.used.ok_or(FleetError::Token(Error::MissingClaim(Claim::JwtId)))?;
        let now = ct.clock().now()?;
        let s = &self.shared;
        let fam = pair.family;
        let family_exp = s.family_expiry(now);
        let (outcome, durable): (String, _) = s.write(|c| {
            s.scripts
                .rotate
                .key(s.keys.family(fam.as_str()))
                .key(s.keys.revoked_family(fam.as_str()))
                .key(s.keys.revoked(&old_jti))
                .key(s.keys.log())
                .arg(fam.as_str())
                .arg(&old_jti)
                .arg(pair.refresh_jti.as_str())
                .arg(old_exp)
                .arg(family_exp)
                .arg(s.retention())
                .invoke(c)
        })?;
        match outcome.as_str() {
            "ok" => {
                s.remember(Revoked::Token(&old_jti), old_exp, now);
                durable.map(|()| pair)
            }
            "reused" => {
                s.remember(Revoked::Family(fam.as_str()), family_exp, now);
                Err(FleetError::Token(Error::RefreshTokenReused))
            }
            "revoked" | "unknown" => {
                s.remember(Revoked::Family(fam.as_str()), family_exp, now);
                Err(FleetError::Token(Error::Revoked))
            }
            _ => Err(FleetError::Protocol("rotation script outcome")),
        }
    }

    /// Logout: revokes a verified token of this issuer (its `jti` until it expires) and
    /// its whole family (every token of the login).
    ///
    /// # Errors
    /// [`FleetError::Token`] for an invalid token or one without `jti`;
    /// [`FleetError::Redis`].
    pub fn logout<C: Clock, const K: usize>(
        &self,
        ct: &CipherToken<'_, C, K>,
        token: impl AsRef<[u8]>,
        scratch: &mut [u8],
    ) -> Result<(), FleetError> {
        let token = token.as_ref();
        let family: Option<String> = {
            let v = ct.decode::<serde::de::IgnoredAny>(token, scratch)?;
            v.registered().fam.map(|f| f.chars().collect())
        };
        self.revoke_token(ct, token, scratch)?;
        match family {
            Some(fam) => self.revoke_family(ct, &fam),
            None => Ok(()),
        }
    }

    /// Revokes a verified token of this issuer by its `jti`, until it expires.
    ///
    /// # Errors
    /// As [`logout`](Fleet::logout).
    pub fn revoke_token<C: Clock, const K: usize>(
        &self,
        ct: &CipherToken<'_, C, K>,
        token: impl AsRef<[u8]>,
        scratch: &mut [u8],
    ) -> Result<(), FleetError> {
        let mut rec = Recorder { shared: &self.shared, error: None };
        let r = ct.revoke(token, &mut rec, scratch);
        rec.finish(r)
    }

    /// Revokes a whole login (every token of family `fam`) for the longest token lifetime.
    ///
    /// # Errors
    /// [`FleetError::Token`] for an empty or over-long id; [`FleetError::Redis`].
    pub fn revoke_family<C: Clock, const K: usize>(
        &self,
        ct: &CipherToken<'_, C, K>,
        fam: &str,
    ) -> Result<(), FleetError> {
        let mut rec = Recorder { shared: &self.shared, error: None };
        let r = ct.revoke_family(fam, &mut rec);
        rec.finish(r)
    }

    /// Revokes `id` fleet-wide until `expires_at` (`SET … EXAT expires_at+1 NX` and a
    /// change-log entry, atomically), and in the local mirror. Returns whether it was
    /// newly revoked. An `expires_at` already past is a no-op.
    ///
    /// # Errors
    /// [`FleetError::Config`] when `expires_at` lies beyond `max_token_lifetime` from
    /// `now` (the change log would forget it before it expires); `Token(TooLong)` for an
    /// id over 64 bytes; [`FleetError::Redis`].
    pub fn revoke_id(
        &self,
        id: Revoked<'_>,
        expires_at: UnixSeconds,
        now: UnixSeconds,
    ) -> Result<bool, FleetError> {
        self.shared.revoke(id, expires_at, now)
    }

    /// Bumps `sub`'s token version (`INCR`, no TTL) and logs it; every token issued
    /// before carries an older `ver` and fails with [`Error::StaleVersion`] on every
    /// gateway within the propagation bound. Returns the new version.
    ///
    /// # Errors
    /// `Token(TooLong)` for a subject over 256 bytes; [`FleetError::Redis`];
    /// [`FleetError::NotDurable`] (the bump is applied on the primary and in this
    /// gateway's mirror; retrying bumps again, which is harmless).
    pub fn bump_version(&self, sub: &str) -> Result<u64, FleetError> {
        let s = &self.shared;
        check_subject(sub)?;
        let now = SystemClock.now()?;
        let exp = s.family_expiry(now);
        let (ver, durable): (u64, _) = s.write(|c| {
            s.scripts
                .bump
                .key(s.keys.version(sub))
                .key(s.keys.log())
                .arg(sub)
                .arg(exp)
                .arg(s.retention())
                .invoke(c)
        })?;
        {
            let mut m = s.mirror.write().unwrap_or_else(PoisonError::into_inner);
            let _ = m.set_version(sub, ver, exp, now);
        }
        durable.map(|()| ver)
    }

    /// `sub`'s current token version as Redis has it (0 when never bumped).
    ///
    /// # Errors
    /// [`FleetError::Redis`]; `Token(TooLong)`.
    pub fn remote_version(&self, sub: &str) -> Result<u64, FleetError> {
        check_subject(sub)?;
        let s = &self.shared;
        let v: Option<u64> = s.with_writer(|c| c.get(s.keys.version(sub)))?;
        Ok(v.unwrap_or(0))
    }

    /// Whether `id` is revoked according to Redis itself (one round trip).
    ///
    /// # Errors
    /// [`FleetError::Redis`].
    pub fn remote_is_revoked(&self, id: Revoked<'_>) -> Result<bool, FleetError> {
        self.shared.remote_is_revoked(id)
    }

    /// Reads the server settings that protect revocations and describes each problem:
    /// `appendonly` must be `yes` (a restart must not forget revocations),
    /// `maxmemory-policy` must be `noeviction` (every revocation key has a TTL, so even
    /// the `volatile-*` policies would evict live revocations under memory pressure).
    /// `appendfsync always` is noted if absent (`everysec` survives a process crash but may
    /// lose the last second on a host crash). With [`FleetConfig::wait_replicas`] > 0: fewer
    /// connected replicas than that (every write would be not durable), and
    /// `min-replicas-to-write 0` (see the crate documentation, "Durability").
    ///
    /// # Errors
    /// [`FleetError::Redis`] (e.g. `CONFIG` disabled on a managed service).
    pub fn check_server_settings(&self) -> Result<Vec<String>, FleetError> {
        let s = &self.shared;
        let get = |name: &'static str| -> Result<String, FleetError> {
            let pair: Vec<String> = s.with_writer(|c| redis::cmd("CONFIG").arg("GET").arg(name).query(c))?;
            pair.into_iter().nth(1).ok_or(FleetError::Protocol("CONFIG GET reply"))
        };
        let mut problems = Vec::new();
        let aof = get("appendonly")?;
        if aof != "yes" {
            problems.push(format!("appendonly is {aof:?}: a restart loses revocations (set appendonly yes)"));
        }
        let policy = get("maxmemory-policy")?;
        if policy != "noeviction" {
            problems.push(format!(
                "maxmemory-policy is {policy:?}: live revocations can be evicted (set noeviction)"
            ));
        }
        let fsync = get("appendfsync")?;
        if fsync != "always" {
            problems.push(format!(
                "appendfsync is {fsync:?}: a host crash may lose the last second of revocations (always: none)"
            ));
        }
        let wanted = s.config.wait_replicas;
        if wanted > 0 {
            let info: String = s.with_writer(|c| redis::cmd("INFO").arg("replication").query(c))?;
            let field = |name: &str| {
                info.lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                    .map(str::trim)
                    .map(str::to_owned)
            };
            let replicas: u32 = field("connected_slaves").and_then(|v| v.parse().ok()).unwrap_or(0);
            if replicas < wanted {
                problems.push(format!(
                    "has {replicas} connected replicas, fewer than wait_replicas {wanted}: every write will be \
                     reported not durable"
                ));
            }
            let min = get("min-replicas-to-write")?;
            if min == "0" {
                problems.push(
                    "min-replicas-to-write is 0: a primary cut off from its replicas keeps applying writes \
                     (reported not durable here, but visible to gateways reading from it until a failover \
                     discards them); set it (e.g. 1, with min-replicas-max-lag 10) to refuse them instead"
                        .into(),
                );
            }
        }
        Ok(problems)
    }
}

fn check_subject(sub: &str) -> Result<(), FleetError> {
    if sub.len() > MAX_SUBJECT_LEN {
        return Err(FleetError::Token(Error::TooLong));
    }
    Ok(())
}

impl Shared {
    fn staleness(&self) -> Option<Duration> {
        if !self.synced.load(Ordering::Acquire) {
            return None;
        }
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        Some(Duration::from_millis(now_ms.saturating_sub(self.fresh_at_ms.load(Ordering::Acquire))))
    }

    fn mark_fresh(&self) {
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.fresh_at_ms.store(now_ms, Ordering::Release);
        self.synced.store(true, Ordering::Release);
    }

    /// Until when a family (every token of a login) must stay refused.
    fn family_expiry(&self, now: UnixSeconds) -> UnixSeconds {
        now.saturating_add(self.config.max_token_lifetime)
    }

    /// The change log's retention in seconds.
    fn retention(&self) -> u64 {
        self.config.max_token_lifetime.saturating_add(LOG_SKEW_MARGIN_SECS)
    }

    /// Connects to the namespace's primary (discovering it first under Sentinel or
    /// Cluster); returns the connection and the node's `host:port`.
    fn connect(&self, name: &str, read_timeout: Duration) -> RedisResult<(Connection, String)> {
        let (mut con, addr) = self.locator.primary(read_timeout)?;
        redis::cmd("CLIENT").arg("SETNAME").arg(name).query::<()>(&mut con)?;
        Ok((con, addr))
    }

    /// A new writer connection, at most one discovery attempt per [`WRITER_RETRY`] after a
    /// failed one: while the primary is down (a failover) every request would otherwise
    /// rediscover it, and the sentinels that must run the failover would serve the storm.
    /// In between, the call fails at once (the write is not done).
    fn connect_writer(&self, timeout: Duration) -> Result<Connection, FleetError> {
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        if now_ms < self.writer_retry_at_ms.load(Ordering::Relaxed) {
            let e = std::io::Error::new(std::io::ErrorKind::NotConnected, "primary unreachable a moment ago");
            return Err(FleetError::Redis(e.into()));
        }
        match self.connect("ciphertoken-writer", timeout) {
            Ok((con, _)) => Ok(con),
            Err(e) => {
                let retry = u64::try_from(WRITER_RETRY.as_millis()).unwrap_or(u64::MAX);
                self.writer_retry_at_ms.store(now_ms.saturating_add(retry), Ordering::Relaxed);
                Err(FleetError::Redis(e))
            }
        }
    }

    /// How long a writer waits for a reply: the response timeout, plus the `WAIT` timeout
    /// when writes wait for replicas.
    fn writer_timeout(&self) -> Duration {
        let c = &self.config;
        if c.wait_replicas > 0 {
            c.response_timeout.saturating_add(c.wait_timeout)
        } else {
            c.response_timeout
        }
    }

    /// Runs `f` on a writer connection (connecting when needed), following Cluster
    /// redirections and a demoted primary (bounded: [`REDIRECTS`]); those replies mean the
    /// command did not run, so running it elsewhere is safe. Any other error drops the
    /// connection (after a timeout its reply stream can no longer be trusted) and is
    /// returned: the command may or may not have run.
    fn with_writer<T>(&self, mut f: impl FnMut(&mut Connection) -> RedisResult<T>) -> Result<T, FleetError> {
        let slot = self.writers.iter().find_map(|w| w.try_lock().ok()).or_else(|| {
            let i = self.next_writer.fetch_add(1, Ordering::Relaxed) % self.writers.len().max(1);
            self.writers.get(i).map(lock)
        });
        let Some(mut slot) = slot else { return Err(FleetError::Config("no writer connection")) };
        let timeout = self.writer_timeout();
        let mut last = None;
        for _ in 0..REDIRECTS {
            if slot.is_none() {
                *slot = Some(self.connect_writer(timeout)?);
            }
            let Some(con) = slot.as_mut() else { return Err(FleetError::Protocol("writer connection")) };
            let e = match f(con) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let Some(redirect) = Redirect::of(&e) else {
                *slot = None;
                return Err(FleetError::Redis(e));
            };
            bump(&self.counters.redirects);
            match redirect {
                Redirect::Moved(addr) => {
                    self.locator.moved(&addr);
                    *slot = None;
                }
                Redirect::Reconnect => *slot = None,
                Redirect::TryAgain => self.pause(Duration::from_millis(10)),
                Redirect::Ask(addr) => {
                    let mut target = self.locator.open_node(&addr, timeout)?;
                    redis::cmd("ASKING").query::<()>(&mut target)?;
                    match f(&mut target) {
                        Ok(v) => return Ok(v),
                        Err(e) if Redirect::of(&e).is_some() => {
                            last = Some(e);
                            self.pause(Duration::from_millis(10));
                            continue;
                        }
                        Err(e) => return Err(FleetError::Redis(e)),
                    }
                }
            }
            last = Some(e);
        }
        Err(last.map_or(FleetError::Protocol("redirections"), FleetError::Redis))
    }

    /// A write: `f` on a writer connection, then (when configured) `WAIT replicas timeout`
    /// on the same connection, so it covers this write (and the connection's earlier
    /// ones). Returns `f`'s value and whether the write is durable: `Err(NotDurable)` when
    /// fewer replicas acknowledged it in time — the caller still applies it locally, then
    /// reports it not done.
    fn write<T>(
        &self,
        mut f: impl FnMut(&mut Connection) -> RedisResult<T>,
    ) -> Result<(T, Result<(), FleetError>), FleetError> {
        let wanted = self.config.wait_replicas;
        let wait_ms = u64::try_from(self.config.wait_timeout.as_millis()).unwrap_or(u64::MAX).max(1);
        let (value, acked) = self.with_writer(|c| {
            let v = f(c)?;
            let acked: i64 =
                if wanted > 0 { redis::cmd("WAIT").arg(wanted).arg(wait_ms).query(c)? } else { 0 };
            Ok((v, acked))
        })?;
        let acked = u32::try_from(acked.max(0)).unwrap_or(u32::MAX);
        if acked < wanted {
            bump(&self.counters.not_durable);
            return Ok((value, Err(FleetError::NotDurable { acked, wanted })));
        }
        Ok((value, Ok(())))
    }

    fn revoke(&self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<bool, FleetError> {
        let (kind, text, key) = match id {
            Revoked::Token(t) => ("t", t, self.keys.revoked(t)),
            Revoked::Family(f) => ("f", f, self.keys.revoked_family(f)),
        };
        if text.is_empty() {
            return Err(FleetError::Token(Error::InvalidClaim(Claim::JwtId)));
        }
        if text.len() > ciphertoken::MAX_REVOKED_ID_LEN {
            return Err(FleetError::Token(Error::TooLong));
        }
        if expires_at < now {
            return Ok(false);
        }
        if expires_at > self.family_expiry(now) {
            return Err(FleetError::Config("revocation outlives max_token_lifetime: raise it"));
        }
        let (newly, durable): (i64, _) = self.write(|c| {
            let mut call = self.scripts.revoke.key(&key);
            call.key(self.keys.log());
            if let Revoked::Family(f) = id {
                call.key(self.keys.family(f));
            }
            call.arg(kind).arg(text).arg(expires_at).arg(self.retention()).invoke(c)
        })?;
        self.remember(id, expires_at, now);
        durable.map(|()| newly == 1)
    }

    /// Applies a write this gateway made to its own mirror at once (read-your-writes);
    /// the change log brings it again, harmlessly. A full mirror records the loss.
    fn remember(&self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) {
        let mut m = self.mirror.write().unwrap_or_else(PoisonError::into_inner);
        let _ = m.revoke(id, expires_at, now);
    }

    fn remote_is_revoked(&self, id: Revoked<'_>) -> Result<bool, FleetError> {
        let key = match id {
            Revoked::Token(t) => self.keys.revoked(t),
            Revoked::Family(f) => self.keys.revoked_family(f),
        };
        let n: i64 = self.with_writer(|c| c.exists(&key))?;
        Ok(n > 0)
    }

    /// Applies change-log entries to the mirror; returns the last id seen.
    fn apply(&self, entries: &[StreamId], now: UnixSeconds) -> Option<String> {
        let mut m = self.mirror.write().unwrap_or_else(PoisonError::into_inner);
        let mut last = None;
        for e in entries {
            let kind: Option<String> = e.get("k");
            let id: Option<String> = e.get("id");
            let exp: Option<u64> = e.get("exp");
            let ok = match (kind.as_deref(), id, exp) {
                (Some("t"), Some(id), Some(exp)) => {
                    let _ = m.revoke(Revoked::Token(&id), exp, now);
                    true
                }
                (Some("f"), Some(id), Some(exp)) => {
                    let _ = m.revoke(Revoked::Family(&id), exp, now);
                    true
                }
                (Some("v"), Some(id), Some(exp)) => match e.get::<u64>("ver") {
                    Some(ver) => {
                        let _ = m.set_version(&id, ver, exp, now);
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            bump(if ok { &self.counters.entries_applied } else { &self.counters.entries_malformed });
            last = Some(e.id.clone());
        }
        last
    }

    /// Where the sync thread resumes on a new connection to `addr` (run id `run_id`) whose
    /// change log was last generated up to `generated` (`None`: no log). Same server:
    /// from the last id seen — unless the log went back (deleted, recreated): then from the
    /// start. Another server (failover) or a restarted one: its log is a prefix of what
    /// this gateway saw plus entries written since, whose ids come from that server's
    /// clock; re-read from the earlier of the last id seen and the log's end, less the
    /// clock-skew margin, so no entry written after the failover is skipped. Re-applying
    /// an entry is harmless (revocations and versions only grow).
    fn resume_from(
        &self,
        run_id: &str,
        seen_run_id: &mut Option<String>,
        generated: Option<&str>,
        last: &str,
    ) -> String {
        let same = seen_run_id.as_deref() == Some(run_id);
        let first = seen_run_id.is_none();
        *seen_run_id = Some(run_id.to_owned());
        let (from, resync) = resume_point(first, same, generated, last);
        if resync {
            bump(&self.counters.resyncs);
        }
        from
    }

    /// Sleeps up to `d` in small steps, returning early when asked to stop.
    fn pause(&self, d: Duration) {
        let deadline = Instant::now().checked_add(d);
        while !self.stop.load(Ordering::Relaxed) && deadline.is_some_and(|t| Instant::now() < t) {
            std::thread::sleep(d.min(Duration::from_millis(10)));
        }
    }
}

/// Sentinel: asks a sentinel every [`PRIMARY_CHECK`] which node is the primary, for the
/// sync thread to compare with its own (a thread of its own, so a slow sentinel never
/// delays the change log).
fn watch_sentinels(s: &Shared) {
    while !s.stop.load(Ordering::Relaxed) {
        if let Some(named) = s.locator.named_primary() {
            *lock(&s.named) = Some((named, Instant::now()));
        }
        s.pause(PRIMARY_CHECK);
    }
}

/// A reply that says "not here": the command did not run on this node.
enum Redirect {
    /// Cluster: the slot now lives at this `host:port`.
    Moved(String),
    /// Cluster: this one command goes to `host:port`, after `ASKING` (slot migrating).
    Ask(String),
    /// Cluster: keys of a multi-key command are split by a migration; retry shortly.
    TryAgain,
    /// The node is not (or no longer) a writable primary: discover the primary again.
    Reconnect,
}

impl Redirect {
    fn of(e: &RedisError) -> Option<Redirect> {
        match e.code()? {
            "MOVED" => e.redirect_node().map(|(addr, _)| Redirect::Moved(addr.to_owned())),
            "ASK" => e.redirect_node().map(|(addr, _)| Redirect::Ask(addr.to_owned())),
            "TRYAGAIN" => Some(Redirect::TryAgain),
            "READONLY" | "MASTERDOWN" | "CLUSTERDOWN" | "LOADING" => Some(Redirect::Reconnect),
            _ => None,
        }
    }
}

/// The rule of [`Shared::resume_from`]: the id to read the change log after, and whether
/// that re-reads entries before the last id seen (a resync).
fn resume_point(first: bool, same_node: bool, generated: Option<&str>, last: &str) -> (String, bool) {
    let (Some(generated), Some(last_seen)) = (generated.and_then(stream_id), stream_id(last)) else {
        // No log on this server (or an id that does not parse): read all there is.
        return ("0-0".into(), !first);
    };
    if first || (same_node && generated >= last_seen) {
        return (last.to_owned(), false);
    }
    if same_node {
        // The log went back on the same server: it was deleted or recreated.
        return ("0-0".into(), true);
    }
    let margin_ms = LOG_SKEW_MARGIN_SECS.saturating_mul(1000);
    let from = generated.min(last_seen).0.saturating_sub(margin_ms);
    (format!("{from}-0"), true)
}

/// A stream id `ms-seq` as numbers (ordered as Redis orders them).
fn stream_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// The server's run id (`INFO server`): changes when another process answers.
fn run_id(con: &mut Connection) -> RedisResult<String> {
    let info: String = redis::cmd("INFO").arg("server").query(con)?;
    Ok(info.lines().find_map(|l| l.strip_prefix("run_id:")).unwrap_or("").trim().to_owned())
}

/// The change log's `last-generated-id` (`None` when there is no log).
fn log_end(con: &mut Connection, log: &str) -> RedisResult<Option<String>> {
    let exists: i64 = con.exists(log)?;
    if exists == 0 {
        return Ok(None);
    }
    let info: redis::streams::StreamInfoStreamReply = con.xinfo_stream(log)?;
    Ok(Some(info.last_generated_id))
}

/// The sync thread: fill the mirror from the start of the change log, then follow it with
/// `XREAD BLOCK`, resuming from the last applied id after a disconnect — or from earlier
/// when it finds another primary (failover) or a log that went back (see
/// [`Shared::resume_from`]). Cluster redirections are followed; under Sentinel it leaves a
/// node that the sentinels no longer name (see [`watch_sentinels`]).
fn sync_loop(s: &Shared) {
    let cfg = &s.config;
    let log = s.keys.log();
    let block_ms = usize::try_from(cfg.poll_block.as_millis()).unwrap_or(usize::MAX);
    let opts = StreamReadOptions::default().count(cfg.batch).block(block_ms);
    let read_timeout = cfg.poll_block.saturating_add(cfg.response_timeout);
    let mut conn: Option<Connection> = None;
    let mut ever_connected = false;
    let mut backoff = cfg.backoff_min;
    let mut last_id = lock(&s.last_id).clone();
    let mut seen_run_id: Option<String> = None;
    let mut node = String::new();
    let mut connected_at = Instant::now();
    while !s.stop.load(Ordering::Relaxed) {
        let con = match conn.as_mut() {
            Some(c) => c,
            None => {
                let attempt = s.connect("ciphertoken-sync", read_timeout).and_then(|(mut c, addr)| {
                    let id = run_id(&mut c)?;
                    let end = log_end(&mut c, &log)?;
                    Ok((c, addr, id, end))
                });
                match attempt {
                    Ok((c, addr, id, end)) => {
                        if ever_connected {
                            bump(&s.counters.reconnects);
                        }
                        if seen_run_id.as_ref().is_some_and(|seen| *seen != id) {
                            bump(&s.counters.node_changes);
                        }
                        last_id = s.resume_from(&id, &mut seen_run_id, end.as_deref(), &last_id);
                        ever_connected = true;
                        s.connected.store(true, Ordering::Relaxed);
                        node.clone_from(&addr);
                        *lock(&s.node) = addr;
                        connected_at = Instant::now();
                        conn.insert(c)
                    }
                    Err(_) => {
                        bump(&s.counters.sync_errors);
                        s.pause(backoff);
                        backoff = backoff.saturating_mul(2).min(cfg.backoff_max);
                        continue;
                    }
                }
            }
        };
        let mut reply: RedisResult<Option<StreamReadReply>> = con.xread_options(&[&log], &[&last_id], &opts);
        if let Err(e) = &reply {
            match Redirect::of(e) {
                Some(Redirect::Ask(addr)) => {
                    bump(&s.counters.redirects);
                    reply = s.locator.open_node(&addr, read_timeout).and_then(|mut target| {
                        redis::cmd("ASKING").query::<()>(&mut target)?;
                        target.xread_options(&[&log], &[&last_id], &opts)
                    });
                }
                Some(Redirect::Moved(addr)) => {
                    bump(&s.counters.redirects);
                    s.locator.moved(&addr);
                }
                _ => {}
            }
        }
        match reply {
            Ok(reply) => {
                backoff = cfg.backoff_min;
                let entries: Vec<StreamId> =
                    reply.map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect()).unwrap_or_default();
                let now = SystemClock.now().unwrap_or(0);
                if let Some(id) = s.apply(&entries, now) {
                    last_id.clone_from(&id);
                    *lock(&s.last_id) = id;
                }
                // Fewer entries than asked for: nothing newer existed when Redis replied.
                if entries.len() < cfg.batch {
                    s.mark_fresh();
                }
                // The watcher's answer, if obtained since this connection was made.
                let named = lock(&s.named).clone();
                if let Some((named, at)) = named {
                    if at > connected_at && named != node {
                        // Sentinel names another primary: this node was demoted.
                        s.connected.store(false, Ordering::Relaxed);
                        conn = None;
                    }
                }
            }
            Err(_) => {
                bump(&s.counters.sync_errors);
                s.connected.store(false, Ordering::Relaxed);
                conn = None;
            }
        }
    }
}

/// How a [`View`] answers, decided once when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Fresh,
    StaleOpen,
    Closed,
}

/// One verification's view of the fleet's deny-set and versions: the freshness decision
/// is taken once, and a degraded verification (stale mirror, fail-open or fail-closed) is
/// counted once when the view is dropped. Implements the core's [`RevocationStore`] and
/// [`VersionSource`]:
///
/// ```no_run
/// # use ciphertoken::{lifecycle::{CipherToken, NoClaims}, SigningKey, SystemClock};
/// # fn f(fleet: &ciphertoken_redis::Fleet, ct: &CipherToken<'_, SystemClock, 2>, token: &str)
/// #     -> Result<(), ciphertoken::Error> {
/// let mut scratch = [0u8; 1024];
/// let view = fleet.view();
/// let ok = ct.verify_access::<NoClaims, _, _>(token, &view, &view, &mut scratch)?;
/// # Ok(()) }
/// ```
pub struct View<'f> {
    shared: &'f Shared,
    mode: Mode,
    degraded: Cell<bool>,
}

impl<'f> View<'f> {
    fn new(shared: &'f Shared) -> Self {
        let mode = match shared.staleness() {
            None => Mode::Closed,
            Some(age) if age <= shared.config.max_staleness => Mode::Fresh,
            Some(_) => match shared.config.stale_policy {
                StalePolicy::FailClosed => Mode::Closed,
                StalePolicy::FailOpen => Mode::StaleOpen,
            },
        };
        View { shared, mode, degraded: Cell::new(false) }
    }

    /// Whether this view answers from a fresh mirror.
    pub fn is_fresh(&self) -> bool {
        self.mode == Mode::Fresh
    }

    /// Whether this view refuses every token (stale or never-synced mirror, fail closed).
    pub fn fails_closed(&self) -> bool {
        self.mode == Mode::Closed
    }

    fn gate(&self) -> Result<(), Error> {
        match self.mode {
            Mode::Fresh => Ok(()),
            Mode::StaleOpen => {
                self.degraded.set(true);
                Ok(())
            }
            Mode::Closed => {
                self.degraded.set(true);
                Err(FAIL_CLOSED)
            }
        }
    }

    /// The full-mirror fallback: ask Redis or fail closed, never open.
    fn ask<T>(&self, query: impl FnOnce() -> Result<T, FleetError>) -> Result<T, Error> {
        let c = &self.shared.counters;
        if self.shared.config.full_policy == FullPolicy::FailClosed {
            bump(&c.full_failed_closed);
            return Err(FAIL_CLOSED);
        }
        match query() {
            Ok(v) => {
                bump(&c.full_asked_redis);
                Ok(v)
            }
            Err(_) => {
                bump(&c.full_failed_closed);
                Err(FAIL_CLOSED)
            }
        }
    }
}

impl Drop for View<'_> {
    fn drop(&mut self) {
        if self.degraded.get() {
            let c = &self.shared.counters;
            bump(if self.mode == Mode::StaleOpen { &c.degraded_open } else { &c.degraded_closed });
        }
    }
}

impl RevocationStore for View<'_> {
    /// Revokes fleet-wide (Redis, then the local mirror). A Redis failure is reported as
    /// [`Error::StoreFull`] (the revocation could not be recorded); use
    /// [`Fleet::revoke`] for the detailed error.
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        match self.shared.revoke(id, expires_at, now) {
            Ok(_) => Ok(()),
            Err(FleetError::Token(e)) => Err(e),
            Err(_) => Err(Error::StoreFull),
        }
    }

    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        self.gate()?;
        let local = self.shared.mirror.read().unwrap_or_else(PoisonError::into_inner).is_revoked(id, now);
        match local {
            Ok(revoked) => Ok(revoked),
            Err(_) => self.ask(|| self.shared.remote_is_revoked(id)),
        }
    }
}

impl VersionSource for View<'_> {
    /// The subject's version from the mirror; 0 when it was not bumped within the longest
    /// token lifetime (so every token must carry `ver`).
    fn current_version(&self, subject: &str) -> Result<Option<u64>, Error> {
        self.gate()?;
        let now = SystemClock.now()?;
        let local = self.shared.mirror.read().unwrap_or_else(PoisonError::into_inner).version(subject, now);
        match local {
            Ok(v) => Ok(Some(v.unwrap_or(0))),
            Err(_) => self.ask(|| {
                let s = self.shared;
                let v: Option<u64> = s.with_writer(|c| c.get(s.keys.version(subject)))?;
                Ok(Some(v.unwrap_or(0)))
            }),
        }
    }
}

/// `Fleet` as a store: each call is its own [`View`] (one decision per look-up).
impl RevocationStore for Fleet {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        self.view().revoke(id, expires_at, now)
    }
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        self.view().is_revoked(id, now)
    }
}

impl VersionSource for Fleet {
    fn current_version(&self, subject: &str) -> Result<Option<u64>, Error> {
        self.view().current_version(subject)
    }
}

/// Adapts the core's `rotation` to the fleet: look-ups go to the view; the use of the old
/// refresh token is held back for the compare-and-set script; a family revocation (reuse
/// seen locally) is written at once.
struct RotationGate<'v, 'f> {
    view: &'v View<'f>,
    used: Option<(String, UnixSeconds)>,
    recorder: Recorder<'f>,
}

impl RevocationStore for RotationGate<'_, '_> {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        match id {
            Revoked::Token(jti) => {
                self.used = Some((jti.to_owned(), expires_at));
                Ok(())
            }
            Revoked::Family(_) => self.recorder.revoke(id, expires_at, now),
        }
    }
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        self.view.is_revoked(id, now)
    }
}

/// A write-only store for the core's `revoke`/`revoke_family` that keeps Redis's error.
struct Recorder<'f> {
    shared: &'f Shared,
    error: Option<FleetError>,
}

impl Recorder<'_> {
    fn finish(mut self, result: Result<(), Error>) -> Result<(), FleetError> {
        match (self.error.take(), result) {
            (Some(e), _) => Err(e),
            (None, r) => r.map_err(FleetError::Token),
        }
    }
}

impl RevocationStore for Recorder<'_> {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        match self.shared.revoke(id, expires_at, now) {
            Ok(_) => Ok(()),
            Err(FleetError::Token(e)) => Err(e),
            Err(e) => {
                self.error = Some(e);
                Err(Error::StoreFull)
            }
        }
    }
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        View::new(self.shared).is_revoked(id, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARGIN_MS: u64 = LOG_SKEW_MARGIN_SECS * 1000;

    #[test]
    fn the_change_log_resumes_from_the_last_id_on_the_same_server() {
        assert_eq!(resume_point(true, false, Some("900-0"), "0-0"), ("0-0".into(), false), "first fill");
        assert_eq!(resume_point(true, false, None, "0-0"), ("0-0".into(), false), "first, no log yet");
        let same = resume_point(false, true, Some("2000000-3"), "1000000-7");
        assert_eq!(same, ("1000000-7".into(), false), "reconnect: resume exactly");
        let equal = resume_point(false, true, Some("1000000-7"), "1000000-7");
        assert_eq!(equal, ("1000000-7".into(), false));
    }

    #[test]
    fn a_log_that_went_back_or_vanished_is_read_again() {
        let reset = resume_point(false, true, Some("500-0"), "1000000-7");
        assert_eq!(reset, ("0-0".into(), true), "same server, log behind: deleted and recreated");
        assert_eq!(resume_point(false, true, None, "1000000-7"), ("0-0".into(), true), "log gone");
        assert_eq!(resume_point(false, false, None, "1000000-7"), ("0-0".into(), true), "new server, no log");
    }

    #[test]
    fn after_a_failover_the_log_is_read_again_from_before_the_earlier_end() {
        let t = 10 * MARGIN_MS;
        // The promoted replica lacks the last entries the gateway saw (async replication):
        // re-read from its log's end, less the clock-skew margin.
        let behind = resume_point(false, false, Some(&format!("{}-0", t - 40)), &format!("{t}-5"));
        assert_eq!(behind, (format!("{}-0", t - 40 - MARGIN_MS), true));
        // The new primary already wrote entries, possibly with ids from a clock behind the
        // old one's: re-read from the last id seen, less the margin.
        let ahead = resume_point(false, false, Some(&format!("{}-0", t + 900)), &format!("{t}-5"));
        assert_eq!(ahead, (format!("{}-0", t - MARGIN_MS), true));
        // Early ids: no underflow.
        assert_eq!(resume_point(false, false, Some("10-0"), "20-0"), ("0-0".into(), true));
    }

    #[test]
    fn stream_ids_order_numerically() {
        assert!(stream_id("10-0") > stream_id("9-99"));
        assert!(stream_id("10-10") > stream_id("10-9"));
        assert_eq!(stream_id("x-1"), None);
        assert_eq!(stream_id("12"), None);
    }
}
