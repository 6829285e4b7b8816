#!/usr/bin/env bash
# Proves the NAT lab: each router kind behaves as its name says, seen through sala-server's
# STUN answers and coturn's, and UDP hole punching works between two home routers and not
# between two symmetric NATs. One line per check, PASS or FAIL; exit 1 on any FAIL, 77 when
# namespaces cannot be made here.
# Usage: tests/lab/lab_selftest.sh [BUILD_BIN]   (default build/bin)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../../build/bin}" && pwd)
# shellcheck source=tests/lab/lab.sh
source "$here/lab.sh"
python=/usr/bin/python3
[[ -x $python ]] || python=python3
probe=("$python" "$here/udp_probe.py")
for tool in turnserver turnutils_stunclient nc; do
    command -v "$tool" >/dev/null || lab_die "'$tool' is missing: run tools/install-deps test"
done
[[ -x $bin/sala-server && -x $bin/sala-cli ]] || lab_die "no sala-server or sala-cli in $bin (build first)"

started=$SECONDS
lab_init selftest
work=$(mktemp -d /tmp/sala-lab-selftest.XXXXXX)
trap 'lab_teardown; rm -rf "$work"' EXIT

lab_router home1 home
lab_router home2 home
lab_router sym1 symmetric
lab_router sym2 symmetric
lab_router tcponly udp_blocked
lab_host a home1
lab_host b home2
lab_host c sym1
lab_host d sym2
lab_host e tcponly
lab_wait_links 5 || lab_die "links did not come up"
echo "lab: namespaces $LAB_PREFIX-*"
lab_describe

port=5000      # inside the lab's own namespaces any port is free
coturn_port=3478
lab_bg pub "$work/server.out" "$bin/sala-server" --bind :: --port "$port" --data-dir "$work/server-data"
lab_bg pub "$work/coturn.out" turnserver -n --no-cli --listening-ip "$LAB_SERVER4_ALT" --relay-ip "$LAB_SERVER4_ALT" \
    --listening-port "$coturn_port" --use-auth-secret --static-auth-secret lab-secret --realm sala --no-tls \
    --no-dtls --fingerprint --log-file "$work/coturn.log" --pidfile "$work/coturn.pid"
lab_wait_for "$work/server.out" "^listening on" 10 || lab_die "sala-server did not start: $(cat "$work/server.out")"
deadline=$((SECONDS + 10))
until lab_exec pub timeout 1 turnutils_stunclient -p "$coturn_port" "$LAB_SERVER4_ALT" 2>/dev/null | grep -q reflexive; do
    ((SECONDS < deadline)) || lab_die "coturn did not answer STUN: $(tail -5 "$work/coturn.out")"
done

