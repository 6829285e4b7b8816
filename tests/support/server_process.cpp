#include "server_process.hpp"

#include <algorithm>
#include <stdexcept>

#include "line_client.hpp"

namespace sala::test {
namespace {
std::vector<std::string> server_argv(std::vector<std::string> extra, const TempDir& data, bool plaintext_too) {
    std::vector<std::string> argv{bin("sala-server"), "--bind", "127.0.0.1", "--port", "0"};
    // Plain lines are refused on a non-loopback bind: those tests use LineClient::tls.
    if (plaintext_too && std::find(extra.begin(), extra.end(), "--bind") == extra.end())
        argv.push_back("--insecure-plaintext");
    if (std::find(extra.begin(), extra.end(), "--data-dir") == extra.end())
        argv.insert(argv.end(), {"--data-dir", data.file("server-data")});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_args, bool plaintext_too)
    : process_(server_argv(std::move(extra_args), data_, plaintext_too)) {
    auto first = process_.read_line(5000ms);
    auto port = first ? port_from_listening_line(*first) : std::nullopt;
    if (!port) throw std::runtime_error("sala-server did not report its port; stderr: " + process_.stderr_text());
    port_ = *port;
}

}  // namespace sala::test
