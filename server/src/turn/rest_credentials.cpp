#include "turn/rest_credentials.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "stun/integrity.hpp"

namespace sala::server::turn {

std::string base64(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t chunk = std::uint32_t{bytes[i]} << 16;
        if (i + 1 < bytes.size()) chunk |= std::uint32_t{bytes[i + 1]} << 8;
        if (i + 2 < bytes.size()) chunk |= bytes[i + 2];
        out += kDigits[chunk >> 18 & 63];
        out += kDigits[chunk >> 12 & 63];
        out += i + 1 < bytes.size() ? kDigits[chunk >> 6 & 63] : '=';
        out += i + 2 < bytes.size() ? kDigits[chunk & 63] : '=';
    }
    return out;
}

std::optional<RestUsername> parse_rest_username(std::string_view username) {
    std::size_t colon = username.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 19 || colon + 1 == username.size())
        return std::nullopt;
    std::int64_t expiry = 0;
    for (char c : username.substr(0, colon)) {
        if (c < '0' || c > '9') return std::nullopt;
        if (expiry > (INT64_MAX - 9) / 10) return std::nullopt;
        expiry = expiry * 10 + (c - '0');
    }
    return RestUsername{expiry, username.substr(colon + 1)};
}

std::string rest_username(std::int64_t expiry, std::string_view name) {
    return std::to_string(expiry) + ":" + std::string(name);
}

std::string rest_password(std::string_view secret, std::string_view username) {
    auto digest = stun::hmac_sha1(stun::bytes_of(secret), stun::bytes_of(username));
    return base64(digest);
}

std::string random_secret() {
    std::array<std::uint8_t, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("no random bytes for the TURN secret");
    return base64(bytes);
}

}  // namespace sala::server::turn
