#pragma once
// The engine's side of a server's certificate: the servers pinned in the config directory
// (known_servers), the options' policy (--trust-server, trust on first use), and the question
// put to the user when the certificate is trusted by neither.

#include <cstdint>
#include <optional>
#include <string>

#include "directory/server_trust.hpp"
#include "engine/notices.hpp"
#include "sala/client/engine_options.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class CertificateJudge {
public:
    // Empty config_dir: nothing pinned, every server is first seen.
    explicit CertificateJudge(const std::string& config_dir);

    // Judges the certificate of state.server: nullopt when it is trusted (and *told says so), else
    // why not, with state.server_trust set for the user to decide.
    std::optional<std::string> judge(const ServerCertificate& certificate, const EngineOptions& options,
                                     Snapshot& state, std::optional<Notice>& told);

    // The user's answer to state.server_trust: true when it was about this fingerprint, which is
    // then trusted (and pinned when the server presents it again) and the question cleared.
    bool trust(const std::string& fingerprint, EngineOptions& options, Snapshot& state);

private:
    KnownServers known_;
    std::uint64_t questions_ = 0;
};

}  // namespace sala::client
