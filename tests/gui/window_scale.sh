#!/usr/bin/env bash
# Scaling for high-DPI screens: the monitor's content scale (on X11, Xft.dpi / 96: 144 dpi is
# 1.5) and --scale, which wins over it. Controls are farther apart and text bigger than at 1.
source "$(dirname "$0")/lib.sh"

# y of the Register button, the last control of the connection panel's first rows.
register_y() { control register | cut -d' ' -f2; }
run_once() {  # run_once LABEL [sala options]: the window, a screenshot, and where Register is
    local label=$1
    shift
    rm -f "$work/ui.map"
    start_sala "$@"
    sleep 0.5
    shot "$label"
    wait_for 10 "the Register button" control register
    eval "y_${label%%-*}=$(register_y)"
    close_sala
}

run_once 1-scale-1
xrdb -nocpp -merge <<<'Xft.dpi: 144'
run_once 2-monitor-144dpi
run_once 3-scale-flag-2 --scale 2
xrdb -remove
echo "Register at y=$y_1 (1), $y_2 (144 dpi), $y_3 (--scale 2)"
awk -v a="$y_1" -v b="$y_2" 'BEGIN { exit !(b > a * 1.3 && b < a * 1.7) }' || fail "144 dpi is not 1.5 times the size"
awk -v a="$y_1" -v c="$y_3" 'BEGIN { exit !(c > a * 1.8 && c < a * 2.2) }' || fail "--scale 2 is not twice the size"
"$bin/sala" --scale 9 2>"$work/bad-scale.err" && fail "--scale 9 accepted"
has "$work/bad-scale.err" 'scale takes a number from 0.5 to 4'
echo "PASS"
