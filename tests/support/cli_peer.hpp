#pragma once
// A real sala-cli process for tests, run with --json: its events are read with deadlines.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace sala::test {

class CliPeer {
public:
    // Starts bin("sala-cli") --server 127.0.0.1:PORT --name NAME --json plus `extra_args`.
    CliPeer(std::uint16_t server_port, const std::string& name, std::vector<std::string> extra_args = {});
    // The same with --server SERVERS as given (e.g. the nodes of a cluster, "127.0.0.1:P1,127.0.0.1:P2").
    CliPeer(const std::string& servers, const std::string& name, std::vector<std::string> extra_args = {});

    // Skips events until one with "event" == kind arrives; returns it, or nullopt.
    std::optional<nlohmann::json> wait_for(const std::string& kind, std::chrono::milliseconds timeout = 5000ms);
    // Every event read so far, in order.
    const std::vector<nlohmann::json>& events() const { return events_; }
    void command(const std::string& line) { process_.write_stdin(line + "\n"); }
    Process& process() { return process_; }
    const std::string& name() const { return name_; }

private:
    std::string name_;
    Process process_;
    std::vector<nlohmann::json> events_;
};

}  // namespace sala::test
