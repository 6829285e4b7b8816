#pragma once
// This client's identity: an Ed25519 key pair (libsodium), made on first run and kept in the
// config directory (file identity_ed25519, mode 0600: the 32-byte seed as hex). It signs the
// ephemeral key of every call. The secret never leaves this object and is erased with it.

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>

namespace sala::client {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

class Identity {
public:
    // A key pair from a 32-byte seed (tests and worked examples).
    static Identity from_seed(std::span<const std::uint8_t, 32> seed);
    // A new random key pair, kept nowhere.
    static Identity generate();
    // The key pair in dir/identity_ed25519, made (with dir, mode 0700) if there is none. Safe when
    // several processes start at once on the same directory. Throws std::runtime_error with a
    // sentence when the file cannot be read or written, or is readable by others.
    static Identity load_or_create(const std::filesystem::path& dir);

    Identity(const Identity&) = delete;
    Identity& operator=(const Identity&) = delete;
    Identity(Identity&& other) noexcept;
    Identity& operator=(Identity&&) = delete;
    ~Identity();

    const PublicKey& public_key() const { return public_; }
    Signature sign(std::span<const std::uint8_t> message) const;

private:
    Identity() = default;
    PublicKey public_{};
    std::array<std::uint8_t, 64> secret_{};  // libsodium's form: seed then public key
};

// True when `signature` is `key`'s Ed25519 signature of `message`.
bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& signature);

}  // namespace sala::client
