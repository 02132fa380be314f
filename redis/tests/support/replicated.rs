//! Replicated Redis for the failover tests, all on 127.0.0.1: a primary with replicas under
//! Redis Sentinel (`redis-sentinel`), and a Redis Cluster of primaries with one replica
//! each. Every process is started here and stopped by its own PID when dropped; every wait
//! is bounded.

use super::{free_port, wait_until, Proxy, RedisServer};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The name the sentinels monitor the primary by.
pub const MASTER: &str = "fleet";
/// Sentinel `down-after-milliseconds`: how long a silent primary takes to be suspected.
pub const DOWN_AFTER_MS: u64 = 500;
/// Cluster `cluster-node-timeout`.
pub const NODE_TIMEOUT_MS: u64 = 1000;

static SENTINELS: AtomicUsize = AtomicUsize::new(0);

/// Settings every node shares (any of them may become the primary): AOF as in the
/// single-server tests, diskless full sync so replicas attach at once.
fn node_args() -> Vec<String> {
    ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"].map(String::from).to_vec()
}

/// A direct connection to `127.0.0.1:port` with 2 s timeouts.
pub fn connect(port: u16) -> redis::RedisResult<redis::Connection> {
    let c = redis::Client::open(format!("redis://127.0.0.1:{port}"))?;
    let con = c.get_connection_with_timeout(Duration::from_secs(2))?;
    con.set_read_timeout(Some(Duration::from_secs(2)))?;
    con.set_write_timeout(Some(Duration::from_secs(2)))?;
    Ok(con)
}

fn info_field(port: u16, section: &str, field: &str) -> Option<String> {
    let mut con = connect(port).ok()?;
    let info: String = redis::cmd("INFO").arg(section).query(&mut con).ok()?;
    let prefix = format!("{field}:");
    info.lines().find_map(|l| l.strip_prefix(prefix.as_str())).map(|v| v.trim().to_owned())
}

