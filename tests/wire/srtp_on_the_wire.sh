#!/usr/bin/env bash
# The proof on the wire (issue 12): a call between two real sala-cli on loopback, captured with
# tshark. The signalling (the server's TCP port) is a TLS handshake per client and then records
# in which no message, name or call id can be read; the media is ciphertext to a plain RTP/Opus
# receiver, and GStreamer's srtpdec decodes the speech with the keys from SALA_SRTP_KEYLOG. Both
# decodes are scored against what alice said with sala-audio-compare.
# Usage: srtp_on_the_wire.sh [BUILD_BIN] [KEEP_DIR]
# Exit 0 when all of that holds; 77 (a CTest skip) when not root or a tool is missing; 1 otherwise.
set -uo pipefail
bin=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
keep=${2:-}
skip() { echo "srtp_on_the_wire: skipped: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "tshark captures on lo as root only"
for tool in tshark gst-launch-1.0 gst-inspect-1.0 espeak-ng python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
gst-inspect-1.0 srtpdec >/dev/null 2>&1 || skip "GStreamer's srtpdec (gstreamer1.0-plugins-bad) is not installed"
gst-inspect-1.0 pcapparse >/dev/null 2>&1 || skip "GStreamer's pcapparse (gstreamer1.0-plugins-bad) is not installed"

work=$(mktemp -d /tmp/sala-wire.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ -n "$keep" ]]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "srtp_on_the_wire: FAILED: $*"; exit 1; }
wait_for() {  # FILE PATTERN SECONDS
  for ((i = 0; i < $3 * 10; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

espeak-ng -v en+m3 -w "$work/says.wav" "The quick brown fox jumps over the lazy dog, then runs far away into the forest." ||
  fail "espeak-ng"
"$bin/sala-server" --port 0 --data-dir "$work/server-data" >"$work/server.out" 2>"$work/server.err" & pids+=($!)
wait_for "$work/server.out" "listening on" 5 || fail "sala-server did not start"
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")

# Only the media: every UDP datagram on lo except the server's STUN/TURN port.
tshark -i lo -F pcap -w "$work/call.pcap" -f "udp and not port $port" >"$work/tshark.out" 2>"$work/tshark.err" & pids+=($!)
tshark_pid=$!
wait_for "$work/tshark.err" "Capturing on" 10 || fail "tshark did not start: $(cat "$work/tshark.err")"
# And the signalling: the server's TCP port.
tshark -i lo -F pcap -w "$work/signalling.pcap" -f "tcp port $port" >"$work/tshark-tcp.out" 2>"$work/tshark-tcp.err" & pids+=($!)
tshark_tcp_pid=$!
wait_for "$work/tshark-tcp.err" "Capturing on" 10 || fail "tshark did not start: $(cat "$work/tshark-tcp.err")"

common=(--server "127.0.0.1:$port" --json --ice off)
"$bin/sala-cli" "${common[@]}" --name bob --answer accept --calls 1 --audio-in silence --audio-out null \
  --config-dir "$work/bob" >"$work/bob.out" 2>"$work/bob.err" & pids+=($!)
bob_pid=$!
wait_for "$work/bob.out" '"registered"' 5 || fail "bob did not register"
SALA_SRTP_KEYLOG="$work/keys.log" "$bin/sala-cli" "${common[@]}" --name alice --call bob --duration 6 --audio-in "$work/says.wav" --audio-out null \
  --config-dir "$work/alice" >"$work/alice.out" 2>"$work/alice.err" || fail "alice's call: $(cat "$work/alice.err")"
wait "$bob_pid" || fail "bob: $(cat "$work/bob.err")"
sleep 0.5  # tshark writes what it has seen
kill -INT "$tshark_pid" "$tshark_tcp_pid"; wait "$tshark_pid" "$tshark_tcp_pid" 2>/dev/null

# The signalling: a TLS 1.3 handshake from each client, then nothing readable.
echo "signalling on tcp port $port, the handshakes as tshark reads them:"
tshark -r "$work/signalling.pcap" -d "tcp.port==$port,tls" -Y "tls.handshake.type == 1 || tls.handshake.type == 2" \
  -T fields -E separator=' ' -e frame.number -e tcp.srcport -e tcp.dstport -e _ws.col.Info \
  -e tls.handshake.extensions.supported_version 2>/dev/null | tee "$work/handshakes.txt"
hellos=$(tshark -r "$work/signalling.pcap" -d "tcp.port==$port,tls" -Y "tls.handshake.type == 1" 2>/dev/null | wc -l)
servers=$(tshark -r "$work/signalling.pcap" -d "tcp.port==$port,tls" -Y "tls.handshake.type == 2 && tls.handshake.extensions.supported_version == 0x0304" 2>/dev/null | wc -l)
((hellos >= 2 && servers >= 2)) || fail "expected a TLS 1.3 handshake per client, saw $hellos ClientHello and $servers TLS 1.3 ServerHello"
tshark -r "$work/signalling.pcap" -T fields -e tcp.payload 2>/dev/null | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().replace(":", "").replace("\n", "")))' >"$work/signalling.bytes"
echo "signalling: $(stat -c %s "$work/signalling.bytes") bytes of TCP payload"
(($(stat -c %s "$work/signalling.bytes") > 2000)) || fail "too little signalling captured to judge"
for readable in '"type"' 'hello' 'welcome' 'alice' 'call_started' "$(grep -o '"call_id":"[0-9a-f]*"' "$work/alice.out" | head -1 | cut -d'"' -f4)"; do
  ! grep -qaF -- "$readable" "$work/signalling.bytes" || fail "'$readable' can be read in the signalling"
done
echo "signalling: no message type, name or call id readable in it"

read -r alice_port bob_port call_id < <(python3 - "$work" <<'PY'
import json, sys
def started(name):
    for line in open(f"{sys.argv[1]}/{name}.out"):
        e = json.loads(line)
        if e.get("event") == "call_started": return e
a, b = started("alice"), started("bob")
print(b["media"]["port"], a["media"]["port"], a["call_id"])
PY
)
grep -q "key_logged" "$work/alice.out" || fail "alice did not say that the key log makes the call not private"
line=$(grep "call_id=$call_id .*direction=send" "$work/keys.log" | head -1)
[[ -n "$line" ]] || fail "no send line in the key log"
ssrc=$(sed 's/.* ssrc=\([0-9]*\) .*/\1/' <<<"$line")
key=$(sed 's/.* key=\([0-9a-f]*\)$/\1/' <<<"$line")
echo "key log: $line" | sed 's/key=.*/key=(60 hex digits)/'
echo "capture: $(tshark -r "$work/call.pcap" -q -z io,stat,0 2>/dev/null | grep -E '^\| *0' | tr -s ' ') (all UDP, both ways)"

rtp_caps="application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111"
srtp_caps="application/x-srtp,payload=(int)111,ssrc=(uint)$ssrc,srtp-key=(buffer)$key,srtp-cipher=(string)aes-128-icm"
srtp_caps+=",srtp-auth=(string)hmac-sha1-80,srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80"
# GStreamer reads the captured datagrams from a udpsrc, replayed from the pcap file in order
# (srtpdec 1.22 fed by pcapparse's sub-buffers corrupts its buffers' refcounts and stops after a
# second). srtpdec hands the multiplexed SRTCP to its rtcp_src, which a fakesink takes.
decode() {  # OUT.wav CAPS ELEMENTS... (and more branches in the array "branch")
  local out=$1 caps=$2 replay_port
  shift 2
  replay_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  gst-launch-1.0 -q -e udpsrc address=127.0.0.1 port="$replay_port" caps="$caps" "$@" ! rtpopusdepay ! opusdec \
    ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! wavenc ! filesink location="$out" \
    "${branch[@]}" >"$out.log" 2>&1 &
  local gst=$!
  sleep 1
  python3 - "$work/call.pcap" "$alice_port" "$bob_port" "$replay_port" <<'PY'
import socket, struct, sys, time
data = open(sys.argv[1], "rb").read()
src, dst, port = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
link = {1: 14, 113: 16, 276: 20, 0: 4}[struct.unpack("<I", data[20:24])[0]]
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
at = 24
while at + 16 <= len(data):
    size = struct.unpack("<I", data[at + 8:at + 12])[0]
    ip = data[at + 16 + link:at + 16 + size]
    at += 16 + size
    udp = ip[(ip[0] & 15) * 4:]
    if ip[9] == 17 and struct.unpack(">HH", udp[:4]) == (src, dst):
        out.sendto(udp[8:], ("127.0.0.1", port))
        time.sleep(0.002)
PY
  sleep 0.5
  # -e: an interrupt sends EOS, so wavenc writes its header; srtpdec does not always pass EOS on
  # to its rtcp_src, so the pipeline is stopped once the file is complete.
  kill -INT "$gst" 2>/dev/null
  for ((i = 0; i < 30; i++)); do kill -0 "$gst" 2>/dev/null || break; sleep 0.1; done
  kill "$gst" 2>/dev/null
  wait "$gst"
}
branch=()
decode "$work/plain.wav" "$rtp_caps"
branch=(srtp.rtcp_src ! fakesink async=false)
decode "$work/srtp.wav" "$srtp_caps" ! srtpdec name=srtp ! "$rtp_caps"
[[ -s "$work/srtp.wav" ]] || fail "srtpdec pipeline: $(cat "$work/srtp.wav.log")"

score() {  # WAV -> "tracked similarity", or "none" when there is no audio to score
  [[ -s "$1" ]] || { echo none; return; }
  "$bin/sala-audio-compare" "$work/says.wav" "$1" --json 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.3f" % r["tracked_similarity"])' 2>/dev/null || echo none
}
plain=$(score "$work/plain.wav")
srtp=$(score "$work/srtp.wav")
echo "plain rtpopusdepay ! opusdec: tracked similarity $plain ($(stat -c %s "$work/plain.wav" 2>/dev/null || echo 0) bytes of WAV)"
echo "srtpdec with the logged key:  tracked similarity $srtp"
python3 -c "import sys; p, s = sys.argv[1:]; sys.exit(0 if (p == 'none' or float(p) < 0.3) and s != 'none' and float(s) > 0.5 else 1)" \
  "$plain" "$srtp" || fail "expected nothing usable in the clear and the speech through srtpdec"
echo "srtp_on_the_wire: ok"
