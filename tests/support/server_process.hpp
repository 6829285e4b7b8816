#pragma once
// A real sala-server for tests: started with --port 0 on 127.0.0.1, its port read from
// the first stdout line. It speaks TLS (sala-cli and the engine use it) and, unless told
// otherwise, plain lines too (--insecure-plaintext), for the tests that type the protocol with
// LineClient.

#include <cstdint>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace sala::test {

class ServerProcess {
public:
    // Starts bin("sala-server") --bind 127.0.0.1 --port 0 plus `extra_args`, and --data-dir in a
    // fresh temporary directory unless `extra_args` names one; throws if it does not report a port
    // within 5 s.
    explicit ServerProcess(std::vector<std::string> extra_args = {}, bool plaintext_too = true);
    std::uint16_t port() const { return port_; }
    Process& process() { return process_; }
    // The --data-dir it made (its certificate and name bindings), for a restart that keeps them.
    std::string data_dir() const { return data_.file("server-data"); }

private:
    TempDir data_;  // the server's --data-dir unless given (before process_: outlives it)
    Process process_;
    std::uint16_t port_ = 0;
};

}  // namespace sala::test
