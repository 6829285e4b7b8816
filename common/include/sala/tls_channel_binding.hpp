#pragma once
// RFC 9266 tls-exporter of a TLS connection, what a name proof signs over TLS (docs/protocol.md,
// "TLS (version 5)"): the server, the client, the tests' LineClient and the load benchmark all
// take it from here.

#include <optional>

#include "sala/name_proof.hpp"

struct ssl_st;  // OpenSSL's SSL

namespace sala {

// 32 bytes exported with the label "EXPORTER-Channel-Binding" and no context; nullopt when OpenSSL
// cannot export them (no finished handshake).
std::optional<protocol::ChannelBinding> tls_channel_binding(ssl_st* ssl);

}  // namespace sala
