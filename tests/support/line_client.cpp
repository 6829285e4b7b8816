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

#include "deadline.hpp"
#include "sala/cli_flags.hpp"

namespace sala::test {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

LineClient::LineClient(std::uint16_t port, int receive_buffer) {
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
}

LineClient::~LineClient() { close(); }

bool LineClient::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        if (fd_ < 0) return false;
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
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void LineClient::reset() {
    if (fd_ < 0) return;
    linger abort{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
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
