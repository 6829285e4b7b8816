#pragma once
// A token bucket in bytes: `rate` bytes a second, at most one second's worth saved up.

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace sala::server::turn {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(std::size_t rate, Clock::time_point now) : rate_(static_cast<double>(rate)), tokens_(rate_), at_(now) {}

    // Takes `bytes` if there are that many tokens; false (nothing taken) otherwise.
    bool take(std::size_t bytes, Clock::time_point now) {
        if (now > at_) {
            tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - at_).count());
            at_ = now;
        }
        if (tokens_ < static_cast<double>(bytes)) return false;
        tokens_ -= static_cast<double>(bytes);
        return true;
    }

private:
    double rate_;
    double tokens_;
    Clock::time_point at_;
};

}  // namespace sala::server::turn
