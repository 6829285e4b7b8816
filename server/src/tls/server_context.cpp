#include "tls/server_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "sala/tls_fingerprint.hpp"

namespace sala::server::tls {

std::unique_ptr<ServerContext> make_server_context(const CertificateFiles& files) {
    auto result = std::make_unique<ServerContext>();
    SSL_CTX* ctx = result->context.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx,
                     SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    asio::error_code ec;
    result->context.use_certificate_chain_file(files.certificate.string(), ec);
    if (ec)
        throw std::runtime_error("cannot use the TLS certificate " + files.certificate.string() + ": " + ec.message());
    result->context.use_private_key_file(files.key.string(), asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot use the TLS key " + files.key.string() + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx) != 1)
        throw std::runtime_error("the TLS key " + files.key.string() + " does not belong to the certificate " +
                                 files.certificate.string());
    result->fingerprint = certificate_fingerprint(SSL_CTX_get0_certificate(ctx));
    return result;
}

}  // namespace sala::server::tls
