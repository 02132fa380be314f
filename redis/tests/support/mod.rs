//! Test harness: a real `redis-server` on 127.0.0.1 (free port, AOF on, temp dir), and a
//! TCP proxy that can cut or black-hole the network between a gateway and Redis.
//!
//! Every process is started and stopped by its own PID (`Child`); every wait is bounded.
#![allow(dead_code)] // each test binary uses a different part

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub mod replicated;

/// Polls `f` every 2 ms until it is true or `limit` passes; returns the time it took.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    for _ in 0..100_000 {
        if f() {
            return Some(start.elapsed());
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

static SERVERS: AtomicUsize = AtomicUsize::new(0);

/// A `redis-server` child with append-only persistence (`appendfsync always`, no RDB).
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts a server on a free port in a fresh temp dir and waits until it answers PING.
    pub fn start() -> RedisServer {
        Self::start_ported(|_| Vec::new())
    }

    /// As [`start`](RedisServer::start), with more `redis-server` arguments computed from
    /// the chosen port.
    pub fn start_ported(args: impl Fn(u16) -> Vec<String>) -> RedisServer {
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ciphertoken-redis-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut server = RedisServer { port: 0, dir, child: None, extra: Vec::new() };
        for _ in 0..5 {
            server.port = free_port();
            server.extra = args(server.port);
            if server.spawn() {
                return server;
            }
        }
        panic!("redis-server did not start (see {})", server.dir.join("redis.log").display());
    }

    fn spawn(&mut self) -> bool {
        let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--appendonly", "yes", "--appendfsync", "always", "--save", ""])
            .args(["--maxmemory-policy", "noeviction", "--daemonize", "no"])
            .args(["--logfile", "redis.log"])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {bin} (apt-get install redis-server): {e}"));
        self.child = Some(child);
        let up = wait_until(Duration::from_secs(5), || {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(_)) = c.try_wait() {
                    return true; // exited: stop waiting
                }
            }
            self.ping()
        });
        let alive = self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)));
        if up.is_some() && alive {
            return true;
        }
        self.stop();
        false
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        let mut buf = [0u8; 64];
        s.write_all(b"PING\r\n").is_ok() && s.read(&mut buf).is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's PID.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("server running")
    }

    /// A direct client connection (for inspecting keys).
    pub fn client(&self) -> redis::Connection {
        let c = redis::Client::open(self.url()).expect("client");
        let con = c.get_connection_with_timeout(Duration::from_secs(2)).expect("connect");
        con.set_read_timeout(Some(Duration::from_secs(2))).expect("timeout");
        con
    }

    /// The server's data directory.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// `kill -9` (SIGKILL to this server's own PID), and reap it.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL redis-server"); // Child::kill sends SIGKILL on Unix
            c.wait().expect("reap redis-server");
        }
    }

    /// Starts the server again on the same port and directory (it replays the AOF).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart a stopped server only");
        assert!(self.spawn(), "redis-server did not restart on port {}", self.port);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const FORWARD: u8 = 0;
const REFUSE: u8 = 1;
const BLACKHOLE: u8 = 2;

/// A loopback TCP proxy in front of Redis that can drop the network.
pub struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free port forwarding to `127.0.0.1:upstream`.
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let mode = Arc::new(AtomicU8::new(FORWARD));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, c, s) = (mode.clone(), conns.clone(), stop.clone());
        let accept = std::thread::spawn(move || {
            let mut pumps = Vec::new();
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        if m.load(Ordering::Relaxed) != FORWARD {
                            drop(client); // refused (or black-holed: say nothing, close)
                            continue;
                        }
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { continue };
                        let _ = client.set_nonblocking(false);
                        for sock in [&client, &server] {
                            if let Ok(clone) = sock.try_clone() {
                                c.lock().unwrap().push(clone);
                            }
                        }
                        for (from, to) in [(&client, &server), (&server, &client)] {
                            let (from, to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
                            let (m, s) = (m.clone(), s.clone());
                            pumps.push(std::thread::spawn(move || pump(from, to, &m, &s)));
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2))
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            for p in pumps {
                let _ = p.join();
            }
        });
        Proxy { port, mode, conns, stop, threads: vec![accept] }
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<proxy port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Cuts the network: closes every proxied connection and refuses new ones.
    pub fn cut(&self) {
        self.mode.store(REFUSE, Ordering::Relaxed);
        self.close_all();
    }

    /// A silent partition: connections stay open but nothing gets through (no RST).
    pub fn blackhole(&self) {
        self.mode.store(BLACKHOLE, Ordering::Relaxed);
    }

    /// Heals the network: connections from before are closed (their byte streams lost
    /// data), new ones are forwarded.
    pub fn heal(&self) {
        self.close_all();
        self.mode.store(FORWARD, Ordering::Relaxed);
    }

    fn close_all(&self) {
        for s in self.conns.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, mode: &AtomicU8, stop: &AtomicBool) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => match mode.load(Ordering::Relaxed) {
                FORWARD if to.write_all(&buf[..n]).is_err() => break,
                FORWARD => {}
                REFUSE => break,
                _ => {} // black hole: the bytes are lost
            },
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.close_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
