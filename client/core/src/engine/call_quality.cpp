#include "sala/client/call_quality.hpp"

#include <algorithm>

namespace sala::client {
namespace {
constexpr double kOpusLookaheadMs = 6.5;
constexpr double kBurstRatio = 1.0;  // losses taken as random
constexpr double kBpl = 25.0;
constexpr double kIe = 0.0;
constexpr double kR0 = 93.2;  // the E-model's default basic signal-to-noise ratio less its impairments

// G.107's delay impairment Id for a one-way delay (absolute delay Ta, no echo).
double delay_impairment(double ta_ms) {
    double id = 0.024 * ta_ms;
    if (ta_ms > 177.3) id += 0.11 * (ta_ms - 177.3);
    return id;
}

double mos_from_r(double r) {
    if (r <= 0) return 1.0;
    if (r >= 100) return 4.5;
    return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}
}  // namespace

double codec_delay_ms(int frame_ms) { return frame_ms + kOpusLookaheadMs; }

double one_way_delay_estimate_ms(const CallStatistics& s) {
    if (s.rtt_ms < 0) return -1.0;
    return s.rtt_ms / 2 + s.jitter_buffer_ms + s.input_latency_ms + s.output_latency_ms + codec_delay_ms(s.frame_ms);
}

double mos_estimate(const CallStatistics& s) {
    const double delay = one_way_delay_estimate_ms(s);
    if (delay < 0) return -1.0;
    const double expected = static_cast<double>(s.packets_received + s.packets_lost);
    const double dropped = static_cast<double>(s.packets_lost + s.late_packets);
    const double ppl = expected > 0 ? std::min(100.0, 100.0 * dropped / expected) : 0.0;
    const double ie_eff = kIe + (95.0 - kIe) * ppl / (ppl / kBurstRatio + kBpl);
    return mos_from_r(kR0 - delay_impairment(delay) - ie_eff);
}

const char* quality_word(double mos) {
    if (mos >= 4.3) return "excellent";
    if (mos >= 4.0) return "good";
    if (mos >= 3.6) return "fair";
    if (mos >= 3.1) return "poor";
    return "bad";
}

}  // namespace sala::client
