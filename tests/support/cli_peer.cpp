#include "cli_peer.hpp"

#include <algorithm>

#include "sala/protocol.hpp"
#include "temp_dir.hpp"

namespace sala::test {
namespace {
// Unless a test gives one, each name gets a config directory of its own for the life of the test
// program (CTest runs one test per program): the same name keeps its identity key and pinned
// servers within a test, and no test meets another's pin for a server that had the same port.
std::string config_dir_for(const std::string& name) {
    static TempDir configs;
    return configs.file("config-" + protocol::name_key(name));
}

std::vector<std::string> cli_argv(const std::string& servers, const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv{bin("sala-cli"), "--server", servers, "--name", name, "--json"};
    if (std::find(extra.begin(), extra.end(), "--config-dir") == extra.end())
        argv.insert(argv.end(), {"--config-dir", config_dir_for(name)});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}
}  // namespace

CliPeer::CliPeer(std::uint16_t server_port, const std::string& name, std::vector<std::string> extra_args)
    : CliPeer("127.0.0.1:" + std::to_string(server_port), name, std::move(extra_args)) {}

CliPeer::CliPeer(const std::string& servers, const std::string& name, std::vector<std::string> extra_args)
    : name_(name), process_(cli_argv(servers, name, std::move(extra_args))) {}

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
