//! Settings of a gateway's connection to the fleet's Redis.

use crate::topology::Topology;
use crate::FleetError;
use std::time::Duration;

/// What a gateway does when its mirror is older than `max_staleness` (Redis unreachable,
/// network partition, sync thread behind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StalePolicy {
    /// Refuse every token until the mirror is fresh again (the default): a revocation
    /// made elsewhere during the outage can never be missed.
    #[default]
    FailClosed,
    /// Keep answering from the stale mirror (availability over revocation freshness).
    /// Only by explicit choice; every such decision is counted.
    FailOpen,
}

/// What a gateway does when its mirror is full and a look-up misses (the answer may have
/// been one of the entries that did not fit). Never open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FullPolicy {
    /// Ask Redis (one round trip, bounded by the response timeout); if Redis does not
    /// answer, fail closed (the default).
    #[default]
    AskRedis,
    /// Fail closed at once.
    FailClosed,
}

/// How a gateway talks to the fleet's Redis and how it treats a stale or full mirror.
///
/// ```
/// use ciphertoken_redis::{FleetConfig, StalePolicy};
/// use std::time::Duration;
/// let config = FleetConfig::new("redis://127.0.0.1:6379")
///     .namespace("gw")
///     .max_token_lifetime(7 * 86_400 + 60)
///     .max_staleness(Duration::from_secs(2))
///     .stale_policy(StalePolicy::FailClosed);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct FleetConfig {
    pub(crate) topology: Topology,
    pub(crate) node_url: Option<String>,
    pub(crate) wait_replicas: u32,
    pub(crate) wait_timeout: Duration,
    pub(crate) namespace: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Duration,
    pub(crate) poll_block: Duration,
    pub(crate) batch: usize,
    pub(crate) max_token_lifetime: u64,
    pub(crate) max_staleness: Duration,
    pub(crate) stale_policy: StalePolicy,
    pub(crate) mirror_capacity: usize,
    pub(crate) full_policy: FullPolicy,
    pub(crate) backoff_min: Duration,
    pub(crate) backoff_max: Duration,
}

