#pragma once
// Whether to go on with a server after the TLS handshake. A certificate the system's CAs vouch
// for (chain and host name) is trusted as is. Any other is trusted by its fingerprint, pinned in
// the config directory's known_servers file (one "HOST:PORT SHA256:..." line per server, as
// ssh's known_hosts): on first use it is pinned without a question (sala-cli) or the front end is
// asked (sala); a different fingerprint later is refused unless the user names it
// (--trust-server, or the window's "Trust" button), which pins it instead.

#include <filesystem>
#include <optional>
#include <string>

namespace sala::client {

struct ServerCertificate {
    std::string fingerprint;     // sala::tls_fingerprint of the leaf certificate
    bool vouched_by_ca = false;  // the chain verified against the system's CAs, host name included
};

struct TrustPolicy {
    bool pin_on_first_use = true;  // false: a first-seen certificate is a question for the user
    std::string accept;            // a fingerprint the user trusts (--trust-server): pinned when seen
};

struct TrustVerdict {
    bool trusted = false;
    bool first_use = false;  // no pin before (trusted: pinned now; refused: the user is asked)
    std::string pinned;      // the fingerprint pinned before, when a different one was refused
    std::string sentence;    // plain words: what happened, or why it was refused and what to do
};

class KnownServers {
public:
    // An empty path pins nothing (every server is first seen).
    explicit KnownServers(std::filesystem::path file = {}) : file_(std::move(file)) {}
    std::optional<std::string> pinned(const std::string& server) const;
    // Pins (or replaces the pin of) `server`. A file that cannot be written is not an error.
    void pin(const std::string& server, const std::string& fingerprint);
    const std::filesystem::path& file() const { return file_; }

private:
    std::filesystem::path file_;
};

// `server` is "HOST:PORT" as the user gave it.
TrustVerdict decide_trust(KnownServers& known, const std::string& server, const ServerCertificate& certificate,
                          const TrustPolicy& policy);

}  // namespace sala::client
