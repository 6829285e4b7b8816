#pragma once
// TLS on one of the server's non-blocking sockets: OpenSSL reads and writes the socket itself
// (a socket BIO), and says what it waits for; the session's coroutines wait for that with
// socket.async_wait and call again. No buffer of its own beyond OpenSSL's, which releases its
// record buffers while the connection is idle (SSL_MODE_RELEASE_BUFFERS): asio::ssl::stream
// keeps two 17 KiB buffers per connection, more than the whole budget of an idle client.
// Single-threaded like the session: the read and write sides may interleave, never overlap.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include <openssl/ssl.h>

namespace sala::server::tls {

class TlsLink {
public:
    enum class Wait { none, read, write };
    struct Result {
        std::size_t bytes = 0;   // read or written
        Wait wait = Wait::none;  // call again when the socket is ready for this
        bool closed = false;     // the peer closed (close_notify, or the socket's end)
        std::string error;       // the connection failed: a sentence; empty otherwise
        bool ok() const { return error.empty() && !closed; }
        static Result done(std::size_t bytes) { return Result{bytes, Wait::none, false, {}}; }
        static Result waiting(Wait wait) { return Result{0, wait, false, {}}; }
        static Result ended() { return Result{0, Wait::none, true, {}}; }
        static Result failed(std::string error) { return Result{0, Wait::none, false, std::move(error)}; }
    };

    // Throws std::bad_alloc when OpenSSL cannot make the connection's state.
    TlsLink(SSL_CTX* context, int fd);
    ~TlsLink();
    TlsLink(const TlsLink&) = delete;
    TlsLink& operator=(const TlsLink&) = delete;

    // The server's side of the handshake; bytes is 0. Done when ok() and wait is none.
    Result handshake();
    bool established() const { return established_; }
    Result read(std::span<char> into);
    // Writes up to into.size() bytes: whole records. After a wait, call again with at least
    // the same bytes at the front (OpenSSL may have sent part of them already).
    Result write(std::span<const char> bytes);
    // Sends close_notify if the socket takes it now; never waits.
    void shutdown();
    // RFC 9266 tls-exporter: 32 bytes of keying material for "EXPORTER-Channel-Binding".
    std::array<std::uint8_t, 32> channel_binding() const;
    std::string version() const;

private:
    Result outcome(int ret, const char* doing);
    SSL* ssl_;
    bool established_ = false;
};

}  // namespace sala::server::tls
