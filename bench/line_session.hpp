#pragma once
// One client of sala-server's line protocol for the benchmarks (docs/protocol.md): connects,
// registers with hello, sends messages and awaits the next message of a given type, skipping
// presence. Coroutines on the caller's io_context. Plain lines, no TLS: the server must run with
// --insecure-plaintext (loopback only), as bench/relay_load.sh starts it.

#include <asio.hpp>
#include <string>

#include "sala/protocol.hpp"

namespace sala::bench {

class LineSession {
public:
    explicit LineSession(asio::io_context& io) : socket_(io) {}

    // Connects to 127.0.0.1:port and registers; returns the welcome. Throws on failure.
    asio::awaitable<protocol::Json> hello(std::uint16_t port, const std::string& name, std::uint16_t media_port);
    // Writes one message (a whole line at once).
    void send(const protocol::Json& message);
    // The next message of `type`; throws on an error, a call_failed or call_ended, or a closed connection.
    asio::awaitable<protocol::Json> wait_for(const char* type);
    // Reads and drops everything until the connection closes (so the server never waits on us).
    asio::awaitable<void> drain();
    void close();

private:
    asio::awaitable<protocol::Json> next();

    asio::ip::tcp::socket socket_;
    std::string inbox_;
};

}  // namespace sala::bench
