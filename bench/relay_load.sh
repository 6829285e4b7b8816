#!/usr/bin/env bash
# A TURN relay under N concurrent relayed calls (default 100 = 200 relayed legs), sala-server's own
# relay and coturn's in the same run: sala-bench-relay-load registers 2N sessions with sala-server,
# sets up N calls whose ICE descriptions carry relay candidates, allocates (credentials from
# welcome), binds a channel to the peer and sends voice-sized ChannelData at the frame rate. For
# each relay it prints the relay process's CPU (% of one core) and RSS over the window, packets
# delivered and lost, and the delay through the relay; first the same streams sent direct, the
# generator's own floor. Then the ratios sala-server / coturn. Only 127.0.0.1.
# Usage: bench/relay_load.sh [BIN_DIR]    (default: $SALA_BUILD_DIR/bin or build/bin)
#   CALLS=100  SECONDS_=30 (window)  FRAMES="20" (packet times in ms; "20 10" adds 100 packets/s)
#   RELAYS="direct sala coturn" (which to run; coturn needs turnserver, package coturn)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${SALA_BUILD_DIR:-$root/build}/bin}
calls=${CALLS:-100}
window=${SECONDS_:-30}
for program in sala-server sala-bench-relay-load; do
  [[ -x $bin/$program ]] || { echo "missing $bin/$program: build it first" >&2; exit 1; }
done
relays=${RELAYS:-direct sala coturn}
if ! command -v turnserver >/dev/null && [[ $relays == *coturn* ]]; then
  echo "(turnserver not installed: apt-get install coturn to compare with coturn)"
  relays=${relays//coturn/}
fi

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
(umask 077 && head -c 24 /dev/urandom | base64 >"$work/secret")

# start_server [ARGS...]: a sala-server on a free port; sets server (pid) and port. It takes plain
# lines (--insecure-plaintext, loopback only): sala-bench-relay-load's sessions speak them, as this
# measures the relay, not signalling (bench/run.sh's server load compares TLS with plain lines).
start_server() {
  "$bin/sala-server" --bind 127.0.0.1 --port 0 --insecure-plaintext --data-dir "$work/server-data-$RANDOM" --idle-timeout 3600 --max-allocations $((2 * calls + 100)) "$@" \
    >"$work/server.out" 2>"$work/server.log" &
  server=$!
  pids+=("$server")
  for _ in $(seq 100); do grep -q '^listening on' "$work/server.out" && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
  [[ -n $port ]] || { echo "sala-server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
}
stop_server() {
  kill -TERM "$server"
  wait "$server" || { echo "sala-server exited with status $?" >&2; exit 1; }
  forget "$server"
}
forget() {  # PID: no longer ours to stop
  local kept=() pid
  for pid in "${pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

# start_coturn: coturn on 127.0.0.1 with REST credentials from the same secret (as tests/lab's
# case 7, here on loopback); sets coturn (pid) and coturn_port.
start_coturn() {
  coturn_port=$((20000 + RANDOM % 20000))
  turnserver -n --no-cli --listening-ip 127.0.0.1 --relay-ip 127.0.0.1 --listening-port "$coturn_port" \
    --use-auth-secret --static-auth-secret "$(cat "$work/secret")" --realm sala --no-tls --no-dtls \
    --fingerprint --allow-loopback-peers --no-multicast-peers --userdb "$work/turndb" \
    --log-file "$work/coturn.log" --simple-log --pidfile "$work/coturn.pid" >"$work/coturn.out" 2>&1 &
  coturn=$!
  pids+=("$coturn")
  for _ in $(seq 100); do
    timeout 1 turnutils_stunclient -p "$coturn_port" 127.0.0.1 2>/dev/null | grep -q reflexive && return
    sleep 0.1
  done
  echo "coturn did not answer STUN:" >&2; tail -5 "$work/coturn.log" >&2; exit 1
}

declare -A cpu rss p99
echo "relay load: $calls calls ($((2 * calls)) relayed legs), ${window} s window, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for frame in ${FRAMES:-20}; do
  for relay in $relays; do
    echo "== $relay, $frame ms packets ($((1000 / frame)) packets/s each way per call)"
    case $relay in
      direct) start_server --relay off; relay_pid=$server; extra=(--direct) ;;
      sala) start_server --turn-secret-file "$work/secret"; relay_pid=$server; extra=() ;;
      coturn)
        start_coturn
        start_server --turn-server "turn:127.0.0.1:$coturn_port" --turn-secret-file "$work/secret"
        relay_pid=$coturn; extra=() ;;
    esac
    "$bin/sala-bench-relay-load" --port "$port" --relay-pid "$relay_pid" --calls "$calls" --frame-ms "$frame" \
      --seconds "$window" "${extra[@]}" | tee "$work/figures"
    read -r _ c r _ _ _ _ p < <(sed -n 's/^figures //p' "$work/figures" | tr '=' ' ' | awk '{print $1, $2, $4, $6, $8, $10, $12, $14}')
    cpu[$relay-$frame]=$c; rss[$relay-$frame]=$r; p99[$relay-$frame]=$p
    stop_server
    if [[ $relay == coturn ]]; then
      kill -TERM "$coturn"; wait "$coturn" 2>/dev/null || true
      forget "$coturn"
      echo "coturn log: $(grep -ciE 'error' "$work/coturn.log" || true) lines with 'error'"
    fi
  done
  if [[ -n ${cpu[sala-$frame]:-} && -n ${cpu[coturn-$frame]:-} ]]; then
    awk -v a="${cpu[sala-$frame]}" -v b="${cpu[coturn-$frame]}" -v ra="${rss[sala-$frame]}" -v rb="${rss[coturn-$frame]}" \
      -v pa="${p99[sala-$frame]}" -v pb="${p99[coturn-$frame]}" -v f="$frame" 'BEGIN {
        printf "sala-server / coturn, %s ms: CPU %.2f / %.2f %% = %.2f; RSS %.1f / %.1f MiB = %.2f; p99 delay %.3f / %.3f ms\n",
          f, a, b, (b > 0 ? a / b : 0), ra, rb, (rb > 0 ? ra / rb : 0), pa, pb }'
  fi
done
