#!/usr/bin/env bash
# Devices (PulseAudio): baresip's one-way latency microphone device -> speaker device through a
# real call, second by second, measured exactly as AudioDevicesPulse.
# CallThroughDevicesShowsItsLatencyEverySecond measures Sala's (bench/device_latency.sh ends
# with both), so the figure has a peer beside it.
# Devices: a private PulseAudio (tools/pulse-test-server) with the test's null sinks: a_in and
# b_out the two channels of one stereo sink (one recorder, one clock), a_out and b_in plain.
# Clients: two baresip 1.0.0 instances (Debian baresip-core), own config dirs, no registrar,
# on 127.0.0.1 (as bench/sip_client_cpu.sh): alice dials bob, bob auto-answers. Audio through
# baresip's alsa module on the ALSA device `pulse` (libasound2-plugins), each instance's
# devices chosen by PULSE_SOURCE / PULSE_SINK: alice's microphone is a_in's monitor, her
# speaker a_out; bob's microphone b_in's monitor (silence), his speaker b_out. Opus 20 ms,
# mono, otherwise the config template baresip writes itself (jitter_buffer_delay 5-10 frames,
# audio_buffer 20-160 ms): BARESIP_JITTER_BUFFER=MIN-MAX (frames) changes the former.
# Speech (espeak-ng, the test's text and voice) is played into a_in with paplay from before
# the call; the a_in/b_out pair is recorded, cut where alice printed "Call established", and
# each second from there is cross-correlated (sala-audio-compare --segments 1000: the test's
# segment_delays). Prints `[ second ]` lines and one `[ seconds ]` line like the test's.
# Usage: bench/baresip_device_latency.sh [SECONDS]   (default $SALA_DEVICE_CALL_SECONDS or 30;
#        the build dir with bin/sala-audio-compare: $SALA_BUILD_DIR, default build/)
# Exit status 3 (and one line) when baresip or its modules are not installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SALA_BUILD_DIR:-$root/build}
seconds=${1:-${SALA_DEVICE_CALL_SECONDS:-30}}
((seconds >= 5)) || seconds=5
jitter=${BARESIP_JITTER_BUFFER:-5-10}
[[ $jitter =~ ^[0-9]+-[0-9]+$ ]] || { echo "BARESIP_JITTER_BUFFER: MIN-MAX in frames, e.g. 5-10" >&2; exit 2; }
buffer=${BARESIP_AUDIO_BUFFER:-20-160}
[[ $buffer =~ ^[0-9]+-[0-9]+$ ]] || { echo "BARESIP_AUDIO_BUFFER: MIN-MAX in ms, e.g. 20-160" >&2; exit 2; }
# shellcheck source=bench/baresip_lib.sh
source "$root/bench/baresip_lib.sh"
command -v baresip >/dev/null ||
  { echo "baresip: not installed, skipped (apt-get install baresip-core libasound2-plugins)"; exit 3; }
for m in opus alsa aubridge menu account; do
  [[ -f $baresip_modules/$m.so ]] || { echo "baresip: module $baresip_modules/$m.so missing, skipped (package baresip-core)"; exit 3; }
done
ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so >/dev/null 2>&1 ||
  { echo "baresip: the ALSA pulse plugin is missing, skipped (package libasound2-plugins)"; exit 3; }
for program in espeak-ng sox paplay parec pactl ss; do
  command -v $program >/dev/null || { echo "$program is needed" >&2; exit 1; }
done
[[ -x $build/bin/sala-audio-compare ]] || cmake --build "$build" --target sala-audio-compare >/dev/null

work=$(mktemp -d)
pulse=$work/pulse
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$root/tools/pulse-test-server" stop "$pulse" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Devices, as the test makes them.
export "$("$root/tools/pulse-test-server" start "$pulse")"
export PULSE_RUNTIME_PATH=$pulse PULSE_STATE_PATH=$pulse/state
"$root/tools/pulse-test-server" pair "$pulse" a_in b_out
for sink in a_out b_in; do "$root/tools/pulse-test-server" sink "$pulse" $sink 48000 1 >/dev/null; done

# The test's speech: longer than the call, so every second of it carries some.
text=
for ((i = 0; i * 4 < seconds + 10; i++)); do
  text+="The quick brown fox jumps over the lazy dog, then runs far away into the forest. "
  text+="Seven silver spoons were lying on the kitchen table, next to a bowl of soup. "
done
espeak-ng -v en+m3 -w "$work/says.wav" "$text"

