#include <iostream>

#include "sala/config_file.hpp"
#include "server.hpp"
#include "server_options.hpp"

int main(int argc, char** argv) {
    const auto parser = sala::server::server_flags();
    auto flags = sala::with_config_file(parser, parser.parse_or_exit(argc, argv));
    if (auto* error = std::get_if<std::string>(&flags)) {
        std::cerr << "sala-server: " << *error << "\n";
        return 2;
    }
    auto options = sala::server::options_from_flags(std::get<sala::ParsedFlags>(flags));
    if (auto* error = std::get_if<std::string>(&options)) {
        std::cerr << "sala-server: " << *error << "\n";
        return 2;
    }
    const auto& parsed = std::get<sala::server::ServerOptions>(options);
    if (parsed.release_name) return sala::server::release_name(parsed);
    return sala::server::run(parsed);
}
