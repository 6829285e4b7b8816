#pragma once
// The certificate sala-server presents: --cert FILE --key FILE when given (a CA-issued one, for
// example), else a self-signed one it makes on first start in its data directory and keeps
// (tls-cert.pem, and tls-key.pem with mode 0600), so that clients that pinned it keep trusting it.

#include <filesystem>
#include <string>

namespace sala::server::tls {

struct CertificateFiles {
    std::filesystem::path certificate;  // PEM: the certificate, then any chain
    std::filesystem::path key;          // PEM: its private key
};

// DIR/tls-cert.pem and DIR/tls-key.pem, made first if either is missing: a P-256 key and a
// certificate for `common_name`, valid for 20 years. Throws std::runtime_error with a sentence.
CertificateFiles self_signed_in(const std::filesystem::path& dir, const std::string& common_name);

}  // namespace sala::server::tls
