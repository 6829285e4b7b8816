# shellcheck shell=bash
# The NAT lab: network namespaces joined by veth pairs, NAT routers made with nftables.
# A bash library: source it, call lab_init, build a topology, run programs, and the EXIT
# trap tears everything down (lab_teardown). Needs root and `ip netns`; lab_init exits 77
# (the CTest skip code) with a message where namespaces cannot be made.
#
# Layout (every address from the documentation ranges, every link inside the lab's own
# namespaces; the host's namespace, routes and firewall are never touched):
#
#   pub        bridge br0: 203.0.113.1 and .2, 2001:db8::1 and ::2 (the servers bind these)
#              forwards IPv6 between the routers' LANs (routes 2001:db8:K::/64 via router K)
#   router K   wan 203.0.113.(10+K)/24, 2001:db8::(10+K)/64 (K = 1, 2, ... in creation order)
#              bridge lan: LAN K = 192.0.2.0/26, .64/26, .128/26, .192/26 for K = 1..4,
#              then 198.51.100.0/26 ... for K = 5..8; the router is .1 of its LAN;
#              IPv6 2001:db8:K::1/64, routed with no NAT
#   host M     behind router K: eth0 = LAN base + 10 + M, 2001:db8:K::(10+M)
#              on the public side (router "pub"): 203.0.113.(100+M), 2001:db8::(100+M)
#
# Router kinds (nft rules inside the router):
#   home         masquerade (port-preserving, endpoint-independent mapping) and new inbound
#                packets dropped before conntrack confirms them (address-and-port-dependent
#                filtering); without that drop an unsolicited packet that arrives first takes
#                the port and the inside host's later flow gets another one
#   symmetric    masquerade random,fully-random: a new random port per destination
#   udp_blocked  home, and every forwarded UDP datagram dropped (IPv4 and IPv6): TCP only
#
# Namespaces are named salalab-<pid of the shell>-<name>, so parallel runs and leftovers never
# collide. `tests/lab/lab.sh clean` removes leftovers of runs whose shell is gone.

LAB_PREFIX=""
LAB_NAMESPACES=()     # every namespace made, in order
LAB_PIDS=()           # every background process started with lab_bg
LAB_LAST_PID=""
LAB_ROUTERS=0
LAB_PUB_HOSTS=0
declare -gA LAB_V4=() LAB_V6=() LAB_KIND=() LAB_INDEX=() LAB_HOSTS=() LAB_GATEWAY=()

LAB_SERVER4=203.0.113.1
# 1: hosts behind routers get global IPv6 addresses too (routed, no NAT); 0: their LANs are IPv4 only.
LAB_LAN_IPV6=${LAB_LAN_IPV6:-1}
LAB_SERVER4_ALT=203.0.113.2
LAB_SERVER6=2001:db8::1
LAB_SERVER6_ALT=2001:db8::2

lab_log() { echo "lab: $*" >&2; }
lab_die() {
    echo "lab: error: $*" >&2
    exit 1
}

# lab_ns NAME: the real namespace name of a lab node.
lab_ns() { echo "${LAB_PREFIX}-$1"; }

# lab_init [TAG]: check that namespaces can be made (else exit 77), set the EXIT trap, make
# pub. Call it again after lab_teardown for a fresh lab (TAG keeps the names apart in logs).
lab_init() {
    local why=""
    LAB_NAMESPACES=() LAB_PIDS=() LAB_LAST_PID="" LAB_ROUTERS=0 LAB_PUB_HOSTS=0
    LAB_V4=() LAB_V6=() LAB_KIND=() LAB_INDEX=() LAB_HOSTS=() LAB_GATEWAY=()
    if [[ $(id -u) -ne 0 ]]; then
        why="not root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)"
    elif ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
        why="no 'ip netns' (package iproute2)"
    fi
    LAB_PREFIX="salalab-$$${1:+-$1}"
    if [[ -z "$why" ]] && ! ip netns add "$LAB_PREFIX-probe" 2>/dev/null; then
        why="cannot make a network namespace here (ip netns add failed)"
    fi
    if [[ -n "$why" ]]; then
        echo "SKIP: NAT lab: $why" >&2
        exit 77
    fi
    ip netns del "$LAB_PREFIX-probe"
    local tool
    for tool in nft conntrack; do
        command -v "$tool" >/dev/null || lab_die "'$tool' is missing: run tools/install-deps test"
    done
    trap lab_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    lab_make_public
}

