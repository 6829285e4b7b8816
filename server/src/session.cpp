#include "session.hpp"

#include <algorithm>
#include <vector>

#include "sala/log.hpp"
#include "sala/protocol.hpp"

namespace sala::server {
namespace {
using asio::ip::tcp;

constexpr std::size_t kMaxGather = 64;     // queued lines written by one system call
constexpr std::size_t kTlsGather = 16384;  // bytes of queued lines in one TLS write: a full record
using Wait = tls::TlsLink::Wait;
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
    watch_idle();
}

// Reads into the shared scratch buffer until the socket is drained, and only then waits
// for readability (asio's epoll is edge-triggered): an idle connection holds no receive
// buffer of its own. Yields now and then so that one busy client cannot starve the rest.
asio::awaitable<void> Session::read_loop() {
    if (!co_await decide_kind()) co_return;
    if (tls_ && !co_await handshake()) co_return;
    write_now();  // what was queued before the connection could be written
    constexpr int kReadsBeforeYield = 4;
    int reads = 0;
    while (phase_ == Phase::reading) {
        Transfer got = read_some();
        if (got.wait != Wait::none) {
            reads = 0;
            if (!co_await wait_for(got.wait)) co_return;
            continue;
        }
        if (!got.ok()) {
            close(got.closed ? "closed the connection" : got.error);
            co_return;
        }
        feed(std::string_view(scratch_.data(), got.bytes));
        if (++reads == kReadsBeforeYield) {
            reads = 0;
            co_await asio::post(socket_.get_executor(), asio::use_awaitable);
        }
    }
}

asio::awaitable<bool> Session::wait_for(Wait wait) {
    auto [ec] =
        co_await socket_.async_wait(wait == Wait::write ? tcp::socket::wait_write : tcp::socket::wait_read, as_result);
    if (phase_ == Phase::closed) co_return false;
    if (ec) {
        close(ec.message());
        co_return false;
    }
    co_return true;
}

// The first byte, peeked: 0x16 opens a TLS handshake record; STUN's and ChannelData's first
// bytes mean TURN (turn/stream_framer.hpp); '{' is a plain line.
asio::awaitable<bool> Session::decide_kind() {
    constexpr std::uint8_t kTlsHandshakeRecord = 0x16;
    for (;;) {
        std::uint8_t first = 0;
        std::error_code ec;
        std::size_t n = socket_.receive(asio::buffer(&first, 1), tcp::socket::message_peek, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            if (!co_await wait_for(Wait::read) || phase_ != Phase::reading) co_return false;
            continue;
        }
        if (ec || n == 0) {
            close(ec && ec != asio::error::eof ? ec.message() : "closed the connection");
            co_return false;
        }
        if (limits_.turn && turn::classify_first_byte(first) == turn::StreamKind::turn) {
            kind_ = Kind::turn;
            turn_framer_ = std::make_unique<turn::StreamFramer>();
            events_.turn_started(*this);
            co_return true;
        }
        kind_ = Kind::directory;
        if (first == kTlsHandshakeRecord && limits_.tls) {
            tls_ = std::make_unique<tls::TlsLink>(limits_.tls, socket_.native_handle());
            co_return true;
        }
        if (limits_.plaintext) co_return true;
        refuse_plaintext();
        co_return false;
    }
}

void Session::refuse_plaintext() {
    std::error_code ignored;
    socket_.read_some(asio::buffer(scratch_.data(), scratch_.size()), ignored);  // unread bytes would reset
    send(std::make_shared<const std::string>(protocol::to_line(
        protocol::error(protocol::ErrorCode::tls_required,
                        "This server speaks TLS only: connect with sala or sala-cli, or type at it with "
                        "`openssl s_client -connect HOST:PORT -quiet`. (Plain lines need a server started with "
                        "--insecure-plaintext on a loopback address.)"))));
    finish();
}

asio::awaitable<bool> Session::handshake() {
    for (;;) {
        Transfer step = tls_->handshake();
        if (step.wait != Wait::none) {
            if (!co_await wait_for(step.wait) || phase_ != Phase::reading) co_return false;
            continue;
        }
        if (!step.ok()) {
            close(step.closed ? "closed the connection during the TLS handshake" : step.error);
            co_return false;
        }
        break;
    }
    last_activity_ = Clock::now();
    events_.secured(*this, tls_->channel_binding());
    co_return true;
}

Session::Transfer Session::read_some() {
    if (tls_) return tls_->read(scratch_);
    std::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(scratch_.data(), scratch_.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return Transfer::waiting(Wait::read);
    if (ec == asio::error::eof) return Transfer::ended();
    if (ec) return Transfer::failed(ec.message());
    return Transfer::done(n);
}

// TLS takes one buffer: the front lines are gathered into a buffer shared by all sessions (one
// thread), up to a record's worth. After a would-block the next call gathers the same front
// bytes again (or more of them), as OpenSSL requires.
Session::Transfer Session::write_some() {
    if (tls_) {
        static thread_local std::array<char, kTlsGather> gathered;
        std::size_t size = 0, skip = front_sent_;
        for (const auto& line : queue_) {
            std::size_t take = std::min(line->size() - skip, gathered.size() - size);
            std::copy_n(line->data() + skip, take, gathered.data() + size);
            size += take;
            skip = 0;
            if (size == gathered.size()) break;
        }
        return tls_->write(std::span<const char>(gathered.data(), size));
    }
    std::error_code ec;
    std::size_t n = socket_.write_some(pending_buffers(std::min(queue_.size(), kMaxGather)), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return Transfer::waiting(Wait::write);
    if (ec) return Transfer::failed(ec.message());
    return Transfer::done(n);
}

void Session::feed(std::string_view bytes) {
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

// Writes what the connection takes at once, without a coroutine round trip; the writer
// coroutine takes over when it would block. Nothing is written before the connection's kind
// (and its TLS handshake) is settled.
void Session::write_now() {
    if (writing_ || phase_ >= Phase::closing || kind_ == Kind::undecided || (tls_ && !tls_->established())) return;
    while (!queue_.empty()) {
        Transfer put = write_some();
        if (put.wait != Wait::none) break;
        if (!put.ok()) return close_soon(put.closed ? "closed the connection" : put.error);
        consume(put.bytes);
    }
    if (!queue_.empty() || phase_ == Phase::finishing) wake_timer_.cancel();
}

asio::awaitable<void> Session::write_loop() {
    while (phase_ != Phase::closed) {
        bool ready = kind_ != Kind::undecided && (!tls_ || tls_->established());
        if (queue_.empty() || !ready) {
            if (phase_ == Phase::finishing && queue_.empty()) {
                close("finished");
                co_return;
            }
            wake_timer_.expires_at(Clock::time_point::max());
            co_await wake_timer_.async_wait(as_result);
            continue;
        }
        writing_ = true;
        Transfer put = write_some();
        if (put.wait != Wait::none) {
            bool open = co_await wait_for(put.wait);
            writing_ = false;
            if (!open) co_return;
            continue;
        }
        writing_ = false;
        if (!put.ok()) {
            close(put.closed ? "closed the connection" : put.error);
            co_return;
        }
        consume(put.bytes);
    }
}

// Reading a line moves last_activity_; the timer only re-arms when it wakes.
void Session::watch_idle() {
    if (phase_ == Phase::closed) return;
    auto deadline = kind_ == Kind::turn ? std::max(last_activity_ + limits_.turn_idle_timeout, held_until_)
                                        : last_activity_ + limits_.idle_timeout;
    if (Clock::now() >= deadline) return close("idle timeout");
    idle_timer_.expires_at(deadline);
    idle_timer_.async_wait([self = shared_from_this()](std::error_code) { self->watch_idle(); });
}

void Session::send(const SharedLine& line) {
    // An empty line would sit at the queue's front for ever (each write takes 0 bytes of it).
    if (phase_ >= Phase::closing || line->empty()) return;
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
    if (tls_) tls_->shutdown();  // close_notify if the socket takes it now; never waits
    tls_.reset();
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
