#!/usr/bin/env bash
# The call history: a call from a peer that nobody answers is counted as missed on the History
# tab until the tab is opened; one click there calls the peer back; sala-cli --history prints the
# same history from the window's config directory.
source "$(dirname "$0")/lib.sh"

start_alice_and_bob
wait_for 10 "an empty history" control tab:history

# 1. bob calls and gives up before alice answers: a missed call, counted on the tab.
peer_says bob "call alice"
wait_for 10 "invite modal" enabled accept
peer_says bob hangup
wait_for 10 "cancel in the log" has "$work/sala.out" 'bob cancelled the call'
wait_for 10 "the missed call counted" control tab:history:missed
sleep 0.3
shot 1-missed
grep -q '"direction":"incoming".*"outcome":"missed".*"peer":"bob".*"seen":false' "$work/config/call_history.jsonl" ||
    fail "no unseen missed call in the history file"

# 2. Opening the tab marks it seen (in a focused window); the row has a button to call bob back.
xdotool windowfocus --sync "$wid"
click tab:history:missed
wait_for 10 "the count gone once seen" control tab:history
wait_for 10 "the call-back button" enabled history_call:0
grep -q '"outcome":"missed".*"seen":true' "$work/config/call_history.jsonl" || fail "the missed call is not marked seen"
sleep 0.3
shot 2-history

# 3. Call back with one click; bob answers; then the history has both calls.
click history_call:0
wait_for 10 "bob's invite" has "$work/bob.out" '"event":"invite","from":"alice"'
peer_says bob accept
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
sleep 1.5
peer_says bob hangup
wait_for 10 "end of the call" has "$work/sala.out" '^call with bob ended'
wait_for 10 "the answered call in the history" has "$work/config/call_history.jsonl" \
    '"direction":"outgoing","duration_s":[0-9]+,"outcome":"answered","peer":"bob"'
sleep 0.3
shot 3-called-back

# 4. sala-cli --history reads the same file: plain lines and JSON lines.
"$bin/sala-cli" --history --config-dir "$work/config" >"$work/history.txt"
"$bin/sala-cli" --history --json --config-dir "$work/config" >"$work/history.json"
cat "$work/history.txt"
has "$work/history.txt" 'incoming +missed +bob' || fail "sala-cli --history: no missed call"
has "$work/history.txt" 'outgoing +answered +0:0[0-9] +bob' || fail "sala-cli --history: no answered call"
(($(wc -l <"$work/history.json") == 2)) || fail "sala-cli --history --json: not two lines"
close_sala
echo "PASS"
