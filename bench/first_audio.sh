#!/usr/bin/env bash
# Time from accept to the first audio frame played, for v1's direct media (--ice off), an ICE
# direct path (--ice on) and a path through sala-server's TURN relay (--ice relay), in one run:
# real sala-cli processes on 127.0.0.1, bob answering at once (--answer accept), alice calling
# him CALLS times, each call DURATION seconds, tone in, null out. Each side's `first_audio`
# event says when its output device took the first frame decoded from the peer's packets, in ms
# after its own call_started; the accept is bob's `invite` event (he answers in the same moment).
# Prints p50 / p90 / max per side and path, from the accept and from each side's call_started,
# and how long ICE took to report its path (media_path event minus call_started).
# Usage: bench/first_audio.sh [BIN_DIR]   CALLS=20 DURATION=1.2 PATHS="off on relay"
#   SALA_CLI_ARGS="--frame-ms 10" passes more options to both clients
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${SALA_BUILD_DIR:-$root/build}/bin}
calls=${CALLS:-20}
duration=${DURATION:-1.2}
for program in sala-server sala-cli; do
  [[ -x $bin/$program ]] || { echo "missing $bin/$program: build it first" >&2; exit 1; }
done
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

# stats NAME < values: "NAME  p50 X  p90 Y  max Z  (n N)" (nearest rank)
stats() {
  sort -g | awk -v name="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { printf "  %-34s no values\n", name; exit }
    p50 = v[int(0.5 * (NR - 1) + 1.5)]; p90 = v[int(0.9 * (NR - 1) + 1.5)]
    printf "  %-34s p50 %6.1f  p90 %6.1f  max %6.1f ms  (n %d)\n", name, p50, p90, v[NR], NR }'
}

echo "first audio: $calls calls per path, $duration s each, on 127.0.0.1 ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
for path in ${PATHS:-off on relay}; do
  dir=$work/$path
  mkdir -p "$dir"
  # shellcheck disable=SC2206  # SALA_CLI_ARGS: more options for both clients
  extra=(--ice "$path" ${SALA_CLI_ARGS:-})
  # A fresh server makes a fresh certificate (TLS), so the clients get fresh config dirs too: a
  # pin left by an earlier server on the same port would refuse this one.
  "$bin/sala-server" --bind 127.0.0.1 --port 0 --data-dir "$dir/server-data" >"$dir/server.out" 2>"$dir/server.log" &
  server=$!
  pids+=("$server")
  wait_for "$dir/server.out" '^listening on' 5
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$dir/server.out")
  "$bin/sala-cli" --server "127.0.0.1:$port" --name bob --config-dir "$dir/bob-config" --answer accept --calls "$calls" --audio-in tone:440 \
    --audio-out null "${extra[@]}" --json >"$dir/bob.json" 2>"$dir/bob.err" &
  bob=$!
  pids+=("$bob")
  wait_for "$dir/bob.json" '"event":"registered"' 5
  status=0
  "$bin/sala-cli" --server "127.0.0.1:$port" --name alice --config-dir "$dir/alice-config" --call bob --calls "$calls" --duration "$duration" \
    --audio-in tone:330 --audio-out null "${extra[@]}" --json >"$dir/alice.json" 2>"$dir/alice.err" || status=$?
  wait "$bob" || status=$?
  kill -TERM "$server"
  wait "$server" || true
  pids=()
  ((status == 0)) || { echo "calls failed ($status): $(cat "$dir/alice.err" "$dir/bob.err")" >&2; exit 1; }

  # The k-th invite, call_started, media_path and first_audio of each side belong to call k.
  accepts=$(jq -r 'select(.event == "invite") | .time' "$dir/bob.json")
  echo "== --ice $path"
  for side in alice bob; do
    jq -r 'select(.event == "call_started") | .time' "$dir/$side.json" >"$dir/$side.started"
    jq -r 'select(.event == "first_audio") | .after_call_started_ms' "$dir/$side.json" >"$dir/$side.first"
    paste "$dir/$side.started" "$dir/$side.first" <(echo "$accepts") |
      awk 'NF == 3 { printf "%.1f\n", ($1 - $3) * 1000 + $2 }' | stats "$side: accept to first audio"
    stats "$side: call_started to first audio" <"$dir/$side.first"
    if [[ $path != off ]]; then
      # The first media_path event after each call_started: when ICE had its pair.
      jq -r 'select(.event == "call_started" or .event == "media_path") | "\(.event) \(.time)"' "$dir/$side.json" |
        awk '$1 == "call_started" { t = $2; pending = 1 } $1 == "media_path" && pending { printf "%.1f\n", ($2 - t) * 1000; pending = 0 }' |
        stats "$side: call_started to media_path"
    fi
    n=$(wc -l <"$dir/$side.first")
    ((n == calls)) || echo "  ($side reported first audio in $n of $calls calls)"
  done
done
