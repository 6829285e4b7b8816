#!/usr/bin/env bash
# CPU per sala-cli during a speech call, without any capture running beside it:
# the run time of all its threads (/proc/PID/task/*/schedstat) over SECONDS (default 20) of
# the call, in % of one core.
# Both sides talk the whole time (the worst case: a real call has each side listen half of it).
# Usage: bench/client_cpu.sh [BIN_DIR] [FRAME_MS] [SECONDS]   (default build/bin, 20, 20)
#   SALA_CLI_ARGS="--complexity 3" passes more options to both clients ("--srtp off": plain RTP,
#   to weigh what SRTP costs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${SALA_BUILD_DIR:-$root/build}/bin}
frame=${2:-20}
seconds=${3:-20}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
a_text="Hello Bob, this is Alice calling from the first client. Can you hear me clearly? I will keep talking for a while so that the codec has speech to work on."
b_text="Hi Alice, Bob here. Yes, I can hear you very well, thanks. Let us keep this call going for a few more seconds."
# Speech longer than the call: the text again and again.
espeak-ng -w "$work/a.wav" "$a_text $a_text $a_text $a_text"
espeak-ng -v en+f3 -w "$work/b.wav" "$b_text $b_text $b_text $b_text $b_text"
"$bin/sala-server" --bind 127.0.0.1 --port 0 --data-dir "$work/server-data" >"$work/server.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do grep -q '^listening on' "$work/server.out" && break; sleep 0.05; done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
"$bin/sala-cli" --server 127.0.0.1:$port --name bob --answer accept --frame-ms "$frame" --calls 1 ${SALA_CLI_ARGS:-} \
  --config-dir "$work/bob-config" \
  --audio-in "$work/b.wav" --audio-out null --json >"$work/bob.out" 2>&1 &
bob=$!; pids+=($bob)
until grep -q '"registered"' "$work/bob.out"; do sleep 0.05; done
"$bin/sala-cli" --server 127.0.0.1:$port --name alice --call bob --duration $((seconds + 2)) --frame-ms "$frame" ${SALA_CLI_ARGS:-} \
  --config-dir "$work/alice-config" \
  --audio-in "$work/a.wav" --audio-out null --json >"$work/alice.out" 2>&1 &
alice=$!; pids+=($alice)
until grep -q '"call_started"' "$work/alice.out"; do sleep 0.05; done
# Run time of all threads in ns (schedstat, as bench/sip_client_cpu.sh measures baresip).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }
a0=$(cpu_ns $alice); b0=$(cpu_ns $bob); sleep "$seconds"; a1=$(cpu_ns $alice); b1=$(cpu_ns $bob)
awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v f="$frame" -v s="$seconds" \
  'BEGIN { printf "frame %s ms: CPU alice %.2f %%, bob %.2f %% of one core (target < 2 %%)\n", f, a / 1e7 / s, b / 1e7 / s }'
wait $alice $bob
