#include "redis_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace sala::test {

std::uint16_t free_tcp_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("no free TCP port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

RedisProcess::RedisProcess() : port_(free_tcp_port()) { start(); }

void RedisProcess::start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--loglevel", "notice"});
    if (!process_->wait_for_line("Ready to accept connections", 5000ms))
        throw std::runtime_error("redis-server did not start on port " + std::to_string(port_) +
                                 "; stderr: " + process_->stderr_text());
}

std::string RedisProcess::cli(const std::vector<std::string>& command) const {
    std::vector<std::string> argv{"/usr/bin/redis-cli", "-p", std::to_string(port_)};
    argv.insert(argv.end(), command.begin(), command.end());
    Process client(argv);
    auto line = client.read_line(5000ms);
    client.wait(5000ms);
    return line.value_or("");
}

void RedisProcess::stop() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait(5000ms);
    process_.reset();
}

void RedisProcess::restart() {
    stop();
    start();
}

}  // namespace sala::test
