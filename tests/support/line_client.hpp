#pragma once
// A TCP client for tests that speaks newline-delimited JSON to 127.0.0.1:port, in plain lines (a
// server started with --insecure-plaintext) or over TLS (OpenSSL, any certificate accepted:
// what a test checks is the server, not the pin): raw bytes or messages out, lines in with
// deadlines, clean close or abrupt reset.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct ssl_st;

#include <nlohmann/json.hpp>

namespace sala::test {

using namespace std::chrono_literals;
using Json = nlohmann::json;

class LineClient {
public:
    // Connects (throws std::runtime_error on failure). A non-zero receive_buffer sets
    // SO_RCVBUF before connecting, to make a client that reads slowly fill up sooner.
    enum class Wire { plain, tls };
    explicit LineClient(std::uint16_t port, int receive_buffer = 0, Wire wire = Wire::plain);
    static LineClient tls(std::uint16_t port) { return LineClient(port, 0, Wire::tls); }
    LineClient(LineClient&& other) noexcept;
    ~LineClient();
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    // Writes all of `bytes`; false if the connection failed or the deadline passed.
    bool send_raw(std::string_view bytes, std::chrono::milliseconds timeout = 5000ms);
    // Writes one message as a JSON line.
    bool send(const Json& message, std::chrono::milliseconds timeout = 5000ms);

    // The next line (without '\n'), or nullopt on timeout or when the connection closed.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5000ms);
    // The next line parsed as JSON; nullopt on timeout, close, or a line that is not JSON.
    std::optional<Json> read(std::chrono::milliseconds timeout = 5000ms);
    // Skips messages until one of the given type arrives; returns it, or nullopt.
    std::optional<Json> wait_for(std::string_view type, std::chrono::milliseconds timeout = 5000ms);
    // True if no complete line arrives within `duration`.
    bool quiet_for(std::chrono::milliseconds duration);
    // Reads and discards until the server closes the connection; true if it did in time.
    bool wait_closed(std::chrono::milliseconds timeout = 5000ms);
    bool closed() const { return fd_ < 0 || eof_; }

    // Registers with hello and returns the welcome, or nullopt if something else came back.
    std::optional<Json> hello(const std::string& name, int media_port = 40000);

    void close();  // orderly close (FIN)
    void reset();  // abortive close (SO_LINGER 0: RST), as when a process is killed mid-write
    int fd() const { return fd_; }
    // Over TLS: RFC 9266 tls-exporter (what a name proof signs) and the server's certificate
    // fingerprint ("SHA256:..."); empty without TLS.
    std::vector<std::uint8_t> channel_binding() const;
    std::string server_fingerprint() const;
    std::uint16_t local_port() const;

private:
    bool fill(std::chrono::steady_clock::time_point deadline);

    // A would-block from TLS or the socket: waits until ready or the deadline; false on timeout.
    bool wait(short events, std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    ssl_st* ssl_ = nullptr;  // OpenSSL's SSL, over TLS
    bool eof_ = false;
    std::string buffer_;
};

// The port in sala-server's first stdout line "listening on ADDR:PORT"; nullopt otherwise.
std::optional<std::uint16_t> port_from_listening_line(const std::string& line);

}  // namespace sala::test
