#!/usr/bin/env bash
# Voice processing in a device call (issue 13): what it costs alice's whole sala-cli in CPU, and
# what it adds to the one-way latency from her microphone to bob's speaker, against the same
# call with processing off, alternating in one run. A private PulseAudio (tools/pulse-test-server)
# with null sinks: alice's microphone and bob's speaker are the two channels of one sink, so
# one parec records what alice said and what bob heard on one clock; her speaker leaks into her
# microphone 20 ms later and 10 dB down (the tests' echo path). Both sides talk all the time.
# CPU: all of alice's threads (/proc/PID/task/*/schedstat) over SECONDS of the call, % of a core.
# Latency: sala-audio-compare of the two channels (the delay of the whole stretch).
# Usage: bench/voice_processing_call.sh [ROUNDS] [SECONDS]   (default 3 rounds of 15 s each way;
#   build dir: $SALA_BUILD_DIR, default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALA_BUILD_DIR:-$root/build}/bin
rounds=${1:-3}
seconds=${2:-15}
source "$root/bench/lib.sh"
pulse=$work/pulse
stop_pulse() { "$root/tools/pulse-test-server" stop "$pulse" >/dev/null 2>&1 || true; }
trap 'stop_pulse; bench_cleanup' EXIT
"$root/tools/pulse-test-server" start "$pulse" >/dev/null
export PULSE_SERVER=unix:$pulse/native
"$root/tools/pulse-test-server" pair "$pulse" a_in b_out
"$root/tools/pulse-test-server" pair "$pulse" b_in a_out
"$root/tools/pulse-test-server" echo "$pulse" a_out a_in 20 10 >/dev/null

a_text="Hello Bob, this is Alice calling from the first client. Can you hear me clearly? I will keep talking for a while so that the codec has speech to work on."
b_text="Hi Alice, Bob here. Yes, I can hear you very well, thanks. Let us keep this call going for a few more seconds."
espeak-ng -w "$work/a22.wav" "$a_text $a_text $a_text $a_text $a_text"
espeak-ng -v en+f3 -w "$work/b22.wav" "$b_text $b_text $b_text $b_text $b_text $b_text"
sox "$work/a22.wav" -r 48000 "$work/a.wav"
sox "$work/b22.wav" -r 48000 "$work/b.wav"

"$bin/sala-server" --bind 127.0.0.1 --port 0 --data-dir "$work/server-data" >"$work/server.out" 2>/dev/null &
pids+=($!)
wait_for "$work/server.out" '^listening on' 10
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }

# one_call MODE: prints "MODE cpu_percent delay_ms similarity"
one_call() {
  local mode=$1 flags=()
  [[ $mode == off ]] && flags=(--echo-cancel off --noise-suppress off --agc off)
  rm -f "$work"/*.out "$work/pair.wav"
  "$bin/sala-cli" --server 127.0.0.1:$port --name bob --answer accept --calls 1 --config-dir "$work/bob-config" \
    --audio-in device:b_in --audio-out device:b_out --json >"$work/bob.out" 2>&1 &
  local bob=$!
  pids+=($bob)
  wait_for "$work/bob.out" '"registered"' 10
  "$bin/sala-cli" --server 127.0.0.1:$port --name alice --call bob --duration $((seconds + 6)) \
    --config-dir "$work/alice-config" --audio-in device:a_in --audio-out device:a_out "${flags[@]}" \
    --json >"$work/alice.out" 2>&1 &
  local alice=$!
  pids+=($alice)
  wait_for "$work/alice.out" '"call_started"' 10
  paplay -d a_in "$work/a.wav" & local play_a=$!
  paplay -d b_in "$work/b.wav" & local play_b=$!
  pids+=($play_a $play_b)
  wait_for "$work/alice.out" '"seconds":3,' 10  # the jitter buffers settle
  parec -d a_in_b_out.monitor --rate=48000 --channels=2 --format=s16le --file-format=wav --latency-msec=10 \
    "$work/pair.wav" &
  local rec=$!
  pids+=($rec)
  local a0 a1
  a0=$(cpu_ns $alice)
  sleep "$seconds"
  a1=$(cpu_ns $alice)
  kill -INT $rec
  wait $rec 2>/dev/null || true
  kill $play_a $play_b 2>/dev/null || true
  wait $alice $bob 2>/dev/null || true
  sox "$work/pair.wav" "$work/said.wav" remix 1
  sox "$work/pair.wav" "$work/heard.wav" remix 2
  "$bin/sala-audio-compare" "$work/said.wav" "$work/heard.wav" --json >"$work/compare.json"
  awk -v m="$mode" -v c=$((a1 - a0)) -v s="$seconds" -v j="$(cat "$work/compare.json")" 'BEGIN {
    match(j, /"delay_ms":[-0-9.e]+/); d = substr(j, RSTART + 11, RLENGTH - 11);
    match(j, /"tracked_similarity":[-0-9.e]+/); t = substr(j, RSTART + 21, RLENGTH - 21);
    printf "%-4s %6.2f %8.1f %6.2f\n", m, c / 1e7 / s, d, t }'
}

echo "mode  CPU %  delay ms  similarity   (alice's sala-cli; alice's microphone -> bob's speaker)"
results=$work/results
for ((r = 1; r <= rounds; r++)); do
  for mode in on off; do one_call $mode | tee -a "$results"; done
done
awk '{ n[$1]++; c[$1] += $2; d[$1] += $3 }
  END { printf "mean over %d rounds: CPU on %.2f %%, off %.2f %% (processing %+.2f %% of a core); delay on %.1f ms, off %.1f ms (processing %+.1f ms)\n",
        n["on"], c["on"] / n["on"], c["off"] / n["off"], c["on"] / n["on"] - c["off"] / n["off"],
        d["on"] / n["on"], d["off"] / n["off"], d["on"] / n["on"] - d["off"] / n["off"] }' "$results"
