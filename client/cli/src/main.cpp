#include <iostream>

#include "sala/cli_flags.hpp"

int main(int argc, char** argv) {
    auto flags = sala::FlagParser("sala-cli", "--server HOST[:PORT] --name NAME [options]",
                                  "The Sala client without a window, for scripts, bots and tests.")
                     .option("server", "HOST[:PORT]", "directory server (default port 5000)")
                     .option("name", "NAME", "the name to register")
                     .parse_or_exit(argc, argv);
    (void)flags;
    std::cerr << "sala-cli: not implemented yet\n";
    return 1;
}
