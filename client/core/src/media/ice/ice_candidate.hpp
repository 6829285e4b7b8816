#pragma once
// ICE candidates as SDP attribute text (RFC 8839 section 5.1), the form they take in signalling:
// "candidate:1 1 UDP 2013266431 192.0.2.1 43761 typ host". The text comes from the peer, so it
// is parsed with bounds before libnice sees it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sala::client {

// One parsed candidate attribute.
struct IceCandidate {
    std::string foundation;
    unsigned component = 1;
    std::string transport;  // "UDP" or "TCP"
    std::uint32_t priority = 0;
    std::string address;  // an IP address, without brackets
    unsigned short port = 0;
    std::string type;  // "host", "srflx", "prflx" or "relay"
    std::string related_address;
    unsigned short related_port = 0;
    std::string tcp_type;  // "active", "passive" or "so" for TCP candidates
};

inline constexpr std::size_t kMaxIceCandidateText = 256;

// Parses "candidate:..." (an "a=" prefix is accepted); nullopt when malformed or too long.
std::optional<IceCandidate> parse_ice_candidate(std::string_view text);
// The attribute value, without "a=" (related address only when set, related port when either is).
std::string to_attribute(const IceCandidate& candidate);

}  // namespace sala::client
