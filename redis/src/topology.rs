//! Where a namespace's primary is: one server, the primary a Redis Sentinel group names, or
//! the Redis Cluster shard owning the namespace's slot — and how to follow it when it moves.
//!
//! Hand-written on the `redis` crate's plain synchronous [`Connection`] rather than its
//! `sentinel` / `cluster` features, for two reasons:
//!
//! * **Bounded waits.** The crate's synchronous `Sentinel` opens connections to sentinels and
//!   to the candidate primary without a connect or read timeout (`Client::get_connection`),
//!   so one partitioned sentinel would stall a gateway's writers and sync thread without
//!   bound; every Redis call of this crate is bounded by the configured timeouts.
//! * **One slot per namespace.** Every key of a namespace carries the hash tag
//!   `{namespace}` (see [`scripts`](crate::scripts)), so a namespace lives on exactly one
//!   Cluster shard: the fleet needs one ordinary connection to that shard's primary, which
//!   it keeps for `XREAD BLOCK` and the scripts, not a cluster-wide connection pool.
//!
//! Discovery follows the Sentinel client specification (ask each sentinel in turn for
//! `SENTINEL GET-MASTER-ADDR-BY-NAME`, then check `ROLE` on the named node, since a
//! sentinel may name a node that is not a primary yet) and the Cluster specification
//! (`CLUSTER SLOTS` from any reachable node; a `MOVED` reply names the slot's new owner,
//! which is tried first from then on; an `ASK` reply is served by one `ASKING` + the
//! command on the named node, without changing the owner).

use crate::FleetError;
use redis::{Connection, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisResult, Value};
use std::sync::Mutex;
use std::time::Duration;

/// Where the fleet's Redis is. See [`FleetConfig`](crate::FleetConfig)'s constructors.
///
/// Discovery is written on the `redis` crate's plain connections rather than its
/// `sentinel` / `cluster` features: the crate's synchronous Sentinel client connects and
/// queries without timeouts (one partitioned sentinel could stall a gateway without bound),
/// and a namespace lives in one Cluster slot, so one connection to that slot's primary is
/// all the fleet needs. Sentinel: `SENTINEL GET-MASTER-ADDR-BY-NAME` on each sentinel in
/// turn, then `ROLE` on the named node. Cluster: `CLUSTER KEYSLOT` and `CLUSTER SLOTS` from
/// any reachable node; `MOVED` names the new owner, `ASK` is served by `ASKING` + the
/// command on the named node, `TRYAGAIN` is retried shortly (at most 5 redirections a call).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Topology {
    /// One server (or a proxy / managed endpoint that hides failover), by URL.
    Single(String),
    /// A primary monitored by Redis Sentinel: the sentinels' URLs and the master name.
    Sentinel {
        /// `redis://host:port` of each sentinel (at least one; all are asked in turn).
        sentinels: Vec<String>,
        /// The name in `sentinel monitor <name> …`.
        master: String,
    },
    /// Redis Cluster: URLs of some of its nodes (any role).
    Cluster {
        /// `redis://host:port` of one or more nodes.
        seeds: Vec<String>,
    },
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

enum Kind {
    Single(ConnectionInfo),
    Sentinel { sentinels: Vec<ConnectionInfo>, master: String },
    Cluster { seeds: Vec<ConnectionInfo> },
}

/// Finds and connects to the primary holding a namespace.
pub(crate) struct Locator {
    kind: Kind,
    /// Settings (auth, db, TCP) applied to every data node found by discovery.
    template: ConnectionInfo,
    /// A key of the namespace (its slot is the namespace's slot).
    key: String,
    connect_timeout: Duration,
    response_timeout: Duration,
    /// Cluster: the owner a `MOVED` named, tried first.
    hint: Mutex<Option<(String, u16)>>,
    /// Cluster: nodes learned from `CLUSTER SLOTS`, asked after the seeds.
    known: Mutex<Vec<(String, u16)>>,
    /// Cluster: the namespace's slot, once a node told it (`CLUSTER KEYSLOT`).
    slot: Mutex<Option<i64>>,
}

/// `host:port` of a TCP connection address, for reports.
pub(crate) fn addr_text(info: &ConnectionInfo) -> String {
    info.addr().to_string()
}

fn tcp_settings() -> redis::io::tcp::TcpSettings {
    redis::io::tcp::TcpSettings::default().set_nodelay(true)
}

fn parse(url: &str) -> Result<ConnectionInfo, FleetError> {
    Ok(url.into_connection_info()?.set_tcp_settings(tcp_settings()))
}

