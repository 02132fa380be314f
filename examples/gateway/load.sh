#!/usr/bin/env bash
# Bounded loopback load run (not part of CI): one redis-server (AOF, appendfsync always),
# two gateway processes (one worker thread each) and the load generator, all on 127.0.0.1.
# Every process is started here and stopped by its own PID.
#
#   bash examples/gateway/load.sh            # 10 s
#   RUN_SECONDS=20 CONNECTIONS=8 APPENDFSYNC=everysec bash examples/gateway/load.sh
#
# Replicated: TOPOLOGY=sentinel starts a primary, 2 replicas and 3 sentinels (quorum 2,
# down-after-milliseconds DOWN_AFTER_MS, default 1000); the gateways find the primary through Sentinel and every
# write waits for WAIT_REPLICAS (default 1) replicas. KILL_AT=S sends SIGKILL to the primary
# S seconds into the run, and loadgen reports the failover window as clients saw it.
#   TOPOLOGY=sentinel bash examples/gateway/load.sh
#   TOPOLOGY=sentinel KILL_AT=4 bash examples/gateway/load.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUN_SECONDS=${RUN_SECONDS:-10}
CONNECTIONS=${CONNECTIONS:-4}
REVOKE_RATE=${REVOKE_RATE:-20}
GATEWAY_THREADS=${GATEWAY_THREADS:-1}
APPENDFSYNC=${APPENDFSYNC:-always}
TOPOLOGY=${TOPOLOGY:-single}
WAIT_REPLICAS=${WAIT_REPLICAS:-1}
KILL_AT=${KILL_AT:-}
# Sentinel down-after-milliseconds: lower fails over faster, but on a machine this loaded a
# primary starved of CPU for that long is declared down and failed over without any kill.
DOWN_AFTER_MS=${DOWN_AFTER_MS:-1000}

cargo build --release -p ciphertoken-gateway
bin=target/release

dir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ping() {
    for _ in $(seq 100); do
        redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "no answer on port $1" >&2
    return 1
}
# start_redis NAME PORT [ARGS...]: a redis-server in $dir/NAME; its PID is appended to pids.
start_redis() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$dir/$name"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/$name" --appendonly yes \
        --appendfsync "$APPENDFSYNC" --save '' --maxmemory-policy noeviction --daemonize no \
        --logfile redis.log --repl-diskless-sync yes --repl-diskless-sync-delay 0 "$@" &
    pids+=("$!")
    wait_ping "$port"
}

port=$(free_port)
start_redis primary "$port"
redis_pid=${pids[-1]}
fleet_args=(--redis "redis://127.0.0.1:$port")
if [ "$TOPOLOGY" = sentinel ]; then
    for r in 1 2; do
        start_redis "replica$r" "$(free_port)" --replicaof 127.0.0.1 "$port"
    done
    sentinels=()
    for s in 1 2 3; do
        sport=$(free_port)
        mkdir -p "$dir/sentinel$s"
        printf '%s\n' "port $sport" "bind 127.0.0.1" "daemonize no" "dir $dir/sentinel$s" \
            "logfile sentinel.log" "sentinel monitor fleet 127.0.0.1 $port 2" \
            "sentinel down-after-milliseconds fleet $DOWN_AFTER_MS" "sentinel failover-timeout fleet 3000" \
            >"$dir/sentinel$s/sentinel.conf"
        redis-sentinel "$dir/sentinel$s/sentinel.conf" &
        pids+=("$!")
        wait_ping "$sport"
        sentinels+=("redis://127.0.0.1:$sport")
    done
    # Sentinels discover each other and the replicas through hello messages (every 2 s).
    for _ in $(seq 150); do
        n=$(redis-cli -p "$sport" sentinel sentinels fleet 2>/dev/null | grep -c '^name$' || true)
        [ "$n" -ge 2 ] && break
        sleep 0.1
    done
    fleet_args=(--sentinel "$(IFS=,; echo "${sentinels[*]}")" --sentinel-master fleet
        --wait-replicas "$WAIT_REPLICAS")
fi

export GATEWAY_SECRET_HEX
GATEWAY_SECRET_HEX=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export GATEWAY_ADMIN_TOKEN=load-admin

addrs=()
for name in a b; do
    "$bin/gateway" --listen 127.0.0.1:0 "${fleet_args[@]}" \
        --threads "$GATEWAY_THREADS" --kid gw-load >"$dir/$name.out" &
    pids+=("$!")
    for _ in $(seq 100); do
        grep -q '^listening on ' "$dir/$name.out" 2>/dev/null && break
        sleep 0.05
    done
    addrs+=("$(sed -n 's/^listening on //p' "$dir/$name.out")")
done
echo "redis ($TOPOLOGY) primary 127.0.0.1:$port (pid $redis_pid), gateways ${addrs[*]}"
kill_args=()
if [ -n "$KILL_AT" ]; then
    kill_args=(--kill-pid "$redis_pid" --kill-at "$KILL_AT")
fi

"$bin/loadgen" --a "${addrs[0]}" --b "${addrs[1]}" --admin "$GATEWAY_ADMIN_TOKEN" \
    --seconds "$RUN_SECONDS" --connections "$CONNECTIONS" --revoke-rate "$REVOKE_RATE" \
    --redis-pid "$redis_pid" "${kill_args[@]}"
