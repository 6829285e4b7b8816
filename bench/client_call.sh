#!/usr/bin/env bash
# Calls (sala-cli): real two-client calls through a real sala-server on 127.0.0.1, each
# side sending its own espeak-ng speech WAV and recording the other. For 20 and 10 ms
# frames, clean and with --impair loss=5,jitter=30, prints:
#   - one-way latency, both directions: the cross-correlation offset of the recording
#     against the sent file (sala-audio-compare), and its range when re-estimated per second;
#   - bandwidth per direction on the wire (IP + UDP + RTP + RTCP): the clients' own
#     send_kbps, and tshark's count on lo when it can capture;
#   - CPU per client during the call (utime + stime from /proc/PID/stat) in % of one core;
# and the targets with PASS/FAIL. Needs espeak-ng; tshark (root) is optional.
# Usage: bench/client_call.sh [BIN_DIR]    (default: $SALA_BUILD_DIR/bin or build/bin)
#   CALL_SECONDS=10 (call length)  RUNS=1 (calls per configuration)
#   SALA_CLI_ARGS="--ice off" (or "--ice relay") passes more options to both clients
#   SALA_BENCH_NICE=-15 runs the server and clients under `nice -n -15` (root), so that other
#   work on a shared machine (parallel builds) disturbs the paced audio clocks less
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${SALA_BUILD_DIR:-$root/build}/bin}
seconds=${CALL_SECONDS:-10}
runs=${RUNS:-1}
hz=$(getconf CLK_TCK)
for program in sala-server sala-cli sala-audio-compare; do
  [[ -x $bin/$program ]] || { echo "missing $bin/$program: build it first" >&2; exit 1; }
done
command -v espeak-ng >/dev/null || { echo "espeak-ng is needed for the speech files" >&2; exit 1; }
prio=()
[[ -z ${SALA_BENCH_NICE:-} ]] || prio=(nice -n "$SALA_BENCH_NICE")
use_tshark=0
if command -v tshark >/dev/null && [[ $(id -u) == 0 ]]; then use_tshark=1; fi

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

# Speech that lasts the whole call, so the bandwidth is that of talking (the worst case).
espeak-ng -v en+m3 -w "$work/alice_says.wav" "The quick brown fox jumps over the lazy dog, then runs \
far away into the forest. Every morning the old fisherman rows his small boat across the bay, \
checks his nets, and sings a song his father taught him long ago."
espeak-ng -v en+f3 -w "$work/bob_says.wav" "Seven silver spoons were lying on the kitchen table, next \
to a bowl of soup and a basket of bread. Outside the window, children played in the snow while \
their parents shovelled the path and talked about the coming holidays."

# wait_for FILE PATTERN SECONDS: until a line of FILE matches PATTERN (grep -E), or fail.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now() { date +%s.%N; }

# Mean send_kbps of the stats events after the first second and before the last.
mean_send_kbps() {
  jq -rs --argjson last "$((seconds - 1))" '[.[] | select(.event == "stats" and .seconds >= 2 and .seconds <= $last)
    | .send_kbps] | if length > 0 then add / length else 0 end' "$1"
}

# tshark on lo: kb/s to and from bob's media port, from ip.len (IP + UDP + RTP bytes).
wire_kbps() {  # PCAP BOB_PORT -> "a_to_b b_to_a packets_a_to_b"
  tshark -r "$1" -T fields -e frame.time_relative -e udp.srcport -e udp.dstport -e ip.len 2>/dev/null |
    awk -v p="$2" '
      function add(d, t, len) { if (n[d]++ == 0) first[d] = t; else bytes[d] += len; last[d] = t }
      $3 == p { add("ab", $1, $4) } $2 == p { add("ba", $1, $4) }
      function rate(d) { return last[d] > first[d] ? bytes[d] * 8 / 1000 / (last[d] - first[d]) : 0 }
      END { printf "%.1f %.1f %d\n", rate("ab"), rate("ba"), n["ab"] }'
}

printf '%s\n' "sala-cli calls: $seconds s each, $runs per configuration, on 127.0.0.1 ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)${prio[*]:+, ${prio[*]}})"
echo "latency: offset of the recording [corrected for the two sides' start skew] (range of per-second offsets) s=similarity"
printf '%-6s %-18s %-36s %-36s %-14s %-14s %s\n' frame impairment "latency a->b ms" \
  "latency b->a ms" "send kb/s a, b" "tshark kb/s a, b" "cpu % a, b"
