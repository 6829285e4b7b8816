// libFuzzer target: one line from a client, as sala-server and the client read it: the JSON line
// codec, then the fields protocol v2 adds (an ICE description, a trickled candidate) and session
// resumption's (hello's resumable and resume_token, welcome's resumed and call_id), v4's name proof
// (hello's identity and proof, challenge's nonce), checked the way
// the registry and the directory client check them. Nothing may crash, hang or leak, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sala/ice_description.hpp"
#include "sala/name_proof.hpp"
#include "sala/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    auto parsed = sala::protocol::parse_line(line);
    if (auto* message = std::get_if<sala::protocol::Json>(&parsed)) {
        std::string problem;
        if (auto ice = message->find("ice"); ice != message->end())
            if (auto description = sala::protocol::parse_ice(*ice, &problem))
                for (const auto& candidate : description->candidates)
                    (void)sala::protocol::candidate_address(candidate);
        if (auto candidate = sala::protocol::get_string(*message, "candidate"))
            (void)sala::protocol::candidate_problem(*candidate);
        namespace field = sala::protocol::field;
        if (auto resumable = message->find(field::resumable); resumable != message->end())
            (void)(resumable->is_boolean() && *resumable == true);
        if (auto token = message->find(field::resume_token); token != message->end() && token->is_string())
            (void)token->get_ref<const std::string&>().size();
        if (auto resumed = message->find(field::resumed); resumed != message->end()) (void)(*resumed == true);
        (void)sala::protocol::get_string(*message, field::call_id);
        // v4: hello's identity and proof, challenge's nonce, and the bytes a proof signs.
        if (auto proof = sala::protocol::parse_name_proof(*message, &problem)) (void)proof->identity[0];
        if (auto nonce = sala::protocol::parse_nonce(*message))
            if (auto name = sala::protocol::get_string(*message, "name"))
                (void)sala::protocol::name_proof_message(*nonce, *name).size();
        (void)sala::protocol::to_line(*message);
    }
    (void)sala::protocol::candidate_address(line);
    return 0;
}
