#pragma once
// A real redis-server for tests: 127.0.0.1 on a free port, nothing saved to disk (--save ''
// --appendonly no), stopped by its PID (SIGKILL) when the object goes, or by stop(); restart()
// brings a fresh, empty one back on the same port.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace sala::test {

class RedisProcess {
public:
    // Starts redis-server and waits until it accepts connections; throws after 5 s.
    RedisProcess();
    std::uint16_t port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    void stop();     // SIGKILL, and waits for it to exit
    void restart();  // stop() if running, then a new one on the same port
    bool running() const { return process_ != nullptr; }
    // redis-cli's answer (its first line) to one command, e.g. {"EXISTS", "sala:user:alice"}.
    std::string cli(const std::vector<std::string>& command) const;

private:
    void start();
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
};

// A TCP port on 127.0.0.1 nobody listens on at the moment of asking.
std::uint16_t free_tcp_port();

}  // namespace sala::test
