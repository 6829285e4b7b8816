#include "cli_peer.hpp"

namespace sala::test {
namespace {
std::vector<std::string> cli_argv(std::uint16_t port, const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv{bin("sala-cli"), "--server", "127.0.0.1:" + std::to_string(port),
                                  "--name",        name,       "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}
}  // namespace

CliPeer::CliPeer(std::uint16_t server_port, const std::string& name, std::vector<std::string> extra_args)
    : name_(name), process_(cli_argv(server_port, name, std::move(extra_args))) {}

std::optional<nlohmann::json> CliPeer::wait_for(const std::string& kind, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto line = process_.read_line(left);
        if (!line) return std::nullopt;
        auto event = nlohmann::json::parse(*line, nullptr, false);
        if (event.is_discarded()) continue;
        events_.push_back(event);
        if (event.value("event", "") == kind) return event;
    }
}

}  // namespace sala::test
