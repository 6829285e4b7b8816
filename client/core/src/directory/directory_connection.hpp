#pragma once
// One TCP connection to sala-server: connect with a deadline, JSON lines in and out, heartbeat
// (a ping that nothing answers in time closes the connection: a network change leaves a TCP
// connection that looks open but leads nowhere).

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "sala/protocol.hpp"

namespace sala::client {

class DirectoryConnection : public std::enable_shared_from_this<DirectoryConnection> {
public:
    struct Handlers {
        std::function<void()> connected;
        std::function<void(const protocol::Json&)> message;
        std::function<void(const std::string& reason)> closed;  // once, unless close() was called
    };

    DirectoryConnection(asio::io_context& io, Handlers handlers, std::chrono::milliseconds ping_interval);

    void start(const std::string& host, unsigned short port);
    void send(const protocol::Json& message);
    // Pings now; if no line arrives within `answer_within`, the connection is taken for dead.
    void probe(std::chrono::milliseconds answer_within);
    // Closes without calling `closed`; pending writes get `grace` to leave.
    void close(std::chrono::milliseconds grace = std::chrono::milliseconds(0));

private:
    asio::awaitable<void> run(std::string host, unsigned short port);
    asio::awaitable<void> write_loop();
    asio::awaitable<void> ping_loop();
    void fail(const std::string& reason);

    asio::io_context& io_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer write_signal_;
    asio::steady_timer ping_timer_;
    asio::steady_timer answer_timer_;  // armed by probe(), disarmed by any line from the server
    Handlers handlers_;
    std::chrono::milliseconds ping_interval_;
    std::deque<std::string> outgoing_;
    enum class Phase { connecting, open, finished };  // finished by fail() or close(), for good
    Phase phase_ = Phase::connecting;
};

}  // namespace sala::client
