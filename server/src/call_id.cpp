#include "call_id.hpp"

#include <openssl/crypto.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace sala::server {

namespace {

std::string random_hex() {
    std::array<std::uint8_t, 16> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");
        }
        filled += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        id.push_back(kHex[b >> 4]);
        id.push_back(kHex[b & 0xF]);
    }
    return id;
}

}  // namespace

std::string new_call_id() { return random_hex(); }

std::string new_resume_token() { return random_hex(); }

bool same_resume_token(std::string_view presented, std::string_view held) {
    // Every token has the same length, so comparing lengths first tells an attacker nothing.
    return !held.empty() && presented.size() == held.size() &&
           CRYPTO_memcmp(presented.data(), held.data(), held.size()) == 0;
}

}  // namespace sala::server
