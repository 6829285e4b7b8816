#!/usr/bin/env bash
# The audio panel's voice processing switches (issue 13): each click is remembered in the
# settings at once, and a new window starts with them as they were left.
source "$(dirname "$0")/lib.sh"

start_sala
sleep 0.5  # the first frame after the window is mapped
shot 1-defaults
for name in echo_cancel noise_suppress gain_control; do
    grep -qx "$name=off" "$work/config/settings.conf" 2>/dev/null && fail "$name is off before any click"
done

click echo_cancel
wait_for 5 "echo_cancel=off remembered" grep -qx "echo_cancel=off" "$work/config/settings.conf"
click gain_control
wait_for 5 "gain_control=off remembered" grep -qx "gain_control=off" "$work/config/settings.conf"
grep -qx "noise_suppress=on" "$work/config/settings.conf" || fail "noise_suppress changed without a click"
sleep 0.3
shot 2-two-off
close_sala

# A new window reads them back: one more click on echo_cancel turns it on again (it was off).
start_sala
sleep 0.5
shot 3-reopened
grep -qx "gain_control=off" "$work/config/settings.conf" || fail "gain_control=off lost when the window reopened"
click echo_cancel
wait_for 5 "echo_cancel=on remembered" grep -qx "echo_cancel=on" "$work/config/settings.conf"
grep -qx "gain_control=off" "$work/config/settings.conf" || fail "gain_control=off lost"
close_sala
echo "PASS: the voice processing switches are remembered"
