#!/usr/bin/env bash
# What the call panel reads out during a call: the one-way delay estimate and the quality (MOS),
# once the first round trip is measured; sala-cli's stats carry the same "mos".
source "$(dirname "$0")/lib.sh"

start_alice_and_bob --answer accept
click user:bob
click call
wait_for 10 "call start" has "$work/sala.out" '^call started with bob'
wait_for 10 "the delay readout measuring" control delay_estimate
wait_for 15 "the delay estimate" enabled delay_estimate
enabled quality || fail "no quality readout beside the delay"
wait_for 10 "a stats line with mos" has "$work/bob.out" '"event":"stats".*"mos":[1-4]\.[0-9]+.*"one_way_delay_estimate_ms":[0-9.]+'
sleep 1.2  # the figures shown change once a second
shot 1-delay-and-quality
click hang_up
wait_for 10 "end of the call" has "$work/sala.out" '^call with bob ended'
close_sala
echo "PASS"
