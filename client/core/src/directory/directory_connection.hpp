#pragma once
// One connection to sala-server: connect and a TLS handshake with a deadline, the server's
// certificate checked (server_trust.hpp) before anything is sent, JSON lines in and out,
// heartbeat (a ping that nothing answers in time closes the connection: a network change leaves a
// TCP connection that looks open but leads nowhere). asio::ssl rules kept: one read and one write
// outstanding at a time (the read loop and the write loop), the final flush and close_notify
// exchange bounded by a timer, and a connection that failed is never reused (a new one is made).

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "directory/server_trust.hpp"
#include "sala/name_proof.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

class DirectoryConnection : public std::enable_shared_from_this<DirectoryConnection> {
public:
    struct Handlers {
        std::function<void()> connected;
        std::function<void(const protocol::Json&)> message;
        std::function<void(const std::string& reason)> closed;  // once, unless close() was called
        // After the handshake: nullopt goes on, a sentence refuses the server (the connection
        // closes with it as the reason). Unset: every certificate is accepted.
        std::function<std::optional<std::string>(const ServerCertificate&)> check_certificate;
    };

    // tls false: plain lines (a server started with --insecure-plaintext).
    DirectoryConnection(asio::io_context& io, Handlers handlers, std::chrono::milliseconds ping_interval,
                        bool tls = true);

    void start(const std::string& host, unsigned short port);
    void send(const protocol::Json& message);
    // Pings now; if no line arrives within `answer_within`, the connection is taken for dead.
    void probe(std::chrono::milliseconds answer_within);
    // Closes without calling `closed`; pending writes get `grace` to leave.
    void close(std::chrono::milliseconds grace = std::chrono::milliseconds(0));
    // RFC 9266 tls-exporter of this connection, once open; nullopt without TLS.
    const std::optional<protocol::ChannelBinding>& channel_binding() const { return channel_binding_; }

private:
    asio::awaitable<void> run(std::string host, unsigned short port);
    asio::awaitable<void> write_loop();
    asio::awaitable<void> ping_loop();
    // The TLS handshake and the certificate check; a sentence when the connection cannot go on.
    asio::awaitable<std::optional<std::string>> secure(const std::string& host);
    void fail(const std::string& reason);
    void shut();
    asio::ip::tcp::socket& socket() { return stream_.next_layer(); }

    asio::io_context& io_;
    asio::ssl::context tls_context_;
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    bool tls_;
    std::optional<protocol::ChannelBinding> channel_binding_;
    asio::steady_timer write_signal_;
    asio::steady_timer ping_timer_;
    asio::steady_timer answer_timer_;  // armed by probe(), disarmed by any line from the server
    asio::steady_timer close_timer_;   // bounds close(grace)
    Handlers handlers_;
    std::chrono::milliseconds ping_interval_;
    std::deque<std::string> outgoing_;
    // closing: close(grace) is writing what is queued (and TLS's close_notify) before the end.
    // finished by fail() or close(), for good.
    enum class Phase { connecting, open, closing, finished };
    Phase phase_ = Phase::connecting;
    bool writing_ = false;  // a line is on its way (no longer in outgoing_)
};

}  // namespace sala::client
