#pragma once
// The sala-server program: listens, serves clients until SIGINT/SIGTERM, then exits.

#include "server_options.hpp"

namespace sala::server {

// Prints "listening on ADDR:PORT" on stdout once bound; returns the exit status.
int run(const ServerOptions& options);
// sala-server --release-name NAME --data-dir DIR: frees one name's binding and returns the exit
// status (1, with a sentence, when the name is not bound or a server holds DIR).
int release_name(const ServerOptions& options);

}  // namespace sala::server
