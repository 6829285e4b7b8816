#include "line_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <csignal>
#include <utility>

#include "deadline.hpp"
#include "sala/cli_flags.hpp"
#include "sala/tls_channel_binding.hpp"
#include "sala/tls_fingerprint.hpp"

namespace sala::test {
namespace {
using Clock = std::chrono::steady_clock;

SSL_CTX* client_context() {
    static SSL_CTX* context = [] {
        std::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes the socket itself
        SSL_CTX* made = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(made, SSL_VERIFY_NONE, nullptr);
        return made;
    }();
    return context;
}

// What OpenSSL's last call on `ssl` asks for: POLLIN or POLLOUT to go on, 0 when it failed.
short wanted(SSL* ssl, int ret) {
    switch (SSL_get_error(ssl, ret)) {
        case SSL_ERROR_WANT_READ:
            return POLLIN;
        case SSL_ERROR_WANT_WRITE:
            return POLLOUT;
        default:
            ERR_clear_error();
            return 0;
    }
}
}  // namespace

LineClient::LineClient(LineClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      eof_(other.eof_),
      buffer_(std::move(other.buffer_)) {}

bool LineClient::wait(short events, Clock::time_point deadline) {
    for (;;) {
        pollfd pfd{fd_, events, 0};
        int ready = poll(&pfd, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        return ready > 0;
    }
}

std::vector<std::uint8_t> LineClient::channel_binding() const {
    if (!ssl_) return {};
    const auto binding = sala::tls_channel_binding(ssl_).value_or(sala::protocol::ChannelBinding{});
    return {binding.begin(), binding.end()};
}

std::string LineClient::server_fingerprint() const {
    return ssl_ ? sala::certificate_fingerprint(SSL_get0_peer_certificate(ssl_)) : std::string();
}

LineClient::LineClient(std::uint16_t port, int receive_buffer, Wire wire) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        int error = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(std::string("connect: ") + std::strerror(error));
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd_, F_SETFL, O_NONBLOCK);
    if (wire == Wire::plain) return;
    ssl_ = SSL_new(client_context());
    SSL_set_fd(ssl_, fd_);
    SSL_set_connect_state(ssl_);
    const auto deadline = Clock::now() + 5000ms;
    for (;;) {
        int ret = SSL_do_handshake(ssl_);
        if (ret == 1) return;
        short events = wanted(ssl_, ret);
        if (events == 0 || !wait(events, deadline)) {
            close();
            throw std::runtime_error("TLS handshake with the server failed");
        }
    }
}

LineClient::~LineClient() { close(); }

bool LineClient::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        if (fd_ < 0) return false;
        if (ssl_) {
            std::size_t written = 0;
            int ret = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written);
            if (ret == 1) {
                bytes.remove_prefix(written);
                continue;
            }
            short events = wanted(ssl_, ret);
            if (events == 0 || !wait(events, deadline)) return false;
            continue;
        }
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd pfd{fd_, POLLOUT, 0};
            if (poll(&pfd, 1, remaining_ms(deadline)) <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

bool LineClient::send(const Json& message, std::chrono::milliseconds timeout) {
    return send_raw(message.dump() + "\n", timeout);
}

// Reads what is available, waiting until the deadline; false on timeout, close or error.
bool LineClient::fill(Clock::time_point deadline) {
    if (fd_ < 0 || eof_) return false;
    for (;;) {
        char chunk[65536];
        if (ssl_) {
            std::size_t got = 0;
            int ret = SSL_read_ex(ssl_, chunk, sizeof chunk, &got);
            if (ret == 1) {
                buffer_.append(chunk, got);
                return true;
            }
            short events = wanted(ssl_, ret);
            if (events == 0) {
                eof_ = true;  // closed (close_notify or the socket's end) or failed
                return false;
            }
            if (!wait(events, deadline)) return false;
            continue;
        }
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            eof_ = true;  // reset
            return false;
        }
        pollfd pfd{fd_, POLLIN, 0};
        int ready = poll(&pfd, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
    }
}

std::optional<std::string> LineClient::read_line(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        if (!fill(deadline)) return std::nullopt;
    }
}

std::optional<Json> LineClient::read(std::chrono::milliseconds timeout) {
    auto line = read_line(timeout);
    if (!line) return std::nullopt;
    Json message = Json::parse(*line, nullptr, false);
    if (message.is_discarded()) return std::nullopt;
    return message;
}

std::optional<Json> LineClient::wait_for(std::string_view type, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = read(std::chrono::milliseconds(remaining_ms(deadline)));
        if (!message) return std::nullopt;
        if (message->is_object() && message->value("type", "") == type) return message;
    }
}

bool LineClient::quiet_for(std::chrono::milliseconds duration) { return !read_line(duration).has_value(); }

bool LineClient::wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!eof_ && fd_ >= 0) {
        if (!fill(deadline) && !eof_) return false;
        buffer_.clear();
    }
    return true;
}

std::optional<Json> LineClient::hello(const std::string& name, int media_port) {
    if (!send(Json{{"type", "hello"}, {"version", 1}, {"name", name}, {"media_port", media_port}})) return std::nullopt;
    auto reply = read();
    if (!reply || reply->value("type", "") != "welcome") return std::nullopt;
    return reply;
}

void LineClient::close() {
    if (ssl_) {
        if (fd_ >= 0 && !eof_) SSL_shutdown(ssl_);  // close_notify, not waiting for the answer
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void LineClient::reset() {
    if (fd_ < 0) return;
    linger abort{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    if (ssl_) {
        SSL_free(ssl_);  // no close_notify: an abrupt end
        ssl_ = nullptr;
    }
    close();
}

std::uint16_t LineClient::local_port() const {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
}

std::optional<std::uint16_t> port_from_listening_line(const std::string& line) {
    const std::string prefix = "listening on ";
    auto colon = line.rfind(':');
    if (line.rfind(prefix, 0) != 0 || colon == std::string::npos) return std::nullopt;
    auto port = sala::parse_integer(line.substr(colon + 1), 1, 65535);
    if (!port) return std::nullopt;
    return static_cast<std::uint16_t>(*port);
}

}  // namespace sala::test
