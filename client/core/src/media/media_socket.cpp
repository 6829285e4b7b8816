#include "media/media_socket.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

namespace sala::client {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// The kernel stamps with the wall clock; the media code measures with the steady clock.
MediaSocket::Clock::time_point arrival_of(msghdr& message, MediaSocket::Clock::time_point steady_now,
                                          const timespec& wall_now) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
        timespec stamp{};
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        const auto age = std::chrono::seconds(wall_now.tv_sec - stamp.tv_sec) +
                         std::chrono::nanoseconds(wall_now.tv_nsec - stamp.tv_nsec);
        // A wall-clock step makes the age meaningless; then the datagram is as old as now.
        if (age < std::chrono::nanoseconds(0) || age > std::chrono::seconds(1)) return steady_now;
        return steady_now - std::chrono::duration_cast<MediaSocket::Clock::duration>(age);
    }
    return steady_now;
}

}  // namespace

MediaSocket::MediaSocket(asio::io_context& io, const asio::ip::address& address) : io_(io) {
    const asio::ip::udp::endpoint local(address, 0);
    fd_ = ::socket(local.data()->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("media socket");
    int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    asio::ip::udp::endpoint bound;
    socklen_t length = static_cast<socklen_t>(bound.capacity());
    if (::bind(fd_, local.data(), static_cast<socklen_t>(local.size())) != 0 ||
        ::getsockname(fd_, bound.data(), &length) != 0) {
        const int error = errno;
        ::close(fd_);
        throw std::system_error(error, std::generic_category(), "media socket bind");
    }
    bound.resize(length);
    port_ = bound.port();
}

MediaSocket::~MediaSocket() { close(); }

void MediaSocket::close() {
    stop_waiting();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void MediaSocket::send_to(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& to) {
    if (fd_ < 0) return;
    ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, to.data(), static_cast<socklen_t>(to.size()));
}

std::size_t MediaSocket::drain(const std::function<void(const Datagram&)>& each, std::size_t limit) {
    std::size_t total = 0;
    while (fd_ >= 0 && total < limit) {
        std::array<iovec, kBatch> vectors{};
        std::array<mmsghdr, kBatch> messages{};
        for (std::size_t i = 0; i < kBatch; ++i) {
            vectors[i] = {buffers_[i].data(), buffers_[i].size()};
            auto& m = messages[i].msg_hdr;
            m.msg_name = &addresses_[i];
            m.msg_namelen = sizeof addresses_[i];
            m.msg_iov = &vectors[i];
            m.msg_iovlen = 1;
            m.msg_control = controls_[i].data();
            m.msg_controllen = controls_[i].size();
        }
        const int n = ::recvmmsg(fd_, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;  // nothing waiting (EAGAIN), or an error the next read meets again
        const auto steady_now = Clock::now();
        timespec wall_now{};
        ::clock_gettime(CLOCK_REALTIME, &wall_now);
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            auto& m = messages[i].msg_hdr;
            Datagram datagram;
            datagram.data = std::span<const std::uint8_t>(buffers_[i].data(),
                                                          std::min<std::size_t>(messages[i].msg_len, kMaxDatagram));
            datagram.truncated = (m.msg_flags & MSG_TRUNC) != 0;
            if (m.msg_namelen <= datagram.from.capacity()) {
                std::memcpy(datagram.from.data(), m.msg_name, m.msg_namelen);
                datagram.from.resize(m.msg_namelen);
            }
            datagram.arrival = arrival_of(m, steady_now, wall_now);
            each(datagram);
        }
        total += static_cast<std::size_t>(n);
        if (static_cast<std::size_t>(n) < kBatch) break;
    }
    return total;
}

void MediaSocket::wait_readable(std::function<void()> on_readable) {
    if (fd_ < 0) return;
    if (!watcher_) {
        const int copy = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
        if (copy < 0) return;
        watcher_.emplace(io_, copy);
    }
    waiting_ = true;
    watcher_->async_wait(
        asio::posix::stream_descriptor::wait_read,
        [this, generation = wait_generation_, on_readable = std::move(on_readable)](asio::error_code ec) {
            if (ec == asio::error::operation_aborted || generation != wait_generation_) return;
            waiting_ = false;
            if (!ec) on_readable();
        });
}

void MediaSocket::drop_strays() {
    if (waiting_) return;
    wait_readable([this] {
        drain([](const Datagram&) {});
        drop_strays();
    });
}

void MediaSocket::stop_waiting() {
    ++wait_generation_;
    waiting_ = false;
    if (!watcher_) return;
    asio::error_code ignored;
    watcher_->close(ignored);  // leaves the epoll set with it
    watcher_.reset();
}

}  // namespace sala::client
