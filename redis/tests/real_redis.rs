//! Fleet behaviour against a real `redis-server` (started per test on 127.0.0.1 with AOF).
//!
//! Ignored by plain `cargo test`; `cargo xtask test` runs them with `--ignored` after
//! `.ci/run` installed `redis-server`. Every "gateway" here is an independent [`Fleet`]
//! (own connections, own mirror, own sync thread), as in separate processes.

mod support;

use ciphertoken::lifecycle::{hours, minutes, CipherToken, NoClaims};
use ciphertoken::{Clock, Error, Revoked, SigningKey, SystemClock};
use ciphertoken_redis::{Fleet, FleetConfig, FleetError, FullPolicy, StalePolicy};
use redis::Commands;
use std::sync::{Arc, Barrier};
use std::time::Duration;
use support::{wait_until, Proxy, RedisServer};

/// The propagation bound these tests assert (expected: a few milliseconds).
const BOUND: Duration = Duration::from_secs(2);
const LEEWAY: u64 = 5;
const MAX_STALENESS: Duration = Duration::from_millis(600);

type Ct = CipherToken<'static, SystemClock, 2>;

fn ct() -> Ct {
    let key = SigningKey::hs256(&[0x42; 32]).unwrap().with_kid("k1").unwrap();
    CipherToken::new(key, SystemClock)
        .unwrap()
        .access_ttl(minutes(10))
        .refresh_ttl(hours(1))
        .leeway(LEEWAY)
        .issuer("fleet-test")
}

fn config(url: &str) -> FleetConfig {
    FleetConfig::new(url)
        .max_token_lifetime(hours(1) + LEEWAY)
        .poll_block(Duration::from_millis(50))
        .connect_timeout(Duration::from_millis(200))
        .response_timeout(Duration::from_millis(200))
        .max_staleness(MAX_STALENESS)
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(100))
}

fn gateway_with(config: FleetConfig) -> Fleet {
    let fleet = Fleet::start(config).unwrap();
    assert!(fleet.wait_synced(Duration::from_secs(5)), "mirror filled");
    fleet
}

fn gateway(url: &str) -> Fleet {
    gateway_with(config(url))
}

#[derive(Debug, Clone)]
struct Login {
    access: String,
    refresh: String,
    family: String,
}

fn login(fleet: &Fleet, ct: &Ct, sub: &str) -> Login {
    let (mut a, mut r) = ([0u8; 600], [0u8; 600]);
    let p = fleet.login(ct, &mut rand_core::OsRng, sub, &NoClaims {}, &mut a, &mut r).unwrap();
    Login { access: p.access.into(), refresh: p.refresh.into(), family: p.family.as_str().into() }
}

fn rotate(fleet: &Fleet, ct: &Ct, refresh: &str) -> Result<Login, FleetError> {
    let (mut a, mut r, mut s) = ([0u8; 600], [0u8; 600], [0u8; 1024]);
    let p = fleet.rotate::<NoClaims, _, _, 2>(ct, refresh, &mut rand_core::OsRng, &mut s, &mut a, &mut r)?;
    Ok(Login { access: p.access.into(), refresh: p.refresh.into(), family: p.family.as_str().into() })
}

fn verify(fleet: &Fleet, ct: &Ct, token: &str) -> Result<(), Error> {
    let mut scratch = [0u8; 1024];
    let view = fleet.view();
    ct.verify_access::<NoClaims, _, _>(token, &view, &view, &mut scratch).map(|_| ())
}

fn jti_of(ct: &Ct, token: &str) -> String {
    let mut scratch = [0u8; 1024];
    let v = ct.decode::<serde::de::IgnoredAny>(token, &mut scratch).unwrap();
    v.registered().jti.unwrap().chars().collect()
}

