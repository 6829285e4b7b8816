#pragma once
// One side's ICE (RFC 8445) description as protocol v2 carries it in call, invite, accept and
// call_started: {"ufrag": ..., "pwd": ..., "candidates": ["candidate:...", ...]}, and the
// candidate lines trickled later. Checked here for the server (which relays it) and the
// client (which reads it) alike. See docs/protocol.md, "ICE descriptions".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sala::protocol {

inline constexpr std::size_t kMaxCandidates = 32;       // in a description, and trickled per side
inline constexpr std::size_t kMaxCandidateChars = 512;  // one candidate line
inline constexpr std::size_t kMaxIceCredentialChars = 256;
inline constexpr std::size_t kMaxRestarts = 16;  // ICE restarts per side per call

struct IceDescription {
    std::string ufrag;                    // 4..256 ICE characters (RFC 8445 section 5.3)
    std::string pwd;                      // 22..256 ICE characters
    std::vector<std::string> candidates;  // SDP candidate attribute values, "candidate:..." (RFC 8839)
};

// A description from a message field; nullopt with a sentence in *problem when it is not one.
std::optional<IceDescription> parse_ice(const nlohmann::json& value, std::string* problem);
nlohmann::json to_json(const IceDescription& ice);

// Why a candidate line is not one (the shape of RFC 8839 section 5.1: foundation, component,
// transport, priority, address, port, "typ", type, ...); nullopt when it is fine.
std::optional<std::string> candidate_problem(std::string_view candidate);
// The candidate's connection address (an IP address or an mDNS/host name), as written.
std::optional<std::string> candidate_address(std::string_view candidate);

}  // namespace sala::protocol
