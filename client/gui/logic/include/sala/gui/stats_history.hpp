#pragma once
// The last couple of minutes of a call's loss and delay, one point per second, for the
// statistics plots.

#include <cstddef>
#include <string>
#include <vector>

#include "sala/client/snapshot.hpp"

namespace sala::gui {

class StatsHistory {
public:
    explicit StatsHistory(std::size_t capacity = 120) : capacity_(capacity) {}

    // Feeds the snapshot of a frame; adds a point when a new second of the call has begun
    // and starts afresh when a new call begins.
    void update(const client::Snapshot& snapshot);

    // Oldest first.
    const std::vector<float>& loss_percent() const { return loss_; }
    const std::vector<float>& delay_ms() const { return delay_; }  // jitter-buffer delay
    float max_delay_ms() const;

private:
    void add(float loss, float delay);

    std::size_t capacity_;
    std::string call_id_;
    long long last_second_ = -1;
    std::vector<float> loss_;
    std::vector<float> delay_;
};

}  // namespace sala::gui
