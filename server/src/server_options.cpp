#include "server_options.hpp"

#include <sys/resource.h>

#include <string>

namespace sala::server {

FlagParser server_flags() {
    FlagParser parser("sala-server", "[options]",
                      "The Sala directory server: registration, live presence, call signalling, STUN answers.");
    parser.option("bind", "ADDR", "address to listen on (default 0.0.0.0)")
        .option("port", "N",
                "TCP port, and the UDP port of STUN; 0 for any free port (default " +
                    std::to_string(protocol::kDefaultPort) + ")")
        .option("max-clients", "N", "most registered clients at once (default: what the open-file limit allows)")
        .option("invite-timeout", "SECONDS", "unanswered invites end after this (default 30)")
        .option("idle-timeout", "SECONDS", "silent clients are dropped after this (default 30)")
        .option("stun", "on|off", "answer STUN Binding requests on UDP at the same port number (default on)");
    return parser;
}

std::variant<ServerOptions, std::string> options_from_flags(const ParsedFlags& flags) {
    ServerOptions options;
    if (flags.has("bind")) {
        options.bind = flags.get("bind");
        if (options.bind.empty()) return std::string("--bind needs an address");
    }
    if (flags.has("port")) {
        auto port = parse_integer(flags.get("port"), 0, 65535);
        if (!port) return std::string("--port must be a number from 0 to 65535");
        options.port = static_cast<std::uint16_t>(*port);
    }
    if (flags.has("max-clients")) {
        auto max = parse_integer(flags.get("max-clients"), 1, 10'000'000);
        if (!max) return std::string("--max-clients must be a number from 1 to 10000000");
        options.max_clients = static_cast<std::size_t>(*max);
    }
    for (auto [flag, field] :
         {std::pair{"invite-timeout", &options.invite_timeout}, std::pair{"idle-timeout", &options.idle_timeout}}) {
        if (!flags.has(flag)) continue;
        auto seconds = parse_integer(flags.get(flag), 1, 86400);
        if (!seconds) return std::string("--") + flag + " must be a number of seconds from 1 to 86400";
        *field = std::chrono::seconds(*seconds);
    }
    if (flags.has("stun")) {
        std::string stun = flags.get("stun");
        if (stun != "on" && stun != "off") return std::string("--stun must be on or off");
        options.stun = stun == "on";
    }
    return options;
}

std::size_t raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t client_capacity(std::size_t open_file_limit) {
    std::size_t reserved = kReservedDescriptors + kSpareConnections;
    return open_file_limit > reserved + 1 ? open_file_limit - reserved : 1;
}

}  // namespace sala::server
