#pragma once
// sala-cli's command line, checked into one struct.

#include <optional>
#include <string>

#include "sala/client/engine_options.hpp"
#include "sala/client/server_address.hpp"

namespace sala::cli {

enum class Answer { ignore, accept, reject };

struct CliOptions {
    client::ServerAddress server;
    std::vector<client::ServerAddress> more_servers;  // --server's other addresses: nodes of one cluster
    std::string name;
    std::optional<std::string> call;
    Answer answer = Answer::ignore;
    std::optional<double> duration_s;
    std::optional<long long> calls;  // exit after this many calls ended
    bool json = false;
    bool list_devices = false;
    bool history = false;  // print the call history and exit
    client::EngineOptions engine;
};

// Parses argv; on --help/--version prints and exits; on a bad flag prints one line and exits 2.
CliOptions parse_cli_options(int argc, char** argv);

}  // namespace sala::cli
