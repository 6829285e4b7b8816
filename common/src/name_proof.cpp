#include "sala/name_proof.hpp"

#include "sala/key_offer.hpp"
#include "sala/protocol.hpp"

namespace sala::protocol {
namespace {
template <std::size_t N>
bool read_hex(const nlohmann::json& value, const char* field, std::array<std::uint8_t, N>& out) {
    auto it = value.find(field);
    return it != value.end() && it->is_string() && from_hex(it->get_ref<const std::string&>(), out.data(), N);
}
}  // namespace

std::optional<NameProof> parse_name_proof(const nlohmann::json& hello, std::string* problem) {
    problem->clear();
    const bool has_identity = hello.contains(field::identity), has_proof = hello.contains(field::proof);
    if (!has_identity && !has_proof) return std::nullopt;
    NameProof proof{};
    if (!read_hex(hello, field::identity, proof.identity))
        *problem = "hello's \"identity\" must be 64 hex digits (an Ed25519 public key).";
    else if (!read_hex(hello, field::proof, proof.signature))
        *problem = "hello's \"proof\" must be 128 hex digits (an Ed25519 signature of the challenge).";
    if (!problem->empty()) return std::nullopt;
    return proof;
}

std::optional<NameNonce> parse_nonce(const nlohmann::json& challenge) {
    NameNonce nonce{};
    if (!read_hex(challenge, field::nonce, nonce)) return std::nullopt;
    return nonce;
}

std::vector<std::uint8_t> name_proof_message(const NameNonce& nonce, const std::optional<ChannelBinding>& binding,
                                             std::string_view name) {
    const std::string_view context = binding ? kBoundNameProofContext : kNameProofContext;
    std::vector<std::uint8_t> message(context.begin(), context.end());
    message.push_back(0);
    message.insert(message.end(), nonce.begin(), nonce.end());
    if (binding) message.insert(message.end(), binding->begin(), binding->end());
    message.insert(message.end(), name.begin(), name.end());
    return message;
}

}  // namespace sala::protocol