# lab_new_ns NAME: an empty namespace with lo up; no DAD, so IPv6 addresses work at once.
lab_new_ns() {
    local ns
    ns=$(lab_ns "$1")
    ip netns add "$ns" || lab_die "ip netns add $ns failed"
    LAB_NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

lab_make_public() {
    local ns
    lab_new_ns pub
    ns=$(lab_ns pub)
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip -n "$ns" link add br0 type bridge
    ip -n "$ns" addr add "$LAB_SERVER4/24" dev br0
    ip -n "$ns" addr add "$LAB_SERVER4_ALT/24" dev br0
    ip -n "$ns" addr add "$LAB_SERVER6/64" dev br0 nodad
    ip -n "$ns" addr add "$LAB_SERVER6_ALT/64" dev br0 nodad
    ip -n "$ns" link set br0 up
    LAB_V4[pub]=$LAB_SERVER4
    LAB_V6[pub]=$LAB_SERVER6
    LAB_KIND[pub]=public
}

# lab_lan4_base K: first address of router K's IPv4 LAN (a /26), as "A.B.C" and the last octet.
lab_lan4_base() {
    local k=$1
    if ((k >= 1 && k <= 4)); then
        echo "192.0.2 $((64 * (k - 1)))"
    elif ((k >= 5 && k <= 8)); then
        echo "198.51.100 $((64 * (k - 5)))"
    else
        lab_die "at most 8 routers"
    fi
}

# lab_router NAME KIND: a router whose WAN side is on pub's bridge; KIND home, symmetric or
# udp_blocked.
lab_router() {
    local name=$1 kind=$2 k ns pub net base
    case "$kind" in home | symmetric | udp_blocked) ;; *) lab_die "unknown router kind '$kind'" ;; esac
    k=$((++LAB_ROUTERS))
    lab_new_ns "$name"
    ns=$(lab_ns "$name")
    pub=$(lab_ns pub)
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    ip -n "$pub" link add "r$k" type veth peer name wan netns "$ns"
    ip -n "$pub" link set "r$k" master br0 up
    ip -n "$ns" addr add "203.0.113.$((10 + k))/24" dev wan
    ip -n "$ns" addr add "2001:db8::$((10 + k))/64" dev wan nodad
    ip -n "$ns" link set wan up
    ip -n "$ns" route add default via "$LAB_SERVER4"
    ip -n "$ns" -6 route add default via "$LAB_SERVER6"
    read -r net base < <(lab_lan4_base "$k")
    ip -n "$ns" link add lan type bridge
    ip -n "$ns" addr add "$net.$((base + 1))/26" dev lan
    if ((LAB_LAN_IPV6)); then
        ip -n "$ns" addr add "2001:db8:$k::1/64" dev lan nodad
        ip -n "$pub" -6 route add "2001:db8:$k::/64" via "2001:db8::$((10 + k))"
    fi
    ip -n "$ns" link set lan up
    LAB_V4[$name]="203.0.113.$((10 + k))"
    LAB_V6[$name]="2001:db8::$((10 + k))"
    LAB_KIND[$name]=$kind
    LAB_INDEX[$name]=$k
    LAB_HOSTS[$name]=0
    lab_router_rules "$kind" | ip netns exec "$ns" nft -f - || lab_die "nft rules for $name ($kind) failed"
}

lab_router_rules() {
    local masquerade="masquerade"
    [[ $1 == symmetric ]] && masquerade="masquerade random,fully-random"
    cat <<EOF
table ip lab_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan" $masquerade
    }
}
table ip lab_guard {
    chain prerouting {
        type filter hook prerouting priority -150; policy accept;
        iifname "wan" ct state new drop
    }
}
EOF
    if [[ $1 == udp_blocked ]]; then
        cat <<EOF
