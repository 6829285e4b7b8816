#include <iostream>

#include "sala/cli_flags.hpp"

int main(int argc, char** argv) {
    auto flags = sala::FlagParser("sala-server", "[options]",
                                  "The Sala directory server: registration, live presence and call signalling.")
                     .option("bind", "ADDR", "address to listen on (default 0.0.0.0)")
                     .option("port", "N", "TCP port, 0 for any free port (default 5000)")
                     .option("max-clients", "N", "most clients held at once")
                     .option("invite-timeout", "SECONDS", "unanswered invites end after this (default 30)")
                     .option("idle-timeout", "SECONDS", "silent clients are dropped after this (default 30)")
                     .parse_or_exit(argc, argv);
    (void)flags;
    std::cerr << "sala-server: not implemented yet\n";
    return 1;
}
