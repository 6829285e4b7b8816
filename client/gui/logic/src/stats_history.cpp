#include "sala/gui/stats_history.hpp"

#include <algorithm>
#include <chrono>

namespace sala::gui {

void StatsHistory::update(const client::Snapshot& s) {
    if (s.call != client::CallState::in_call) return;
    if (s.call_id != call_id_) {
        call_id_ = s.call_id;
        last_second_ = -1;
        loss_.clear();
        delay_.clear();
    }
    auto second =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.call_started_at).count();
    if (second <= last_second_) return;
    last_second_ = second;
    figures_ = s.stats;
    add(static_cast<float>(s.stats.loss_percent), static_cast<float>(s.stats.jitter_buffer_ms));
}

void StatsHistory::add(float loss, float delay) {
    if (loss_.size() == capacity_) {
        loss_.erase(loss_.begin());
        delay_.erase(delay_.begin());
    }
    loss_.push_back(loss);
    delay_.push_back(delay);
}

float StatsHistory::max_delay_ms() const {
    return delay_.empty() ? 0.0f : *std::max_element(delay_.begin(), delay_.end());
}

}  // namespace sala::gui
