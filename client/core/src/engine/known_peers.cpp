#include "engine/known_peers.hpp"

#include <fstream>
#include <vector>

#include "sala/key_offer.hpp"
#include "sala/protocol.hpp"
#include "sala/replace_file.hpp"

namespace sala::client {

PeerKey KnownPeers::check_and_remember(const std::string& name, const PublicKey& key) {
    if (file_.empty()) return PeerKey::first_seen;
    const std::string wanted = protocol::name_key(name);
    const std::string hex = protocol::to_hex(key.data(), key.size());
    std::vector<std::string> kept;
    PeerKey result = PeerKey::first_seen;
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) {
        const auto space = line.find(' ');
        if (space == std::string::npos) continue;
        if (protocol::name_key(line.substr(space + 1)) != wanted) {
            kept.push_back(line);
            continue;
        }
        result = line.substr(0, space) == hex ? PeerKey::known : PeerKey::changed;
    }
    if (result == PeerKey::known) return result;
    kept.push_back(hex + " " + name);
    std::string contents;
    for (const auto& line : kept) contents += line + "\n";
    replace_file(file_, contents);
    return result;
}

}  // namespace sala::client
