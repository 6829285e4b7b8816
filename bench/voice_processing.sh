#!/usr/bin/env bash
# Issue 13's library comparison (see bench/voice_processing.cpp for what each figure means): makes
# the recordings (two espeak-ng voices and sox's pink noise) and runs sala-bench-voice-processing
# at echo delays of 40, 150 and 300 ms, then 150 ms with the delay told 30 ms off either way.
# Usage: bench/voice_processing.sh [BUILD_BIN]
set -euo pipefail
bin=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
espeak-ng -v en+m3 -s 150 -w "$work/far.wav" "The quick brown fox jumps over the lazy dog. Then it runs far away into \
the forest, where the trees are old and the path is narrow. Nobody follows it there."
espeak-ng -v en+f3 -s 160 -w "$work/near.wav" "Hello, can you hear me well? I am speaking while you are talking, which \
happens all the time in real conversations between people."
sox -n -r 48000 -c 1 "$work/noise.wav" synth 10 pinknoise
"$bin/sala-bench-voice-processing" "$work/far.wav" "$work/near.wav" "$work/noise.wav" 40 150 300