table inet lab_block {
    chain forward {
        type filter hook forward priority filter; policy accept;
        meta l4proto udp drop
    }
}
EOF
    fi
}

# lab_host NAME ROUTER: a host on ROUTER's LAN (ROUTER "pub": on the public side, no NAT).
lab_host() {
    local name=$1 router=$2 ns rns m k net base
    [[ $router == pub || -n "${LAB_INDEX[$router]:-}" ]] || lab_die "no router '$router'"
    lab_new_ns "$name"
    ns=$(lab_ns "$name")
    rns=$(lab_ns "$router")
    if [[ $router == pub ]]; then
        m=$((++LAB_PUB_HOSTS))
        ip -n "$rns" link add "p$m" type veth peer name eth0 netns "$ns"
        ip -n "$rns" link set "p$m" master br0 up
        LAB_V4[$name]="203.0.113.$((100 + m))"
        LAB_V6[$name]="2001:db8::$((100 + m))"
        ip -n "$ns" addr add "${LAB_V4[$name]}/24" dev eth0
        ip -n "$ns" addr add "${LAB_V6[$name]}/64" dev eth0 nodad
        ip -n "$ns" link set eth0 up
        LAB_GATEWAY[$name]=pub
    else
        k=${LAB_INDEX[$router]}
        m=$((++LAB_HOSTS[$router]))
        read -r net base < <(lab_lan4_base "$k")
        ip -n "$rns" link add "h$m" type veth peer name eth0 netns "$ns"
        ip -n "$rns" link set "h$m" master lan up
        LAB_V4[$name]="$net.$((base + 10 + m))"
        LAB_V6[$name]="2001:db8:$k::$((10 + m))"
        ip -n "$ns" addr add "${LAB_V4[$name]}/26" dev eth0
        ((LAB_LAN_IPV6)) && ip -n "$ns" addr add "${LAB_V6[$name]}/64" dev eth0 nodad
        ((LAB_LAN_IPV6)) || LAB_V6[$name]="-"
        ip -n "$ns" link set eth0 up
        ip -n "$ns" route add default via "$net.$((base + 1))"
        ((LAB_LAN_IPV6)) && ip -n "$ns" -6 route add default via "2001:db8:$k::1"
        LAB_GATEWAY[$name]=$router
    fi
    LAB_KIND[$name]=host
}

# lab_wait_links [SECONDS]: wait (default 5 s) until no namespace has an IPv6 address still
# tentative and every link is up, so the first packets are not lost to neighbour discovery.
lab_wait_links() {
    local deadline=$((SECONDS + ${1:-5})) ns busy
    while :; do
        busy=""
        for ns in "${LAB_NAMESPACES[@]}"; do
            if [[ -n $(ip -n "$ns" -6 addr show tentative 2>/dev/null) ]] ||
                ip -n "$ns" -o link show 2>/dev/null | grep -v 'lo:' | grep -q 'state DOWN\|LOWERLAYERDOWN'; then
                busy=$ns
                break
            fi
        done
        [[ -z $busy ]] && return 0
        ((SECONDS >= deadline)) && {
            lab_log "links in $busy not ready after ${1:-5} s"
            return 1
        }
        sleep 0.1
    done
}

# lab_exec NAME CMD...: run CMD in NAME's namespace, in the foreground.
lab_exec() {
    local ns
    ns=$(lab_ns "$1")
    shift
    ip netns exec "$ns" "$@"
}

# lab_bg NAME LOG CMD...: run CMD in NAME's namespace in the background, stdout and stderr to
# LOG; its PID is remembered for teardown and left in LAB_LAST_PID. (`ip netns exec` execs the
# command, so the PID is the command's own.) Call it directly, not in $(...).
lab_bg() {
    local ns log=$2
    ns=$(lab_ns "$1")
    shift 2
    ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
    LAB_LAST_PID=$!
    LAB_PIDS+=("$LAB_LAST_PID")
}

