#pragma once
// A session's outgoing lines, first in first out. A vector and the index of its front: an empty
// queue holds no memory beyond a few slots (std::deque allocates a 512-byte block and its map as
// soon as it exists, which every idle client paid for), and a drained burst gives its memory back.

#include <cstddef>
#include <vector>

#include "registry.hpp"

namespace sala::server {

class LineQueue {
public:
    bool empty() const { return head_ == lines_.size(); }
    std::size_t size() const { return lines_.size() - head_; }
    const SharedLine& front() const { return lines_[head_]; }
    const SharedLine& operator[](std::size_t i) const { return lines_[head_ + i]; }
    auto begin() const { return lines_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() const { return lines_.end(); }

    void push_back(const SharedLine& line) { lines_.push_back(line); }
    void pop_front() {
        lines_[head_++].reset();
        if (empty()) {
            clear();
        } else if (head_ >= kCompactAfter && head_ * 2 >= lines_.size()) {
            // A client that never quite catches up: drop the sent front so the vector stays
            // about twice the lines it holds.
            lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }
    void clear() {
        if (lines_.capacity() > kKeptSlots)
            std::vector<SharedLine>().swap(lines_);
        else
            lines_.clear();
        head_ = 0;
    }

private:
    static constexpr std::size_t kCompactAfter = 64;
    static constexpr std::size_t kKeptSlots = 8;  // an emptied queue keeps this much room

    std::vector<SharedLine> lines_;
    std::size_t head_ = 0;  // lines_[0, head_) are sent and reset
};

}  // namespace sala::server