/// A `redis-sentinel` child.
pub struct SentinelProc {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl SentinelProc {
    fn start(primary_port: u16, quorum: usize) -> SentinelProc {
        let n = SENTINELS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ciphertoken-sentinel-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let bin = std::env::var("REDIS_SENTINEL").unwrap_or_else(|_| "redis-sentinel".into());
        for _ in 0..5 {
            let port = free_port();
            let conf = dir.join("sentinel.conf");
            let text = format!(
                "port {port}\nbind 127.0.0.1\ndaemonize no\ndir {dir}\nlogfile sentinel.log\n\
                 sentinel monitor {MASTER} 127.0.0.1 {primary_port} {quorum}\n\
                 sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n\
                 sentinel failover-timeout {MASTER} 3000\n\
                 sentinel parallel-syncs {MASTER} 2\n",
                dir = dir.display()
            );
            std::fs::write(&conf, text).expect("sentinel.conf");
            let child = Command::new(&bin)
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {bin} (apt-get install redis-sentinel): {e}"));
            let mut s = SentinelProc { port, dir: dir.clone(), child: Some(child) };
            let up = wait_until(Duration::from_secs(5), || {
                let exited = s.child.as_mut().is_some_and(|c| !matches!(c.try_wait(), Ok(None)));
                exited || connect(port).is_ok_and(|mut c| redis::cmd("PING").query::<String>(&mut c).is_ok())
            });
            if up.is_some() && s.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None))) {
                return s;
            }
            s.stop();
        }
        panic!("redis-sentinel did not start (see {})", dir.join("sentinel.log").display());
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn count(&self, what: &str) -> usize {
        connect(self.port)
            .and_then(|mut c| redis::cmd("SENTINEL").arg(what).arg(MASTER).query::<Vec<redis::Value>>(&mut c))
            .map_or(0, |v| v.len())
    }

    /// The primary's port as this sentinel names it.
    pub fn primary_port(&self) -> Option<u16> {
        let mut c = connect(self.port).ok()?;
        let addr: Option<(String, String)> =
            redis::cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(MASTER).query(&mut c).ok()?;
        addr?.1.parse().ok()
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for SentinelProc {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A primary, its replicas and the sentinels watching them.
pub struct SentinelGroup {
    /// Index 0 is the first primary.
    pub servers: Vec<RedisServer>,
    /// The replicas' links to the first primary go through these when asked for (so a
    /// test can cut replication): `proxies[i]` serves `servers[i + 1]`.
    pub proxies: Vec<Proxy>,
    pub sentinels: Vec<SentinelProc>,
}

impl SentinelGroup {
    /// Starts a primary, `replicas` replicas (through a [`Proxy`] each when `via_proxy`)
    /// and `sentinels` sentinels (quorum: a majority), and waits (bounded) until the
    /// replicas are in sync and every sentinel knows every replica and every other sentinel.
    pub fn start(replicas: usize, sentinels: usize, via_proxy: bool) -> SentinelGroup {
        let primary = RedisServer::start_ported(|_| node_args());
        let primary_port = primary.port();
        let mut group = SentinelGroup { servers: vec![primary], proxies: Vec::new(), sentinels: Vec::new() };
        for _ in 0..replicas {
            let upstream = if via_proxy {
                let p = Proxy::start(primary_port);
                let port = p.port();
                group.proxies.push(p);
                port
            } else {
                primary_port
            };
            let replica = RedisServer::start_ported(|_| {
                let mut a = node_args();
                a.extend(["--replicaof".into(), "127.0.0.1".into(), upstream.to_string()]);
                a
            });
            group.servers.push(replica);
        }
        let synced =
            wait_until(Duration::from_secs(10), || {
                group.servers.iter().skip(1).all(|r| {
                    info_field(r.port(), "replication", "master_link_status").as_deref() == Some("up")
                })
            });
        assert!(synced.is_some(), "replicas did not sync with the primary within 10 s");
        let quorum = sentinels / 2 + 1;
        for _ in 0..sentinels {
            group.sentinels.push(SentinelProc::start(primary_port, quorum));
        }
        let known = wait_until(Duration::from_secs(20), || {
            group.sentinels.iter().all(|s| {
                s.count("REPLICAS") == replicas && s.count("SENTINELS") == sentinels.saturating_sub(1)
            })
        });
        assert!(known.is_some(), "sentinels did not discover the replicas and each other within 20 s");
        group
    }

    /// The sentinels' URLs.
    pub fn sentinel_urls(&self) -> Vec<String> {
        self.sentinels.iter().map(SentinelProc::url).collect()
    }

    /// The primary's port as the first answering sentinel names it.
    pub fn named_primary(&self) -> Option<u16> {
        self.sentinels.iter().find_map(SentinelProc::primary_port)
    }

    /// The server listening on `port`.
    pub fn server(&mut self, port: u16) -> &mut RedisServer {
        self.servers.iter_mut().find(|s| s.port() == port).expect("a server of the group")
    }

    /// Waits (bounded) until [`failed_over`](SentinelGroup::failed_over); returns the time it
    /// took and the new primary's port.
    pub fn wait_failover(&self, old: u16, limit: Duration) -> Option<(Duration, u16)> {
        let start = Instant::now();
        let mut new = None;
        wait_until(limit, || {
            new = self.failed_over(old);
            new.is_some()
        })?;
        new.map(|p| (start.elapsed(), p))
    }

    /// The new primary's port once every sentinel names a primary other than `old` and
    /// that node says `role:master`.
    pub fn failed_over(&self, old: u16) -> Option<u16> {
        let ports: Vec<Option<u16>> = self.sentinels.iter().map(SentinelProc::primary_port).collect();
        let p = ports.first().copied().flatten()?;
        let agreed = p != old && ports.iter().all(|q| *q == Some(p));
        (agreed && info_field(p, "replication", "role").as_deref() == Some("master")).then_some(p)
    }
}

/// A Redis Cluster: `primaries` shards of one primary and one replica each.
pub struct ClusterGroup {
    pub nodes: Vec<RedisServer>,
}

impl ClusterGroup {
    /// Starts `2 * primaries` cluster-enabled servers, joins them with
    /// `redis-cli --cluster create … --cluster-replicas 1` (bounded: 60 s), and waits until
    /// every node reports `cluster_state:ok` and every replica is in sync.
    ///
    /// `cluster-require-full-coverage no`: while one shard fails over, the others keep
    /// serving their namespaces (the default would refuse every command cluster-wide).
    pub fn start(primaries: usize) -> ClusterGroup {
        let nodes: Vec<RedisServer> = (0..primaries * 2)
            .map(|_| {
                RedisServer::start_ported(|_| {
                    let mut a = node_args();
                    a.extend(
                        [
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            "nodes.conf",
                            "--cluster-node-timeout",
                            &NODE_TIMEOUT_MS.to_string(),
                            "--cluster-require-full-coverage",
                            "no",
                            "--cluster-port",
                            &free_port().to_string(),
                        ]
                        .map(String::from),
                    );
                    a
                })
            })
            .collect();
        let cli = std::env::var("REDIS_CLI").unwrap_or_else(|_| "redis-cli".into());
        let mut create = Command::new(&cli);
        create.arg("--cluster").arg("create");
        for n in &nodes {
            create.arg(format!("127.0.0.1:{}", n.port()));
        }
        let mut child = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cli} (apt-get install redis-tools): {e}"));
        let mut status = None;
        let done = wait_until(Duration::from_secs(60), || match child.try_wait() {
            Ok(Some(s)) => {
                status = Some(s);
                true
            }
            Ok(None) => false,
            Err(_) => true,
        });
        if done.is_none() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("redis-cli --cluster create did not finish within 60 s");
        }
        assert!(status.is_some_and(|s| s.success()), "redis-cli --cluster create failed");
        let group = ClusterGroup { nodes };
        let ok = wait_until(Duration::from_secs(30), || {
            group.nodes.iter().all(|n| {
                info_cluster(n.port(), "cluster_state").as_deref() == Some("ok")
                    && info_cluster(n.port(), "cluster_known_nodes") == Some((primaries * 2).to_string())
                    && (info_field(n.port(), "replication", "role").as_deref() == Some("master")
                        || info_field(n.port(), "replication", "master_link_status").as_deref() == Some("up"))
            })
        });
        assert!(ok.is_some(), "the cluster did not become ok within 30 s");
        group
    }

    /// Seed URLs for a gateway (every node).
    pub fn seed_urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The slot of `key` (`CLUSTER KEYSLOT`).
    pub fn keyslot(&self, key: &str) -> u16 {
        let mut c = self.any().expect("a live node");
        redis::cmd("CLUSTER").arg("KEYSLOT").arg(key).query(&mut c).expect("CLUSTER KEYSLOT")
    }

    fn any(&self) -> Option<redis::Connection> {
        self.nodes.iter().find_map(|n| connect(n.port()).ok())
    }

    /// The port of the primary serving `slot`, as `node` sees it (any live node if `None`).
    pub fn owner(&self, slot: u16, node: Option<u16>) -> Option<u16> {
        let mut c = match node {
            Some(p) => connect(p).ok()?,
            None => self.any()?,
        };
        let ranges: Vec<(u16, u16, (String, u16))> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query::<Vec<redis::Value>>(&mut c)
            .ok()?
            .into_iter()
            .filter_map(|r| {
                let redis::Value::Array(f) = r else { return None };
                let start: u16 = redis::from_redis_value(f.first()?.clone()).ok()?;
                let end: u16 = redis::from_redis_value(f.get(1)?.clone()).ok()?;
                let redis::Value::Array(owner) = f.get(2)? else { return None };
                let host: String = redis::from_redis_value(owner.first()?.clone()).ok()?;
                let port: u16 = redis::from_redis_value(owner.get(1)?.clone()).ok()?;
                Some((start, end, (host, port)))
            })
            .collect();
        ranges.into_iter().find(|(s, e, _)| (*s..=*e).contains(&slot)).map(|(_, _, (_, p))| p)
    }

    /// The node listening on `port`.
    pub fn node(&mut self, port: u16) -> &mut RedisServer {
        self.nodes.iter_mut().find(|s| s.port() == port).expect("a node of the cluster")
    }

    /// The new owner's port once every live node names a primary other than `old` for
    /// `slot` and that node says `role:master`.
    pub fn failed_over(&mut self, slot: u16, old: u16) -> Option<u16> {
        let live: Vec<u16> = self.nodes.iter_mut().filter_map(|n| n.is_running().then(|| n.port())).collect();
        let owners: Vec<Option<u16>> = live.iter().map(|p| self.owner(slot, Some(*p))).collect();
        let p = owners.first().copied().flatten()?;
        let agreed = p != old && owners.iter().all(|o| *o == Some(p));
        (agreed && info_field(p, "replication", "role").as_deref() == Some("master")).then_some(p)
    }
}

