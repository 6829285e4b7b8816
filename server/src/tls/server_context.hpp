#pragma once
// The server's TLS settings (asio::ssl::context over OpenSSL): TLS 1.3, at least 1.2; the
// certificate and key; no session tickets or session cache, and record buffers released while
// a connection is idle, so that ten thousand idle clients cost little memory (docs/benchmarks.md).

#include <asio/ssl/context.hpp>
#include <string>

#include "tls/server_certificate.hpp"

namespace sala::server::tls {

struct ServerContext {
    asio::ssl::context context{asio::ssl::context::tls_server};
    std::string fingerprint;  // of the certificate: sala::tls_fingerprint
};

// Throws std::runtime_error with a sentence naming the file when the certificate or key cannot be
// used (unreadable, not PEM, or not a pair).
std::unique_ptr<ServerContext> make_server_context(const CertificateFiles& files);

}  // namespace sala::server::tls
