#include "server_process.hpp"

#include <stdexcept>

#include "line_client.hpp"

namespace sala::test {
namespace {
std::vector<std::string> server_argv(std::vector<std::string> extra) {
    std::vector<std::string> argv{bin("sala-server"), "--bind", "127.0.0.1", "--port", "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_args) : process_(server_argv(std::move(extra_args))) {
    auto first = process_.read_line(5000ms);
    auto port = first ? port_from_listening_line(*first) : std::nullopt;
    if (!port) throw std::runtime_error("sala-server did not report its port; stderr: " + process_.stderr_text());
    port_ = *port;
}

}  // namespace sala::test
