#!/usr/bin/env bash
# Issue 11's calls across NATs, in the NAT lab: for each case a fresh topology, sala-server in
# the public namespace, two sala-cli processes in their host namespaces calling each other with
# different espeak-ng speech each way, each direction scored by sala-audio-compare.
# Not in CTest: until the client does ICE most cases fail, and that is the point of running it.
#
# Usage: tests/lab/call_cases.sh [BUILD_BIN] [CASE...]     (default build/bin, cases 1-8)
#   1 both behind home routers          5 one behind a router that drops all UDP
#   2 both behind symmetric NATs        6 home routers, the caller's router's mappings flushed
#   3 one symmetric, one home router      mid-call, then (more calls) remapped to other ports:
#   4 two hosts behind the same router    UDP only, UDP and TCP, then the callee's router's;
#     (server outside, no hairpin)        audio must resume within 3 s
#   8 IPv6 LANs, symmetric IPv4 NATs    7 cases 2 (7a) and 5 (7b) with coturn as the relay:
#                                         sala-server --turn-server hands out coturn credentials
#                                         and relays nothing; alice's relay must be coturn's
# Environment: LAB_KEEP=1 keeps the work directory (logs, WAVs); LAB_CAPTURE=1 also records
# UDP on every router's WAN side and LAN side (tshark, pcap files in the work directory).
# Exit status: 0 when every case that ran passed, 1 otherwise, 77 when namespaces cannot be made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin_arg=$here/../../build/bin
if [[ $# -gt 0 && ! $1 =~ ^[0-9]+[ab]?$ ]]; then
    bin_arg=$1
    shift
fi
bin=$(cd "$bin_arg" && pwd)
cases=("$@")
((${#cases[@]})) || cases=(1 2 3 4 5 6 7 8)
# shellcheck source=tests/lab/lab.sh
source "$here/lab.sh"
for tool in espeak-ng sox turnserver turnutils_stunclient; do
    command -v "$tool" >/dev/null || lab_die "'$tool' is missing: run tools/install-deps test"
done
for program in sala-server sala-cli sala-audio-compare; do
    [[ -x $bin/$program ]] || lab_die "no $program in $bin (build first)"
done

threshold=0.6 # tracked similarity above this: the audio flowed
port=5000
work=$(mktemp -d /tmp/sala-lab-calls.XXXXXX)
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    lab_teardown
    if [[ ${LAB_KEEP:-0} == 1 ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
new_lab() {
    lab_init "$1"
    trap cleanup EXIT
}

# Speech: about 7 s each way for the 8 s calls, about 11 s for case 6's 12 s call.
espeak-ng -v en+m3 -w "$work/alice_short.wav" "The quick brown fox jumps over the lazy dog, then runs far away into the forest. It does not come back."
espeak-ng -v en+f3 -w "$work/bob_short.wav" "Seven silver spoons were lying on the kitchen table, next to a bowl of soup and a loaf of bread."
espeak-ng -v en+m3 -w "$work/alice_long.wav" "The quick brown fox jumps over the lazy dog, then runs far away into the forest. It does not come back. Later that evening the farmer counts his chickens twice and finds that none are missing."
espeak-ng -v en+f3 -w "$work/bob_long.wav" "Seven silver spoons were lying on the kitchen table, next to a bowl of soup and a loaf of bread. Nobody had touched them since morning, and the soup was getting cold while the clock kept ticking."

summary=()
failed=0

# score SENT RECORDED: "similarity delay_ms" (0 and - when nothing usable was recorded).
score() {
    local json
    if json=$("$bin/sala-audio-compare" --json "$1" "$2" 2>/dev/null); then
        /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.2f %.0f" % (r["tracked_similarity"], r["delay_ms"]))' "$json"
    else
        echo "0.00 -"
    fi
}

# field FILE EVENT KEY [last]: KEY of the first (or last) EVENT line in a sala-cli --json log
# (n/a if absent).
field() {
    /usr/bin/python3 - "$@" <<'EOF'
import json, sys
path, event, key = sys.argv[1:4]
last = len(sys.argv) > 4 and sys.argv[4] == "last"
found = "n/a"
try:
    for line in open(path):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == event:
            v = e.get(key, "n/a")
            found = v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
            if not last:
                break
except OSError:
    pass
print(found)
EOF
}

capture() { # capture ROUTER: tshark on the router's wan and lan, UDP only
    local r=$1 ifc
    [[ ${LAB_CAPTURE:-0} == 1 ]] || return 0
    for ifc in wan lan; do
        lab_bg "$r" "$work/case$case-$r-$ifc.tshark.log" tshark -q -i "$ifc" -f udp -w "$work/case$case-$r-$ifc.pcap"
        lab_wait_for "$work/case$case-$r-$ifc.tshark.log" "Capturing on" 15 || echo "  tshark on $r $ifc did not start"
    done
}

# call CALLER_HOST CALLEE_HOST SECONDS SPEECH [ROUTER AT flush|remap]: one call, logs in
# $work/case$case-*; ROUTER's mappings flushed (or remapped) AT seconds after call_started.
# Sets ended_a / ended_b (call_ended reasons) and path_a / path_b.
call() {
    local ha=$1 hb=$2 seconds=$3 speech=$4 flush_router=${5:-} flush_at=${6:-} how=${7:-flush} pa pb deadline
    local pre="$work/case$case"
    lab_bg "$hb" "$pre-bob.log" "$bin/sala-cli" --server "$LAB_SERVER4:$port" --name bob --config-dir "$work/bob-config" --answer accept \
        --calls 1 --audio-in "$work/bob_$speech.wav" --audio-out "$pre-bob_heard.wav" --json
    pb=$LAB_LAST_PID
    lab_wait_for "$pre-bob.log" '"event": ?"registered"' 10 || echo "  bob did not register: $(head -c 300 "$pre-bob.log")"
    lab_bg "$ha" "$pre-alice.log" "$bin/sala-cli" --server "$LAB_SERVER4:$port" --name alice --config-dir "$work/alice-config" --call bob \
        --duration "$seconds" --audio-in "$work/alice_$speech.wav" --audio-out "$pre-alice_heard.wav" --json
    pa=$LAB_LAST_PID
    if [[ -n $flush_router ]] && lab_wait_for "$pre-alice.log" '"event": ?"call_started"' 10; then
        sleep "$flush_at"
        if [[ $how == remap ]]; then
            lab_remap "$flush_router"
            echo "  $flush_router remapped (ports 20000-29999) and flushed ${flush_at} s after call_started"
        elif [[ $how == remap_udp ]]; then
            lab_remap_udp "$flush_router"
            echo "  $flush_router remapped its UDP (ports 20000-29999) ${flush_at} s after call_started; TCP kept"
        else
            lab_flush "$flush_router"
            echo "  flushed $flush_router's conntrack table ${flush_at} s after call_started"
        fi
    fi
    deadline=$((SECONDS + seconds + 15))
    while { kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null; } && ((SECONDS < deadline)); do sleep 0.1; done
    lab_stop "$pa" "$pb"
    ended_a=$(field "$pre-alice.log" call_ended reason)
    ended_b=$(field "$pre-bob.log" call_ended reason)
    [[ $ended_a == n/a ]] && ended_a="$(field "$pre-alice.log" call_failed reason) (failed)"
    # The path ICE settled on: the last media_path event (n/a: ICE never connected).
    path_a=$(field "$pre-alice.log" media_path media_path last)
    path_b=$(field "$pre-bob.log" media_path media_path last)
    echo "  alice's media_path events: $(grep -o '"event":"media_path"[^}]*' "$pre-alice.log" | tr '\n' ' ')"
    echo "  bob's media_path events:   $(grep -o '"event":"media_path"[^}]*' "$pre-bob.log" | tr '\n' ' ')"
    echo "  alice's call_started media: $(field "$pre-alice.log" call_started media), bob's: $(field "$pre-bob.log" call_started media)"
}

# coturn_verdict: whether the relay on alice's path is coturn's (sala-server relays nothing
# here). Her last media_path names the pair: with a local relay candidate, coturn must have
# allocated for her credentials (user EXPIRY:alice); with a remote one, its address must be
# coturn's. Prints coturn's allocations; sets relay_ok (1 or 0).
coturn_verdict() {
    local pre="$work/case$case" local_type remote_type remote_address
    local_type=$(field "$pre-alice.log" media_path local last)
    remote_type=$(field "$pre-alice.log" media_path remote last)
    remote_address=$(field "$pre-alice.log" media_path remote_address last)
    echo "  sala-server: $(grep -m1 -o 'credentials handed out for .*' "$pre-server.log" || echo 'relays itself?')"
    echo "  coturn's log: TCP clients, relays allocated, allocations, peers refused:"
    grep -E 'tcp or tls connected|Local relay addr|ALLOCATE processed, success|denied in the range' "$pre-coturn.log" | sed 's/^/    /'
    relay_ok=0
    if [[ $local_type == relay ]] && grep -qE "user <[0-9]+:alice>: incoming packet ALLOCATE processed, success" "$pre-coturn.log" &&
        [[ $(field "$pre-bob.log" media_path remote last) != relay ||
        $(field "$pre-bob.log" media_path remote_address last) == "$LAB_SERVER4_ALT":* ]]; then
        relay_ok=1 # alice's relay candidate: allocated on coturn (and where bob sees a relay, it is coturn's)
    fi
    if [[ $remote_type == relay && $remote_address == "$LAB_SERVER4_ALT":* ]]; then relay_ok=1; fi
    echo "  alice's pair: local $local_type, remote $remote_type $remote_address: relay on coturn $([[ $relay_ok == 1 ]] && echo yes || echo NO)"
}

# judge NAME EXPECT SENT_A HEARD_B SENT_B HEARD_A [info]: score both directions, one summary
# row; with "info" the row is shown but neither passes nor fails the run.
judge() {
    local name=$1 expect=$2 ab ba sim_ab sim_ba result
    ab=$(score "$3" "$4")
    ba=$(score "$5" "$6")
    sim_ab=${ab% *} sim_ba=${ba% *}
    result=FAIL
    if awk -v a="$sim_ab" -v b="$sim_ba" -v t="$threshold" 'BEGIN { exit !(a > t && b > t) }'; then result=PASS; fi
    # The path alice's side reports must be the one wanted (any and resumes: whichever works).
    case $expect in direct | relayed | relayed-tcp) [[ $path_a == "$expect" ]] || result=FAIL ;; esac
    [[ ${relay_ok:-1} == 1 ]] || result=FAIL # cases 7a and 7b: the relay must be coturn's
    if [[ ${7:-} == info ]]; then
        result=info
    elif [[ $result != PASS ]]; then
        failed=1
    fi
    echo "  alice->bob similarity $sim_ab delay ${ab#* } ms; bob->alice similarity $sim_ba delay ${ba#* } ms"
    echo "  media_path alice $path_a, bob $path_b; call_ended alice: $ended_a, bob: $ended_b"
    echo "  $result"
    summary+=("$(printf '%-4s %-40s %-12s %-6s %-6s %-12s %s' "$case" "$name" "$expect" "$sim_ab" "$sim_ba" "$path_a/$path_b" "$result")")
}

# two_routers KIND_A KIND_B: alice behind router ra (KIND_A), bob behind rb (KIND_B).
two_routers() {
    lab_router ra "$1"
    lab_router rb "$2"
    lab_host alice ra
    lab_host bob rb
}

# start_server [coturn]: sala-server in pub; with "coturn" it hands out credentials for coturn
# (start_coturn first) and relays nothing itself.
start_server() {
    local turn=()
    [[ ${1:-} == coturn ]] && turn=(--turn-server "turn:$LAB_SERVER4_ALT:$coturn_port" --turn-secret-file "$turn_secret")
    # Each case's server has a data directory of its own but the first one's TLS certificate, as
    # one server restarted would keep it: the clients' pins (their config directories carry over
    # from case to case) stay right.
    local data=$work/case$case-server-data
    mkdir -p -m 700 "$data"
    [[ -f $work/tls-cert.pem ]] && cp "$work/tls-cert.pem" "$work/tls-key.pem" "$data/"
    lab_bg pub "$work/case$case-server.log" "$bin/sala-server" --port "$port" --data-dir "$data" "${turn[@]}"
    lab_wait_for "$work/case$case-server.log" "^listening on" 10 || lab_die "sala-server did not start"
    [[ -f $work/tls-cert.pem ]] || cp -p "$data/tls-cert.pem" "$data/tls-key.pem" "$work/"
}

# start_coturn: coturn in pub on $LAB_SERVER4_ALT:$coturn_port, UDP and TCP (no TLS, no DTLS),
# relaying from the same address; REST credentials signed with the secret in $turn_secret (0600).
# Peers: by default coturn refuses only loopback peers (and multicast with --no-multicast-peers),
# so nothing has to be opened for the lab's TEST-NET addresses. The LANs must be closed instead:
# a client's ICE asks for permissions to the peer's host candidates (192.0.2.x, 198.51.100.x),
# pub has no route to them, and coturn 4.6.1 tears the whole allocation down when a relayed send
# fails with "Network is unreachable" (log: "closed ... reason: general"), where on the real
# Internet such a datagram is silently lost. So, like a public coturn that denies private ranges,
# it relays to the public side (203.0.113.0/24: the routers' WAN addresses and its own relays)
# and to nothing else: allowed-peer-ip wins over denied-peer-ip; the LAN permissions get 403.
coturn_port=3478
turn_secret=$work/turn-secret
start_coturn() {
    local deadline
    [[ -s $turn_secret ]] || (umask 077 && head -c 18 /dev/urandom | base64 >"$turn_secret")
    lab_bg pub "$work/case$case-coturn.out" turnserver -n --no-cli --listening-ip "$LAB_SERVER4_ALT" \
        --relay-ip "$LAB_SERVER4_ALT" --listening-port "$coturn_port" --use-auth-secret \
        --static-auth-secret "$(cat "$turn_secret")" --realm sala --no-tls --no-dtls --fingerprint \
        --no-multicast-peers --denied-peer-ip=0.0.0.0-255.255.255.255 \
        --allowed-peer-ip=203.0.113.0-203.0.113.255 --userdb "$work/case$case-turndb" \
        --verbose --log-file "$work/case$case-coturn.log" --simple-log --pidfile "$work/case$case-coturn.pid"
    deadline=$((SECONDS + 10))
    until lab_exec pub timeout 1 turnutils_stunclient -p "$coturn_port" "$LAB_SERVER4_ALT" 2>/dev/null | grep -q reflexive; do
        ((SECONDS < deadline)) || lab_die "coturn did not answer STUN: $(tail -5 "$work/case$case-coturn.out")"
    done
}

run_case() {
    local name expect pre="$work/case$case"
    relay_ok="" # set by coturn_verdict (cases 7a and 7b)
    case $case in
        1) name="both behind home routers" expect=direct ;;
        2) name="both behind symmetric NATs" expect=relayed ;;
        3) name="alice symmetric, bob home router" expect=any ;;
        4) name="both behind one home router" expect=direct ;;
        5) name="alice behind a UDP-blocking router" expect=relayed-tcp ;;
        6) name="home routers, ra's mappings lost mid-call" expect=resumes ;;
        7a) name="both symmetric, coturn relays" expect=relayed ;;
        7b) name="alice UDP-blocked, coturn relays (TCP)" expect=relayed-tcp ;;
        8) name="IPv6 on both LANs, symmetric IPv4 NATs" expect=direct ;;
        *) lab_die "no case $case (1 to 8, 7a, 7b)" ;;
    esac
    echo "case $case: $name (want: $expect)"
    # The NAT cases are IPv4 only on the LANs: with global IPv6 addresses behind the routers, ICE
    # finds a direct IPv6 pair and no NAT is in the way (case 8 shows that).
    if [[ $case == 8 ]]; then LAB_LAN_IPV6=1; else LAB_LAN_IPV6=0; fi
    new_lab "c$case"
    case $case in
        1 | 6) two_routers home home ;;
        2 | 7a | 8) two_routers symmetric symmetric ;;
        3) two_routers symmetric home ;;
        4)
            lab_router ra home
            lab_host alice ra
            lab_host bob ra
            ;;
        5 | 7b) two_routers udp_blocked home ;;
    esac
    lab_wait_links 5 || lab_die "links did not come up"
    lab_describe | sed 's/^/ /'
    if [[ $case == 7? ]]; then
        start_coturn
        start_server coturn
    else
        start_server
    fi
    local r
    for r in ra rb; do [[ -n ${LAB_INDEX[$r]:-} ]] && capture "$r"; done
    if [[ $case == 6 ]]; then
        local how f
        # remap and remap_callee last: they kill a TCP connection (the client resumes its session
        # on a new one). remap_callee remaps bob's router (rb), the callee's, whose side does not
        # restart ICE on silence: its resumed session does. Each remap leaves the remapped user a
        # TURN allocation it cannot reach (until it expires), and a user may hold two: so alice's
        # router is remapped twice at most.
        local router mode
        for how in flush remap_udp remap_callee remap; do
            echo " ${how}:"
            router=ra mode=$how
            if [[ $how == remap_callee ]]; then router=rb mode=remap; fi
            call alice bob 12 long "$router" 4 "$mode"
            # The whole call (for information), then only what follows the loss by 3 s (from 7 s).
            judge "6 $how: whole call" "$expect" "$work/alice_long.wav" "$pre-bob_heard.wav" "$work/bob_long.wav" \
                "$pre-alice_heard.wav" info
            for f in alice_long bob_long; do sox "$work/$f.wav" "$pre-$f-tail.wav" trim 7; done
            for f in alice_heard bob_heard; do
                rm -f "$pre-$f-tail.wav"
                if [[ -f $pre-$f.wav ]]; then sox "$pre-$f.wav" "$pre-$f-tail.wav" trim 7 2>/dev/null || true; fi
            done
            judge "6 $how: from 3 s after it" "$expect" "$pre-alice_long-tail.wav" "$pre-bob_heard-tail.wav" \
                "$pre-bob_long-tail.wav" "$pre-alice_heard-tail.wav"
            for f in alice.log bob.log alice_heard.wav bob_heard.wav; do
                if [[ -f $pre-$f ]]; then mv "$pre-$f" "$pre-$how-$f"; fi
            done
        done
    else
        call alice bob 8 short
        [[ $case == 7? ]] && coturn_verdict
        judge "$name" "$expect" "$work/alice_short.wav" "$pre-bob_heard.wav" "$work/bob_short.wav" "$pre-alice_heard.wav"
    fi
    lab_teardown
    trap cleanup EXIT
}

runs=()
for c in "${cases[@]}"; do
    if [[ $c == 7 ]]; then runs+=(7a 7b); else runs+=("$c"); fi
done
for case in "${runs[@]}"; do run_case; done

echo
echo "summary (similarity > $threshold each way = audio flowed; media_path: the last path ICE reported on each side)"
printf '%-4s %-40s %-12s %-6s %-6s %-12s %s\n' case topology want 'a->b' 'b->a' media_path result
printf '%s\n' "${summary[@]}"
exit "$failed"
