#!/usr/bin/env bash
# What the window offers during a call: the one-way delay estimate and the quality (MOS) once
# the first round trip is measured (sala-cli's stats carry the same "mos"); the volume sliders
# (the microphone's at 0 silences what bob hears); the mute key from a text field (Ctrl+M) and
# from anywhere else (M).
source "$(dirname "$0")/lib.sh"

start_alice_and_bob --answer accept
click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
wait_for 10 "the delay readout measuring" control delay_estimate
wait_for 15 "the delay estimate" enabled delay_estimate
enabled quality || fail "no quality readout beside the delay"
wait_for 10 "a stats line with mos" has "$work/bob.out" '"event":"stats".*"mos":[1-4]\.[0-9]+.*"one_way_delay_estimate_ms":[0-9.]+'
sleep 1.2  # the figures shown change once a second
shot 1-delay-and-quality

# set_slider NAME PERCENT: Ctrl+click turns an ImGui slider into a field; the value, then Enter.
set_slider() {
    wait_for 10 "slider $1" enabled "$1"
    local x y
    read -r x y _ < <(control "$1")
    xdotool keydown --window "$wid" ctrl
    xdotool mousemove --window "$wid" "$x" "$y" click 1
    sleep 0.1
    xdotool keyup --window "$wid" ctrl
    sleep 0.2
    press ctrl+a
    xdotool type --window "$wid" --delay 20 "$2"
    press Return
}
# heard_by_bob: the last level bob's speaker played, in dBFS.
heard_by_bob() { grep '"event":"stats"' "$work/bob.out" | tail -n 1 | grep -o '"speaker_dbfs":[-0-9.]*' | cut -d: -f2; }
quiet_at_bob() { awk -v l="$(heard_by_bob)" 'BEGIN { exit !(l < -80) }'; }
loud_at_bob() { awk -v l="$(heard_by_bob)" 'BEGIN { exit !(l > -40) }'; }

wait_for 10 "alice's tone at bob before the slider moves" loud_at_bob
set_slider "##mic_volume" 0
wait_for 10 "silence at bob with the microphone at 0%" quiet_at_bob
set_slider "##speaker_volume" 0
sleep 1
shot 2-volumes-at-zero
grep -q '^microphone_volume=0$' "$work/config/settings.conf" || fail "the microphone volume is not remembered"
set_slider "##mic_volume" 100
wait_for 10 "the tone at bob again with the microphone at 100%" loud_at_bob
set_slider "##speaker_volume" 100

# The mute key: Ctrl+M in a text field, M elsewhere (the field left with Escape).
click filter
sleep 0.2
press ctrl+m
wait_for 5 "muted by Ctrl+M in a text field" has "$work/sala.out" '^microphone muted'
wait_for 10 "silence at bob when muted" quiet_at_bob
press Escape
sleep 0.2
press m
wait_for 5 "unmuted by M" has "$work/sala.out" '^microphone on'
wait_for 10 "the tone at bob again" loud_at_bob
click hang_up
wait_for 10 "end of the call" has "$work/sala.out" '^call with bob ended'
close_sala
echo "PASS"
