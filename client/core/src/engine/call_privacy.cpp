#include "engine/call_privacy.hpp"

#include <cstdlib>
#include <stdexcept>

#include "media/media_session.hpp"

namespace sala::client {
namespace {
Identity load_identity(const std::string& dir) {
    return dir.empty() ? Identity::generate() : Identity::load_or_create(dir);
}

std::optional<SrtpSuite> suite_named(const std::string& name) {
    if (name == "off") return std::nullopt;
    if (auto suite = parse_srtp_suite(name)) return *suite;
    throw std::runtime_error("unknown SRTP suite '" + name + "' (AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM)");
}
}  // namespace

CallPrivacy::CallPrivacy(const EngineOptions& options)
    : identity_(load_identity(options.config_dir)),
      known_(options.config_dir.empty() ? std::filesystem::path()
                                        : std::filesystem::path(options.config_dir) / "known_peers"),
      suite_(suite_named(options.srtp_suite)),
      allow_unencrypted_(options.allow_unencrypted || !suite_) {
    if (const char* path = std::getenv("SALA_SRTP_KEYLOG"); path && *path) key_log_ = path;
}

CallPrivacy::~CallPrivacy() = default;

std::optional<protocol::Json> CallPrivacy::offer() {
    end();
    if (!suite_) return std::nullopt;
    keys_ = std::make_unique<CallKeys>(identity_, *suite_);
    return to_json(keys_->offer());
}

std::optional<protocol::Json> CallPrivacy::answer(const std::string& call_id) {
    if (!peer_offer_) return std::nullopt;
    if (!keys_) keys_ = std::make_unique<CallKeys>(identity_, *parse_srtp_suite(peer_offer_->suite));
    return to_json(keys_->answer(call_id, *peer_offer_));
}

std::optional<Notice> CallPrivacy::check(const CallTransition& t, const CallStateMachine& calls) {
    auto why = problem(t, calls);
    if (!why) return std::nullopt;
    return notices::not_private(calls.peer(), *why);
}

std::optional<std::string> CallPrivacy::problem(const CallTransition& t, const CallStateMachine& calls) {
    if (t.failed || t.ended_reason) end();
    if (!t.invited && !t.started) return std::nullopt;
    if (t.invited) end();
    peer_ = calls.peer();
    std::string problem;
    std::optional<protocol::KeyOffer> remote;
    if (t.remote_keys && !(remote = protocol::parse_key_offer(*t.remote_keys, &problem)))
        return peer_ + "'s keys are malformed (" + problem + ")";
    if (t.invited) {
        if (!remote) return allow_unencrypted_ ? std::nullopt : std::optional(peer_ + "'s client sent no keys");
        if (auto why = CallKeys::offer_problem(*remote)) return why;
        peer_offer_ = remote;
        return std::nullopt;
    }
    std::optional<AgreedKeys> agreed;
    if (calls.is_caller() && remote && keys_)
        agreed = keys_->agree_as_caller(calls.call_id(), *remote, &problem);
    else if (!calls.is_caller() && peer_offer_ && keys_)
        agreed = keys_->agree_as_callee(calls.call_id(), *peer_offer_, &problem);
    else if (calls.is_caller() && !remote)
        return allow_unencrypted_ ? std::nullopt : std::optional(peer_ + "'s client sent no keys");
    else
        return allow_unencrypted_ ? std::nullopt : std::optional<std::string>("no keys were agreed");
    if (!agreed) return problem;
    try {
        srtp_ = std::make_unique<SrtpSession>(agreed->send, agreed->receive, SrtpKeyLog{key_log_, calls.call_id()});
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
    security_ = CallSecurity{true,
                             to_string(keys_->suite()),
                             agreed->safety_code,
                             protocol::to_hex(agreed->peer_identity.data(), agreed->peer_identity.size()),
                             known_.check_and_remember(peer_, agreed->peer_identity) == PeerKey::changed,
                             !key_log_.empty()};
    keys_.reset();  // the ephemeral secret is no longer needed
    peer_offer_.reset();
    return std::nullopt;
}

std::vector<Notice> CallPrivacy::secure(MediaSession& media, CallSecurity& security) {
    std::vector<Notice> warnings;
    security = srtp_ ? security_ : CallSecurity{};
    if (!srtp_) {
        warnings.push_back(notices::not_encrypted(peer_));
        return warnings;
    }
    media.protect_with(std::move(srtp_));
    if (security.peer_key_changed) warnings.push_back(notices::peer_key_changed(peer_));
    if (security.key_logged) warnings.push_back(notices::key_logged(key_log_));
    return warnings;
}

void CallPrivacy::end() {
    keys_.reset();
    peer_offer_.reset();
    srtp_.reset();
    security_ = {};
}

}  // namespace sala::client
