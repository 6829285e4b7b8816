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

}  // namespace sala::client
