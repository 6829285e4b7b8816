#pragma once
// What a call's figures mean to a listener: an estimate of the one-way delay (mouth to ear) and a
// listening quality on the MOS scale (1 bad .. 4.5 best), by the ITU-T G.107 E-model.

#include "sala/client/snapshot.hpp"

namespace sala::client {

// Opus's own delay at a frame length: the frame and the encoder's 6.5 ms look-ahead.
double codec_delay_ms(int frame_ms);

// One way, from the peer's mouth to our ear, in ms: half the RTCP round trip (the network), our
// jitter buffer, our microphone's and speaker's delays (input_latency_ms + output_latency_ms:
// the peer's devices are not known, so ours stand in for them) and the codec. An estimate; -1
// until the round trip is measured.
double one_way_delay_estimate_ms(const CallStatistics& stats);

// The E-model's R factor turned into a MOS, from the delay estimate, and from the packets lost on
// the network or dropped late by the jitter buffer (jitter counts twice: through the buffer's
// delay and through its late packets). Opus is taken as a codec without impairment of its own
// (Ie 0) and a packet-loss robustness Bpl of 25 (about G.711 with concealment; Opus with FEC
// does better, so this errs low). -1 until the delay is known.
double mos_estimate(const CallStatistics& stats);

// "excellent" (4.3 and up), "good" (4.0), "fair" (3.6), "poor" (3.1), else "bad".
const char* quality_word(double mos);

}  // namespace sala::client
