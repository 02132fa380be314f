#!/usr/bin/env bash
# Bounded loopback load run (not part of CI): one redis-server (AOF, appendfsync always),
# two gateway processes (one worker thread each) and the load generator, all on 127.0.0.1.
# Every process is started here and stopped by its own PID.
#
#   bash examples/gateway/load.sh            # 10 s
#   RUN_SECONDS=20 CONNECTIONS=8 APPENDFSYNC=everysec bash examples/gateway/load.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUN_SECONDS=${RUN_SECONDS:-10}
CONNECTIONS=${CONNECTIONS:-4}
REVOKE_RATE=${REVOKE_RATE:-20}
GATEWAY_THREADS=${GATEWAY_THREADS:-1}
APPENDFSYNC=${APPENDFSYNC:-always}

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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync "$APPENDFSYNC" \
    --save '' --maxmemory-policy noeviction --daemonize no --logfile redis.log &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.05
done

export GATEWAY_SECRET_HEX
GATEWAY_SECRET_HEX=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export GATEWAY_ADMIN_TOKEN=load-admin

addrs=()
for name in a b; do
    "$bin/gateway" --listen 127.0.0.1:0 --redis "redis://127.0.0.1:$port" \
        --threads "$GATEWAY_THREADS" --kid gw-load >"$dir/$name.out" &
    pids+=("$!")
    for _ in $(seq 100); do
        grep -q '^listening on ' "$dir/$name.out" 2>/dev/null && break
        sleep 0.05
    done
    addrs+=("$(sed -n 's/^listening on //p' "$dir/$name.out")")
done
echo "redis 127.0.0.1:$port (pid $redis_pid), gateways ${addrs[*]}"

"$bin/loadgen" --a "${addrs[0]}" --b "${addrs[1]}" --admin "$GATEWAY_ADMIN_TOKEN" \
    --seconds "$RUN_SECONDS" --connections "$CONNECTIONS" --revoke-rate "$REVOKE_RATE" \
    --redis-pid "$redis_pid"
