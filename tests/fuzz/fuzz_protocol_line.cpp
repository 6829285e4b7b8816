// libFuzzer target: one line from a client, as sala-server and the client read it: the JSON line
// codec, then the fields protocol v2 adds (an ICE description, a trickled candidate), v3's key
// offer ("keys"), session resumption's (hello's resumable and resume_token, welcome's resumed and
// call_id) and v4's name proof (hello's identity and proof, challenge's nonce), checked the way the
// registry and the directory client check them. Besides what the sanitizers catch, it checks that
// a message written back as a line parses to the same JSON, and that an ICE description and a key
// offer written from their parse parse back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check.hpp"
#include "sala/ice_description.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"
#include "sala/protocol.hpp"

namespace {
using sala::fuzz::check;

bool same(const sala::protocol::KeyOffer& a, const sala::protocol::KeyOffer& b) {
    return a.suite == b.suite && a.identity == b.identity && a.ephemeral == b.ephemeral && a.signature == b.signature;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace protocol = sala::protocol;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    auto parsed = protocol::parse_line(line);
    if (auto* message = std::get_if<protocol::Json>(&parsed)) {
        std::string problem;
        if (auto ice = message->find("ice"); ice != message->end()) {
            if (auto description = protocol::parse_ice(*ice, &problem)) {
                for (const auto& candidate : description->candidates)
                    check(protocol::candidate_address(candidate).has_value());
                auto again = protocol::parse_ice(protocol::to_json(*description), nullptr);
                check(again && again->ufrag == description->ufrag && again->pwd == description->pwd &&
                      again->candidates == description->candidates);
            } else {
                check(!problem.empty());
            }
        }
        if (auto keys = message->find("keys"); keys != message->end()) {
            problem.clear();
            if (auto offer = protocol::parse_key_offer(*keys, &problem)) {
                auto again = protocol::parse_key_offer(protocol::to_json(*offer), nullptr);
                check(again && same(*again, *offer));
            } else {
                check(!problem.empty());
            }
        }
        if (auto candidate = protocol::get_string(*message, "candidate")) (void)protocol::candidate_problem(*candidate);
        namespace field = protocol::field;
        if (auto resumable = message->find(field::resumable); resumable != message->end())
            (void)(resumable->is_boolean() && *resumable == true);
        if (auto token = message->find(field::resume_token); token != message->end() && token->is_string())
            (void)token->get_ref<const std::string&>().size();
        if (auto resumed = message->find(field::resumed); resumed != message->end()) (void)(*resumed == true);
        (void)protocol::get_string(*message, field::call_id);
        (void)protocol::get_int(*message, "media_port");
        (void)protocol::get_int(*message, "version");
        (void)protocol::name_problem(protocol::get_string(*message, "name").value_or(""));
        // v4: hello's identity and proof, challenge's nonce, and the bytes a proof signs.
        if (auto proof = protocol::parse_name_proof(*message, &problem)) (void)proof->identity[0];
        if (auto nonce = protocol::parse_nonce(*message))
            if (auto name = protocol::get_string(*message, "name"))
                (void)protocol::name_proof_message(*nonce, std::nullopt, *name).size();

        // What the server relays and the client writes: one line, which reads back the same.
        const std::string out = protocol::to_line(*message);
        check(!out.empty() && out.back() == '\n' && out.find('\n') == out.size() - 1);
        auto back = protocol::parse_line(std::string_view(out).substr(0, out.size() - 1));
        check(std::holds_alternative<protocol::Json>(back) && std::get<protocol::Json>(back) == *message);
    } else {
        check(!std::get<protocol::LineError>(parsed).message.empty());
    }
    (void)protocol::candidate_address(line);
    return 0;
}
