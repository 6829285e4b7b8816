#!/usr/bin/env bash
# Measures the CPU that sala uses idle (registered, nothing moving) and during a call (meters
# moving), over 10 s each, from /proc/PID/stat (utime + stime), and how many frames the window
# drew meanwhile (sala --frame-stats). Not a test: a figure for people.
#   tests/gui/run_in_xvfb.sh tests/gui/measure_cpu.sh build/bin /tmp/sala-cpu
# Both sides send steady tones (steady meters); with SALA_CPU_AUDIO=speech they send speech
# (espeak-ng), so the meters move all the time, as in a real conversation.
source "$(dirname "$0")/lib.sh"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# frames: the window's frame counts over the last measurement (the mean of its per-second lines).
frames() {
    tail -n +"$1" "$work/sala.err" | awk '/^frames:/ { b += $2; d += $4; a += $8; n++ }
        END { if (n) printf "; window: %.1f frames built, %.1f drawn per second, %.0f%% of its area each", b / n, d / n, a / n }'
}
# measure WHAT: sala's CPU over 10 s, and the sala-cli peer's (the engine without a window) beside it.
measure() {
    local before after peer_before peer_after seconds=10 hz line
    hz=$(getconf CLK_TCK)
    line=$(($(wc -l <"$work/sala.err") + 2))
    before=$(cpu_ticks "$sala_pid")
    peer_before=$(cpu_ticks "$peer_pid")
    sleep "$seconds"
    after=$(cpu_ticks "$sala_pid")
    peer_after=$(cpu_ticks "$peer_pid")
    awk -v t=$((after - before)) -v p=$((peer_after - peer_before)) -v hz="$hz" -v s=$seconds -v what="$1" \
        -v f="$(frames "$line")" \
        'BEGIN { printf "%-8s sala %5.1f%% of one core (%d ticks of 1/%d s in %d s); sala-cli peer %.1f%%%s\n",
                 what, 100 * t / hz / s, t, hz, s, 100 * p / hz / s, f }'
}

sala_audio=(--audio-in tone:660)
peer_audio=(--audio-in tone:440)
if [[ ${SALA_CPU_AUDIO:-tone} == speech ]]; then
    text="Sala measures how much of a core its window takes while two people talk. The meters follow the voice, "
    text+="rising with every word and falling in the pauses between sentences, so the window has to draw them often."
    espeak-ng -w "$work/speech-22k.wav" "$text $text $text"
    sox "$work/speech-22k.wav" -r 48000 -c 1 "$work/speech.wav"
    sala_audio=(--audio-in "$work/speech.wav")
    peer_audio=(--audio-in "$work/speech.wav")
fi

# (an older sala without --frame-stats is measured all the same, for before and after)
frame_stats=()
"$bin/sala" --help | grep -q -- --frame-stats && frame_stats=(--frame-stats)

start_server
start_peer bob --answer accept "${peer_audio[@]}"
peer_pid=${pids[-1]}
start_sala --server "$server" --name alice --trust-server "$fingerprint" "${frame_stats[@]}" "${sala_audio[@]}"
wait_for 10 "registration" has "$work/sala.out" "^registered as alice"
sleep 2  # let the start-up (fonts, first frames) pass
measure idle
click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
sleep 1
measure in-call
shot in-call
close_sala
