#include "media/srtp/srtp_keys.hpp"

#include <sodium.h>

namespace sala::client {

const char* to_string(SrtpSuite suite) {
    return suite == SrtpSuite::aead_aes_128_gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80";
}

std::optional<SrtpSuite> parse_srtp_suite(std::string_view name) {
    for (auto suite : {SrtpSuite::aes_cm_128_hmac_sha1_80, SrtpSuite::aead_aes_128_gcm})
        if (name == to_string(suite)) return suite;
    return std::nullopt;
}

std::size_t srtp_master_salt_bytes(SrtpSuite suite) { return suite == SrtpSuite::aead_aes_128_gcm ? 12 : 14; }

void SrtpMasterKey::erase() {
    sodium_memzero(key.data(), key.size());
    sodium_memzero(salt.data(), salt.size());
}

std::string SrtpMasterKey::hex() const {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    auto put = [&](const std::uint8_t* bytes, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            out += digits[bytes[i] >> 4];
            out += digits[bytes[i] & 15];
        }
    };
    put(key.data(), key.size());
    put(salt.data(), srtp_master_salt_bytes(suite));
    return out;
}

}  // namespace sala::client
