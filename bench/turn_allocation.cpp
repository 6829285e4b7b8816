#include "turn_allocation.hpp"

#include <variant>

namespace sala::bench {
using namespace server::stun;

namespace {
constexpr std::uint32_t kUdp = 17u << 24;  // REQUESTED-TRANSPORT: protocol 17, three bytes RFFU
}

TurnAllocation::TurnAllocation(std::string username, std::string password)
    : username_(std::move(username)), password_(std::move(password)) {}

void TurnAllocation::allocate() {
    method_ = method::allocate;
    challenges_ = 0;
    build();
}

void TurnAllocation::channel_bind(std::uint16_t channel, const TransportAddress& peer) {
    method_ = method::channel_bind;
    channel_ = channel;
    peer_ = peer;
    challenges_ = 0;
    build();
}

void TurnAllocation::build() {
    for (auto& byte : transaction_) byte = static_cast<std::uint8_t>(random_());
    MessageBuilder out(request_, method_, Class::request, transaction_);
    if (method_ == method::allocate) {
        out.add_u32(attribute::requested_transport, kUdp);
    } else {
        out.add_u32(attribute::channel_number, std::uint32_t{channel_} << 16);
        out.add_xor_address(attribute::xor_peer_address, peer_);
    }
    if (!nonce_.empty()) {
        out.add_text(attribute::username, username_).add_text(attribute::realm, realm_);
        out.add_text(attribute::nonce, nonce_).add_message_integrity(key_);
    }
    out.add_fingerprint();
    auto bytes = out.finish();
    request_size_ = bytes ? bytes->size() : 0;
}

TurnAllocation::Outcome TurnAllocation::on_datagram(std::span<const std::uint8_t> datagram) {
    auto parsed = parse(datagram);
    if (!std::holds_alternative<Message>(parsed)) return Outcome::ignored;
    const Message& m = std::get<Message>(parsed);
    if (m.header().transaction != transaction_ || m.header().method != method_) return Outcome::ignored;
    if (m.header().message_class == Class::error_response) {
        const Attribute* code_attribute = m.find(attribute::error_code);
        auto code = code_attribute ? decode_error_code(code_attribute->value) : std::nullopt;
        const bool challenge = code && (code->code == 401 || code->code == 438);
        if (challenge && !m.text(attribute::nonce).empty() && ++challenges_ <= 2) {
            nonce_ = m.text(attribute::nonce);
            if (!m.text(attribute::realm).empty()) realm_ = m.text(attribute::realm);
            key_ = long_term_key(username_, realm_, password_);
            build();
            return Outcome::again;
        }
        error_ = code ? std::to_string(code->code) + " " + std::string(code->reason) : "an error without ERROR-CODE";
        return Outcome::failed;
    }
    if (m.header().message_class != Class::success_response) return Outcome::ignored;
    if (method_ == method::allocate) {
        const Attribute* relayed = m.find(attribute::xor_relayed_address);
        auto address = relayed ? decode_xor_address(relayed->value, transaction_) : std::nullopt;
        if (!address) {
            error_ = "Allocate success without XOR-RELAYED-ADDRESS";
            return Outcome::failed;
        }
        relayed_ = *address;
    }
    return Outcome::done;
}

}  // namespace sala::bench
