#!/usr/bin/env bash
# CPU per client of an established SIP client, baresip (Debian 12: baresip-core 1.0.0), in a
# two-party Opus call on 127.0.0.1, measured like bench/client_cpu.sh measures sala-cli: both
# sides send espeak-ng speech for the whole call, the received audio goes nowhere, and CPU is
# the sum over all threads of /proc/PID/task/*/schedstat (run time, ns) over SECONDS of the
# established call, in % of one core.
# Setup: two baresip instances, each with its own config dir (baresip -f DIR), no registrar:
# alice dials sip:bob@127.0.0.1:PORT directly, bob auto-answers (account answermode=auto);
# config and accounts from bench/baresip_lib.sh.
# Source: the aufile module playing the speech WAV (48 kHz mono s16, what aufile needs for mono
# Opus). Player: aubridge,nowhere, a bridge device no source ever reads, i.e. no sound card;
# baresip 1.0.0 decodes in its RTP receive path, not in the player, so decoding is still done.
# Codec: Opus, 20 ms ptime, mono, otherwise baresip's defaults: opus_bitrate 28000 (the line of
# the config template baresip writes itself, sent as maxaveragebitrate), complexity 10 and
# application "audio" (module defaults), VBR, no FEC, no DTX.
# Audio both ways, checked: tshark -i lo -f udp during a call saw 51 RTP packets/s each way;
# the sndfile module's dumps of the decoded audio held speech at the RMS of the other side's
# WAV. Every run checks it again from baresip's own end-of-call RTP stats (rtp_stats yes):
# each side must have sent and received >= 90 % of 50 packets/s over the call.
# Usage: bench/sip_client_cpu.sh [SECONDS]   (default 20)
set -euo pipefail
seconds=${1:-20}
# shellcheck source=bench/baresip_lib.sh
source "$(dirname "$0")/baresip_lib.sh"
command -v baresip >/dev/null ||
  { echo "baresip missing: apt-get install -y --no-install-recommends baresip-core" >&2; exit 1; }
for m in opus aufile aubridge menu account; do
  [[ -f $baresip_modules/$m.so ]] || { echo "baresip module $baresip_modules/$m.so missing (package baresip-core)" >&2; exit 1; }
done
for program in espeak-ng sox ss; do
  command -v $program >/dev/null || { echo "$program is needed" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Speech longer than the call (aufile ends the call at the end of its file): the text again and again.
a_text="Hello Bob, this is Alice calling from the first client. Can you hear me clearly? I will keep talking for a while so that the codec has speech to work on."
b_text="Hi Alice, Bob here. Yes, I can hear you very well, thanks. Let us keep this call going for a few more seconds."
espeak-ng -w "$work/a0.wav" "$a_text"
espeak-ng -v en+f3 -w "$work/b0.wav" "$b_text"
for x in a b; do
  repeats=$(awk -v d="$(soxi -D "$work/${x}0.wav")" -v s="$seconds" 'BEGIN { print int((s + 20) / d) + 1 }')
  sox "$work/${x}0.wav" -r 48000 -c 1 -b 16 -e signed-integer "$work/$x.wav" repeat "$repeats"
done

baresip_ports
baresip_config "$work/alice" "$a_port" "aufile,$work/a.wav" aubridge,nowhere 20-160 5-10 aufile.so aubridge.so
baresip_config "$work/bob" "$b_port" "aufile,$work/b.wav" aubridge,nowhere 20-160 5-10 aufile.so aubridge.so
baresip_accounts "$work/alice" "$work/bob"

# -t: each instance quits by itself some time after the call, even if this script is killed.
baresip -f "$work/bob" -t $((seconds + 60)) </dev/null >"$work/bob.out" 2>&1 &
bob=$!; pids+=($bob)
baresip_wait_for "$work/bob.out" 'baresip is ready' $bob
baresip -f "$work/alice" -t $((seconds + 60)) -e "/dial sip:bob@127.0.0.1:$b_port" </dev/null >"$work/alice.out" 2>&1 &
alice=$!; pids+=($alice)
baresip_wait_for "$work/alice.out" 'Call established' $alice
baresip_wait_for "$work/bob.out" 'Call established' $bob
baresip_check_opus "$work/alice.out" "$work/bob.out"

# Run time in ns of all threads (schedstat); utime+stime ticks if the kernel has no schedstat.
if [[ -r /proc/self/schedstat ]]; then
  cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }
else
  cpu_ns() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1e9 / hz }' "/proc/$1/stat"; }
fi
a0=$(cpu_ns $alice); b0=$(cpu_ns $bob); sleep "$seconds"; a1=$(cpu_ns $alice); b1=$(cpu_ns $bob)

# Hang up (SIGTERM: alice sends BYE), then check the RTP stats both print at the end of the call.
kill $alice; wait $alice || true; pids=($bob)
baresip_wait_for "$work/bob.out" 'terminated (duration' $bob
kill $bob; wait $bob || true; pids=()
min=$((seconds * 50 * 9 / 10))
for x in alice bob; do
  tx=; rx=
  read -r tx rx < <(tr '\r' '\n' <"$work/$x.out" | awk '$1 == "packets:" { print $2, $3 }' | tail -1) || true
  if [[ -z ${tx:-} || $tx -lt $min || $rx -lt $min ]]; then
    echo "$x: RTP packets sent ${tx:-?}, received ${rx:-?}, expected >= $min each way" >&2; exit 1
  fi
done
awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v s="$seconds" \
  'BEGIN { printf "baresip opus 20 ms: CPU caller %.2f %%, callee %.2f %% of one core\n", a / 1e7 / s, b / 1e7 / s }'