failures=0
check() { # check NAME OK(0/1) DETAILS
    if [[ $2 == 0 ]]; then
        echo "PASS $1: $3"
    else
        echo "FAIL $1: $3"
        failures=$((failures + 1))
    fi
}
# stunclient HOST SERVER PORT: the mapped "ADDR PORT" turnutils_stunclient reads, or nothing.
stunclient() {
    local line
    line=$(lab_exec "$1" timeout 3 turnutils_stunclient -p "$3" "$2" 2>/dev/null | grep -m1 'reflexive addr:' || true)
    line=${line##* }
    [[ -n $line ]] && echo "${line%:*} ${line##*:}"
}

# 1. home router: the router's public address, the same port towards both servers, and the
#    host's own source port kept (udp_probe fixes the source port; turnutils_stunclient cannot).
home_ip=${LAB_V4[home1]}
read -r s_ip s_port < <(stunclient a "$LAB_SERVER4" "$port") || true
read -r c_ip c_port < <(stunclient a "$LAB_SERVER4_ALT" "$coturn_port") || true
check home-stunclient "$([[ ${s_ip:-} == "$home_ip" && ${c_ip:-} == "$home_ip" ]] && echo 0 || echo 1)" \
    "turnutils_stunclient from a (${LAB_V4[a]}): sala-server says ${s_ip:-none}:${s_port:-}, coturn says ${c_ip:-none}:${c_port:-} (want $home_ip)"
out=$(lab_exec a "${probe[@]}" stun --local-port 40001 "$LAB_SERVER4" "$port" "$LAB_SERVER4_ALT" "$coturn_port" || true)
mapped=$(awk '{print $4":"$5}' <<<"$out" | paste -sd' ')
want="$home_ip:40001 $home_ip:40001"
check home-mapping "$([[ $mapped == "$want" ]] && echo 0 || echo 1)" \
    "one socket on port 40001 towards sala-server and coturn: mapped $mapped (want $want: port kept, endpoint-independent)"

# 2. symmetric NAT: a new port for each destination.
sym_ip=${LAB_V4[sym1]}
read -r s_ip s_port < <(stunclient c "$LAB_SERVER4" "$port") || true
check symmetric-stunclient "$([[ ${s_ip:-} == "$sym_ip" ]] && echo 0 || echo 1)" \
    "turnutils_stunclient from c: sala-server says ${s_ip:-none}:${s_port:-} (want $sym_ip)"
out=$(lab_exec c "${probe[@]}" stun --local-port 40002 "$LAB_SERVER4" "$port" "$LAB_SERVER4_ALT" "$coturn_port" || true)
read -r m1 m2 < <(awk '{print $4":"$5}' <<<"$out" | paste -sd' ')
check symmetric-mapping "$([[ ${m1%:*} == "$sym_ip" && ${m2%:*} == "$sym_ip" && ${m1#*:} != "${m2#*:}" ]] && echo 0 || echo 1)" \
    "one socket on port 40002 towards sala-server and coturn: mapped ${m1:-none} and ${m2:-none} (want two ports of $sym_ip)"

# 3. UDP blocked: no STUN answer, but TCP reaches sala-server and a client registers.
read -r s_ip s_port < <(stunclient e "$LAB_SERVER4" "$port") || true
check udp-blocked-stun "$([[ -z ${s_ip:-} ]] && echo 0 || echo 1)" \
    "turnutils_stunclient from e behind tcponly: ${s_ip:+answered $s_ip:$s_port}${s_ip:-no answer in 3 s, as wanted}"
lab_exec e nc -z -w 3 "$LAB_SERVER4" "$port" && ok=0 || ok=1
check udp-blocked-tcp "$ok" "nc -z from e to sala-server's TCP port $LAB_SERVER4:$port"
lab_bg e "$work/cli-e.out" "$bin/sala-cli" --server "$LAB_SERVER4:$port" --name erin --config-dir "$work/erin-config" --json --audio-in silence --audio-out null
lab_wait_for "$work/cli-e.out" '"event": ?"registered"' 5 && ok=0 || ok=1
lab_stop "$LAB_LAST_PID"
check udp-blocked-register "$ok" "sala-cli from e registers over TCP ($(grep -m1 -oE '"event": ?"[a-z_]+"' "$work/cli-e.out" | tail -1))"

# 4. IPv6: no NAT, a host sees its own global address.
line=$(lab_exec a timeout 3 turnutils_stunclient -p "$port" "$LAB_SERVER6" 2>/dev/null | grep -m1 'reflexive addr:' || true)
line=${line##* }
check ipv6-stun "$([[ ${line%:*} == "${LAB_V6[a]}" ]] && echo 0 || echo 1)" \
    "turnutils_stunclient from a to [$LAB_SERVER6]:$port (sala-server --bind ::): mapped ${line:-none} (want ${LAB_V6[a]})"

# punch HOST1 HOST2 PORT: both learn their mapped address from sala-server on PORT, then both
# send to the other's at once for 2 s. Sets punch1 and punch2 to the "sent N received M" lines.
punch() {
    local h1=$1 h2=$2 p=$3 map1 map2 pid1 pid2
    read -ra map1 < <(lab_exec "$h1" "${probe[@]}" stun --local-port "$p" "$LAB_SERVER4" "$port" | awk '{print $4, $5}')
    read -ra map2 < <(lab_exec "$h2" "${probe[@]}" stun --local-port "$p" "$LAB_SERVER4" "$port" | awk '{print $4, $5}')
    lab_bg "$h1" "$work/punch-$h1.out" "${probe[@]}" punch --local-port "$p" --peer "${map2[@]}" --seconds 2
    pid1=$LAB_LAST_PID
    lab_bg "$h2" "$work/punch-$h2.out" "${probe[@]}" punch --local-port "$p" --peer "${map1[@]}" --seconds 2
    pid2=$LAB_LAST_PID
    wait "$pid1" "$pid2" || true
    punch1="$h1 (${map1[0]:-none}:${map1[1]:-}) $(cat "$work/punch-$h1.out")"
    punch2="$h2 (${map2[0]:-none}:${map2[1]:-}) $(cat "$work/punch-$h2.out")"
}

# 5. two home routers: both receive.
punch a b 41000
[[ $punch1 =~ received\ [1-9] && $punch2 =~ received\ [1-9] ]] && ok=0 || ok=1
check punch-home-home "$ok" "$punch1; $punch2"
# 6. two symmetric NATs: neither receives (the expected failure, asserted).
punch c d 41000
[[ $punch1 =~ received\ 0$ && $punch2 =~ received\ 0$ ]] && ok=0 || ok=1
check punch-symmetric-fails "$ok" "$punch1; $punch2 (nothing should arrive)"

echo "lab self-test: $failures failed, $((SECONDS - started)) s"
((failures == 0))
