#!/usr/bin/env bash
# Devices (PulseAudio): one-way latency microphone device -> speaker device through a real
# call, and the worst time one audio callback took. Runs the device tests' own measurements
# (tests/integration/test_audio_devices_pulse.cpp) RUNS times against a private PulseAudio
# with null sinks (tools/pulse-test-server) and prints every figure and the range.
# Then one call of SALA_DEVICE_CALL_SECONDS (default 30) with its one-way latency second by
# second from call_started (microphone sink and speaker sink recorded on one clock), and each
# side's underruns and overruns.
# Usage: bench/device_latency.sh [RUNS]    (build dir: $SALA_BUILD_DIR, default build/)
#        SALA_SOUND_SERVER=pipewire bench/device_latency.sh [RUNS]: the same against PipeWire's
#        pipewire-pulse (packages pipewire pipewire-pulse wireplumber; docs/benchmarks.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SALA_BUILD_DIR:-$root/build}
runs=${1:-5}
cmake --build "$build" --target test_audio_devices_pulse sala-cli sala-server >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((i = 1; i <= runs; i++)); do
  "$build/bin/test_audio_devices_pulse" \
    --gtest_filter='*CarriesSpeechBothWays:*LoopThroughA44kStereoSink*' >>"$log" 2>&1 || {
      echo "run $i failed:" >&2; tail -30 "$log" >&2; exit 1; }
done
grep -E '^\[ (latency|callback) +\]' "$log"
awk '
  /^\[ latency  \]/ { for (i = 1; i <= NF; i++) if ($i == "ms,"|| $i == "ms") { v = $(i-1) + 0; n++; s += v;
                      if (n == 1 || v < lo) lo = v; if (v > hi) hi = v } }
  /^\[ callback \]/ { for (i = 1; i <= NF; i++) if ($i == "us" || $i == "us,") { c = $(i-1) + 0; if (c > cmax) cmax = c } }
  END { printf "one-way latency device to device: %d measurements, %.1f .. %.1f ms, mean %.1f ms\n", n, lo, hi, s / n;
        printf "worst callback time over all runs: %.1f us (10 ms blocks)\n", cmax }' "$log"
SALA_DEVICE_CALL_SECONDS=${SALA_DEVICE_CALL_SECONDS:-30} "$build/bin/test_audio_devices_pulse" --gtest_filter='*LatencyEverySecond*' >"$log" 2>&1 || {
  echo "the per-second call failed:" >&2; tail -30 "$log" >&2; exit 1; }
grep -E '^\[ (second|seconds|devices) +\]' "$log"
