#!/usr/bin/env bash
# An end-to-end encrypted call: the call panel shows the same safety code as the peer; after
# the peer sets Sala up again (a new identity key), the next call warns in plain words.
source "$(dirname "$0")/lib.sh"

start_server
start_peer bob --answer accept --config-dir "$work/bob-first"
start_sala --server "$server" --name alice --trust-server "$fingerprint"
wait_for 10 "registration" has "$work/sala.out" "^registered as alice on $server"

click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob, end-to-end encrypted; safety code'
wait_for 10 "bob's call start" has "$work/bob.out" '"event":"call_started"'
ours=$(sed -n 's/^call started with bob, end-to-end encrypted; safety code \([0-9]\{3\}\) \([0-9]\{3\}\).*/\1\2/p' "$work/sala.out")
theirs=$(grep -o '"safety_code":"[0-9]*"' "$work/bob.out" | cut -d'"' -f4)
[[ -n "$ours" && "$ours" == "$theirs" ]] || fail "safety codes differ: window '$ours', bob '$theirs'"
echo "safety code: window $ours, bob $theirs"
wait_for 10 "call statistics" has "$work/sala.out" '^stats: sent [0-9]+, received [1-9]'
shot 1-safety-code
click hang_up
wait_for 10 "bob's call end" has "$work/bob.out" '"event":"call_ended"'

# bob sets Sala up again: another config directory, another identity key. The server bound the
# name bob to the first key, so its operator frees it (--release-name, with the server stopped)
# and starts it again on the same port; the window reconnects by itself.
peer_says bob quit
wait_for 10 "bob gone" has "$work/sala.out" "^bob left"
rm -f "$work/bob.in"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "sala-server did not stop cleanly"
"$bin/sala-server" --release-name bob --data-dir "$work/server-data" >>"$work/server.out" || fail "bob not released"
"$bin/sala-server" --port "$port" --data-dir "$work/server-data" >>"$work/server.out" 2>>"$work/server.err" &
pids+=($!)
wait_for 15 "reconnection" has "$work/sala.out" "^reconnected to $server"
start_peer bob --answer accept --config-dir "$work/bob-second"
wait_for 10 "bob back" has "$work/sala.out" "^bob joined"
click user:bob
click call
wait_for 10 "second call" has_times "$work/sala.out" '^call started with bob' 2
wait_for 10 "the warning" has "$work/sala.out" "^bob's identity key has changed since your last call"
sleep 1
shot 2-key-changed
click hang_up
echo "PASS"
