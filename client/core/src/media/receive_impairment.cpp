#include "media/receive_impairment.hpp"

#include <algorithm>

namespace sala::client {
namespace {
constexpr std::size_t kMaxHeld = 1024;
}

ReceiveImpairment::ReceiveImpairment(Impairment config) : config_(config), random_(std::random_device{}()) {}

void ReceiveImpairment::pass(std::span<const std::uint8_t> data, Clock::time_point arrival, const Deliver& deliver) {
    if (config_.loss_percent > 0 && std::uniform_real_distribution<double>(0.0, 100.0)(random_) < config_.loss_percent)
        return;
    if (config_.jitter_ms <= 0) {
        deliver(data, arrival);
        return;
    }
    if (held_.size() >= kMaxHeld) return;
    auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, config_.jitter_ms * 1000)(random_));
    held_.push_back({arrival + delay, std::vector<std::uint8_t>(data.begin(), data.end())});
}

void ReceiveImpairment::release(Clock::time_point now, const Deliver& deliver) {
    if (held_.empty()) return;
    auto later = std::partition(held_.begin(), held_.end(), [now](const Held& h) { return h.due <= now; });
    due_.assign(std::make_move_iterator(held_.begin()), std::make_move_iterator(later));
    held_.erase(held_.begin(), later);
    std::sort(due_.begin(), due_.end(), [](const Held& a, const Held& b) { return a.due < b.due; });
    for (const auto& h : due_) deliver(h.data, h.due);
    due_.clear();
}

}  // namespace sala::client
