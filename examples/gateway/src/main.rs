//! An HTTP gateway that verifies `Authorization: Bearer` tokens with ciphertoken and shares
//! revocation, refresh rotation and token versions with its fleet through Redis.
//!
//! ```text
//! GATEWAY_SECRET_HEX=<64 hex digits, the same on every gateway> GATEWAY_ADMIN_TOKEN=<secret> \
//!   gateway --listen 127.0.0.1:8081 --redis redis://127.0.0.1:6379
//! # or, on a primary with replicas under Redis Sentinel (writes wait for 1 replica):
//!   gateway --sentinel redis://127.0.0.1:26379,redis://127.0.0.1:26380 --sentinel-master fleet
//! # or on Redis Cluster (the namespace's hash tag picks its shard):
//!   gateway --cluster redis://127.0.0.1:7000,redis://127.0.0.1:7001 --namespace tenant-1
//! ```
//!
//! A write (login, refresh, logout, revoke) that the primary applied but fewer than
//! `--wait-replicas` replicas acknowledged within `--wait-timeout-ms` is answered
//! `503` with `{"error": "not durable: …", "durable": false}` and `Retry-After: 1`: it may
//! be lost in a failover, so it is never reported done; retrying is safe.
//!
//! | route | auth | does |
//! |---|---|---|
//! | `POST /login` `{"sub":"alice"}` | none (stand-in for a real login step) | new access + refresh pair |
//! | `POST /refresh` `{"refresh":"…"}` | the refresh token | single-use rotation; reuse revokes the family |
//! | `POST /logout` | `Bearer <access>` | revokes the token and its family |
//! | `POST /revoke` `{"token"}`/`{"family"}`/`{"sub"}` | `Bearer <admin token>` | revoke a token, a login, or bump a subject's version |
//! | `GET /api/hello` | `Bearer <access>` | the protected route |
//! | `GET /health` | none | freshness and counters (503 when failing closed) |
//!
//! Verification reads only the local mirror (no network); writes run on the blocking pool.
//! On start it prints `listening on <addr>` (with `--listen 127.0.0.1:0`, the chosen port).

#![forbid(unsafe_code)]

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ciphertoken::lifecycle::{minutes, CipherToken, NoClaims};
use ciphertoken::{Error, SigningKey, SystemClock};
use ciphertoken_redis::{Fleet, FleetConfig, FleetError, StalePolicy};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const ISSUER: &str = "ciphertoken-gateway";
const ACCESS_TTL: u64 = minutes(10);
const REFRESH_TTL: u64 = ciphertoken::lifecycle::days(7);
const LEEWAY: u64 = 30;
const SCRATCH: usize = 2048;

type Ct = CipherToken<'static, SystemClock, 2>;

struct App {
    ct: Ct,
    fleet: Fleet,
    admin_token: Option<String>,
}

type Shared = Arc<App>;

#[derive(Debug)]
struct Options {
    listen: String,
    redis: String,
    namespace: String,
    kid: String,
    threads: usize,
    max_staleness_ms: u64,
    poll_block_ms: u64,
    response_timeout_ms: u64,
    mirror_capacity: usize,
    fail_open: bool,
    sentinels: Option<String>,
    sentinel_master: String,
    cluster: Option<String>,
    wait_replicas: Option<u32>,
    wait_timeout_ms: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: gateway [--listen ADDR] [--redis URL] [--namespace NS] [--kid KID] [--threads N]\n\
         \x20              [--max-staleness-ms MS] [--poll-block-ms MS] [--response-timeout-ms MS]\n\
         \x20              [--mirror-capacity N] [--fail-open]\n\
         \x20              [--sentinel URL[,URL...] [--sentinel-master NAME] | --cluster URL[,URL...]]\n\
         \x20              [--wait-replicas N] [--wait-timeout-ms MS]\n\
         env: GATEWAY_SECRET_HEX (64 hex digits, required), GATEWAY_ADMIN_TOKEN (enables /revoke)"
    );
    std::process::exit(2)
}