results=()
for frame in 20 10; do
  for impair in none loss=5,jitter=30; do
    for ((run = 1; run <= runs; run++)); do
      dir=$work/$frame-$impair-$run
      mkdir -p "$dir"
      extra=(--frame-ms "$frame")
      [[ $impair == none ]] || extra+=(--impair "$impair")
      # shellcheck disable=SC2206  # SALA_CLI_ARGS="--ice relay": more options for both clients
      extra+=(${SALA_CLI_ARGS:-})

      # A fresh server makes a fresh certificate (TLS), so the clients get fresh config dirs too: a
      # pin left by an earlier server on the same port would refuse this one.
      "${prio[@]}" "$bin/sala-server" --bind 127.0.0.1 --port 0 --data-dir "$dir/server-data" >"$dir/server.out" 2>"$dir/server.log" &
      server=$!
      pids+=("$server")
      wait_for "$dir/server.out" '^listening on' 5
      port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$dir/server.out")

      "${prio[@]}" "$bin/sala-cli" --server "127.0.0.1:$port" --name bob --config-dir "$dir/bob-config" --answer accept --calls 1 \
        --audio-in "$work/bob_says.wav" --audio-out "$dir/bob_heard.wav" "${extra[@]}" --json \
        >"$dir/bob.json" 2>"$dir/bob.err" &
      bob=$!
      pids+=("$bob")
      wait_for "$dir/bob.json" '"event":"registered"' 5
      "${prio[@]}" "$bin/sala-cli" --server "127.0.0.1:$port" --name alice --config-dir "$dir/alice-config" --call bob --duration "$seconds" \
        --audio-in "$work/alice_says.wav" --audio-out "$dir/alice_heard.wav" "${extra[@]}" --json \
        >"$dir/alice.json" 2>"$dir/alice.err" &
      alice=$!
      pids+=("$alice")
      wait_for "$dir/alice.json" '"event":"call_started"' 5
      bob_port=$(jq -r 'select(.event == "call_started") | .media.port' "$dir/alice.json")
      if ((use_tshark)); then
        tshark -i lo -f "udp port $bob_port" -a "duration:$((seconds - 3))" -w "$dir/media.pcapng" -q \
          >/dev/null 2>&1 &
        pids+=("$!")
      fi

      # CPU over the call, from its first stats event to its last before the hang-up.
      wait_for "$dir/alice.json" '"event":"stats".*"seconds":1[,}]' 5
      t0=$(now); a0=$(cpu_ticks "$alice"); b0=$(cpu_ticks "$bob")
      wait_for "$dir/alice.json" "\"event\":\"stats\".*\"seconds\":$((seconds - 1))[,}]" "$((seconds + 5))"
      t1=$(now); a1=$(cpu_ticks "$alice"); b1=$(cpu_ticks "$bob")
      cpu_a=$(awk -v d=$((a1 - a0)) -v hz="$hz" -v t="$t0" -v u="$t1" 'BEGIN { printf "%.2f", d / hz / (u - t) * 100 }')
      cpu_b=$(awk -v d=$((b1 - b0)) -v hz="$hz" -v t="$t0" -v u="$t1" 'BEGIN { printf "%.2f", d / hz / (u - t) * 100 }')

      status=0
      wait "$alice" || status=$?
      wait "$bob" || status=$?
      kill -TERM "$server"
      wait "$server" || true
      ((status == 0)) || { echo "call failed ($status): $(cat "$dir/alice.err" "$dir/bob.err")" >&2; exit 1; }
      wire="- -"
      if ((use_tshark)); then
        wait "${pids[-1]}" 2>/dev/null || true
        read -r wire_ab wire_ba _ < <(wire_kbps "$dir/media.pcapng" "$bob_port")
        wire="$wire_ab, $wire_ba"
      fi

      "$bin/sala-audio-compare" "$work/alice_says.wav" "$dir/bob_heard.wav" --json >"$dir/ab.json"
      "$bin/sala-audio-compare" "$work/bob_says.wav" "$dir/alice_heard.wav" --json >"$dir/ba.json"
      # Each side starts its files at its own call_started; the recording side's later start
      # hides that much latency. skew = receiver's start - sender's start (b - a), same clock.
      start_a=$(jq -r 'select(.event == "call_started") | .time' "$dir/alice.json")
      start_b=$(jq -r 'select(.event == "call_started") | .time' "$dir/bob.json")
      skew=$(awk -v a="$start_a" -v b="$start_b" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
      lat() { jq -r --argjson skew "$2" '"\(.delay_ms * 10 | round / 10) [\((.delay_ms + $skew) * 10 | round / 10)] (\(.delay_min_ms * 10 | round / 10)..\(.delay_max_ms * 10 | round / 10)) s=\(.tracked_similarity * 100 | round / 100)"' "$1"; }
      send_a=$(mean_send_kbps "$dir/alice.json")
      send_b=$(mean_send_kbps "$dir/bob.json")
      printf '%-6s %-18s %-36s %-36s %-14s %-14s %s\n' "$frame ms" "$impair" "$(lat "$dir/ab.json" "$skew")" \
        "$(lat "$dir/ba.json" "$(awk -v s="$skew" 'BEGIN { print -s }')")" "$(printf '%.1f, %.1f' "$send_a" "$send_b")" "$wire" "$cpu_a, $cpu_b"
      results+=("$frame $impair $(jq -r .delay_ms "$dir/ab.json") $(jq -r .delay_ms "$dir/ba.json") $send_a $send_b $cpu_a $cpu_b $skew")
      pids=()
    done
  done
done

echo
echo "targets (clean loopback for latency; the bandwidth target is at the default 20 ms frames):"
printf '%s\n' "${results[@]}" | awk '
  function verdict(ok) { return ok ? "PASS" : "FAIL" }
  {
    # The mean of the two directions: each side starts its files at its own call_started, so
    # one direction gains what the other loses, and the mean is free of that skew.
    frame = $1; impair = $2; ab = $3; ba = $4; mean = (ab + ba) / 2
    if (impair == "none") {
      limit = frame == 20 ? 50 : 30
      printf "  latency %2s ms frames  <= %d ms : %s (mean of both directions %.1f ms)\n", frame, limit, verdict(mean <= limit), mean
    }
    kb = $5 > $6 ? $5 : $6
    if (frame == 20)
      printf "  bandwidth %-20s <= 40 kb/s : %s (%.1f kb/s, worse direction)\n", impair, verdict(kb <= 40), kb
    else
      printf "  bandwidth %-20s (10 ms frames, no target): %.1f kb/s\n", impair, kb
    cpu = $7 > $8 ? $7 : $8
    printf "  cpu %2s ms %-20s < 2%% of a core : %s (%.2f%%)\n", frame, impair, verdict(cpu < 2), cpu
  }'
