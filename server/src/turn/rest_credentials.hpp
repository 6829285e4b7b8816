#pragma once
// The TURN REST credential convention coturn understands (--use-auth-secret): the username is
// "EXPIRY:NAME" with EXPIRY a Unix time, the password base64(HMAC-SHA1(secret, username)).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sala::server::turn {

std::string base64(std::span<const std::uint8_t> bytes);

struct RestUsername {
    std::int64_t expiry = 0;  // Unix time after which it is refused
    std::string_view name;    // the registered user's name
};
// "EXPIRY:NAME" with EXPIRY 1 to 19 decimal digits and a non-empty NAME; nullopt otherwise.
std::optional<RestUsername> parse_rest_username(std::string_view username);

std::string rest_username(std::int64_t expiry, std::string_view name);
std::string rest_password(std::string_view secret, std::string_view username);

// A fresh random secret (32 bytes from the system's CSPRNG, as base64): the per-start default.
std::string random_secret();

}  // namespace sala::server::turn
