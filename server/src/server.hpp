#pragma once
// The sala-server program: listens, serves clients until SIGINT/SIGTERM, then exits.

#include "server_options.hpp"

namespace sala::server {

// Prints "listening on ADDR:PORT" on stdout once bound; returns the exit status.
int run(const ServerOptions& options);

}  // namespace sala::server
