#pragma once
// The last couple of minutes of a call's loss and delay, one point per second, for the
// statistics plots; and the call's figures as they were at the last second, which the panel
// shows (figures that change 20 times a second cannot be read, and each change is a redraw).

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
    // The figures at the start of this second of the call.
    const client::CallStatistics& figures() const { return figures_; }

private:
    void add(float loss, float delay);

    std::size_t capacity_;
    std::string call_id_;
    long long last_second_ = -1;
    std::vector<float> loss_;
    std::vector<float> delay_;
    client::CallStatistics figures_;
};

}  // namespace sala::gui