fn protocol(what: &'static str) -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::UnexpectedReturnType, what))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

impl Locator {
    pub(crate) fn new(
        topology: &Topology,
        node_url: Option<&str>,
        key: String,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> Result<Locator, FleetError> {
        let (kind, template) = match topology {
            Topology::Single(url) => {
                let info = parse(url)?;
                (Kind::Single(info.clone()), info)
            }
            Topology::Sentinel { sentinels, master } => {
                let list = sentinels.iter().map(|u| parse(u)).collect::<Result<Vec<_>, _>>()?;
                if list.is_empty() || master.is_empty() {
                    return Err(FleetError::Config("sentinel: at least one sentinel and a master name"));
                }
                let template = parse(node_url.unwrap_or("redis://127.0.0.1"))?;
                (Kind::Sentinel { sentinels: list, master: master.clone() }, template)
            }
            Topology::Cluster { seeds } => {
                let list = seeds.iter().map(|u| parse(u)).collect::<Result<Vec<_>, _>>()?;
                let Some(first) = list.first() else {
                    return Err(FleetError::Config("cluster: at least one seed node"));
                };
                if first.redis_settings().db() != 0 {
                    return Err(FleetError::Config("cluster: only database 0 exists"));
                }
                let template = match node_url {
                    Some(u) => parse(u)?,
                    None => first.clone(),
                };
                (Kind::Cluster { seeds: list }, template)
            }
        };
        Ok(Locator {
            kind,
            template,
            key,
            connect_timeout,
            response_timeout,
            hint: Mutex::new(None),
            known: Mutex::new(Vec::new()),
            slot: Mutex::new(None),
        })
    }

    /// Connects to `info` with the connect timeout; replies are awaited at most
    /// `read_timeout`, writes at most the response timeout.
    fn open(&self, info: &ConnectionInfo, read_timeout: Duration) -> RedisResult<Connection> {
        let client = redis::Client::open(info.clone())?;
        let con = client.get_connection_with_timeout(self.connect_timeout)?;
        con.set_read_timeout(Some(read_timeout))?;
        con.set_write_timeout(Some(self.response_timeout))?;
        Ok(con)
    }

    fn node(&self, host: &str, port: u16) -> ConnectionInfo {
        self.template.clone().set_addr(ConnectionAddr::Tcp(host.to_owned(), port))
    }

    /// Connects to the node at `host:port` (an `ASK` target).
    pub(crate) fn open_node(&self, addr: &str, read_timeout: Duration) -> RedisResult<Connection> {
        let (host, port) = split_addr(addr).ok_or_else(|| protocol("redirect address"))?;
        self.open(&self.node(host, port), read_timeout)
    }

    /// Records the slot owner a `MOVED` reply named; the next connection tries it first.
    pub(crate) fn moved(&self, addr: &str) {
        if let Some((host, port)) = split_addr(addr) {
            *lock(&self.hint) = Some((host.to_owned(), port));
        }
    }

    /// Whether [`named_primary`](Locator::named_primary) answers (Sentinel).
    pub(crate) fn named_primary_applies(&self) -> bool {
        matches!(self.kind, Kind::Sentinel { .. })
    }

    /// Connects to the namespace's current primary; returns the connection and the
    /// primary's `host:port`.
    ///
    /// # Errors
    /// The last error met: no sentinel answered, no primary is known (failover under way),
    /// the named node is not a primary (yet), no cluster node answered, the slot is not
    /// served.
    pub(crate) fn primary(&self, read_timeout: Duration) -> RedisResult<(Connection, String)> {
        match &self.kind {
            Kind::Single(info) => Ok((self.open(info, read_timeout)?, addr_text(info))),
            Kind::Sentinel { sentinels, master } => {
                // The Sentinel client specification: ask the sentinels in turn and use the
                // first named node that is a primary. During a failover only the leading
                // sentinel names the promoted replica already: when the first answer
                // refuses, the next sentinel may know better.
                let mut last = protocol("no sentinel named a primary");
                let mut tried: Vec<(String, u16)> = Vec::new();
                for s in sentinels {
                    let named = match self.ask_sentinel(s, master) {
                        Ok(named) => named,
                        Err(e) => {
                            last = e;
                            continue;
                        }
                    };
                    if tried.contains(&named) {
                        continue;
                    }
                    let info = self.node(&named.0, named.1);
                    tried.push(named);
                    match self.open(&info, read_timeout).and_then(|mut c| Ok((is_primary(&mut c)?, c))) {
                        Ok((true, con)) => return Ok((con, addr_text(&info))),
                        Ok((false, _)) => last = protocol("the node sentinel names is not a primary (yet)"),
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
            Kind::Cluster { seeds } => self.cluster_primary(seeds, read_timeout),
        }
    }

    /// Sentinel: the primary's address as the first sentinel that answers names it, for
    /// checking that a long-lived connection still points at the primary.
    pub(crate) fn named_primary(&self) -> Option<String> {
        let Kind::Sentinel { sentinels, master } = &self.kind else { return None };
        let (host, port) = sentinels.iter().find_map(|s| self.ask_sentinel(s, master).ok())?;
        Some(addr_text(&self.node(&host, port)))
    }

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME master` on one sentinel (bounded by the timeouts).
    fn ask_sentinel(&self, sentinel: &ConnectionInfo, master: &str) -> RedisResult<(String, u16)> {
        let mut c = self.open(sentinel, self.response_timeout)?;
        let named: Option<(String, String)> =
            redis::cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(master).query(&mut c)?;
        let (host, port) = named.ok_or_else(|| protocol("sentinel does not know the master name"))?;
        Ok((host, port.parse().map_err(|_| protocol("sentinel port"))?))
    }

    fn cluster_primary(
        &self,
        seeds: &[ConnectionInfo],
        read_timeout: Duration,
    ) -> RedisResult<(Connection, String)> {
        let mut last = protocol("no cluster node answered");
        // 1. The owner a MOVED named.
        if let Some((host, port)) = lock(&self.hint).take() {
            let info = self.node(&host, port);
            match self.open(&info, read_timeout) {
                Ok(con) => return Ok((con, addr_text(&info))),
                Err(e) => last = e,
            }
        }
        // 2. Ask the seeds, then every node learned before, for the slot map.
        let known = lock(&self.known).clone();
        let candidates = seeds.iter().cloned().chain(known.iter().map(|(h, p)| self.node(h, *p)));
        for info in candidates {
            let owner = self.open(&info, self.response_timeout).and_then(|mut c| self.slot_owner(&mut c));
            match owner {
                Ok((host, port)) => {
                    let info = self.node(&host, port);
                    match self.open(&info, read_timeout) {
                        Ok(con) => return Ok((con, addr_text(&info))),
                        Err(e) => last = e,
                    }
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The primary serving the namespace's slot, from `CLUSTER SLOTS` on `con`; every node
    /// listed is remembered for later discovery.
    fn slot_owner(&self, con: &mut Connection) -> RedisResult<(String, u16)> {
        let slot = {
            let cached = *lock(&self.slot);
            match cached {
                Some(s) => s,
                None => {
                    let s: i64 = redis::cmd("CLUSTER").arg("KEYSLOT").arg(&self.key).query(con)?;
                    *lock(&self.slot) = Some(s);
                    s
                }
            }
        };
        let ranges: Vec<Vec<Value>> = redis::cmd("CLUSTER").arg("SLOTS").query(con)?;
        let mut owner = None;
        let mut nodes = Vec::new();
        for range in &ranges {
            let (Some(Value::Int(start)), Some(Value::Int(end))) = (range.first(), range.get(1)) else {
                continue;
            };
            for (i, node) in range.iter().skip(2).enumerate() {
                let Value::Array(fields) = node else { continue };
                let host = fields.first().and_then(text);
                let port = match fields.get(1) {
                    Some(Value::Int(p)) => u16::try_from(*p).ok(),
                    _ => None,
                };
                if let (Some(host), Some(port)) = (host, port) {
                    if i == 0 && (*start..=*end).contains(&slot) {
                        owner = Some((host.clone(), port));
                    }
                    nodes.push((host, port));
                }
            }
        }
        nodes.sort();
        nodes.dedup();
        if !nodes.is_empty() {
            *lock(&self.known) = nodes;
        }
        owner.ok_or_else(|| protocol("the namespace's slot is not served"))
    }
}

/// `ROLE` says `master`.
fn is_primary(con: &mut Connection) -> RedisResult<bool> {
    let role: Vec<Value> = redis::cmd("ROLE").query(con)?;
    Ok(role.first().and_then(text).as_deref() == Some("master"))
}

/// `host:port` (the last `:` separates the port, so IPv6 hosts work too).
fn split_addr(addr: &str) -> Option<(&str, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_addresses_split_at_the_last_colon() {
        assert_eq!(split_addr("127.0.0.1:7001"), Some(("127.0.0.1", 7001)));
        assert_eq!(split_addr("[::1]:7001"), Some(("::1", 7001)));
        assert_eq!(split_addr("host"), None);
        assert_eq!(split_addr("host:99999"), None);
    }

    #[test]
    fn discovery_settings_are_checked() {
        let t = Duration::from_millis(100);
        let no_sentinel = Topology::Sentinel { sentinels: vec![], master: "m".into() };
        assert!(matches!(Locator::new(&no_sentinel, None, "k".into(), t, t), Err(FleetError::Config(_))));
        let no_seed = Topology::Cluster { seeds: vec![] };
        assert!(matches!(Locator::new(&no_seed, None, "k".into(), t, t), Err(FleetError::Config(_))));
        let db1 = Topology::Cluster { seeds: vec!["redis://127.0.0.1:7000/1".into()] };
        assert!(matches!(Locator::new(&db1, None, "k".into(), t, t), Err(FleetError::Config(_))));
        let ok = Topology::Sentinel { sentinels: vec!["redis://127.0.0.1:26379".into()], master: "m".into() };
        assert!(Locator::new(&ok, None, "k".into(), t, t).is_ok_and(|l| l.named_primary_applies()));
    }
}
