#include "server_options.hpp"

#include "data_dir.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <asio/ip/address.hpp>
#include <fstream>

#include <string>

namespace sala::server {

FlagParser server_flags() {
    FlagParser parser("sala-server", "[options]",
                      "The Sala directory server: registration, live presence, call signalling, STUN answers.");
    parser
        .option("config", "FILE",
                "read flags from this JSON file: {\"port\": 5000, \"relay\": \"off\", ...}, the flag names without "
                "--; flags given here win")
        .option("bind", "ADDR", "address to listen on (default ::, both IPv6 and IPv4; 0.0.0.0 on a host without IPv6)")
        .option("port", "N",
                "TCP port, and the UDP port of STUN; 0 for any free port (default " +
                    std::to_string(protocol::kDefaultPort) + ")")
        .option("max-clients", "N",
                "most registered clients at once (default: what the open-file limit allows beside the relay's sockets)")
        .option("invite-timeout", "SECONDS", "unanswered invites end after this (default 30)")
        .option("idle-timeout", "SECONDS", "silent clients are dropped after this (default 30)")
        .option("resume-grace", "SECONDS",
                "a resumable client whose connection drops without bye is held this long (default " +
                    std::to_string(protocol::kDefaultResumeGraceSeconds) + ", 0: not held)")
        .option("stun", "on|off", "answer STUN Binding requests on UDP at the same port number (default on)")
        .option("relay", "on|off", "a TURN relay on UDP and TCP at the same port number (default on)")
        .option("public-address", "ADDR", "this server's address as clients reach it (behind a NAT or port forward)")
        .option("turn-server", "turn:HOST:PORT", "hand out credentials for this TURN server instead of relaying")
        .option("turn-secret-file", "FILE", "the TURN REST secret (mode 0600); default: random per start")
        .option("max-allocations", "N", "most TURN allocations at once (default 2000)")
        .option("max-allocations-per-user", "N", "most TURN allocations one user holds at once (default 4)")
        .option("relay-ports", "MIN-MAX",
                "UDP ports relay allocations take, for a firewall rule (default: the kernel's ephemeral range)")
        .option("data-dir", "DIR",
                "where name bindings are kept (default $XDG_STATE_HOME/sala-server, else ~/.local/state/sala-server)")
        .option("name-expiry-days", "N",
                "a name bound to a key and unused this many days is freed (default " +
                    std::to_string(kDefaultNameExpiryDays) + ")")
        .option("name-expiry-seconds", "N", "the same in seconds, for tests (overrides --name-expiry-days)")
        .option("release-name", "NAME",
                "free NAME's binding and exit: in --data-dir (that server must not be running), or with --redis in the "
                "cluster's Redis")
        .option("cert", "FILE", "TLS certificate (PEM, chain after it); default: a self-signed one made in --data-dir")
        .option("key", "FILE", "the private key of --cert (PEM)")
        .option("redis", "redis://HOST:PORT[/DB]",
                "be one node of a cluster of servers sharing this Redis (users, names, presence, calls)")
        .option("redis-password-file", "FILE", "the Redis password (AUTH), first line of FILE (mode 0600)")
        .flag(
            "insecure-plaintext",
            "also accept plain JSON lines without TLS, for debugging with nc (only with --bind on a loopback address)");
    return parser;
}

std::variant<ServerOptions, std::string> options_from_flags(const ParsedFlags& flags) {
    ServerOptions options;
    if (flags.has("bind")) {
        options.bind = flags.get("bind");
        options.bind_given = true;
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
    if (flags.has("resume-grace")) {
        auto seconds = parse_integer(flags.get("resume-grace"), 0, 300);
        if (!seconds) return std::string("--resume-grace must be a number of seconds from 0 to 300");
        options.resume_grace = std::chrono::seconds(*seconds);
    }
    if (flags.has("stun")) {
        std::string stun = flags.get("stun");
        if (stun != "on" && stun != "off") return std::string("--stun must be on or off");
        options.stun = stun == "on";
    }
    if (flags.has("relay")) {
        std::string relay = flags.get("relay");
        if (relay != "on" && relay != "off") return std::string("--relay must be on or off");
        options.relay = relay == "on";
    }
    if (flags.has("public-address")) {
        options.public_address = flags.get("public-address");
        if (options.public_address->empty()) return std::string("--public-address needs an address");
        in_addr parsed{};
        if (::inet_pton(AF_INET, options.public_address->c_str(), &parsed) != 1)
            return "--public-address takes the IPv4 address clients reach this server at (the relay is IPv4 only), "
                   "not '" +
                   *options.public_address + "'";
    }
    if (flags.has("turn-server")) {
        std::string uri = flags.get("turn-server");
        auto colon = uri.rfind(':');
        if (uri.rfind("turn:", 0) != 0 || colon <= 5 || !parse_integer(uri.substr(colon + 1), 1, 65535))
            return std::string("--turn-server must be turn:HOST:PORT");
        options.turn_server = uri;
    }
    if (flags.has("turn-secret-file")) {
        bool ok = false;
        auto secret = read_secret_file(flags.get("turn-secret-file"), ok);
        if (!ok) return std::get<1>(secret);
        options.turn_secret = std::get<0>(secret);
    }
    if (options.turn_server && !options.turn_secret)
        return std::string("--turn-server needs --turn-secret-file (the secret that server was started with)");
    if (flags.has("max-allocations")) {
        auto max = parse_integer(flags.get("max-allocations"), 1, 100000);
        if (!max) return std::string("--max-allocations must be a number from 1 to 100000");
        options.max_allocations = static_cast<std::size_t>(*max);
    }
    if (flags.has("relay-ports")) {
        const std::string text = flags.get("relay-ports");
        const auto dash = text.find('-');
        auto first = dash == std::string::npos ? std::nullopt : parse_integer(text.substr(0, dash), 1024, 65535);
        auto last = dash == std::string::npos ? std::nullopt : parse_integer(text.substr(dash + 1), 1024, 65535);
        if (!first || !last || *first > *last)
            return "--relay-ports takes MIN-MAX, two port numbers from 1024 to 65535 with MIN <= MAX, not '" + text +
                   "'";
        options.relay_ports = PortRange{static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
    }
    if (flags.has("max-allocations-per-user")) {
        auto max = parse_integer(flags.get("max-allocations-per-user"), 1, 64);
        if (!max) return std::string("--max-allocations-per-user must be a number from 1 to 64");
        options.max_allocations_per_user = static_cast<std::size_t>(*max);
    }
    options.data_dir = flags.has("data-dir") ? flags.get("data-dir") : default_data_dir().string();
    if (options.data_dir.empty()) return std::string("--data-dir is needed: neither XDG_STATE_HOME nor HOME is set");
    if (flags.has("name-expiry-days")) {
        auto days = parse_integer(flags.get("name-expiry-days"), 1, 36500);
        if (!days) return std::string("--name-expiry-days must be a number of days from 1 to 36500");
        options.name_expiry = std::chrono::days(*days);
    }
    if (flags.has("name-expiry-seconds")) {
        auto seconds = parse_integer(flags.get("name-expiry-seconds"), 1, 36500LL * 86400);
        if (!seconds) return std::string("--name-expiry-seconds must be a number of seconds from 1 to 3153600000");
        options.name_expiry = std::chrono::seconds(*seconds);
    }
    if (flags.has("release-name")) {
        options.release_name = flags.get("release-name");
        if (auto problem = protocol::name_problem(*options.release_name)) return "--release-name: " + *problem;
    }
    if (flags.has("cert") != flags.has("key")) return std::string("--cert and --key go together");
    if (flags.has("cert")) {
        tls::CertificateFiles files{flags.get("cert"), flags.get("key")};
        for (const auto& file : {files.certificate, files.key})
            if (::access(file.c_str(), R_OK) != 0) return "--cert/--key: cannot read " + file.string();
        options.certificate = files;
    }
    if (flags.has("redis")) {
        std::string problem;
        options.redis = cluster::parse_redis_address(flags.get("redis"), &problem);
        if (!options.redis) return problem;
    }
    if (flags.has("redis-password-file")) {
        if (!options.redis) return std::string("--redis-password-file goes with --redis");
        bool ok = false;
        auto password = read_secret_file(flags.get("redis-password-file"), ok, "--redis-password-file");
        if (!ok) return std::get<1>(password);
        options.redis_password = std::get<0>(password);
    }
    if (flags.has("insecure-plaintext")) {
        std::error_code ec;
        auto address = asio::ip::make_address(options.bind, ec);
        if (!options.bind_given || ec || !address.is_loopback())
            return std::string(
                "--insecure-plaintext needs --bind on a loopback address (127.0.0.1 or ::1): plain "
                "lines would show names and calls to anyone on the network");
        options.insecure_plaintext = true;
    }
    return options;
}

std::variant<std::string, std::string> read_secret_file(const std::string& path, bool& ok, std::string_view flag_view) {
    const std::string flag(flag_view);
    ok = false;
    struct stat info {};
    if (stat(path.c_str(), &info) != 0)
        return std::variant<std::string, std::string>(std::in_place_index<1>, flag + ": cannot read " + path);
    if ((info.st_mode & 077) != 0)
        return std::variant<std::string, std::string>(
            std::in_place_index<1>, flag + ": " + path + " can be read by others than its owner; chmod 600 it");
    std::ifstream in(path);
    std::string secret;
    std::getline(in, secret);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (!in && !in.eof())
        return std::variant<std::string, std::string>(std::in_place_index<1>, flag + ": cannot read " + path);
    if (secret.empty())
        return std::variant<std::string, std::string>(std::in_place_index<1>, flag + ": " + path + " holds no secret");
    ok = true;
    return std::variant<std::string, std::string>(std::in_place_index<0>, secret);
}

bool host_has_ipv6() {
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 loopback{};
    loopback.sin6_family = AF_INET6;
    loopback.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&loopback), sizeof loopback) == 0;
    ::close(fd);
    return ok;
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

DescriptorPlan plan_descriptors(std::size_t open_file_limit, std::optional<std::size_t> max_clients,
                                std::size_t max_allocations) {
    std::size_t reserved = kReservedDescriptors + kSpareConnections;
    std::size_t room = open_file_limit > reserved ? open_file_limit - reserved : 0;
    DescriptorPlan plan;
    if (max_clients) {
        plan.clients = *max_clients;
        plan.allocations = std::min(max_allocations, room > plan.clients ? room - plan.clients : 0);
    } else {
        plan.allocations = std::min(max_allocations, room / 2);
        plan.clients = std::max<std::size_t>(1, room - plan.allocations);
    }
    return plan;
}

}  // namespace sala::server
