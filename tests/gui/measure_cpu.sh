#!/usr/bin/env bash
# Measures the CPU that sala uses idle (registered, nothing moving) and during a call (meters at
# ~30 fps), over 10 s each, from /proc/PID/stat (utime + stime). Not a test: a figure for people.
#   tests/gui/run_in_xvfb.sh tests/gui/measure_cpu.sh build/bin /tmp/sala-cpu
source "$(dirname "$0")/lib.sh"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# measure WHAT: sala's CPU over 10 s, and the sala-cli peer's (the engine without a window) beside it.
measure() {
    local before after peer_before peer_after seconds=10 hz
    hz=$(getconf CLK_TCK)
    before=$(cpu_ticks "$sala_pid")
    peer_before=$(cpu_ticks "$peer_pid")
    sleep "$seconds"
    after=$(cpu_ticks "$sala_pid")
    peer_after=$(cpu_ticks "$peer_pid")
    awk -v t=$((after - before)) -v p=$((peer_after - peer_before)) -v hz="$hz" -v s=$seconds -v what="$1" \
        'BEGIN { printf "%-8s sala %5.1f%% of one core (%d ticks of 1/%d s in %d s); sala-cli peer %.1f%%\n",
                 what, 100 * t / hz / s, t, hz, s, 100 * p / hz / s }'
}

start_server
start_peer bob --answer accept
peer_pid=${pids[-1]}
start_sala --server "$server" --name alice --trust-server "$fingerprint"
wait_for 10 "registration" has "$work/sala.out" "^registered as alice"
sleep 2  # let the start-up (fonts, first frames) pass
measure idle
click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
sleep 1
measure in-call
close_sala