fn exp_of(ct: &Ct, token: &str) -> u64 {
    let mut scratch = [0u8; 1024];
    ct.decode::<serde::de::IgnoredAny>(token, &mut scratch).unwrap().registered().exp.unwrap()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn revocation_on_one_gateway_is_refused_by_another_within_the_bound() {
    let server = RedisServer::start();
    let ct = ct();
    let (a, b) = (gateway(&server.url()), gateway(&server.url()));
    let mut times = Vec::new();
    for i in 0..20 {
        let user = login(&a, &ct, &format!("user-{i}"));
        assert_eq!(verify(&b, &ct, &user.access), Ok(()), "a fresh token verifies on B");
        a.revoke_token(&ct, &user.access, &mut [0u8; 1024]).unwrap();
        assert_eq!(verify(&a, &ct, &user.access), Err(Error::Revoked), "A refuses at once");
        let t = wait_until(BOUND, || verify(&b, &ct, &user.access) == Err(Error::Revoked))
            .expect("B refuses the revoked token within the bound");
        times.push(t);
        // SET revoked:<jti> 1 EXAT exp+leeway+1 NX: the key outlives the token by exactly 1 s.
        let jti = jti_of(&ct, &user.access);
        let expire_at: i64 = redis::cmd("EXPIRETIME")
            .arg(format!("{{ct}}:revoked:{jti}"))
            .query(&mut server.client())
            .unwrap();
        assert_eq!(expire_at as u64, exp_of(&ct, &user.access) + LEEWAY + 1);
    }
    times.sort();
    eprintln!(
        "propagation A -> B over 20 revocations: p50 {:?}, max {:?}",
        percentile(&times, 50),
        times[19]
    );
    let log_len: usize = server.client().xlen("{ct}:log").unwrap();
    assert_eq!(log_len, 20, "one change-log entry per revocation");
    assert_eq!(b.stats().degraded_closed + b.stats().degraded_open, 0);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn reuse_of_a_refresh_token_across_gateways_revokes_the_family() {
    let server = RedisServer::start();
    let ct = ct();
    let (a, b) = (gateway(&server.url()), gateway(&server.url()));
    let first = login(&a, &ct, "alice");
    let second = rotate(&a, &ct, &first.refresh).expect("first use rotates");
    assert_eq!(second.family, first.family, "rotation stays in the family");
    assert_eq!(verify(&b, &ct, &second.access), Ok(()));

    // The stolen old refresh token is replayed on the other gateway, at once (B's mirror
    // may not have seen the rotation yet: the compare-and-set catches it anyway).
    let replay = rotate(&b, &ct, &first.refresh);
    assert_eq!(replay.unwrap_err().token_error(), Some(Error::RefreshTokenReused));

    // The whole family is gone, everywhere.
    let refused = |g: &Fleet, t: &str| verify(g, &ct, t) == Err(Error::Revoked);
    for token in [&first.access, &second.access] {
        wait_until(BOUND, || refused(&a, token) && refused(&b, token)).expect("family refused on A and B");
    }
    assert_eq!(rotate(&a, &ct, &second.refresh).unwrap_err().token_error(), Some(Error::Revoked));
    let mut con = server.client();
    let revoked_family: bool = con.exists(format!("{{ct}}:revoked-family:{}", first.family)).unwrap();
    let family_record: bool = con.exists(format!("{{ct}}:family:{}", first.family)).unwrap();
    assert!(revoked_family && !family_record);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn concurrent_rotations_of_one_refresh_token_have_exactly_one_winner() {
    let server = RedisServer::start();
    let ct = Arc::new(ct());
    let gateways = Arc::new([gateway(&server.url()), gateway(&server.url())]);
    for round in 0..10 {
        let user = login(&gateways[0], &ct, &format!("racer-{round}"));
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|g| {
                let (ct, gateways, barrier, refresh) =
                    (ct.clone(), gateways.clone(), barrier.clone(), user.refresh.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    rotate(&gateways[g], &ct, &refresh).map_err(|e| e.token_error())
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<&Login> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let losers: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        assert_eq!(losers, [&Some(Error::RefreshTokenReused)], "round {round}");
        // The reuse revoked the family, so even the winner's new pair is refused.
        let access = &winners[0].access;
        wait_until(BOUND, || gateways.iter().all(|g| verify(g, &ct, access) == Err(Error::Revoked)))
            .expect("the winner's pair is revoked with its family");
    }
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn version_bump_refuses_older_tokens_on_every_gateway() {
    let server = RedisServer::start();
    let ct = ct();
    let (a, b) = (gateway(&server.url()), gateway(&server.url()));
    let old = login(&a, &ct, "bob");
    let other = login(&a, &ct, "carol");
    assert_eq!(verify(&b, &ct, &old.access), Ok(()));
    assert_eq!(b.bump_version("bob").unwrap(), 1);
    assert_eq!(verify(&b, &ct, &old.access), Err(Error::StaleVersion), "B refuses at once");
    wait_until(BOUND, || verify(&a, &ct, &old.access) == Err(Error::StaleVersion))
        .expect("A within the bound");
    assert_eq!(verify(&a, &ct, &other.access), Ok(()), "other subjects are untouched");
    let new = login(&a, &ct, "bob");
    assert_eq!(verify(&b, &ct, &new.access), Ok(()), "a new login carries the new version");
    assert_eq!(a.bump_version("bob").unwrap(), 2);
    wait_until(BOUND, || verify(&b, &ct, &new.access) == Err(Error::StaleVersion)).expect("second bump");
    let ttl: i64 = server.client().ttl("{ct}:ver:bob").unwrap();
    assert_eq!(ttl, -1, "versions never expire");
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn kill9_and_restart_with_aof_keeps_every_revocation() {
    let mut server = RedisServer::start();
    let ct = ct();
    let a = gateway(&server.url());
    let users: Vec<Login> = (0..120).map(|i| login(&a, &ct, &format!("u{i}"))).collect();
    let (revoked, rest) = users.split_at(100);
    let (family_revoked, kept) = rest.split_at(10);
    for u in revoked {
        a.revoke_token(&ct, &u.access, &mut [0u8; 1024]).unwrap();
    }
    for u in family_revoked {
        a.logout(&ct, &u.refresh, &mut [0u8; 1024]).unwrap();
    }
    assert_eq!(a.bump_version("u110").unwrap(), 1);
    let expire_before: Vec<i64> = revoked
        .iter()
        .map(|u| {
            let key = format!("{{ct}}:revoked:{}", jti_of(&ct, &u.access));
            redis::cmd("EXPIRETIME").arg(key).query(&mut server.client()).unwrap()
        })
        .collect();

    let pid = server.pid();
    server.kill9();
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "redis-server {pid} is gone");
    server.restart();

    // Redis itself kept every key with its expiry, every version and the change log.
    let mut con = server.client();
    for (u, before) in revoked.iter().zip(&expire_before) {
        let key = format!("{{ct}}:revoked:{}", jti_of(&ct, &u.access));
        let after: i64 = redis::cmd("EXPIRETIME").arg(&key).query(&mut con).unwrap();
        assert_eq!(after, *before, "{key} survived with its expiry");
    }
    for u in family_revoked {
        assert!(con.exists::<_, bool>(format!("{{ct}}:revoked-family:{}", u.family)).unwrap());
    }
    assert_eq!(con.get::<_, u64>("{ct}:ver:u110").unwrap(), 1);
    assert_eq!(con.xlen::<_, usize>("{ct}:log").unwrap(), 100 + 10 * 2 + 1);

    // A gateway started after the crash fills its mirror from the log and refuses them all.
    let c = gateway(&server.url());
    for u in revoked.iter().chain(family_revoked) {
        assert_eq!(verify(&c, &ct, &u.access), Err(Error::Revoked));
    }
    assert_eq!(verify(&c, &ct, &kept[1].access), Ok(()), "control: an untouched token");
    assert_eq!(verify(&c, &ct, &kept[0].access), Err(Error::StaleVersion), "u110 was bumped");
    // The gateway that lived through the crash reconnected and still refuses them.
    wait_until(BOUND, || a.stats().reconnects >= 1 && a.is_fresh()).expect("A reconnected");
    for u in revoked.iter().chain(family_revoked) {
        assert_eq!(verify(&a, &ct, &u.access), Err(Error::Revoked));
    }
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn redis_down_fails_closed_after_max_staleness() {
    let mut server = RedisServer::start();
    let ct = ct();
    let a = gateway(&server.url());
    let good = login(&a, &ct, "dana");
    let bad = login(&a, &ct, "eve");
    let login_before_outage = login(&a, &ct, "oscar");
    a.revoke_token(&ct, &bad.access, &mut [0u8; 1024]).unwrap();
    assert_eq!(verify(&a, &ct, &good.access), Ok(()));

    server.kill9();
    let down = std::time::Instant::now();
    // Within max_staleness the mirror still answers; past it, everything is refused.
    let closed_after = wait_until(BOUND + MAX_STALENESS, || verify(&a, &ct, &good.access).is_err())
        .expect("fails closed once stale");
    assert_eq!(verify(&a, &ct, &good.access), Err(Error::Revoked));
    assert_eq!(verify(&a, &ct, &bad.access), Err(Error::Revoked));
    let doomed = login_before_outage;
    assert!(matches!(rotate(&a, &ct, &doomed.refresh), Err(FleetError::Stale)), "no rotation while stale");
    let stats = a.stats();
    eprintln!("fail-closed {closed_after:?} after kill -9 (max_staleness {MAX_STALENESS:?}); {stats:?}");
    // The mirror kept answering while fresh: the refusal came from staleness, not the crash.
    assert!(closed_after >= MAX_STALENESS / 2, "{closed_after:?}: refused long before the bound");
    assert!(stats.staleness.unwrap() > MAX_STALENESS);
    assert!(!stats.connected);
    assert!(stats.degraded_closed >= 4, "every refused decision is counted: {stats:?}");
    assert_eq!(stats.degraded_open, 0);
    assert!(down.elapsed() < BOUND + MAX_STALENESS);

    server.restart();
    wait_until(BOUND, || verify(&a, &ct, &good.access).is_ok()).expect("fresh again after Redis returns");
    assert_eq!(verify(&a, &ct, &bad.access), Err(Error::Revoked));
    assert!(a.stats().reconnects >= 1);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn redis_down_fails_open_only_when_configured() {
    let mut server = RedisServer::start();
    let ct = ct();
    let a = gateway_with(config(&server.url()).stale_policy(StalePolicy::FailOpen));
    let good = login(&a, &ct, "frank");
    let bad = login(&a, &ct, "mallory");
    a.revoke_token(&ct, &bad.access, &mut [0u8; 1024]).unwrap();
    server.kill9();
    wait_until(BOUND + MAX_STALENESS, || !a.is_fresh()).expect("stale");
    assert_eq!(verify(&a, &ct, &good.access), Ok(()), "fail open: answered from the stale mirror");
    assert_eq!(verify(&a, &ct, &bad.access), Err(Error::Revoked), "known revocations still hold");
    let stats = a.stats();
    assert_eq!(stats.degraded_open, 2, "both decisions counted: {stats:?}");
    assert_eq!(stats.degraded_closed, 0);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn reconnect_resyncs_revocations_made_while_disconnected() {
    let server = RedisServer::start();
    let proxy = Proxy::start(server.port());
    let ct = ct();
    let a = gateway(&server.url());
    // B keeps trusting its mirror for a long time, so what it refuses later it learnt
    // from the resync, not from failing closed.
    let b = gateway_with(config(&proxy.url()).max_staleness(Duration::from_secs(60)));
    let users: Vec<Login> = (0..30).map(|i| login(&a, &ct, &format!("r{i}"))).collect();
    let bumped = login(&a, &ct, "rv");
    for u in &users {
        assert_eq!(verify(&b, &ct, &u.access), Ok(()));
    }

    proxy.cut();
    wait_until(BOUND, || !b.stats().connected).expect("B noticed the cut");
    let reconnects_before = b.stats().reconnects;
    for u in &users[..20] {
        a.revoke_token(&ct, &u.access, &mut [0u8; 1024]).unwrap();
    }
    for u in &users[20..25] {
        a.logout(&ct, &u.access, &mut [0u8; 1024]).unwrap();
    }
    a.bump_version("rv").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(verify(&b, &ct, &users[0].access), Ok(()), "B cannot know yet");

    proxy.heal();
    let caught_up = wait_until(BOUND, || {
        users[..25].iter().all(|u| verify(&b, &ct, &u.access) == Err(Error::Revoked))
            && verify(&b, &ct, &bumped.access) == Err(Error::StaleVersion)
    })
    .expect("B resynced from its last stream id");
    eprintln!("resync after heal: {caught_up:?}; {:?}", b.stats());
    assert!(b.stats().reconnects > reconnects_before);
    for u in &users[25..] {
        assert_eq!(verify(&b, &ct, &u.access), Ok(()), "untouched tokens still verify");
    }
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn silent_partition_is_caught_by_the_response_timeout_and_fails_closed() {
    let server = RedisServer::start();
    let proxy = Proxy::start(server.port());
    let ct = ct();
    let a = gateway(&server.url());
    let b = gateway(&proxy.url());
    let user = login(&a, &ct, "grace");
    assert_eq!(verify(&b, &ct, &user.access), Ok(()));
    proxy.blackhole(); // no RST, no FIN: only timeouts can tell
    let closed = wait_until(BOUND + MAX_STALENESS, || verify(&b, &ct, &user.access) == Err(Error::Revoked))
        .expect("fails closed");
    wait_until(BOUND, || !b.stats().connected).expect("the read timed out and the connection was dropped");
    eprintln!("black hole: fail-closed after {closed:?}; {:?}", b.stats());
    proxy.heal();
    wait_until(BOUND, || verify(&b, &ct, &user.access).is_ok()).expect("fresh again");
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn full_mirror_asks_redis_or_fails_closed_never_open() {
    let mut server = RedisServer::start();
    let ct = ct();
    let a = gateway(&server.url());
    let users: Vec<Login> = (0..21).map(|i| login(&a, &ct, &format!("f{i}"))).collect();
    for u in &users[..20] {
        a.revoke_token(&ct, &u.access, &mut [0u8; 1024]).unwrap();
    }
    let control = &users[20].access;

    let asks = gateway_with(config(&server.url()).mirror_capacity(8).max_staleness(Duration::from_secs(60)));
    let closes = gateway_with(config(&server.url()).mirror_capacity(8).full_policy(FullPolicy::FailClosed));
    for u in &users[..20] {
        assert_eq!(verify(&asks, &ct, &u.access), Err(Error::Revoked));
        assert_eq!(verify(&closes, &ct, &u.access), Err(Error::Revoked));
    }
    assert_eq!(verify(&asks, &ct, control), Ok(()), "Redis says: not revoked");
    assert_eq!(verify(&closes, &ct, control), Err(Error::Revoked), "cannot know: fail closed");
    let (sa, sc) = (asks.stats(), closes.stats());
    assert!(sa.mirror_incomplete && sa.mirror_len == 8 && sa.full_asked_redis >= 12, "{sa:?}");
    assert!(sc.full_failed_closed >= 1, "{sc:?}");

    // Full mirror and Redis gone (the mirror is still within max_staleness): closed.
    server.kill9();
    assert_eq!(verify(&asks, &ct, control), Err(Error::Revoked), "never open");
    assert!(asks.stats().full_failed_closed >= 1);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn a_gateway_started_before_redis_fails_closed_until_its_first_fill() {
    let mut server = RedisServer::start();
    let ct = ct();
    let early = {
        let a = gateway(&server.url());
        login(&a, &ct, "henry")
    };
    server.kill9();
    let b = Fleet::start(config(&server.url())).unwrap();
    assert!(!b.wait_synced(Duration::from_millis(300)));
    assert_eq!(verify(&b, &ct, &early.access), Err(Error::Revoked), "never synced: closed");
    assert_eq!(b.stats().staleness, None);
    assert!(b.stats().degraded_closed >= 1);
    server.restart();
    assert!(b.wait_synced(BOUND));
    assert_eq!(verify(&b, &ct, &early.access), Ok(()));
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn a_refresh_token_without_a_registered_family_cannot_rotate() {
    let server = RedisServer::start();
    let ct = ct();
    let a = gateway(&server.url());
    let (mut x, mut y) = ([0u8; 600], [0u8; 600]);
    // Issued by the core alone: the fleet never recorded this family.
    let pair = ct
        .issue_pair(
            &mut rand_core::OsRng,
            ciphertoken::lifecycle::Subject::new("ivan").version(0),
            &NoClaims {},
            &mut x,
            &mut y,
        )
        .unwrap();
    let refresh = pair.refresh.to_owned();
    assert_eq!(rotate(&a, &ct, &refresh).unwrap_err().token_error(), Some(Error::Revoked));
    assert!(a.remote_is_revoked(Revoked::Family(pair.family.as_str())).unwrap());
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn the_change_log_is_trimmed_and_bad_entries_are_skipped() {
    let server = RedisServer::start();
    let ct = ct();
    let mut con = server.client();
    // Small stream nodes so that approximate trimming (MINID ~) can act on a few entries.
    redis::cmd("CONFIG").arg("SET").arg("stream-node-max-entries").arg(2).query::<()>(&mut con).unwrap();
    for i in 1..=6 {
        // Entries from 1970: far older than the longest token lifetime.
        let _: String = redis::cmd("XADD")
            .arg("{ct}:log")
            .arg(format!("{i}-0"))
            .arg(&["k", "t", "id", &format!("ancient{i}"), "exp", "1"])
            .query(&mut con)
            .unwrap();
    }
    let _: String = con.xadd("{ct}:log", "*", &[("k", "?"), ("junk", "1")]).unwrap();
    let a = gateway(&server.url());
    assert_eq!(a.stats().entries_malformed, 1, "the junk entry is skipped");
    assert_eq!(a.stats().mirror_len, 0, "expired entries are not mirrored");
    let user = login(&a, &ct, "judy");
    a.revoke_token(&ct, &user.access, &mut [0u8; 1024]).unwrap();
    let first: Vec<(String, Vec<String>)> =
        redis::cmd("XRANGE").arg("{ct}:log").arg("-").arg("+").arg("COUNT").arg(1).query(&mut con).unwrap();
    assert!(!first[0].0.starts_with("1-"), "the 1970 entries were trimmed: {first:?}");
    assert!(con.xlen::<_, usize>("{ct}:log").unwrap() <= 3);
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn server_settings_that_protect_revocations_are_checked() {
    let server = RedisServer::start();
    let a = gateway(&server.url());
    assert_eq!(a.check_server_settings().unwrap(), Vec::<String>::new());
    let mut con = server.client();
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("volatile-lru")
        .query::<()>(&mut con)
        .unwrap();
    redis::cmd("CONFIG").arg("SET").arg("appendonly").arg("no").query::<()>(&mut con).unwrap();
    let problems = a.check_server_settings().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("appendonly") && problems[1].contains("maxmemory-policy"));
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn revocations_beyond_the_log_retention_are_refused() {
    let server = RedisServer::start();
    let a = gateway(&server.url());
    let now = SystemClock.now().unwrap();
    let too_far = now + hours(1) + LEEWAY + 1;
    assert!(matches!(a.revoke_id(Revoked::Token("x"), too_far, now), Err(FleetError::Config(_))));
    assert!(!a.revoke_id(Revoked::Token("x"), now - 1, now).unwrap(), "already expired: no-op");
    assert!(a.revoke_id(Revoked::Token("x"), now + 10, now).unwrap());
    assert!(!a.revoke_id(Revoked::Token("x"), now + 10, now).unwrap(), "NX: once");
}
