#include "media/ice/ice_candidate.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include <arpa/inet.h>

namespace sala::client {
namespace {

constexpr std::size_t kMaxFoundation = 32;  // RFC 8839: 1*32ice-char

bool ice_chars(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/'; });
}

template <typename T>
std::optional<T> number(std::string_view s) {
    T value{};
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || error != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

bool ip_address(const std::string& s) {
    // inet_pton reads a C string: "192.0.2.1\0junk" would pass and the junk go on to libnice.
    if (s.find('\0') != std::string::npos) return false;
    std::array<unsigned char, 16> out{};
    return ::inet_pton(AF_INET, s.c_str(), out.data()) == 1 || ::inet_pton(AF_INET6, s.c_str(), out.data()) == 1;
}

bool equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

std::optional<unsigned short> port_of(std::string_view s) {
    const auto port = number<unsigned>(s);
    if (!port || *port > 65535) return std::nullopt;
    return static_cast<unsigned short>(*port);
}

}  // namespace

std::optional<IceCandidate> parse_ice_candidate(std::string_view text) {
    if (text.size() > kMaxIceCandidateText) return std::nullopt;
    if (text.starts_with("a=")) text.remove_prefix(2);
    constexpr std::string_view kPrefix = "candidate:";
    if (!text.starts_with(kPrefix)) return std::nullopt;
    text.remove_prefix(kPrefix.size());

    std::vector<std::string_view> tokens;
    while (!text.empty()) {
        const auto space = text.find(' ');
        const auto token = text.substr(0, space);
        if (token.empty()) return std::nullopt;
        tokens.push_back(token);
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
        if (text.empty()) return std::nullopt;  // a trailing space
    }
    // foundation component transport priority address port "typ" type, then name/value pairs.
    if (tokens.size() < 8 || tokens.size() % 2 != 0 || tokens[6] != "typ") return std::nullopt;

    IceCandidate c;
    if (tokens[0].size() > kMaxFoundation || !ice_chars(tokens[0])) return std::nullopt;
    c.foundation = tokens[0];
    const auto component = number<unsigned>(tokens[1]);
    if (!component || *component < 1 || *component > 256) return std::nullopt;
    c.component = *component;
    if (equal_nocase(tokens[2], "UDP")) {
        c.transport = "UDP";
    } else if (equal_nocase(tokens[2], "TCP")) {
        c.transport = "TCP";
    } else {
        return std::nullopt;
    }
    const auto priority = number<std::uint32_t>(tokens[3]);
    if (!priority || *priority == 0) return std::nullopt;
    c.priority = *priority;
    c.address = tokens[4];
    if (!ip_address(c.address)) return std::nullopt;
    const auto port = port_of(tokens[5]);
    if (!port) return std::nullopt;
    c.port = *port;
    c.type = tokens[7];
    if (c.type != "host" && c.type != "srflx" && c.type != "prflx" && c.type != "relay") return std::nullopt;

    for (std::size_t i = 8; i + 1 < tokens.size(); i += 2) {
        const auto name = tokens[i];
        const auto value = tokens[i + 1];
        if (name == "raddr") {
            c.related_address = value;
            if (!ip_address(c.related_address)) return std::nullopt;
        } else if (name == "rport") {
            const auto related = port_of(value);
            if (!related) return std::nullopt;
            c.related_port = *related;
        } else if (name == "tcptype") {
            if (value != "active" && value != "passive" && value != "so") return std::nullopt;
            c.tcp_type = value;
        }  // other extensions (generation, ufrag, network-id...) are ignored, as RFC 8839 asks
    }
    if (c.transport == "TCP" && c.tcp_type.empty()) return std::nullopt;
    return c;
}

std::string to_attribute(const IceCandidate& c) {
    std::string out = "candidate:" + c.foundation + ' ' + std::to_string(c.component) + ' ' + c.transport + ' ' +
                      std::to_string(c.priority) + ' ' + c.address + ' ' + std::to_string(c.port) + " typ " + c.type;
    // A peer may send rport without raddr: it is kept, so the text libnice gets says what the peer said.
    if (!c.related_address.empty()) out += " raddr " + c.related_address;
    if (!c.related_address.empty() || c.related_port != 0) out += " rport " + std::to_string(c.related_port);
    if (!c.tcp_type.empty()) out += " tcptype " + c.tcp_type;
    return out;
}

}  // namespace sala::client
