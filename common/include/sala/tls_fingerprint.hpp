#pragma once
// How Sala names a TLS certificate: "SHA256:" and the unpadded base64 of the SHA-256 of its DER
// bytes, the way ssh names host keys. sala-server logs its own; clients pin it (known_servers)
// and `--trust-server` takes it. See docs/protocol.md, "TLS".

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct x509_st;  // OpenSSL's X509

namespace sala {

std::string tls_fingerprint(std::span<const std::uint8_t> der);
// The same of an OpenSSL certificate (its DER encoding); empty for none.
std::string certificate_fingerprint(x509_st* certificate);
// True for "SHA256:" followed by 43 base64 characters (what tls_fingerprint makes).
bool is_tls_fingerprint(std::string_view text);

}  // namespace sala
