#pragma once
// The identity keys of the peers this client has talked to (trust on first use), kept in the
// config directory (file known_peers: one "HEX-KEY NAME" line per peer, names compared without
// regard to ASCII case). A known peer whose key changed is said so at the start of the call,
// and its new key is remembered from then on.

#include <filesystem>
#include <string>

#include "engine/identity.hpp"

namespace sala::client {

enum class PeerKey { first_seen, known, changed };

class KnownPeers {
public:
    // An empty path remembers nothing (every peer is first seen).
    explicit KnownPeers(std::filesystem::path file = {}) : file_(std::move(file)) {}
    // What `key` is for `name`; remembers it. A file that cannot be written is not an error
    // (the call goes on; the next one may say "first seen" again).
    PeerKey check_and_remember(const std::string& name, const PublicKey& key);

private:
    std::filesystem::path file_;
};

}  // namespace sala::client
