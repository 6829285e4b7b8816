#!/usr/bin/env bash
# Registering by typing, calling a peer who accepts, mute, hang up; a call that is rejected;
# the settings remembered; closing during a call says bye.
source "$(dirname "$0")/lib.sh"

start_server
start_peer bob --answer accept
start_peer carol --answer reject
start_sala --trust-server "$fingerprint"  # gui.server_trust asks; here the fingerprint is given
sleep 0.5  # the first frame after the window is mapped
shot 1-started

# A name that belongs to someone else (bob's identity key, not the window's): the server's words
# appear under the name field.
type_into name_field bob
type_into server_field "$server"
click register
wait_for 10 "name-owned error" has "$work/sala.out" 'belongs to someone else'
wait_for 5 "editable fields again" enabled name_field
sleep 0.3
shot 2-name-taken

type_into name_field alice
shot 3-typed
click register
wait_for 10 "registration" has "$work/sala.out" "^registered as alice on $server"
wait_for 10 "bob seeing alice" has "$work/bob.out" '"event":"user_joined","name":"alice"'
grep -qx "name=alice" "$work/config/settings.conf" || fail "name not remembered"
grep -qx "server=$server" "$work/config/settings.conf" || fail "server not remembered"
enabled register && fail "Register is enabled while registered"
enabled call && fail "Call is enabled with nobody selected"

# A rejected call: the outcome in plain words.
click user:carol
click call
wait_for 10 "carol's rejection" has "$work/sala.out" '^call with carol ended: carol rejected the call'
sleep 0.3
shot 4-rejected

# An accepted call.
click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
wait_for 10 "bob's call start" has "$work/bob.out" '"event":"call_started"'
wait_for 10 "Hang up" enabled hang_up
enabled call && fail "Call is enabled during a call"
press m
wait_for 5 "mute" has "$work/sala.out" '^microphone muted'
press m
wait_for 5 "unmute" has "$work/sala.out" '^microphone on'
wait_for 10 "call statistics" has "$work/sala.out" '^stats: sent [0-9]+, received [1-9]'
sleep 1.5  # a couple more seconds of meters and plots for the picture
shot 5-in-call
click hang_up
wait_for 10 "bob's call end" has "$work/bob.out" '"event":"call_ended".*"reason":"hangup"'
wait_for 10 "Call again" enabled call

# Closing the window during a call hangs up and says bye.
click call
wait_for 10 "second call" has_times "$work/bob.out" '"event":"call_started"' 2
close_sala
wait_for 5 "hang-up on close" has_times "$work/bob.out" '"event":"call_ended"' 2
wait_for 5 "bye on close" has "$work/bob.out" '"event":"user_left","name":"alice"'
echo "PASS"
