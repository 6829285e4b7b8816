#pragma once
// One client's TCP connection: a reader and a writer coroutine around a bounded outgoing
// queue, and an idle watchdog. asio inside: include only from the server's own files.

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "line_framer.hpp"
#include "line_queue.hpp"
#include "registry.hpp"
#include "tls/tls_link.hpp"
#include "turn/stream_framer.hpp"

namespace sala::server {

class Session;

// Completion token for co_await: errors come back as values, never as exceptions.
inline constexpr auto as_result = asio::experimental::as_tuple(asio::use_awaitable);

// What a session reports to the server that owns it.
class SessionEvents {
public:
    virtual ~SessionEvents() = default;
    // A received line; false stops reading (the client said bye).
    virtual bool line(Session& session, std::string_view line) = 0;
    virtual void line_too_long(Session& session) = 0;
    // The connection's first byte says it speaks TURN (turn/stream_framer.hpp); from now on its
    // bytes come as frames. Only when SessionLimits::turn is set.
    virtual void turn_started(Session& session) = 0;
    virtual void turn_frame(Session& session, std::span<const std::uint8_t> frame) = 0;
    // The TLS handshake is done: lines follow. `binding` is RFC 9266 tls-exporter, which the
    // name proof signs.
    virtual void secured(Session& session, const std::array<std::uint8_t, 32>& binding) = 0;
    // The connection is closed; called once.
    virtual void closed(Session& session, std::string_view why) = 0;
};

struct SessionLimits {
    std::size_t max_queued_bytes = 1 << 20;  // a client further behind is disconnected
    Clock::duration idle_timeout = std::chrono::seconds(30);
    bool turn = false;  // a connection whose first byte is STUN's or ChannelData's speaks TURN
    Clock::duration turn_idle_timeout = std::chrono::seconds(660);  // longer than an allocation's default
    // A connection whose first byte opens a TLS handshake speaks TLS with this context; one whose
    // first byte is anything else (not TURN's) speaks plain lines only if `plaintext` is set
    // (--insecure-plaintext), else it is told in one plain line that TLS is required.
    SSL_CTX* tls = nullptr;
    bool plaintext = false;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    // `scratch` is the server's receive buffer, shared by all sessions (one thread).
    Session(asio::ip::tcp::socket socket, ClientId id, SessionEvents& events, const SessionLimits& limits,
            std::span<char> scratch);

    void start();
    ClientId id() const { return id_; }
    const asio::ip::tcp::endpoint& remote() const { return remote_; }
    bool speaks_turn() const { return kind_ == Kind::turn; }

    // Queues a line (one or more messages) and writes what is queued: at once as far as
    // the socket takes it, the rest in the writer coroutine.
    void send(const SharedLine& line);
    // Stops reading, writes what is queued, then closes.
    void finish();
    void close(std::string_view why);
    // A TURN connection is not closed as idle before `until` (its allocation lives that long).
    void hold_open_until(Clock::time_point until) { held_until_ = until; }

private:
    // Where the connection is in its life. It only moves forward, in enter().
    enum class Phase {
        reading,    // lines are read and answered
        finishing,  // reading has stopped; what is queued is written, then the connection closes
        closing,    // a close is posted (too slow, or a write failed): nothing more is read or queued
        closed,
    };
    void enter(Phase next);
    // Closes on the next turn of the io_context: the server may be in the middle of a presence
    // pass over its sessions, which close() would change under it.
    void close_soon(std::string why);

    asio::awaitable<void> read_loop();
    asio::awaitable<void> write_loop();
    // Closes the connection once it has been idle too long; re-arms idle_timer_ otherwise. A
    // completion handler, not a coroutine: a third coroutine per session cost about 1 KiB of
    // frames and handlers for every idle client (docs/benchmarks.md).
    void watch_idle();
    void write_now();
    std::vector<asio::const_buffer> pending_buffers(std::size_t count) const;
    void consume(std::size_t written);

    // What the connection speaks, decided by its first byte (peeked, so it stays in the socket).
    enum class Kind { undecided, directory, turn };
    // Waits for the first byte and decides; false when the connection closed meanwhile.
    asio::awaitable<bool> decide_kind();
    asio::awaitable<bool> handshake();
    // Waits until the socket is ready for what TLS asked for; false when the session closed.
    asio::awaitable<bool> wait_for(tls::TlsLink::Wait wait);
    void feed(std::string_view bytes);
    // One read into the scratch buffer, or one write of the queue's front, through TLS when the
    // connection has it; a would-block says what to wait for.
    using Transfer = tls::TlsLink::Result;
    Transfer read_some();
    Transfer write_some();
    // Plaintext on a TLS-only server: one plain error line, then the connection closes.
    void refuse_plaintext();

    asio::ip::tcp::socket socket_;
    asio::ip::tcp::endpoint remote_;
    Kind kind_ = Kind::undecided;
    std::unique_ptr<turn::StreamFramer> turn_framer_;  // only on TURN connections
    std::unique_ptr<tls::TlsLink> tls_;                // only on TLS connections, until closed
    ClientId id_;
    SessionEvents& events_;
    const SessionLimits& limits_;
    std::span<char> scratch_;
    asio::steady_timer wake_timer_;
    asio::steady_timer idle_timer_;
    LineQueue queue_;
    std::size_t queued_bytes_ = 0;
    std::size_t front_sent_ = 0;  // bytes of queue_.front() already written
    LineFramer framer_;
    Clock::time_point last_activity_;
    Clock::time_point held_until_{};
    Phase phase_ = Phase::reading;
    // Apart from the phase: a write can be in flight while reading or finishing, and until
    // it completes write_now() must not write around it.
    bool writing_ = false;
};

}  // namespace sala::server
