#pragma once
// Watches a call's media for silence from the peer: when nothing has come for a second, the path
// is taken for lost (a NAT forgot its mapping, the network changed) and `lost` is called, at most
// every two seconds, checked five times a second whatever the front end's meter pace.

#include <chrono>
#include <functional>
#include <memory>

#include <asio.hpp>

#include "media/media_session.hpp"

namespace sala::client {

class SilenceWatch {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kLostAfter = std::chrono::seconds(1);

    SilenceWatch(asio::io_context& io, const MediaSession& media, std::function<void()> lost);
    ~SilenceWatch();
    SilenceWatch(const SilenceWatch&) = delete;
    SilenceWatch& operator=(const SilenceWatch&) = delete;

    // The path was just looked for again by other means (a resumed session restarted ICE): the
    // next `lost` waits its two seconds from now.
    void recovering_now() { last_lost_ = Clock::now(); }

private:
    void schedule();

    asio::steady_timer timer_;
    const MediaSession& media_;
    std::function<void()> lost_;
    Clock::time_point last_lost_{};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a wait already due when we go finds it gone
};

}  // namespace sala::client
