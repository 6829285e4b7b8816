#pragma once
// NONCE values (RFC 8489, 9.2) that need no table: the time they were issued and an HMAC of it
// with a key of this run, so any nonce this server gave out within kNonceLifetime is valid and
// every other one is stale (438).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sala::server::turn {

inline constexpr std::chrono::seconds kNonceLifetime{3600};

// Random bytes for a NonceIssuer's key (the system's CSPRNG).
std::string random_nonce_key();

class NonceIssuer {
public:
    explicit NonceIssuer(std::string key);  // any bytes; random per run in the server

    // A nonce issued at Unix time `now`: 16 hex digits of time, 16 of HMAC.
    std::string issue(std::int64_t now) const;
    // True if this issuer made it less than kNonceLifetime before `now`.
    bool valid(std::string_view nonce, std::int64_t now) const;

private:
    std::string key_;
};

}  // namespace sala::server::turn
