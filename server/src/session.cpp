#include "session.hpp"

#include <algorithm>
#include <vector>

#include "sala/log.hpp"

namespace sala::server {
namespace {
using asio::ip::tcp;

constexpr std::size_t kMaxGather = 64;  // queued lines written by one system call
}  // namespace

Session::Session(tcp::socket socket, ClientId id, SessionEvents& events, const SessionLimits& limits,
                 std::span<char> scratch)
    : socket_(std::move(socket)),
      id_(id),
      events_(events),
      limits_(limits),
      scratch_(scratch),
      wake_timer_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()),
      last_activity_(Clock::now()) {
    std::error_code ignored;
    remote_ = socket_.remote_endpoint(ignored);
}

void Session::start() {
    auto executor = socket_.get_executor();
    asio::co_spawn(
        executor, [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
    asio::co_spawn(
        executor, [self = shared_from_this()] { return self->write_loop(); }, asio::detached);
    asio::co_spawn(
        executor, [self = shared_from_this()] { return self->idle_watch(); }, asio::detached);
}

// Reads into the shared scratch buffer until the socket is drained, and only then waits
// for readability (asio's epoll is edge-triggered): an idle connection holds no receive
// buffer of its own. Yields now and then so that one busy client cannot starve the rest.
asio::awaitable<void> Session::read_loop() {
    constexpr int kReadsBeforeYield = 4;
    int reads = 0;
    while (phase_ == Phase::reading) {
        std::error_code read_error;
        std::size_t n = socket_.read_some(asio::buffer(scratch_.data(), scratch_.size()), read_error);
        if (read_error == asio::error::would_block || read_error == asio::error::try_again) {
            reads = 0;
            auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, as_result);
            if (phase_ != Phase::reading) co_return;
            if (ec) {
                close(ec.message());
                co_return;
            }
            continue;
        }
        if (read_error == asio::error::eof) {
            close("closed the connection");
            co_return;
        }
        if (read_error) {
            close(read_error.message());
            co_return;
        }
        feed(std::string_view(scratch_.data(), n));
        if (++reads == kReadsBeforeYield) {
            reads = 0;
            co_await asio::post(socket_.get_executor(), asio::use_awaitable);
        }
    }
}

void Session::feed(std::string_view bytes) {
    if (kind_ == Kind::undecided && !bytes.empty()) {
        bool turn =
            limits_.turn && turn::classify_first_byte(static_cast<std::uint8_t>(bytes[0])) == turn::StreamKind::turn;
        kind_ = turn ? Kind::turn : Kind::directory;
        if (turn) {
            turn_framer_ = std::make_unique<turn::StreamFramer>();
            events_.turn_started(*this);
        }
    }
    if (kind_ == Kind::turn) {
        last_activity_ = Clock::now();
        auto data = std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        bool framed = turn_framer_->feed(data, [this](std::span<const std::uint8_t> frame) {
            if (phase_ == Phase::reading) events_.turn_frame(*this, frame);
        });
        if (!framed) close_soon("not TURN framing");
        return;
    }
    framer_.feed(
        bytes,
        [this](std::string_view line) {
            last_activity_ = Clock::now();
            // A write that failed (the client closed with our lines unread: a reset) does not
            // void what it sent before: its last lines, often a hangup and a bye, still count.
            return events_.line(*this, line) && (phase_ == Phase::reading || phase_ == Phase::closing);
        },
        [this] { events_.line_too_long(*this); });
}

// The front `count` queued lines, the first without what was already sent of it.
std::vector<asio::const_buffer> Session::pending_buffers(std::size_t count) const {
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(count);
    for (std::size_t i = 0; i < count; ++i) buffers.push_back(asio::buffer(*queue_[i]));
    buffers.front() += front_sent_;
    return buffers;
}

void Session::consume(std::size_t written) {
    while (written > 0 && !queue_.empty()) {
        std::size_t left = queue_.front()->size() - front_sent_;
        if (written < left) {
            front_sent_ += written;
            return;
        }
        written -= left;
        queued_bytes_ -= queue_.front()->size();
        queue_.pop_front();
        front_sent_ = 0;
    }
}

// Writes what the kernel takes at once, without a coroutine round trip; the writer
// coroutine takes over when the socket's buffer is full.
void Session::write_now() {
    if (writing_ || phase_ >= Phase::closing) return;
    while (!queue_.empty()) {
        std::error_code ec;
        std::size_t written = socket_.write_some(pending_buffers(std::min(queue_.size(), kMaxGather)), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) break;
        if (ec) return close_soon(ec.message());
        consume(written);
    }
    if (!queue_.empty() || phase_ == Phase::finishing) wake_timer_.cancel();
}

asio::awaitable<void> Session::write_loop() {
    while (phase_ != Phase::closed) {
        if (queue_.empty()) {
            if (phase_ == Phase::finishing) {
                close("finished");
                co_return;
            }
            wake_timer_.expires_at(Clock::time_point::max());
            co_await wake_timer_.async_wait(as_result);
            continue;
        }
        std::size_t count = std::min(queue_.size(), kMaxGather);
        writing_ = true;
        auto [ec, written] = co_await asio::async_write(socket_, pending_buffers(count), as_result);
        writing_ = false;
        if (phase_ == Phase::closed) co_return;
        if (ec) {
            close(ec.message());
            co_return;
        }
        consume(written);
    }
}

// Reading a line moves last_activity_; the timer only re-arms when it wakes.
asio::awaitable<void> Session::idle_watch() {
    while (phase_ != Phase::closed) {
        auto deadline = kind_ == Kind::turn ? std::max(last_activity_ + limits_.turn_idle_timeout, held_until_)
                                            : last_activity_ + limits_.idle_timeout;
        if (Clock::now() >= deadline) {
            close("idle timeout");
            co_return;
        }
        idle_timer_.expires_at(deadline);
        co_await idle_timer_.async_wait(as_result);
    }
}

void Session::send(const SharedLine& line) {
    if (phase_ >= Phase::closing) return;
    if (!queue_.empty() && queued_bytes_ + line->size() > limits_.max_queued_bytes) {
        log::warn("server", log::cat("client ", id_, " does not read its messages (over ", limits_.max_queued_bytes,
                                     " bytes queued): disconnecting"));
        return close_soon("too slow: it did not read its messages");
    }
    queue_.push_back(line);
    queued_bytes_ += line->size();
    write_now();
}

void Session::enter(Phase next) {
    if (next > phase_) phase_ = next;
}

void Session::finish() {
    enter(Phase::finishing);
    wake_timer_.cancel();
}

void Session::close_soon(std::string why) {
    enter(Phase::closing);
    asio::post(socket_.get_executor(), [self = shared_from_this(), why = std::move(why)] { self->close(why); });
}

void Session::close(std::string_view why) {
    if (phase_ == Phase::closed) return;
    enter(Phase::closed);
    std::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    wake_timer_.cancel();
    idle_timer_.cancel();
    queue_.clear();
    queued_bytes_ = 0;
    front_sent_ = 0;
    events_.closed(*this, why);
}

}  // namespace sala::server
