#!/usr/bin/env bash
# A cluster of sala-server nodes on one Redis under load: a redis-server of its own (free port,
# nothing saved), NODES nodes (default 3), and sala-bench-server-load with CLIENTS clients spread
# over the nodes in turn (joins and call pairs mix nodes). Figures as in docs/benchmarks.md; the
# memory and CPU columns are the first node's.
#   bench/cluster_load.sh [CLIENTS] [NODES]      e.g. bench/cluster_load.sh 9000 3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SALA_BUILD_DIR:-$root/build}
bin=$build/bin
clients=${1:-3000}
nodes=${2:-3}
source "$root/bench/lib.sh"

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
wait_for "$work/redis.log" 'Ready to accept connections' 5

ports=()
first_pid=
for n in $(seq "$nodes"); do
  out=$work/node-$n.out
  "$bin/sala-server" --bind 127.0.0.1 --port 0 --insecure-plaintext --data-dir "$work/data-$n" \
    --max-clients $((clients + 1000)) --idle-timeout 3600 --redis "redis://127.0.0.1:$redis_port" \
    >"$out" 2>"$work/node-$n.log" &
  pids+=($!)
  [[ -n $first_pid ]] || first_pid=$!
  wait_for "$out" '^listening on' 5 || { cat "$work/node-$n.log"; exit 1; }
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out")
  ports+=("$port")
done
echo "== $nodes nodes on one Redis, $clients clients spread over them, plain lines"
"$bin/sala-bench-server-load" --ports "$(IFS=,; echo "${ports[*]}")" --server-pid "$first_pid" --clients "$clients" \
  --joins "${SALA_BENCH_JOINS:-20}" --pairs "${SALA_BENCH_PAIRS:-20}" --churn-seconds "${SALA_BENCH_CHURN_SECONDS:-5}" \
  --call-interval-ms "${SALA_BENCH_CALL_INTERVAL_MS:-100}"
echo "redis-server: $(redis-cli -p "$redis_port" info memory | grep '^used_memory_human' | tr -d '\r'), \
$(redis-cli -p "$redis_port" info stats | grep -E '^total_commands_processed' | tr -d '\r')"
