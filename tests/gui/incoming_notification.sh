#!/usr/bin/env bash
# A desktop notification for an incoming call while the window is not focused: a real
# notification daemon (dunst) on a private D-Bus session, the bus watched with dbus-monitor.
# Focused, the window shows its modal and no notification.
if [[ -z ${SALA_IN_PRIVATE_BUS:-} ]]; then SALA_IN_PRIVATE_BUS=1 exec dbus-run-session -- bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
command -v dunst >/dev/null || { echo "SKIP: no dunst (tools/install-deps test)"; exit 77; }

dbus-monitor --session "interface='org.freedesktop.Notifications'" >"$work/bus.log" 2>&1 &
pids+=($!)
dunst >"$work/dunst.out" 2>&1 &
pids+=($!)
wait_for 10 "dunst on the bus" dbus-send --session --print-reply --dest=org.freedesktop.Notifications \
    /org/freedesktop/Notifications org.freedesktop.Notifications.GetServerInformation

start_alice_and_bob
# Another window takes the focus (no window manager runs: focus goes where it is set).
xeyes -geometry 200x200+1000+400 &
pids+=($!)
other=$(timeout 10 xdotool search --sync --onlyvisible --class xeyes | head -n 1) || fail "no other window"
xdotool windowfocus --sync "$other"

# 1. Not focused: bob's call is a notification, which goes when bob gives up.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
wait_for 10 "the Notify call" has "$work/bus.log" 'string "bob is calling"'
sleep 0.5
shot 1-notification
wait_for 5 "dunst showing it" bash -c '[[ $(dunstctl count displayed) -ge 1 ]]'
peer_says bob hangup
wait_for 10 "cancel in the log" has "$work/sala.out" 'bob cancelled the call'
wait_for 10 "the notification closed" has "$work/bus.log" 'member=CloseNotification'
wait_for 5 "dunst showing nothing" bash -c '[[ $(dunstctl count displayed) -eq 0 ]]'

# 2. Focused: the modal, and no second notification.
xdotool windowfocus --sync "$wid"
sleep 0.3
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
sleep 1
(($(grep -c 'string "bob is calling"' "$work/bus.log") == 1)) || fail "a notification while the window had the focus"
press Escape
wait_for 10 "rejection" has "$work/bob.out" '"event":"call_ended".*"reason":"rejected"'
close_sala
echo "PASS"
