#pragma once
// Where a cluster's Redis is: --redis redis://HOST:PORT[/DB].

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sala::server::cluster {

struct RedisAddress {
    std::string host;  // a name or an IP address; an IPv6 address is written [ADDR] in the URL
    std::uint16_t port = 6379;
    int db = 0;
    std::string text() const;  // redis://HOST:PORT/DB, for messages (never the password)
};

// Parses redis://HOST[:PORT][/DB]; nullopt with a sentence in *problem otherwise.
std::optional<RedisAddress> parse_redis_address(std::string_view url, std::string* problem);

}  // namespace sala::server::cluster
