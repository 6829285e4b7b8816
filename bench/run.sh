#!/usr/bin/env bash
# Builds Sala and runs the benchmarks, printing their figures (see docs/benchmarks.md).
#   bench/run.sh                      everything
#   SALA_BENCH_CLIENTS="1000" bench/run.sh   the server load benchmark with other client counts
#   SALA_BENCH_KEYS=1 bench/run.sh    its clients register with identity keys (protocol v4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SALA_BUILD_DIR:-$root/build}
SALA_BUILD_DIR=$build "$root/tools/build" >/dev/null
bin=$build/bin
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# sala-server under load: its own server on a free port, then N registered clients.
for clients in ${SALA_BENCH_CLIENTS:-1000 10000}; do
  echo "== sala-server load: $clients clients"
  "$bin/sala-server" --bind 127.0.0.1 --port 0 --data-dir "$work/server-data-$clients" --max-clients $((clients + 1000)) --idle-timeout 3600 \
    >"$work/server.out" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '^listening on' "$work/server.out" && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
  [[ -n $port ]] || { echo "sala-server did not start:"; cat "$work/server.log"; exit 1; }
  "$bin/sala-bench-server-load" --port "$port" --server-pid "$server_pid" --clients "$clients" \
    --joins "${SALA_BENCH_JOINS:-20}" --pairs "${SALA_BENCH_PAIRS:-20}" --churn-seconds "${SALA_BENCH_CHURN_SECONDS:-5}" \
    --call-interval-ms "${SALA_BENCH_CALL_INTERVAL_MS:-100}" ${SALA_BENCH_KEYS:+--keys}
  kill -TERM "$server_pid"
  wait "$server_pid" || { echo "sala-server exited with status $?"; exit 1; }
  server_pid=
  grep -E 'WARN|ERROR' "$work/server.log" | head -5 || true
done

# sala-cli calls: one-way latency, bandwidth on the wire and CPU per client (see docs/benchmarks.md).
echo "== sala-cli calls"
"$root/bench/client_call.sh" "$bin"

# Time from accept to the first audio played: v1 direct, ICE direct and ICE relayed, 20 calls each.
echo "== first audio"
"$root/bench/first_audio.sh" "$bin"

# sala-server's TURN relay relaying 100 calls (200 legs), against coturn with the same load.
echo "== TURN relay under load"
"$root/bench/relay_load.sh" "$bin"

# CPU per client without a capture beside it, the design's floor without a codec, and an
# established SIP client measured the same way (when baresip is installed).
echo "== CPU per client in a call"
"$root/bench/client_cpu.sh" "$bin" 20
"$bin/sala-bench-wake-floor" 20 20
if command -v baresip >/dev/null; then "$root/bench/sip_client_cpu.sh" 20; else
  echo "(baresip not installed: apt-get install baresip-core to compare with bench/sip_client_cpu.sh)"; fi
