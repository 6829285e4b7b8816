#!/usr/bin/env bash
# Builds Sala and runs the benchmarks, printing their figures (see docs/benchmarks.md).
#   bench/run.sh                      everything
#   SALA_BENCH_CLIENTS="1000" bench/run.sh   the server load benchmark with other client counts
#   SALA_BENCH_KEYS=1 bench/run.sh    its clients register with identity keys (protocol v4)
#   SALA_BENCH_ONLY=server-load bench/run.sh   only the server load benchmark (plain and TLS)
#   SALA_BENCH_SERVER=PATH bench/run.sh   that sala-server binary under load (e.g. an older build)
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

# sala-server under load: for each client count, its own server on a free port and N registered
# clients, first speaking plain lines (the server with --insecure-plaintext on loopback, as before
# TLS), then TLS 1.3, each against a fresh server; then the TLS / plain ratios.
# server_load MODE CLIENTS: MODE plain or tls; keeps the generator's "figures" line in $work.
server_load() {
  local mode=$1 clients=$2 server_flags=() load_flags=() out=$work/server-$1-$2.out log=$work/server-$1-$2.log
  if [[ $mode == plain ]]; then server_flags=(--insecure-plaintext); else load_flags=(--tls); fi
  echo "== sala-server load: $clients clients, $mode"
  "${SALA_BENCH_SERVER:-$bin/sala-server}" --bind 127.0.0.1 --port 0 --data-dir "$work/server-data-$mode-$clients" --max-clients $((clients + 1000)) --idle-timeout 3600 \
    "${server_flags[@]}" >"$out" 2>"$log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '^listening on' "$out" && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out")
  [[ -n $port ]] || { echo "sala-server did not start:"; cat "$log"; exit 1; }
  "$bin/sala-bench-server-load" --port "$port" --server-pid "$server_pid" --clients "$clients" \
    --joins "${SALA_BENCH_JOINS:-20}" --pairs "${SALA_BENCH_PAIRS:-20}" --churn-seconds "${SALA_BENCH_CHURN_SECONDS:-5}" \
    --call-interval-ms "${SALA_BENCH_CALL_INTERVAL_MS:-100}" ${SALA_BENCH_KEYS:+--keys} "${load_flags[@]}" |
    tee "$work/load.out"
  grep '^figures ' "$work/load.out" >"$work/figures-$mode-$clients" || true
  kill -TERM "$server_pid"
  wait "$server_pid" || { echo "sala-server exited with status $?"; exit 1; }
  server_pid=
  grep -E 'WARN|ERROR' "$log" | grep -v -- '--insecure-plaintext' | head -5 || true
}
# compare CLIENTS: one line per figure, plain, TLS and TLS / plain.
compare() {
  local plain=$work/figures-plain-$1 tls=$work/figures-tls-$1
  [[ -s $plain && -s $tls ]] || { echo "(no figures to compare for $1 clients)"; return; }
  echo "== sala-server load: $1 clients, TLS against plain lines"
  awk 'FNR == 1 { file++ } { for (i = 2; i <= NF; i++) { split($i, kv, "="); value[file, kv[1]] = kv[2]; if (file == 1) order[i] = kv[1] } n = NF }
    END {
      printf "%-28s %12s %12s %8s\n", "figure", "plain", "TLS", "TLS/plain"
      for (i = 2; i <= n; i++) {
        k = order[i]; p = value[1, k]; t = value[2, k]
        printf "%-28s %12s %12s %8s\n", k, p, t, (p + 0 != 0 ? sprintf("%.2f", t / p) : "-")
      }
    }' "$plain" "$tls"
}
for clients in ${SALA_BENCH_CLIENTS:-1000 10000}; do
  server_load plain "$clients"
  server_load tls "$clients"
done
for clients in ${SALA_BENCH_CLIENTS:-1000 10000}; do compare "$clients"; done
[[ ${SALA_BENCH_ONLY:-} == server-load ]] && exit 0

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
