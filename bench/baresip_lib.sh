# shellcheck shell=bash
# Shared by the bench scripts that drive baresip 1.0.0 (Debian baresip-core), source it: two
# instances on 127.0.0.1 with their own config dirs and no registrar, alice dials bob, bob
# auto-answers (bench/sip_client_cpu.sh, bench/baresip_device_latency.sh).
baresip_modules=/usr/lib/baresip/modules

# baresip_ports: sets a_port and b_port, two free SIP ports (baresip listens UDP+TCP on PORT
# and TLS on PORT+1).
baresip_ports() {
  local in_use port
  in_use=$(ss -Hatun | awk '{ n = split($5, a, ":"); print a[n] }' | sort -u)
  a_port='' b_port=''
  for port in $(shuf -i 20000-29990 -n 50); do
    grep -qxE "$port|$((port + 1))" <<<"$in_use" && continue
    in_use+=$'\n'"$port"$'\n'"$((port + 1))"
    if [[ -z $a_port ]]; then a_port=$port; else b_port=$port; return 0; fi
  done
  echo "no free SIP port found" >&2; exit 1
}

# baresip_config DIR PORT SOURCE PLAYER AUDIO_BUFFER JITTER_BUFFER MODULE...: DIR/config, the
# template baresip writes into an empty dir changed only to run headless on loopback:
# sip_listen + net_interface 127.0.0.1 (two instances, SDP on lo), SOURCE and PLAYER (e.g.
# aufile,FILE or alsa,pulse) instead of alsa,default, the ring tone to aubridge,nowhere,
# modules opus.so (missing from this build's template), g711.so and MODULE... (the source's and
# player's), stdio (fails without a tty), stun/turn/ice and the unused app modules left out;
# opus_stereo/opus_sprop_stereo no for mono; rtp_stats yes (only prints at hangup). The
# template's own values: audio_buffer 20-160 (ms), jitter_buffer_delay 5-10 (frames), the other
# audio/RTP lines and opus_bitrate 28000.
baresip_config() {
  local dir=$1 port=$2 source=$3 player=$4 audio_buffer=$5 jitter_buffer=$6 module
  shift 6
  mkdir -p "$dir"
  {
    cat <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$port
net_interface		127.0.0.1
call_local_timeout	120
call_max_calls		4
audio_player		$player
audio_source		$source
audio_alert		aubridge,nowhere
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
audio_buffer		$audio_buffer
rtp_tos			184
rtcp_mux		no
jitter_buffer_delay	$jitter_buffer
rtp_stats		yes
module_path		$baresip_modules
module			opus.so
module			g711.so
EOF
    for module in "$@"; do printf 'module\t\t\t%s\n' "$module"; done
    cat <<EOF
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
opus_bitrate		28000
opus_stereo		no
opus_sprop_stereo	no
EOF
  } >"$dir/config"
}

# baresip_accounts ALICE_DIR BOB_DIR: alice's and bob's accounts (ports a_port, b_port), 20 ms
# ptime, no registration, bob answers by himself.
baresip_accounts() {
  echo "<sip:alice@127.0.0.1:$a_port>;regint=0;ptime=20" >"$1/accounts"
  echo "<sip:bob@127.0.0.1:$b_port>;regint=0;ptime=20;answermode=auto" >"$2/accounts"
}

# baresip_wait_for FILE PATTERN PID: up to 10 s, failing if that process is gone.
baresip_wait_for() {
  for _ in $(seq 200); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "process $3 exited early; log $1:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.05
  done
  echo "timeout waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

# baresip_check_opus LOG...: every baresip log shows Opus mono chosen.
baresip_check_opus() {
  local log
  for log in "$@"; do
    grep -q 'Set audio encoder: opus 48000Hz 1ch' "$log" || { echo "not Opus mono:" >&2; cat "$log" >&2; exit 1; }
  done
}