# Microphone and speaker through the alsa module on ALSA's `pulse` device; the ring tone to
# nowhere (aubridge).
baresip_ports
baresip_config "$work/alice" "$a_port" alsa,pulse alsa,pulse "$buffer" "$jitter" alsa.so aubridge.so
baresip_config "$work/bob" "$b_port" alsa,pulse alsa,pulse "$buffer" "$jitter" alsa.so aubridge.so
baresip_accounts "$work/alice" "$work/bob"

# recorded_ms: how much the recorder has written (48 kHz stereo s16, raw).
recorded_ms() { awk -v b="$(bytes "$work/both.raw")" 'BEGIN { printf "%.1f\n", b / 192 }'; }

# -t: each instance quits by itself some time after the call, even if this script is killed.
PULSE_SOURCE=b_in.monitor PULSE_SINK=b_out baresip -f "$work/bob" -t $((seconds + 60)) </dev/null >"$work/bob.out" 2>&1 &
bob=$!; pids+=("$bob")
baresip_wait_for "$work/bob.out" 'baresip is ready' $bob
parec -d a_in_b_out.monitor --rate=48000 --channels=2 --format=s16le --raw --latency-msec=10 >"$work/both.raw" &
recorder=$!; pids+=("$recorder")
bytes() { stat -c %s "$1" 2>/dev/null || echo 0; }
for _ in $(seq 200); do (($(bytes "$work/both.raw") > 19200)) && break; sleep 0.05; done
(($(bytes "$work/both.raw") > 19200)) || { echo "parec wrote nothing" >&2; exit 1; }
paplay -d a_in "$work/says.wav" &
pids+=($!)
PULSE_SOURCE=a_in.monitor PULSE_SINK=a_out baresip -f "$work/alice" -t $((seconds + 60)) \
  -e "/dial sip:bob@127.0.0.1:$b_port" </dev/null >"$work/alice.out" 2>&1 &
alice=$!; pids+=("$alice")
baresip_wait_for "$work/alice.out" 'Call established' $alice
call_at_ms=$(recorded_ms)  # where the call starts in the recording
baresip_wait_for "$work/bob.out" 'Call established' $bob
baresip_check_opus "$work/alice.out" "$work/bob.out"
# Until SECONDS of the call are recorded (plus one for the last second's search).
until awk -v r="$(recorded_ms)" -v c="$call_at_ms" -v s="$seconds" 'BEGIN { exit !(r >= c + (s + 1) * 1000) }'; do
  kill -0 $alice 2>/dev/null || { echo "alice's baresip ended the call early:" >&2; cat "$work/alice.out" >&2; exit 1; }
  sleep 0.1
done
kill $recorder; wait $recorder 2>/dev/null || true
kill $alice; wait $alice 2>/dev/null || true
baresip_wait_for "$work/bob.out" 'terminated (duration' $bob

# Both channels from the call's start: what alice's microphone got, what bob's speaker played.
from=$(awk -v c="$call_at_ms" 'BEGIN { printf "%d\n", c * 48 }')
for side in 1:sent 2:heard; do
  sox -t raw -r 48000 -c 2 -b 16 -e signed-integer "$work/both.raw" "$work/${side#*:}.wav" \
    remix "${side%%:*}" trim "${from}s"
done
"$build/bin/sala-audio-compare" "$work/sent.wav" "$work/heard.wav" --segments 1000 --max-delay-ms 1000 >"$work/compare.out" || {
  echo "sala-audio-compare found no delay; bob's log:" >&2; tail -20 "$work/bob.out" >&2; exit 1; }
awk -v s="$seconds" -v jb="$jitter" -v ab="$buffer" '
  $1 == "segment" {
    second = int(($3 + 0) / 1000); if (second >= s) next
    d = $6 + 0; c = $9 + 0
    printf "[ second   ] %2d: %6.1f ms (correlation %.2f)\n", second, d, c
    n++; sum += d; if (d > worst) worst = d; if (second == 0) first = d
  }
  END {
    if (n == 0) { print "baresip: no second carried speech" > "/dev/stderr"; exit 1 }
    printf "[ seconds  ] baresip alice->bob over %d s, 20 ms frames, jitter buffer %s frames, audio_buffer %s ms: %d seconds measured, mean %.1f ms, worst %.1f ms, first second %.1f ms\n",
      s, jb, ab, n, sum / n, worst, (first == "" ? -1 : first)
  }' "$work/compare.out"
# baresip's own end-of-call figures (rtp_stats): bob's receive jitter and lost packets.
tr '\r' '\n' <"$work/bob.out" | grep -E '^ *(packets|lost|jitter):' | sed 's/^ */[ baresip  ] bob /' || true
