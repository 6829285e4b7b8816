#include "turn/nonce.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>

#include "stun/integrity.hpp"

namespace sala::server::turn {
namespace {
std::string hex16(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

std::string tag(const std::string& key, std::string_view time_hex) {
    auto digest = stun::hmac_sha1(stun::bytes_of(key), stun::bytes_of(time_hex));
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | digest[static_cast<std::size_t>(i)];
    return hex16(value);
}
}  // namespace

std::string random_nonce_key() {
    std::string key(32, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size()));
    return key;
}

NonceIssuer::NonceIssuer(std::string key) : key_(std::move(key)) {}

std::string NonceIssuer::issue(std::int64_t now) const {
    std::string time_hex = hex16(static_cast<std::uint64_t>(now));
    return time_hex + tag(key_, time_hex);
}

bool NonceIssuer::valid(std::string_view nonce, std::int64_t now) const {
    if (nonce.size() != 32) return false;
    std::string_view time_hex = nonce.substr(0, 16);
    std::uint64_t issued = 0;
    for (char c : time_hex) {
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) return false;
        issued = issued << 4 | static_cast<std::uint64_t>(digit);
    }
    std::string expected = tag(key_, time_hex);
    if (CRYPTO_memcmp(expected.data(), nonce.data() + 16, 16) != 0) return false;
    auto age = now - static_cast<std::int64_t>(issued);
    return age >= -60 && age < kNonceLifetime.count();
}

}  // namespace sala::server::turn