impl FleetConfig {
    /// Defaults for the Redis at `url` (`redis://host:port[/db]`): namespace `ct`,
    /// connect and response timeouts 500 ms, `XREAD BLOCK` 250 ms, `max_staleness` 2 s,
    /// fail closed, a mirror of 100 000 entries that asks Redis when full, a maximum
    /// token lifetime of 7 days + 60 s (the core's default refresh lifetime plus leeway).
    ///
    /// Writes are acknowledged by the one server (no `WAIT`: see
    /// [`wait_replicas`](FleetConfig::wait_replicas) when it has replicas).
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_topology(Topology::Single(url.into()))
    }

    /// A primary monitored by Redis Sentinel: `sentinels` are the sentinels' URLs
    /// (`redis://127.0.0.1:26379`), `master` the name they monitor it by. The gateway asks
    /// the sentinels for the primary and follows a failover. Other settings as
    /// [`new`](FleetConfig::new), except that a write is reported done only once one
    /// replica has it too (`wait_replicas(1)`, `wait_timeout` 500 ms).
    ///
    /// ```
    /// use ciphertoken_redis::FleetConfig;
    /// let config = FleetConfig::sentinel("fleet", ["redis://127.0.0.1:26379", "redis://127.0.0.1:26380"]);
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn sentinel<S: Into<String>>(
        master: impl Into<String>,
        sentinels: impl IntoIterator<Item = S>,
    ) -> Self {
        let topology = Topology::Sentinel {
            sentinels: sentinels.into_iter().map(Into::into).collect(),
            master: master.into(),
        };
        Self::with_topology(topology).wait_replicas(1)
    }

    /// Redis Cluster, reached through any of `seeds` (node URLs). The namespace lives in
    /// one slot (its hash tag); the gateway talks to that slot's primary and follows
    /// `MOVED`, `ASK` and shard failovers. A write is reported done once one replica of the
    /// shard has it (`wait_replicas(1)`).
    pub fn cluster<S: Into<String>>(seeds: impl IntoIterator<Item = S>) -> Self {
        let topology = Topology::Cluster { seeds: seeds.into_iter().map(Into::into).collect() };
        Self::with_topology(topology).wait_replicas(1)
    }

    fn with_topology(topology: Topology) -> Self {
        FleetConfig {
            topology,
            node_url: None,
            wait_replicas: 0,
            wait_timeout: Duration::from_millis(500),
            namespace: "ct".into(),
            connect_timeout: Duration::from_millis(500),
            response_timeout: Duration::from_millis(500),
            poll_block: Duration::from_millis(250),
            batch: 1_000,
            max_token_lifetime: ciphertoken::lifecycle::DEFAULT_REFRESH_TTL.saturating_add(60),
            max_staleness: Duration::from_secs(2),
            stale_policy: StalePolicy::FailClosed,
            mirror_capacity: 100_000,
            full_policy: FullPolicy::AskRedis,
            backoff_min: Duration::from_millis(20),
            backoff_max: Duration::from_millis(500),
        }
    }

    /// The key namespace, also the Redis Cluster hash tag: every key is `{namespace}:…`,
    /// so all of a fleet's keys live in one slot and the Lua scripts may touch several of
    /// them (Cluster refuses cross-slot scripts). ASCII letters, digits, `-` and `_`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Timeout for establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout for a reply to any command (the sync connection waits `poll_block` longer).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How long one `XREAD BLOCK` waits for news; a healthy gateway's staleness stays
    /// below about this value plus one round trip.
    pub fn poll_block(mut self, block: Duration) -> Self {
        self.poll_block = block;
        self
    }

    /// The most stream entries read at once (`XREAD COUNT`).
    pub fn batch(mut self, entries: usize) -> Self {
        self.batch = entries;
        self
    }

    /// The longest lifetime of any token of the fleet, in seconds: at least the refresh
    /// lifetime plus the verification leeway. The change log keeps this much history, a
    /// family record lives this long, and a revocation expiring later is refused (the log
    /// could not replay it to a gateway that starts later).
    pub fn max_token_lifetime(mut self, seconds: u64) -> Self {
        self.max_token_lifetime = seconds;
        self
    }

    /// The age of the mirror beyond which [`StalePolicy`] applies.
    pub fn max_staleness(mut self, max: Duration) -> Self {
        self.max_staleness = max;
        self
    }

    /// The policy for a stale mirror.
    pub fn stale_policy(mut self, policy: StalePolicy) -> Self {
        self.stale_policy = policy;
        self
    }

    /// The mirror's capacity in entries (revoked ids, revoked families, version bumps).
    pub fn mirror_capacity(mut self, entries: usize) -> Self {
        self.mirror_capacity = entries;
        self
    }

    /// The policy for a full mirror.
    pub fn full_policy(mut self, policy: FullPolicy) -> Self {
        self.full_policy = policy;
        self
    }

    /// Reconnection back-off of the sync thread: doubles from `min` up to `max`.
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff_min = min;
        self.backoff_max = max;
        self
    }

    /// How many replicas must have a write before it is reported done: after each write
    /// the gateway sends `WAIT replicas timeout` on the same connection, and a write that
    /// fewer replicas acknowledged within [`wait_timeout`](FleetConfig::wait_timeout) fails
    /// with [`FleetError::NotDurable`] (it is applied on the primary and may or may not
    /// survive a failover: retry it). 0 (the default for one server) skips `WAIT`.
    pub fn wait_replicas(mut self, replicas: u32) -> Self {
        self.wait_replicas = replicas;
        self
    }

    /// The `WAIT` timeout (default 500 ms; never 0, which would make `WAIT` block for good).
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// Connection settings (user, password, TLS, database) for the data nodes found by
    /// discovery (Sentinel, Cluster), as a URL whose host and port are ignored. Default:
    /// plain TCP without authentication (Sentinel), or the first seed's settings (Cluster).
    pub fn node_url(mut self, url: impl Into<String>) -> Self {
        self.node_url = Some(url.into());
        self
    }

    /// Where the fleet's Redis is.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The configured replica count for `WAIT` (0: no `WAIT`).
    pub fn wait_replicas_value(&self) -> u32 {
        self.wait_replicas
    }

    /// The namespace.
    pub fn namespace_str(&self) -> &str {
        &self.namespace
    }

    /// The configured [`StalePolicy`].
    pub fn stale_policy_value(&self) -> StalePolicy {
        self.stale_policy
    }

    /// The configured `max_staleness`.
    pub fn max_staleness_value(&self) -> Duration {
        self.max_staleness
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`FleetError::Config`] naming the setting: an empty or non-alphanumeric
    /// namespace; zero timeouts, batch or capacity; a zero token lifetime; a
    /// `max_staleness` not above `poll_block + response_timeout` (a healthy gateway would
    /// flap between fresh and stale).
    pub fn validate(&self) -> Result<(), FleetError> {
        let ns_ok = !self.namespace.is_empty()
            && self.namespace.len() <= 64
            && self.namespace.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ns_ok {
            return Err(FleetError::Config("namespace: 1 to 64 ASCII letters, digits, '-' or '_'"));
        }
        if self.connect_timeout.is_zero() || self.response_timeout.is_zero() || self.poll_block.is_zero() {
            return Err(FleetError::Config("timeouts and poll_block must be non-zero"));
        }
        if self.poll_block.as_millis() >= u128::from(u32::MAX) {
            return Err(FleetError::Config("poll_block too long"));
        }
        if self.batch == 0 || self.mirror_capacity == 0 {
            return Err(FleetError::Config("batch and mirror_capacity must be non-zero"));
        }
        if self.max_token_lifetime == 0 || self.max_token_lifetime > u64::from(u32::MAX) {
            return Err(FleetError::Config("max_token_lifetime: 1 s to about 136 years"));
        }
        if self.max_staleness <= self.poll_block.saturating_add(self.response_timeout) {
            return Err(FleetError::Config("max_staleness must exceed poll_block + response_timeout"));
        }
        if self.backoff_min.is_zero() || self.backoff_max < self.backoff_min {
            return Err(FleetError::Config("reconnect_backoff: 0 < min <= max"));
        }
        if self.wait_replicas > 0
            && (self.wait_timeout.is_zero() || self.wait_timeout > Duration::from_secs(60))
        {
            return Err(FleetError::Config("wait_timeout: 1 ms to 60 s when wait_replicas > 0"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fail_closed() {
        let c = FleetConfig::new("redis://127.0.0.1:1");
        assert!(c.validate().is_ok());
        assert_eq!(c.stale_policy, StalePolicy::FailClosed);
        assert_eq!(c.full_policy, FullPolicy::AskRedis);
        assert_eq!(c.wait_replicas, 0, "one server: nothing to wait for");
        let s = FleetConfig::sentinel("m", ["redis://127.0.0.1:26379"]);
        assert_eq!(s.wait_replicas, 1, "replicated: a write is done once a replica has it");
        assert_eq!(FleetConfig::cluster(["redis://127.0.0.1:7000"]).wait_replicas, 1);
    }

    #[test]
    fn bad_settings_are_named() {
        let base = || FleetConfig::new("redis://127.0.0.1:1");
        for (config, what) in [
            (base().namespace(""), "namespace"),
            (base().namespace("a{b}"), "namespace"),
            (base().namespace("a:b"), "namespace"),
            (base().response_timeout(Duration::ZERO), "timeouts"),
            (base().batch(0), "batch"),
            (base().mirror_capacity(0), "mirror_capacity"),
            (base().max_token_lifetime(0), "max_token_lifetime"),
            (base().max_staleness(Duration::from_millis(700)), "max_staleness"),
            (base().reconnect_backoff(Duration::from_secs(2), Duration::from_secs(1)), "backoff"),
            (base().wait_replicas(1).wait_timeout(Duration::ZERO), "wait_timeout"),
        ] {
            match config.validate() {
                Err(FleetError::Config(msg)) => assert!(msg.contains(what), "{msg} vs {what}"),
                other => panic!("{what}: {other:?}"),
            }
        }
    }
}
