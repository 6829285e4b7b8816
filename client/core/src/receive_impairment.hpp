#pragma once
// Deliberate damage to received datagrams (loss and jitter), for tests and benchmarks.

#include <chrono>
#include <functional>
#include <random>
#include <span>

#include <asio.hpp>

#include "sala/client/engine.hpp"

namespace sala::client {

class ReceiveImpairment {
public:
    using Clock = std::chrono::steady_clock;
    using Deliver =
        std::function<void(std::span<const std::uint8_t>, const asio::ip::udp::endpoint&, Clock::time_point arrival)>;

    ReceiveImpairment(asio::io_context& io, Impairment config);
    // Drops the datagram with the configured probability, or delivers it after a random delay
    // of up to jitter_ms (at once when both are zero), as if it had arrived that much later.
    void deliver(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& from, Clock::time_point arrival,
                 const Deliver& handler);
    void cancel();

private:
    asio::io_context& io_;
    Impairment config_;
    std::mt19937 random_;
    std::size_t in_flight_ = 0;
    std::vector<std::shared_ptr<asio::steady_timer>> timers_;
};

}  // namespace sala::client