# lab_stop PID...: SIGTERM, up to 3 s, then SIGKILL; reaps the processes.
lab_stop() {
    local pid deadline
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + 3))
    for pid in "$@"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# lab_wait_for FILE REGEX SECONDS: wait until FILE holds a line matching REGEX (grep -E).
lab_wait_for() {
    local file=$1 regex=$2 deadline=$((SECONDS + $3))
    until grep -qE -- "$regex" "$file" 2>/dev/null; do
        ((SECONDS >= deadline)) && return 1
        sleep 0.05
    done
}

# lab_flush ROUTER: forget every NAT mapping of ROUTER (conntrack -F in its namespace).
lab_flush() {
    lab_exec "$1" conntrack -F 2>/dev/null
}

# lab_remap ROUTER [PORTS]: the router starts mapping to other ports (default 20000-29999:
# the first free one, still endpoint-independent), as after a reboot, and forgets every
# mapping it had: a flow's public port changes mid-stream.
lab_remap() {
    lab_exec "$1" nft flush chain ip lab_nat postrouting
    lab_exec "$1" nft add rule ip lab_nat postrouting oifname wan meta l4proto { tcp, udp } masquerade to ":${2:-20000-29999}"
    lab_flush "$1"
}

# lab_remap_udp ROUTER [PORTS]: as lab_remap, for UDP only: the router forgets its UDP mappings
# and gives new ones from PORTS, while TCP connections (the directory's) live on. What a home
# router does when a UDP mapping times out while the TCP connection is kept alive.
lab_remap_udp() {
    lab_exec "$1" nft flush chain ip lab_nat postrouting
    lab_exec "$1" nft add rule ip lab_nat postrouting oifname wan meta l4proto udp masquerade to ":${2:-20000-29999}"
    lab_exec "$1" nft add rule ip lab_nat postrouting oifname wan masquerade
    lab_exec "$1" conntrack -D -p udp >/dev/null 2>&1 || true
}

# lab_teardown: stop every process started here, then every process left in the lab's
# namespaces (by PID), then delete the namespaces (their veth pairs go with them).
lab_teardown() {
    local ns pids
    trap - EXIT INT TERM
    ((${#LAB_PIDS[@]})) && lab_stop "${LAB_PIDS[@]}"
    LAB_PIDS=()
    for ns in "${LAB_NAMESPACES[@]}"; do
        pids=$(ip netns pids "$ns" 2>/dev/null)
        if [[ -n $pids ]]; then
            # shellcheck disable=SC2086
            lab_stop $pids
        fi
    done
    for ((i = ${#LAB_NAMESPACES[@]} - 1; i >= 0; i--)); do
        ip netns del "${LAB_NAMESPACES[$i]}" 2>/dev/null || true
    done
    LAB_NAMESPACES=()
}

# lab_clean_stale: delete namespaces of earlier runs whose shell no longer exists.
lab_clean_stale() {
    local ns pid pids
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^salalab-[0-9]+-'); do
        pid=${ns#salalab-}
        pid=${pid%%-*}
        kill -0 "$pid" 2>/dev/null && continue
        pids=$(ip netns pids "$ns" 2>/dev/null)
        # shellcheck disable=SC2086
        [[ -n $pids ]] && lab_stop $pids
        ip netns del "$ns" && echo "removed $ns"
    done
}

# lab_describe: one line per node with its addresses (for logs).
lab_describe() {
    local name
    for name in "${!LAB_KIND[@]}"; do
        printf '  %-10s %-12s %-16s %s%s\n' "$name" "${LAB_KIND[$name]}" "${LAB_V4[$name]}" "${LAB_V6[$name]}" \
            "${LAB_GATEWAY[$name]:+ (behind ${LAB_GATEWAY[$name]})}"
    done | sort
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    case "${1:-}" in
        clean) lab_clean_stale ;;
        *)
            echo "usage: tests/lab/lab.sh clean   (remove namespaces left by runs that died)" >&2
            echo "       source tests/lab/lab.sh   (the library; see its header)" >&2
            exit 2
            ;;
    esac
fi
