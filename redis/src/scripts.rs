//! The fleet's Redis key layout and its server-side (Lua) steps.
//!
//! Every key starts with the hash tag `{namespace}`, so one fleet's keys share one Redis
//! Cluster slot and each script below may touch several of them atomically (Cluster
//! refuses scripts whose keys span slots). A large fleet spreads over shards by running
//! several namespaces (e.g. one per tenant or region).
//!
//! | key | type | written by | lives until |
//! |---|---|---|---|
//! | `{ns}:revoked:<jti>` | string `1` | revoke, rotation | `EXAT` token `exp` + leeway (+1 s) |
//! | `{ns}:revoked-family:<fam>` | string `1` | revoke family, reuse | `EXAT` now + max lifetime (+1 s) |
//! | `{ns}:family:<fam>` | string: current refresh `jti` | login, rotation | `EXAT` now + max lifetime (+1 s) |
//! | `{ns}:ver:<sub>` | integer (`INCR`) | version bump | forever (no TTL) |
//! | `{ns}:log` | stream | every change above | trimmed (`MINID ~`) to max lifetime + 5 min |
//!
//! `EXAT` is one second past the last second at which the token could still verify,
//! because the core refuses an expired token only once `now >= exp + leeway` and Redis
//! drops a key as soon as `now >= EXAT`. Writes that change what a gateway must refuse
//! append one entry to the stream in the same script, so the key and its log entry exist
//! together or not at all.

use redis::Script;

/// Extra history kept in the change log beyond the maximum token lifetime, to absorb
/// clock differences between gateways (which compute expiries) and Redis (which stamps
/// stream ids and trims).
pub const LOG_SKEW_MARGIN_SECS: u64 = 300;

/// Keys of one namespace.
#[derive(Debug, Clone)]
pub struct Keys {
    tag: String,
}

impl Keys {
    /// Keys for `namespace` (validated by [`FleetConfig::validate`](crate::FleetConfig::validate):
    /// no braces, so the hash tag is exactly `{namespace}`).
    pub fn new(namespace: &str) -> Self {
        Keys { tag: format!("{{{namespace}}}") }
    }

    /// `{ns}:revoked:<jti>`.
    pub fn revoked(&self, jti: &str) -> String {
        format!("{}:revoked:{jti}", self.tag)
    }

    /// `{ns}:revoked-family:<fam>`.
    pub fn revoked_family(&self, fam: &str) -> String {
        format!("{}:revoked-family:{fam}", self.tag)
    }

    /// `{ns}:family:<fam>`: the family's current refresh `jti`.
    pub fn family(&self, fam: &str) -> String {
        format!("{}:family:{fam}", self.tag)
    }

    /// `{ns}:ver:<sub>`: the subject's token version.
    pub fn version(&self, sub: &str) -> String {
        format!("{}:ver:{sub}", self.tag)
    }

    /// `{ns}:log`: the change log stream.
    pub fn log(&self) -> String {
        format!("{}:log", self.tag)
    }
}

/// The part of a key Redis Cluster hashes: the text between the first `{` and the next
/// `}` when that is non-empty, else the whole key (Redis Cluster specification, "Hash tags").
pub fn hash_tag(key: &str) -> &str {
    if let Some(open) = key.find('{') {
        let rest = key.get(open.saturating_add(1)..).unwrap_or("");
        if let Some(close) = rest.find('}') {
            if close > 0 {
                return rest.get(..close).unwrap_or(key);
            }
        }
    }
    key
}

/// Shared Lua: `XADD` to the log (KEYS[log]) with trimming to `retention` seconds of
/// server time (`MINID ~`: approximate, never trims newer entries).
const LOG_FN: &str = r"
local function log(key, retention, ...)
  local t = redis.call('TIME')
  local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(retention) * 1000
  if minid < 0 then minid = 0 end
  return redis.call('XADD', key, 'MINID', '~', string.format('%d', minid), '*', ...)
end
";

