#include "engine/silence_watch.hpp"

namespace sala::client {
namespace {
constexpr auto kCheckEvery = std::chrono::milliseconds(200);
}

SilenceWatch::SilenceWatch(asio::io_context& io, const MediaSession& media, std::function<void()> lost)
    : timer_(io), media_(media), lost_(std::move(lost)) {
    schedule();
}

SilenceWatch::~SilenceWatch() { timer_.cancel(); }

void SilenceWatch::schedule() {
    timer_.expires_after(kCheckEvery);
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](asio::error_code ec) {
        if (ec || alive.expired()) return;
        const auto now = Clock::now();
        if (now - media_.last_heard() >= kLostAfter && now - last_lost_ >= 2 * kLostAfter) {
            last_lost_ = now;
            lost_();
        }
        schedule();
    });
}

}  // namespace sala::client
