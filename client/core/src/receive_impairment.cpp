#include "receive_impairment.hpp"

#include <algorithm>
#include <vector>

namespace sala::client {
namespace {
constexpr std::size_t kMaxInFlight = 1024;
}

ReceiveImpairment::ReceiveImpairment(asio::io_context& io, Impairment config)
    : io_(io), config_(config), random_(std::random_device{}()) {}

void ReceiveImpairment::deliver(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& from,
                                Clock::time_point arrival, const Deliver& handler) {
    if (config_.loss_percent > 0 && std::uniform_real_distribution<double>(0.0, 100.0)(random_) < config_.loss_percent)
        return;
    if (config_.jitter_ms <= 0) {
        handler(data, from, arrival);
        return;
    }
    if (in_flight_ >= kMaxInFlight) return;
    auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, config_.jitter_ms * 1000)(random_));
    auto timer = std::make_shared<asio::steady_timer>(io_, arrival + delay);
    auto copy = std::make_shared<std::vector<std::uint8_t>>(data.begin(), data.end());
    ++in_flight_;
    timers_.push_back(timer);
    timer->async_wait([this, timer, copy, from, handler, at = arrival + delay](asio::error_code ec) {
        --in_flight_;
        std::erase(timers_, timer);
        if (!ec) handler(*copy, from, at);
    });
}

void ReceiveImpairment::cancel() {
    for (auto& timer : timers_) timer->cancel();
}

}  // namespace sala::client
