#!/usr/bin/env bash
# The two-gateway walk-through of docs/gateways.md, end to end and self-contained: a Redis
# server and two gateways on free 127.0.0.1 ports, data in a temporary directory, each HTTP
# status printed and checked, everything stopped (by PID) and removed on exit.
#
#   bash examples/gateway/walkthrough.sh [PROFILE_DIR]
#
# PROFILE_DIR holds the `gateway` binary (default: target/debug, built here if missing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin_dir=${1:-$root/target/debug}
case $bin_dir in /*) ;; *) bin_dir=$PWD/$bin_dir ;; esac   # relative to the caller, made absolute
[ -x "$bin_dir/gateway" ] || (cd "$root" && cargo build -q -p ciphertoken-gateway)

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
a_port=$(free_port)
b_port=$(free_port)
A=http://127.0.0.1:$a_port
B=http://127.0.0.1:$b_port

# wait_for URL WHAT: polls URL until it answers 200, for at most 15 s.
wait_for() {
    local i
    for i in $(seq 1 150); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ]; then return 0; fi
        sleep 0.1
    done
    echo "walkthrough: $2 did not become ready in 15 s" >&2
    exit 1
}

# call WANT METHOD URL [curl args...]: prints the status and the body, fails unless the
# status is WANT; the body is left in $body.
call() {
    local want=$1 method=$2 url=$3 status
    shift 3
    status=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$url" "$@")
    body=$(cat "$work/body")
    echo "  $method ${url#http://127.0.0.1:} -> $status $body"
    if [ "$status" != "$want" ]; then
        echo "walkthrough: expected HTTP $want" >&2
        exit 1
    fi
}

echo "== Redis with the settings that protect revocations (AOF, fsync always, noeviction)"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' \
    --appendonly yes --appendfsync always --maxmemory-policy noeviction > "$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break; sleep 0.1; done

echo "== two gateways sharing it"
GATEWAY_SECRET_HEX=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
GATEWAY_ADMIN_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
export GATEWAY_SECRET_HEX GATEWAY_ADMIN_TOKEN
"$bin_dir/gateway" --listen "127.0.0.1:$a_port" --redis "redis://127.0.0.1:$redis_port" > "$work/a.log" 2>&1 &
pids+=($!)
"$bin_dir/gateway" --listen "127.0.0.1:$b_port" --redis "redis://127.0.0.1:$redis_port" > "$work/b.log" 2>&1 &
pids+=($!)
wait_for "$A/health" "gateway A"
wait_for "$B/health" "gateway B"

echo "== log in on A, call the API on B"
call 200 POST "$A/login" -H 'content-type: application/json' -d '{"sub":"alice"}'
access=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access"])' "$body")
call 200 GET "$B/api/hello" -H "authorization: Bearer $access"

echo "== revoke the token on A; B refuses it"
call 204 POST "$A/revoke" -H "authorization: Bearer $GATEWAY_ADMIN_TOKEN" \
    -H 'content-type: application/json' -d "{\"token\":\"$access\"}"
for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/api/hello" -H "authorization: Bearer $access")" = 401 ] && break
    sleep 0.02
done
call 401 GET "$B/api/hello" -H "authorization: Bearer $access"

echo "== health and counters"
call 200 GET "$B/health"

echo "walkthrough: all steps behaved as documented"
