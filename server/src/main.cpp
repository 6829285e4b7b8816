#include <iostream>

#include "server.hpp"
#include "server_options.hpp"

int main(int argc, char** argv) {
    auto flags = sala::server::server_flags().parse_or_exit(argc, argv);
    auto options = sala::server::options_from_flags(flags);
    if (auto* error = std::get_if<std::string>(&options)) {
        std::cerr << "sala-server: " << *error << "\n";
        return 2;
    }
    const auto& parsed = std::get<sala::server::ServerOptions>(options);
    if (parsed.release_name) return sala::server::release_name(parsed);
    return sala::server::run(parsed);
}
