# Helpers for the window tests: real processes, waits with deadlines, clicks by control name.
# Sourced by each scenario, which runs inside xvfb-run (see run_in_xvfb). Every process started
# here is stopped by PID on exit.
set -euo pipefail

bin=$1        # the build's bin directory
artifacts=$2  # screenshots and logs are kept here
work=$artifacts/$(basename "$0" .sh)
rm -rf "$work" "$artifacts/$(basename "$0" .sh)"-*.png
mkdir -p "$work"
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
# A command that fails outside a test (set -e) or a signal says so, instead of ending the
# scenario without a word.
set -E
trap 'echo "FAIL: line $LINENO: \"$BASH_COMMAND\" exited with status $?" >&2' ERR
for signal in HUP INT TERM PIPE; do trap "echo 'FAIL: the scenario got SIG$signal' >&2; exit 1" "$signal"; done

fail() {
    echo "FAIL: $*" >&2
    shot failure || true
    for f in "$work"/*.out "$work"/*.err; do [[ -s $f ]] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2
    exit 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || fail "no $what within ${seconds}s"
        sleep 0.1
    done
}

# has FILE PATTERN: a line of FILE matches the extended regular expression.
has() { grep -Eq -- "$2" "$1"; }
# has_text FILE TEXT: a line of FILE contains TEXT as it is (fingerprints hold + and /).
has_text() { grep -qF -- "$2" "$1"; }
# has_times FILE PATTERN N: at least N lines of FILE match.
has_times() { (($(grep -Ec -- "$2" "$1") >= $3)); }

# start_server [DATA_DIR [PORT]]: a sala-server on 127.0.0.1; sets server (host:port), port,
# server_pid and fingerprint (its TLS certificate's, from its log).
start_server() {
    # Emptied here, not by the redirection below: that happens in the background child, and a
    # check that ran before it saw the last server's "listening on" (gui.server_trust in CI).
    : >"$work/server.out"
    : >"$work/server.err"
    "$bin/sala-server" --bind 127.0.0.1 --port "${2:-0}" --data-dir "$work/${1:-server-data}" >"$work/server.out" \
        2>"$work/server.err" &
    server_pid=$!
    pids+=($server_pid)
    wait_for 10 "server port" has "$work/server.out" '^listening on .*:[0-9]+$'
    port=$(sed -n '1s/.*://p' "$work/server.out")
    server=127.0.0.1:$port
    fingerprint=$(grep -o 'certificate fingerprint SHA256:[A-Za-z0-9+/]*' "$work/server.err" | cut -d' ' -f3)
    [[ -n $fingerprint ]] || fail "no certificate fingerprint in the server's log"
}

# start_peer NAME [sala-cli options...]: a sala-cli peer reading commands from the fifo
# $work/NAME.in (write with: peer_says NAME COMMAND); JSON events in $work/NAME.out.
start_peer() {
    local name=$1
    shift
    mkfifo "$work/$name.in"
    "$bin/sala-cli" --server "$server" --name "$name" --config-dir "$work/peer-$name" --json --audio-in tone:440 \
        --audio-out null "$@" \
        <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    # Hold the fifo open so the peer never sees end of input.
    eval "exec {fd_$name}>\"$work/$name.in\""
    wait_for 10 "registration of $name" has "$work/$name.out" '"event":"registered"'
}
peer_says() { local fd="fd_$1"; echo "$2" >&"${!fd}"; }

# start_sala [options...]: the window, settings isolated in $work/config; its events in
# $work/sala.out and the positions of its controls in $work/ui.map.
start_sala() {
    : >"$work/sala.out"
    : >"$work/sala.err"
    rm -f "$work/ui.map"
    "$bin/sala" --config-dir "$work/config" --log-stdout --ui-map "$work/ui.map" \
        --audio-in tone:660 --audio-out null "$@" >"$work/sala.out" 2>"$work/sala.err" &
    sala_pid=$!
    pids+=($sala_pid)
    wid=$(timeout 15 xdotool search --sync --onlyvisible --name '^Sala$' | head -n 1) || fail "no sala window"
    wait_for 10 "first frame" test -s "$work/ui.map"
}

# start_alice_and_bob [sala-cli options...]: a server, a sala-cli peer bob, and the window
# registered as alice, each in the other's list.
start_alice_and_bob() {
    start_server
    start_peer bob "$@"
    start_sala --server "$server" --name alice --trust-server "$fingerprint"
    wait_for 10 "registration" has "$work/sala.out" "^registered as alice on $server"
    wait_for 10 "alice in bob's list" has "$work/bob.out" '"event":"user_joined","name":"alice"'
}

# control NAME: prints "X Y enabled|disabled" of a control drawn in the last frame.
control() { awk -v n="$1" '$1 == n { print $2, $3, $4; found = 1 } END { exit !found }' "$work/ui.map"; }
enabled() { [[ $(control "$1" | cut -d' ' -f3) == enabled ]]; }

# click NAME: waits until the control is drawn and enabled, then clicks its centre.
click() {
    wait_for 10 "enabled control '$1'" enabled "$1"
    local x y
    read -r x y _ < <(control "$1")
    xdotool mousemove --window "$wid" "$x" "$y" click 1
}

# press KEY...: holds the keys down for a moment, like a finger: ImGui 1.86 reads keys once
# per frame and misses a press and release that arrive together (as 'xdotool key' sends them).
press() {
    xdotool keydown --window "$wid" "$@"
    sleep 0.1
    xdotool keyup --window "$wid" "$@"
}

# type_into NAME TEXT: replaces the text of an input field.
type_into() {
    click "$1"
    sleep 0.1
    press ctrl+a
    press BackSpace
    xdotool type --window "$wid" --delay 20 "$2"
}

shot() {
    xwd -root -silent | /usr/bin/convert xwd:- "$artifacts/$(basename "$0" .sh)-$1.png"
    echo "screenshot: $artifacts/$(basename "$0" .sh)-$1.png"
}

# close_sala: asks the window to close (SIGTERM closes it like its close button) and waits.
close_sala() {
    kill -TERM "$sala_pid"
    local deadline=$((SECONDS + 5))
    while kill -0 "$sala_pid" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "sala did not close within 5s"
        sleep 0.1
    done
    wait "$sala_pid" || fail "sala exited with status $?"
}
