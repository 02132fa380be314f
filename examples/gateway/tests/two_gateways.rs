//! Two gateway processes against one real Redis, over HTTP: the README's walkthrough, proven.
//!
//! Ignored by plain `cargo test`; `cargo xtask test` runs it with `--ignored`.

#[path = "../../../redis/tests/support/mod.rs"]
mod support;

mod common;

use ciphertoken_gateway::Client;
use common::{hello, Gateway, ADMIN};
use serde_json::json;
use std::time::Duration;
use support::{wait_until, RedisServer};

const BOUND: Duration = Duration::from_secs(2);

/// A gateway on `redis_url` with the tests' short timings.
fn gateway(redis_url: &str) -> Gateway {
    Gateway::start(&[
        "--redis",
        redis_url,
        "--max-staleness-ms",
        "600",
        "--poll-block-ms",
        "50",
        "--response-timeout-ms",
        "200",
    ])
}

fn login(c: &mut Client, sub: &str) -> (String, String) {
    let r = c.post("/login", None, &json!({ "sub": sub })).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    (r.field("access").unwrap(), r.field("refresh").unwrap())
}

#[test]
#[ignore = "needs redis-server; run by `cargo xtask test`"]
fn two_gateways_share_revocation_rotation_and_versions() {
    let mut redis = RedisServer::start();
    let (a, b) = (gateway(&redis.url()), gateway(&redis.url()));
    let (mut ca, mut cb) = (a.client(), b.client());
    for c in [&mut ca, &mut cb] {
        let h = c.get("/health", None).unwrap();
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.json()["fresh"], true);
    }

    // A login on A is accepted on B; an admin revocation on A is refused by B.
    let (access, _) = login(&mut ca, "alice");
    let r = hello(&mut cb, &access);
    assert_eq!((r.status, r.json()["hello"].as_str()), (200, Some("alice")));
    let r = ca.post("/revoke", Some(ADMIN), &json!({ "token": access })).unwrap();
    assert_eq!(r.status, 204, "{}", r.body);
    let took =
        wait_until(BOUND, || hello(&mut cb, &access).status == 401).expect("B refuses within the bound");
    eprintln!("HTTP revocation A -> B refused after {took:?}");
    assert!(hello(&mut cb, &access).body.contains("revoked"));

    // Refresh on A, replay the old refresh token on B: reuse, the family dies everywhere.
    let (access1, refresh1) = login(&mut ca, "bob");
    let r = ca.post("/refresh", None, &json!({ "refresh": refresh1 })).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let access2 = r.field("access").unwrap();
    let refresh2 = r.field("refresh").unwrap();
    let replay = cb.post("/refresh", None, &json!({ "refresh": refresh1 })).unwrap();
    assert_eq!(replay.status, 401);
    assert!(replay.body.contains("reused"), "{}", replay.body);
    for token in [&access1, &access2] {
        wait_until(BOUND, || hello(&mut ca, token).status == 401 && hello(&mut cb, token).status == 401)
            .expect("the family is refused on both gateways");
    }
    assert_eq!(ca.post("/refresh", None, &json!({ "refresh": refresh2 })).unwrap().status, 401);

    // Logout on B ends the session on A.
    let (access3, refresh3) = login(&mut ca, "carol");
    assert_eq!(cb.post("/logout", Some(&access3), &json!({})).unwrap().status, 204);
    wait_until(BOUND, || hello(&mut ca, &access3).status == 401).expect("logout reaches A");
    assert_eq!(ca.post("/refresh", None, &json!({ "refresh": refresh3 })).unwrap().status, 401);

    // A version bump on B (logout everywhere) refuses dave's older tokens on A.
    let (access4, _) = login(&mut ca, "dave");
    let r = cb.post("/revoke", Some(ADMIN), &json!({ "sub": "dave" })).unwrap();
    assert_eq!((r.status, r.json()["version"].as_u64()), (200, Some(1)));
    wait_until(BOUND, || hello(&mut ca, &access4).body.contains("version")).expect("stale version on A");
    let (access5, refresh5) = login(&mut ca, "dave");
    assert_eq!(hello(&mut cb, &access5).status, 200, "a new login is at the new version");

    // No admin token, no revocation; no bearer, no entry.
    assert_eq!(ca.post("/revoke", Some("guess"), &json!({ "sub": "dave" })).unwrap().status, 403);
    assert_eq!(ca.get("/api/hello", None).unwrap().status, 401);

    // Redis dies: after max_staleness both gateways fail closed (503), and say so.
    redis.kill9();
    wait_until(BOUND, || hello(&mut cb, &access5).status == 503).expect("B fails closed");
    let h = cb.get("/health", None).unwrap();
    assert_eq!(h.status, 503);
    assert_eq!(h.json()["fresh"], false);
    assert!(h.json()["degraded_closed"].as_u64().unwrap() >= 1, "{}", h.body);
    assert_eq!(
        ca.post("/login", None, &json!({ "sub": "erin" })).unwrap().status,
        503,
        "no login without Redis"
    );
    let r = cb.post("/refresh", None, &json!({ "refresh": refresh5 })).unwrap();
    assert_eq!(r.status, 503, "no rotation on a stale mirror: {}", r.body);

    // Back up: fresh again, revocations intact (AOF), the valid token works again.
    redis.restart();
    wait_until(BOUND, || hello(&mut cb, &access5).status == 200).expect("B recovers");
    assert_eq!(hello(&mut cb, &access).status, 401, "the first revocation survived the crash");
}