/// Revoke one token or family.
/// KEYS: revoked key, log, and for a family its record (deleted: nothing may rotate in a
/// revoked family). ARGV: kind (`t`/`f`), id, expires_at, retention.
/// Returns 1 when newly revoked, 0 when it already was.
///
/// A repeated revocation still writes (`SET … KEEPTTL XX`, a no-op on the value and TTL):
/// `WAIT` counts replicas that reached the connection's *last write*, so a retry of a
/// revocation that was not durable must itself replicate something for its `WAIT` to
/// cover the key (replication is in order: the original `SET` arrives first).
const REVOKE_BODY: &str = r"
local exat = string.format('%d', tonumber(ARGV[3]) + 1)
if KEYS[3] then redis.call('DEL', KEYS[3]) end
if redis.call('SET', KEYS[1], '1', 'EXAT', exat, 'NX') then
  log(KEYS[2], ARGV[4], 'k', ARGV[1], 'id', ARGV[2], 'exp', ARGV[3])
  return 1
end
redis.call('SET', KEYS[1], '1', 'KEEPTTL', 'XX')
return 0
";

/// Refresh rotation with compare-and-set on the family's current refresh `jti`.
/// KEYS: family, revoked-family, revoked old jti, log.
/// ARGV: fam, old jti, new jti, old jti expires_at, family expires_at, retention.
/// Returns `ok`, `reused` (the family is now revoked), `revoked` (it already was) or
/// `unknown` (no family record: fail closed, the family is now revoked).
const ROTATE_BODY: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return 'revoked' end
local current = redis.call('GET', KEYS[1])
if current == ARGV[3] then return 'ok' end
if current ~= ARGV[2] or redis.call('EXISTS', KEYS[3]) == 1 then
  local fexat = string.format('%d', tonumber(ARGV[5]) + 1)
  if redis.call('SET', KEYS[2], '1', 'EXAT', fexat, 'NX') then
    log(KEYS[4], ARGV[6], 'k', 'f', 'id', ARGV[1], 'exp', ARGV[5])
  end
  redis.call('DEL', KEYS[1])
  if current == false then return 'unknown' end
  return 'reused'
end
redis.call('SET', KEYS[1], ARGV[3], 'EXAT', string.format('%d', tonumber(ARGV[5]) + 1))
if redis.call('SET', KEYS[3], '1', 'EXAT', string.format('%d', tonumber(ARGV[4]) + 1), 'NX') then
  log(KEYS[4], ARGV[6], 'k', 't', 'id', ARGV[2], 'exp', ARGV[4])
end
return 'ok'
";

/// Token version bump. KEYS: version, log. ARGV: sub, expires_at of the log entry, retention.
/// Returns the new version.
const BUMP_BODY: &str = r"
local v = redis.call('INCR', KEYS[1])
log(KEYS[2], ARGV[3], 'k', 'v', 'id', ARGV[1], 'ver', tostring(v), 'exp', ARGV[2])
return v
";

/// The loaded scripts (`EVALSHA`, re-sent with `EVAL` after a restart flushed the cache).
#[derive(Debug, Clone)]
pub(crate) struct Scripts {
    /// See [`REVOKE_BODY`].
    pub(crate) revoke: Script,
    /// See [`ROTATE_BODY`].
    pub(crate) rotate: Script,
    /// See [`BUMP_BODY`].
    pub(crate) bump: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        let with_log = |body: &str| Script::new(&format!("{LOG_FN}{body}"));
        Scripts { revoke: with_log(REVOKE_BODY), rotate: with_log(ROTATE_BODY), bump: with_log(BUMP_BODY) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_a_namespace_has_the_same_hash_tag() {
        let k = Keys::new("fleet-1");
        // Ids may contain braces: the tag is fixed by the prefix.
        for key in [k.revoked("a{b}c"), k.revoked_family("}{"), k.family("x"), k.version("{alice}"), k.log()]
        {
            assert_eq!(hash_tag(&key), "fleet-1", "{key}");
        }
        assert_eq!(hash_tag("no-tag"), "no-tag");
        assert_eq!(hash_tag("{}empty"), "{}empty");
        assert_eq!(hash_tag("a{b"), "a{b");
    }
}
