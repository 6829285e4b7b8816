#!/usr/bin/env bash
# One call by hand in the NAT lab, in plain words: builds the topology of a case of
# call_cases.sh, starts sala-server in the public namespace and two sala-cli processes (bob
# answers, alice calls) in their host namespaces, and prints what each side says as it says it.
# For trying things and for showing what a user sees; call_cases.sh is the scored test.
#
# Usage: tests/lab/try_call.sh CASE [BUILD_BIN] [SECONDS]   (as root; default build/bin, 6 s)
#   1 both behind home routers      3 one symmetric, one home router   5 alice's router drops UDP
#   2 both behind symmetric NATs    4 both behind one home router
# Exit status: alice's sala-cli's (0: the call ran and ended as it should); 77 without namespaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case_=${1:?usage: try_call.sh CASE [BUILD_BIN] [SECONDS]}
bin=$(cd "${2:-$here/../../build/bin}" && pwd)
seconds=${3:-6}
# shellcheck source=tests/lab/lab.sh
source "$here/lab.sh"
for program in sala-server sala-cli; do
    [[ -x $bin/$program ]] || lab_die "no $program in $bin (build first)"
done

LAB_LAN_IPV6=0 # IPv4 LANs: with global IPv6 behind the routers no NAT is in the way
lab_init "try$case_"
case $case_ in
    1) kinds=(home home) ;;
    2) kinds=(symmetric symmetric) ;;
    3) kinds=(symmetric home) ;;
    4) kinds=(home) ;;
    5) kinds=(udp_blocked home) ;;
    *) lab_die "no case '$case_' (1 to 5)" ;;
esac
lab_router ra "${kinds[0]}"
lab_host alice ra
if ((${#kinds[@]} > 1)); then
    lab_router rb "${kinds[1]}"
    lab_host bob rb
else
    lab_host bob ra
fi
lab_wait_links
lab_describe

work=$(mktemp -d /tmp/sala-try-call.XXXXXX)
trap 'lab_teardown; rm -rf "$work"' EXIT
lab_bg pub "$work/server.log" "$bin/sala-server" --port 5000 --data-dir "$work/server-data"
lab_wait_for "$work/server.log" "^listening on" 10 || lab_die "sala-server did not start"
echo "server: $(grep -m1 "^listening on" "$work/server.log")"

lab_bg bob "$work/bob.log" "$bin/sala-cli" --server "$LAB_SERVER4:5000" --name bob --config-dir "$work/bob-config" --answer accept --calls 1 \
    --audio-in tone:440 --audio-out null
bob=$LAB_LAST_PID
lab_wait_for "$work/bob.log" "registered as bob" 10 || lab_die "bob did not register: $(cat "$work/bob.log")"
tail -n +1 -f --pid "$bob" "$work/bob.log" | sed -u 's/^/  bob   | /' &
follower=$!
status=0
lab_exec alice "$bin/sala-cli" --server "$LAB_SERVER4:5000" --name alice --config-dir "$work/alice-config" --call bob --duration "$seconds" \
    --audio-in tone:660 --audio-out null 2>&1 | sed -u 's/^/  alice | /' || status=$?
lab_stop "$bob"
wait "$follower" 2>/dev/null || true
exit "$status"