fn parse_options() -> Options {
    let mut o = Options {
        listen: "127.0.0.1:8080".into(),
        redis: "redis://127.0.0.1:6379".into(),
        namespace: "ct".into(),
        kid: "gw-1".into(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        max_staleness_ms: 2_000,
        poll_block_ms: 250,
        response_timeout_ms: 500,
        mirror_capacity: 100_000,
        fail_open: false,
        sentinels: None,
        sentinel_master: "fleet".into(),
        cluster: None,
        wait_replicas: None,
        wait_timeout_ms: 500,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--fail-open" {
            o.fail_open = true;
            continue;
        }
        let Some(value) = args.next() else { usage() };
        let num = |v: &str| v.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--listen" => o.listen = value,
            "--redis" => o.redis = value,
            "--namespace" => o.namespace = value,
            "--kid" => o.kid = value,
            "--threads" => o.threads = num(&value).max(1) as usize,
            "--max-staleness-ms" => o.max_staleness_ms = num(&value),
            "--poll-block-ms" => o.poll_block_ms = num(&value),
            "--response-timeout-ms" => o.response_timeout_ms = num(&value),
            "--mirror-capacity" => o.mirror_capacity = num(&value) as usize,
            "--sentinel" => o.sentinels = Some(value),
            "--sentinel-master" => o.sentinel_master = value,
            "--cluster" => o.cluster = Some(value),
            "--wait-replicas" => {
                o.wait_replicas = Some(u32::try_from(num(&value)).unwrap_or_else(|_| usage()))
            }
            "--wait-timeout-ms" => o.wait_timeout_ms = num(&value),
            _ => usage(),
        }
    }
    if o.sentinels.is_some() && o.cluster.is_some() {
        usage()
    }
    o
}

fn list(urls: &str) -> Vec<String> {
    urls.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect()
}

fn hex_secret(text: &str) -> Option<[u8; 32]> {
    let bytes = text.trim().as_bytes();
    if bytes.len() != 64 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let s = std::str::from_utf8(pair).ok()?;
        *o = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

fn main() {
    let o = parse_options();
    let Some(secret) = std::env::var("GATEWAY_SECRET_HEX").ok().and_then(|s| hex_secret(&s)) else {
        eprintln!("gateway: set GATEWAY_SECRET_HEX to 64 hex digits (the fleet's shared HS256 key)");
        std::process::exit(2)
    };
    let result = (|| -> Result<App, Box<dyn std::error::Error>> {
        let key = SigningKey::hs256(&secret)?.with_kid(&o.kid)?;
        let ct = CipherToken::new(key, SystemClock)?
            .access_ttl(ACCESS_TTL)
            .refresh_ttl(REFRESH_TTL)
            .leeway(LEEWAY)
            .issuer(ISSUER);
        let base = match (&o.sentinels, &o.cluster) {
            (Some(s), _) => FleetConfig::sentinel(o.sentinel_master.clone(), list(s)),
            (None, Some(c)) => FleetConfig::cluster(list(c)),
            (None, None) => FleetConfig::new(o.redis.clone()),
        };
        let base = match o.wait_replicas {
            Some(n) => base.wait_replicas(n),
            None => base,
        };
        let config = base
            .wait_timeout(Duration::from_millis(o.wait_timeout_ms))
            .namespace(o.namespace.clone())
            .max_token_lifetime(REFRESH_TTL + LEEWAY)
            .max_staleness(Duration::from_millis(o.max_staleness_ms))
            .poll_block(Duration::from_millis(o.poll_block_ms))
            .response_timeout(Duration::from_millis(o.response_timeout_ms))
            .connect_timeout(Duration::from_millis(o.response_timeout_ms))
            .mirror_capacity(o.mirror_capacity)
            .stale_policy(if o.fail_open { StalePolicy::FailOpen } else { StalePolicy::FailClosed });
        let fleet = Fleet::start(config)?;
        Ok(App {
            ct,
            fleet,
            admin_token: std::env::var("GATEWAY_ADMIN_TOKEN").ok().filter(|t| !t.is_empty()),
        })
    })();
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("gateway: {e}");
            std::process::exit(1)
        }
    };
    if !app.fleet.wait_synced(Duration::from_secs(5)) {
        eprintln!("gateway: Redis not reachable yet; refusing tokens until the mirror is filled");
    } else if let Ok(problems) = app.fleet.check_server_settings() {
        for p in problems {
            eprintln!("gateway: warning: Redis {p}");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(o.threads).enable_all().build();
    let runtime = runtime.unwrap_or_else(|e| {
        eprintln!("gateway: runtime: {e}");
        std::process::exit(1)
    });
    let listen = o.listen.clone();
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        println!("listening on {}", listener.local_addr()?);
        axum::serve(listener, router(Arc::new(app))).await
    });
    if let Err(e) = served {
        eprintln!("gateway: {e}");
        std::process::exit(1)
    }
}

