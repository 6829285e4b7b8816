#!/usr/bin/env bash
# The server's TLS certificate (issue 12): the first connection asks, showing the fingerprint;
# trusting it pins it and registers. A server whose certificate changed is refused with the old
# and new fingerprints side by side; "Don't connect" stays unregistered, and trusting the new one
# (after Register again) pins it and registers.
source "$(dirname "$0")/lib.sh"

start_server
start_sala --server "$server" --name alice
wait_for 10 "the first-use question" enabled trust_server
wait_for 5 "the fingerprint in the log" has_text "$work/sala.out" "no authority vouches for, fingerprint $fingerprint"
sleep 0.3
shot 1-first-use
click trust_server
wait_for 10 "registration" has "$work/sala.out" "^registered as alice on $server"
grep -qxF "$server $fingerprint" "$work/config/known_servers" || fail "the fingerprint was not pinned"
close_sala

# The same address, a new certificate (a new data directory).
kill -TERM "$server_pid"
wait "$server_pid" || true
old=$fingerprint
start_server server-data-2 "$port"
[[ $fingerprint != "$old" ]] || fail "the new server has the old certificate"
start_sala --server "$server" --name alice
wait_for 10 "the changed-certificate warning" enabled trust_server
wait_for 5 "the warning in the log" has_text "$work/sala.out" "certificate changed: its fingerprint is now $fingerprint, not $old"
sleep 0.3
shot 2-changed
click distrust_server
sleep 1
! has "$work/sala.out" "^registered as alice" || fail "registered with a certificate the user refused"
grep -qxF "$server $old" "$work/config/known_servers" || fail "the old pin was replaced without the user's word"
click register
wait_for 10 "the question again" enabled trust_server
click trust_server
wait_for 10 "registration with the new certificate" has "$work/sala.out" "^registered as alice on $server"
grep -qxF "$server $fingerprint" "$work/config/known_servers" || fail "the new fingerprint was not pinned"
sleep 0.3
shot 3-trusted
close_sala
echo "PASS"
