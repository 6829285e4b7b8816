// libFuzzer target: one ICE candidate attribute from the peer (RFC 8839 section 5.1), as the
// client parses it before libnice sees it (client/core/src/media/ice/ice_candidate). Besides what
// the sanitizers catch, it checks that the attribute written from a parse passes the shape check
// the server applies (sala::protocol::candidate_problem), parses back to the same candidate and
// writes the same text again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check.hpp"
#include "media/ice/ice_candidate.hpp"
#include "sala/ice_description.hpp"

namespace {
using namespace sala::client;

using sala::fuzz::check;

bool same(const IceCandidate& a, const IceCandidate& b) {
    return a.foundation == b.foundation && a.component == b.component && a.transport == b.transport &&
           a.priority == b.priority && a.address == b.address && a.port == b.port && a.type == b.type &&
           a.related_address == b.related_address && a.related_port == b.related_port && a.tcp_type == b.tcp_type;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = parse_ice_candidate(text);
    if (!parsed) return 0;
    const std::string written = to_attribute(*parsed);
    check(!sala::protocol::candidate_problem(written));
    if (written.size() > kMaxIceCandidateText) return 0;  // numbers written shorter, " rport 0" added
    auto again = parse_ice_candidate(written);
    check(again.has_value());
    check(same(*again, *parsed));
    check(to_attribute(*again) == written);
    return 0;
}