fn router(app: Shared) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/revoke", post(revoke))
        .route("/api/hello", get(hello))
        .route("/health", get(health))
        .with_state(app)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A refused request: status and message, sent as `{"error": message}`; a write that is
/// not durable also says `"durable": false` and `Retry-After: 1`.
struct Refusal(StatusCode, String, bool);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        if self.2 {
            let body = Json(json!({ "error": self.1, "durable": false }));
            return (self.0, [(header::RETRY_AFTER, "1")], body).into_response();
        }
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Refusal {
    Refusal(status, message.to_string(), false)
}

/// 401 for a token error; 503 when Redis failed, the mirror is stale and failing closed,
/// or a write is not durable (applied on the primary only: retry).
fn fleet_error(e: &FleetError) -> Refusal {
    match e {
        FleetError::NotDurable { .. } => Refusal(StatusCode::SERVICE_UNAVAILABLE, e.to_string(), true),
        FleetError::Token(Error::Revoked) | FleetError::Token(Error::StaleVersion) => {
            error(StatusCode::UNAUTHORIZED, e)
        }
        FleetError::Token(Error::RefreshTokenReused) => error(StatusCode::UNAUTHORIZED, e),
        FleetError::Token(Error::StoreFull) | FleetError::Stale => error(StatusCode::SERVICE_UNAVAILABLE, e),
        FleetError::Token(_) => error(StatusCode::UNAUTHORIZED, e),
        _ => error(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}

/// Runs a blocking fleet write off the async workers.
async fn blocking<T: Send + 'static>(
    app: &Shared,
    f: impl FnOnce(&App) -> Result<T, FleetError> + Send + 'static,
) -> Result<T, Refusal> {
    let app = Arc::clone(app);
    match tokio::task::spawn_blocking(move || f(&app)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(fleet_error(&e)),
        Err(e) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}

fn pair_json(access: &str, refresh: &str, family: &str) -> Response {
    Json(json!({ "access": access, "refresh": refresh, "family": family })).into_response()
}

#[derive(Deserialize)]
struct LoginBody {
    sub: String,
}

async fn login(State(app): State<Shared>, Json(body): Json<LoginBody>) -> Response {
    if body.sub.is_empty() || body.sub.len() > 128 {
        return error(StatusCode::BAD_REQUEST, "sub: 1 to 128 bytes").into_response();
    }
    let issued = blocking(&app, move |app| {
        let (mut a, mut r) = ([0u8; 1024], [0u8; 1024]);
        let p = app.fleet.login(&app.ct, &mut rand_core::OsRng, &body.sub, &NoClaims {}, &mut a, &mut r)?;
        Ok((p.access.to_owned(), p.refresh.to_owned(), p.family.to_string()))
    })
    .await;
    match issued {
        Ok((a, r, f)) => pair_json(&a, &r, &f),
        Err(refusal) => refusal.into_response(),
    }
}

#[derive(Deserialize)]
struct RefreshBody {
    refresh: String,
}

async fn refresh(State(app): State<Shared>, Json(body): Json<RefreshBody>) -> Response {
    let rotated = blocking(&app, move |app| {
        let (mut a, mut r, mut s) = ([0u8; 1024], [0u8; 1024], [0u8; SCRATCH]);
        let p = app.fleet.rotate::<NoClaims, _, _, 2>(
            &app.ct,
            &body.refresh,
            &mut rand_core::OsRng,
            &mut s,
            &mut a,
            &mut r,
        )?;
        Ok((p.access.to_owned(), p.refresh.to_owned(), p.family.to_string()))
    })
    .await;
    match rotated {
        Ok((a, r, f)) => pair_json(&a, &r, &f),
        Err(refusal) => refusal.into_response(),
    }
}

/// Verifies the bearer access token against the local mirror.
fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, Refusal> {
    let Some(token) = bearer(headers) else {
        return Err(error(StatusCode::UNAUTHORIZED, "missing bearer token"));
    };
    let mut scratch = [0u8; SCRATCH];
    let view = app.fleet.view();
    match app.ct.verify_access::<NoClaims, _, _>(token, &view, &view, &mut scratch) {
        Ok(v) => Ok(v.registered().sub.map(|s| s.chars().collect()).unwrap_or_default()),
        Err(Error::Revoked) if view.fails_closed() => {
            Err(error(StatusCode::SERVICE_UNAVAILABLE, "revocation state is stale: failing closed"))
        }
        Err(e) => Err(error(StatusCode::UNAUTHORIZED, e)),
    }
}

async fn hello(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match authenticate(&app, &headers) {
        Ok(sub) => Json(json!({ "hello": sub })).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&app, &headers) {
        return refusal.into_response();
    }
    let token = bearer(&headers).unwrap_or_default().to_owned();
    match blocking(&app, move |app| app.fleet.logout(&app.ct, &token, &mut [0u8; SCRATCH])).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

#[derive(Deserialize)]
struct RevokeBody {
    token: Option<String>,
    family: Option<String>,
    sub: Option<String>,
}

async fn revoke(State(app): State<Shared>, headers: HeaderMap, Json(body): Json<RevokeBody>) -> Response {
    let authorized = match (&app.admin_token, bearer(&headers)) {
        (Some(expected), Some(given)) => constant_time_eq(expected.as_bytes(), given.as_bytes()),
        _ => false,
    };
    if !authorized {
        return error(StatusCode::FORBIDDEN, "admin token required").into_response();
    }
    let done = blocking(&app, move |app| match (body.token, body.family, body.sub) {
        (Some(token), None, None) => {
            app.fleet.revoke_token(&app.ct, &token, &mut [0u8; SCRATCH]).map(|()| None)
        }
        (None, Some(family), None) => app.fleet.revoke_family(&app.ct, &family).map(|()| None),
        (None, None, Some(sub)) => app.fleet.bump_version(&sub).map(Some),
        _ => Err(FleetError::Config("give exactly one of token, family, sub")),
    })
    .await;
    match done {
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Ok(Some(version)) => Json(json!({ "version": version })).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn health(State(app): State<Shared>) -> Response {
    let s = app.fleet.stats();
    let fresh = app.fleet.is_fresh();
    let body = json!({
        "pid": std::process::id(),
        "fresh": fresh,
        "synced": s.synced,
        "connected": s.connected,
        "staleness_ms": s.staleness.map(|d| d.as_millis() as u64),
        "mirror_len": s.mirror_len,
        "mirror_incomplete": s.mirror_incomplete,
        "last_id": s.last_id,
        "entries_applied": s.entries_applied,
        "degraded_open": s.degraded_open,
        "degraded_closed": s.degraded_closed,
        "full_asked_redis": s.full_asked_redis,
        "full_failed_closed": s.full_failed_closed,
        "reconnects": s.reconnects,
        "sync_errors": s.sync_errors,
        "node": s.node,
        "node_changes": s.node_changes,
        "resyncs": s.resyncs,
        "redirects": s.redirects,
        "not_durable": s.not_durable,
        "namespace": app.fleet.config().namespace_str(),
    });
    let status = if fresh || app.fleet.config().stale_policy_value() == StalePolicy::FailOpen {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_secret_is_exactly_32_bytes_of_hex() {
        let hex = "00ff".repeat(16);
        let key = hex_secret(&hex).unwrap();
        assert_eq!((key[0], key[1], key[31]), (0x00, 0xff, 0xff));
        assert_eq!(hex_secret(&hex[..62]), None, "too short");
        assert_eq!(hex_secret(&format!("{hex}00")), None, "too long");
        assert_eq!(hex_secret(&"zz".repeat(32)), None, "not hex");
        assert_eq!(hex_secret(&"+1".repeat(32)), None, "from_str_radix accepts a sign; we must not");
    }

    #[test]
    fn bearer_tokens_are_taken_from_the_authorization_header_only() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "bearer  xyz ".parse().unwrap());
        assert_eq!(bearer(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn admin_token_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret!"));
    }
}
