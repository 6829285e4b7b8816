#!/usr/bin/env bash
# Invites from a peer: the modal, accept by click and by Enter, reject by Esc and by closing it,
# the caller cancelling; and closing the window when the server is gone.
source "$(dirname "$0")/lib.sh"

start_alice_and_bob

# 1. Accept by clicking.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
sleep 0.3
shot 1-invite
click accept
wait_for 10 "call start (click)" has "$work/bob.out" '"event":"call_started"'
wait_for 10 "call panel" enabled hang_up
peer_says bob hangup
wait_for 10 "end of call 1" has_times "$work/bob.out" '"event":"call_ended"' 1
wait_for 10 "idle window" has "$work/sala.out" '^call with bob ended: bob hung up'

# 2. Accept with Enter.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
press Return
wait_for 10 "call start (Enter)" has_times "$work/bob.out" '"event":"call_started"' 2
peer_says bob hangup
wait_for 10 "end of call 2" has_times "$work/bob.out" '"event":"call_ended"' 2

# 3. Reject with Esc.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
press Escape
wait_for 10 "rejection (Esc)" has "$work/bob.out" '"event":"call_ended".*"reason":"rejected"'
wait_for 5 "modal closed" bash -c "! grep -q '^accept ' '$work/ui.map'"

# 4. The caller cancels: the modal closes and the log says so.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
peer_says bob hangup
wait_for 10 "cancel in the log" has "$work/sala.out" 'bob cancelled the call'
wait_for 5 "modal closed" bash -c "! grep -q '^accept ' '$work/ui.map'"
shot 2-after-cancel

# 5. The server goes away; the window still closes at once.
kill -TERM "${pids[0]}"
wait_for 10 "lost connection" has "$work/sala.out" 'connection to the server lost|server is shutting down'
sleep 0.3
shot 3-server-gone
close_sala
echo "PASS"
