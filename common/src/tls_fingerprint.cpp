#include "sala/tls_fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <vector>

namespace sala {
namespace {
constexpr std::string_view kPrefix = "SHA256:";
constexpr std::size_t kBase64Digits = 43;  // 32 bytes, unpadded
}  // namespace

std::string tls_fingerprint(std::span<const std::uint8_t> der) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    unsigned int size = 0;
    EVP_Digest(der.data(), der.size(), digest.data(), &size, EVP_sha256(), nullptr);
    std::array<unsigned char, 4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1> text{};
    int length = EVP_EncodeBlock(text.data(), digest.data(), static_cast<int>(digest.size()));
    std::string encoded(reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(length));
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    return std::string(kPrefix) + encoded;
}

std::string certificate_fingerprint(X509* certificate) {
    const int size = certificate ? i2d_X509(certificate, nullptr) : 0;
    if (size <= 0) return {};
    std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
    unsigned char* out = der.data();
    i2d_X509(certificate, &out);
    return tls_fingerprint(der);
}

bool is_tls_fingerprint(std::string_view text) {
    if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + kBase64Digits) return false;
    return std::all_of(text.begin() + kPrefix.size(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    });
}

}  // namespace sala