impl ClusterGroup {
    /// Moves `slot` from the primary on `src` to the primary on `dst` the way
    /// `redis-cli --cluster reshard` does (Redis Cluster specification, "Live resharding"):
    /// `IMPORTING` on `dst`, `MIGRATING` on `src`, `MIGRATE` of its keys in batches, then —
    /// after `linger`, so clients meet `ASK` replies meanwhile — `SETSLOT … NODE dst` on
    /// every primary (from then on: `MOVED`). Returns the number of keys moved.
    pub fn migrate_slot(&self, slot: u16, src: u16, dst: u16, linger: Duration) -> usize {
        let id = |port: u16| -> String {
            redis::cmd("CLUSTER").arg("MYID").query(&mut connect(port).expect("node")).expect("CLUSTER MYID")
        };
        let (src_id, dst_id) = (id(src), id(dst));
        let (mut s, mut d) = (connect(src).expect("src"), connect(dst).expect("dst"));
        let setslot = |c: &mut redis::Connection, state: &str, node: &str| {
            redis::cmd("CLUSTER")
                .arg("SETSLOT")
                .arg(slot)
                .arg(state)
                .arg(node)
                .query::<()>(c)
                .expect("SETSLOT")
        };
        setslot(&mut d, "IMPORTING", &src_id);
        setslot(&mut s, "MIGRATING", &dst_id);
        let mut moved = 0;
        for _ in 0..10_000 {
            let keys: Vec<String> = redis::cmd("CLUSTER")
                .arg("GETKEYSINSLOT")
                .arg(slot)
                .arg(20)
                .query(&mut s)
                .expect("GETKEYSINSLOT");
            if keys.is_empty() {
                break;
            }
            moved += keys.len();
            redis::cmd("MIGRATE")
                .arg("127.0.0.1")
                .arg(dst)
                .arg("")
                .arg(0)
                .arg(5000)
                .arg("KEYS")
                .arg(&keys)
                .query::<()>(&mut s)
                .expect("MIGRATE");
        }
        std::thread::sleep(linger);
        setslot(&mut d, "NODE", &dst_id);
        setslot(&mut s, "NODE", &dst_id);
        for n in &self.nodes {
            if let Ok(mut c) = connect(n.port()) {
                if info_field(n.port(), "replication", "role").as_deref() == Some("master") {
                    let _ = redis::cmd("CLUSTER")
                        .arg("SETSLOT")
                        .arg(slot)
                        .arg("NODE")
                        .arg(&dst_id)
                        .query::<()>(&mut c);
                }
            }
        }
        moved
    }

    /// The ports of the primaries.
    pub fn primaries(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .map(RedisServer::port)
            .filter(|p| info_field(*p, "replication", "role").as_deref() == Some("master"))
            .collect()
    }
}

fn info_cluster(port: u16, field: &str) -> Option<String> {
    let mut con = connect(port).ok()?;
    let info: String = redis::cmd("CLUSTER").arg("INFO").query(&mut con).ok()?;
    let prefix = format!("{field}:");
    info.lines().find_map(|l| l.strip_prefix(prefix.as_str())).map(|v| v.trim().to_owned())
}
