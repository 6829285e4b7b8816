#pragma once
// Reception statistics of one RTP source (RFC 3550 A.1, A.3, A.8): loss, jitter, report blocks.

#include <chrono>
#include <cstdint>
#include <optional>

#include "media/rtp/rtcp_packet.hpp"

namespace sala::client {

// Counts what arrived from one source and builds the RTCP report block about it.
class ReceiveStatistics {
public:
    // Call for every RTP packet of the source, in arrival order.
    void on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp, std::chrono::steady_clock::time_point arrival);

    // The report block about the source; also starts a new interval for fraction_lost.
    ReportBlock make_report_block(std::uint32_t remote_ssrc, std::uint32_t lsr, std::uint32_t dlsr);

    std::uint64_t packets_received() const { return received_; }
    std::int64_t packets_expected() const;
    std::int64_t packets_lost() const;           // expected - received; negative with duplicates
    std::uint32_t extended_highest_seq() const;  // cycles << 16 | highest sequence
    double loss_fraction() const;                // packets_lost / expected since the start, 0..1
    std::uint32_t jitter_timestamp_units() const { return static_cast<std::uint32_t>(jitter_); }
    double jitter_ms() const { return jitter_ * 1000.0 / kClockRate; }

private:
    static constexpr int kClockRate = 48000;
    void restart(std::uint16_t seq);

    bool started_ = false;
    std::uint16_t max_seq_ = 0;
    std::uint32_t cycles_ = 0;
    std::uint32_t base_seq_ = 0;
    std::uint32_t bad_seq_ = 0;  // 65536 + 1 means none
    std::uint64_t received_ = 0;
    std::int64_t expected_prior_ = 0;
    std::uint64_t received_prior_ = 0;
    std::optional<std::chrono::steady_clock::time_point> epoch_;
    std::optional<std::uint32_t> last_transit_;
    double jitter_ = 0.0;  // timestamp units
};

}  // namespace sala::client
