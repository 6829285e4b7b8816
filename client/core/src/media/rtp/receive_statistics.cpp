#include "media/rtp/receive_statistics.hpp"

#include <algorithm>
#include <cmath>

namespace sala::client {
namespace {
constexpr std::uint32_t kSeqMod = 1u << 16;
constexpr std::uint32_t kMaxDropout = 3000;
constexpr std::uint32_t kMaxMisorder = 100;
constexpr std::uint32_t kNoBadSeq = kSeqMod + 1;
}  // namespace

void ReceiveStatistics::restart(std::uint16_t seq) {
    started_ = true;
    base_seq_ = seq;
    max_seq_ = seq;
    cycles_ = 0;
    bad_seq_ = kNoBadSeq;
    received_ = 0;
    expected_prior_ = 0;
    received_prior_ = 0;
}

void ReceiveStatistics::on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp,
                                  std::chrono::steady_clock::time_point arrival) {
    if (!started_) {
        restart(seq);
    } else {
        const std::uint16_t udelta = static_cast<std::uint16_t>(seq - max_seq_);
        if (udelta < kMaxDropout) {
            if (seq < max_seq_) cycles_ += kSeqMod;
            max_seq_ = seq;
        } else if (udelta <= kSeqMod - kMaxMisorder) {
            // A very large jump: believe it only when the next packet follows it (A.1).
            if (seq == bad_seq_) {
                restart(seq);
                last_transit_.reset();
            } else {
                bad_seq_ = (seq + 1u) & (kSeqMod - 1);
                return;
            }
        }
        // Otherwise a duplicate or reordered packet: counted, highest unchanged.
    }
    ++received_;

    if (!epoch_) epoch_ = arrival;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(arrival - *epoch_).count();
    const auto arrival_units =
        static_cast<std::uint32_t>(static_cast<std::int64_t>(static_cast<double>(ns) * kClockRate / 1e9));
    const std::uint32_t transit = arrival_units - rtp_timestamp;
    if (last_transit_) {
        const auto d = static_cast<std::int32_t>(transit - *last_transit_);
        jitter_ += (std::abs(static_cast<double>(d)) - jitter_) / 16.0;
    }
    last_transit_ = transit;
}

std::uint32_t ReceiveStatistics::extended_highest_seq() const { return cycles_ + max_seq_; }

std::int64_t ReceiveStatistics::packets_expected() const {
    if (!started_) return 0;
    return std::int64_t{cycles_} + max_seq_ - base_seq_ + 1;
}

std::int64_t ReceiveStatistics::packets_lost() const {
    return packets_expected() - static_cast<std::int64_t>(received_);
}

double ReceiveStatistics::loss_fraction() const {
    const std::int64_t expected = packets_expected();
    if (expected <= 0) return 0.0;
    return std::clamp(static_cast<double>(packets_lost()) / static_cast<double>(expected), 0.0, 1.0);
}

ReportBlock ReceiveStatistics::make_report_block(std::uint32_t remote_ssrc, std::uint32_t lsr, std::uint32_t dlsr) {
    ReportBlock block;
    block.ssrc = remote_ssrc;
    const std::int64_t expected = packets_expected();
    const std::int64_t expected_interval = expected - expected_prior_;
    const std::int64_t received_interval = static_cast<std::int64_t>(received_ - received_prior_);
    const std::int64_t lost_interval = expected_interval - received_interval;
    expected_prior_ = expected;
    received_prior_ = received_;
    if (expected_interval > 0 && lost_interval > 0)
        block.fraction_lost =
            static_cast<std::uint8_t>(std::min<std::int64_t>(255, (lost_interval << 8) / expected_interval));
    block.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(packets_lost(), -0x800000, 0x7fffff));
    block.highest_seq = extended_highest_seq();
    block.jitter = jitter_timestamp_units();
    block.lsr = lsr;
    block.dlsr = dlsr;
    return block;
}

}  // namespace sala::client
