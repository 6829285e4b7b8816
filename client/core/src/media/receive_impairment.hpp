#pragma once
// Deliberate damage to received datagrams (loss and jitter), for tests and benchmarks. It sits
// between the socket and the RTP filter: the media session passes every datagram through it
// and then releases the held ones whose time has come, in the same tick.

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

#include "sala/client/media_options.hpp"

namespace sala::client {

class ReceiveImpairment {
public:
    using Clock = std::chrono::steady_clock;
    using Deliver = std::function<void(std::span<const std::uint8_t>, Clock::time_point arrival)>;

    explicit ReceiveImpairment(Impairment config);
    // Drops the datagram with the configured probability, or holds it back a random delay of up
    // to jitter_ms, as if it had arrived that much later; with neither, delivers it at once.
    void pass(std::span<const std::uint8_t> data, Clock::time_point arrival, const Deliver& deliver);
    // Delivers the held datagrams due by `now`, in the order of their delayed arrival.
    void release(Clock::time_point now, const Deliver& deliver);

private:
    struct Held {
        Clock::time_point due;
        std::vector<std::uint8_t> data;
    };
    Impairment config_;
    std::mt19937 random_;
    std::vector<Held> held_;  // at most kMaxHeld
    std::vector<Held> due_;
};

}  // namespace sala::client
