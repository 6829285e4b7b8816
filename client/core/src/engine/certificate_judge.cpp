#include "engine/certificate_judge.hpp"

#include <filesystem>

namespace sala::client {

CertificateJudge::CertificateJudge(const std::string& config_dir)
    : known_(config_dir.empty() ? std::filesystem::path() : std::filesystem::path(config_dir) / "known_servers") {}

std::optional<std::string> CertificateJudge::judge(const ServerCertificate& certificate, const EngineOptions& options,
                                                   Snapshot& state, std::optional<Notice>& told) {
    const TrustPolicy policy{options.trust_on_first_use, options.trust_server};
    TrustVerdict verdict = decide_trust(known_, state.server, certificate, policy);
    state.server_fingerprint = certificate.fingerprint;
    if (verdict.trusted) {
        told = notices::server_trusted(state.server, certificate.fingerprint, verdict.sentence);
        return std::nullopt;
    }
    state.server_trust = ServerTrustQuestion{state.server, certificate.fingerprint, verdict.pinned, ++questions_};
    return verdict.sentence;
}

bool CertificateJudge::trust(const std::string& fingerprint, EngineOptions& options, Snapshot& state) {
    if (!state.server_trust || state.server_trust->fingerprint != fingerprint) return false;
    options.trust_server = fingerprint;  // pinned when the server presents it again
    state.server_trust.reset();
    state.connect_error.clear();
    return true;
}

}  // namespace sala::client
