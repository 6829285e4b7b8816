#include "cluster/redis_address.hpp"

#include <charconv>

namespace sala::server::cluster {
namespace {

std::optional<long> number(std::string_view text, long min, long max) {
    long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
        return std::nullopt;
    return value;
}

}  // namespace

std::string RedisAddress::text() const {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "redis://" + shown + ":" + std::to_string(port) + "/" + std::to_string(db);
}

std::optional<RedisAddress> parse_redis_address(std::string_view url, std::string* problem) {
    constexpr std::string_view scheme = "redis://";
    auto fail = [&](std::string why) -> std::optional<RedisAddress> {
        *problem = "--redis: " + why + " (expected redis://HOST:PORT[/DB])";
        return std::nullopt;
    };
    if (url.substr(0, scheme.size()) != scheme) return fail("the address must start with redis://");
    url.remove_prefix(scheme.size());
    RedisAddress address;
    if (auto slash = url.find('/'); slash != std::string_view::npos) {
        auto db = number(url.substr(slash + 1), 0, 65535);
        if (!db) return fail("the database must be a number from 0 to 65535");
        address.db = static_cast<int>(*db);
        url = url.substr(0, slash);
    }
    if (url.find('@') != std::string_view::npos)
        return fail("give the password with --redis-password-file, not in the URL");
    std::string_view host = url, port;
    if (!url.empty() && url.front() == '[') {
        auto close = url.find(']');
        if (close == std::string_view::npos) return fail("an unclosed [ in the host");
        host = url.substr(1, close - 1);
        std::string_view rest = url.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return fail("something after the ] of the host");
        if (!rest.empty()) port = rest.substr(1);
    } else if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
        host = url.substr(0, colon);
        port = url.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return fail("write an IPv6 host in brackets");
    }
    if (host.empty()) return fail("no host");
    if (!port.empty() || url.ends_with(':')) {
        auto value = number(port, 1, 65535);
        if (!value) return fail("the port must be a number from 1 to 65535");
        address.port = static_cast<std::uint16_t>(*value);
    }
    address.host = std::string(host);
    return address;
}

}  // namespace sala::server::cluster
