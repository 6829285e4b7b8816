#include "engine/notices.hpp"

#include <cmath>
#include <cstdio>

#include "sala/client/call_quality.hpp"
#include "sala/protocol.hpp"

namespace sala::client::notices {
namespace {
using protocol::Json;

const char* status_word(bool busy) {
    return protocol::to_string(busy ? protocol::Status::busy : protocol::Status::available);
}

Notice make(Json fields, std::string text, LogLevel level = LogLevel::info, bool logged = true) {
    return Notice{Event{std::move(fields), std::move(text)}, level, logged};
}

Notice error(const std::string& code, const std::string& message, std::string text, LogLevel level, bool registration) {
    Json fields{{"event", "error"}, {"code", code}, {"message", message}};
    // "registration": the engine gave up on this server until the user tries again.
    if (registration) fields["registration"] = true;
    return make(std::move(fields), std::move(text), level);
}

// A reason this version does not know (from a newer server) is still said, if less well.
std::string failure_words(const std::string& reason) {
    if (auto known = protocol::parse_fail_reason(reason)) return protocol::fail_sentence(*known);
    return "the call could not be made";
}

std::string ended_words(const std::string& reason, const std::string& by, const std::string& me,
                        const std::string& peer, std::chrono::milliseconds media_timeout) {
    if (auto known = protocol::parse_end_reason(reason))
        return protocol::end_sentence(*known, by, by == me, peer, std::chrono::duration<double>(media_timeout).count());
    return reason;
}
}  // namespace

Notice invalid_name(const std::string& problem) {
    return error("invalid_name", problem, problem, LogLevel::error, true);
}

Notice registered(const std::string& name, const std::string& server, const std::vector<UserEntry>& users, bool again,
                  bool resumed, bool in_call) {
    Json names = Json::array();
    for (const auto& u : users) names.push_back({{"name", u.name}, {"status", status_word(u.busy)}});
    Json fields{{"event", again ? "reconnected" : "registered"}, {"name", name}, {"server", server}, {"users", names}};
    if (!again) return make(std::move(fields), "registered as " + name + " on " + server);
    fields["resumed"] = resumed;
    std::string text = "reconnected to " + server;
    if (resumed)
        text += in_call ? "; the server kept our session and the call, which goes on" : "; the server kept our session";
    else
        text += " as a new session";
    return make(std::move(fields), text);
}

Notice server_unreachable(const std::string& sentence) {
    return error("server_unreachable", sentence, sentence, LogLevel::error, true);
}

Notice registration_failed(const std::string& code, const std::string& message) {
    return error(code, message, "registration failed: " + message, LogLevel::error, true);
}

Notice server_trusted(const std::string& server, const std::string& fingerprint, const std::string& sentence) {
    return make(Json{{"event", "server_certificate"}, {"server", server}, {"fingerprint", fingerprint}}, sentence);
}

Notice registration_retry(const std::string& code, const std::string& message) {
    return error(code, message, "server: " + message, LogLevel::warning, false);
}

Notice server_error(const std::string& code, const std::string& message) {
    return error(code, message, "server: " + message, LogLevel::error, false);
}

Notice connection_lost(const std::string& reason, bool in_call) {
    return make({{"event", "connection_lost"}, {"reason", reason}},
                "connection to the server lost (" + reason + ")" +
                    (in_call ? "; the call goes on, reconnecting" : "; reconnecting"),
                LogLevel::warning);
}

Notice server_shutdown() {
    return make({{"event", "server_shutdown"}}, "the server is shutting down", LogLevel::warning);
}

Notice server_cluster(bool joined, const std::string& message) {
    return make({{"event", "server_cluster"}, {"status", joined ? "joined" : "cut_off"}, {"message", message}},
                "server: " + message, joined ? LogLevel::info : LogLevel::warning);
}

std::optional<Notice> from_server(const std::string& kind, const Json& m) {
    namespace type = protocol::type;
    if (kind == type::error)
        return server_error(protocol::get_string(m, "code").value_or("error"),
                            protocol::get_string(m, "message").value_or("error"));
    if (kind == type::shutdown) return server_shutdown();
    if (kind == type::cluster) {
        const bool joined = protocol::get_string(m, "status").value_or("") == "joined";
        return server_cluster(
            joined,
            protocol::get_string(m, "message").value_or(joined ? "back in its cluster" : "cut off from its cluster"));
    }
    return std::nullopt;
}

Notice disconnected() { return make({{"event", "disconnected"}}, "disconnected from the server"); }

Notice user_joined(const std::string& name) {
    return make({{"event", "user_joined"}, {"name", name}}, name + " joined");
}

Notice user_status(const std::string& name, bool busy) {
    return make({{"event", "user_status"}, {"name", name}, {"status", status_word(busy)}},
                name + (busy ? " is busy" : " is available"), LogLevel::info, false);
}

Notice user_left(const std::string& name) { return make({{"event", "user_left"}, {"name", name}}, name + " left"); }

Notice refused(const char* command, const std::string& why) {
    return make({{"event", "error"}, {"code", "refused"}, {"command", command}, {"message", why}}, why,
                LogLevel::warning);
}

Notice calling(const std::string& peer) {
    return make({{"event", "calling"}, {"peer", peer}}, "calling " + peer + "...");
}

Notice invite(const std::string& from, const std::string& call_id) {
    return make({{"event", "invite"}, {"from", from}, {"call_id", call_id}}, from + " is calling you");
}

Notice call_failed(const std::string& peer, const std::string& reason) {
    return make({{"event", "call_failed"}, {"peer", peer}, {"reason", reason}},
                "call to " + peer + " failed: " + failure_words(reason), LogLevel::warning);
}

Notice call_started(const std::string& peer, const std::string& call_id, const std::string& host, unsigned short port,
                    const std::string& media_path, const CallSecurity& security) {
    Json fields{{"event", "call_started"},  {"peer", peer},
                {"call_id", call_id},       {"media", {{"host", host}, {"port", port}}},
                {"media_path", media_path}, {"encrypted", security.encrypted}};
    if (!security.encrypted)
        return make(std::move(fields), "call started with " + peer + " (NOT private: not encrypted)");
    fields["srtp_suite"] = security.suite;
    fields["safety_code"] = security.safety_code;
    fields["peer_identity"] = security.peer_identity;
    fields["peer_key_changed"] = security.peer_key_changed;
    return make(std::move(fields), "call started with " + peer + ", end-to-end encrypted; safety code " +
                                       security.safety_code.substr(0, 3) + " " + security.safety_code.substr(3) +
                                       " (read it to " + peer +
                                       ": the same code on both sides means nobody listens in)");
}

Notice not_private(const std::string& peer, const std::string& problem) {
    return make({{"event", "error"}, {"code", "not_private"}, {"peer", peer}, {"message", problem}},
                "the call with " + peer + " cannot be end-to-end encrypted: " + problem + "; ending it",
                LogLevel::error);
}

Notice not_encrypted(const std::string& peer) {
    return make({{"event", "warning"}, {"code", "not_encrypted"}, {"peer", peer}},
                "this call with " + peer +
                    " is NOT private: it is not encrypted, so anyone on the network path can listen (allowed "
                    "by --allow-unencrypted or --srtp off)",
                LogLevel::warning);
}

Notice peer_key_changed(const std::string& peer) {
    return make({{"event", "warning"}, {"code", "peer_key_changed"}, {"peer", peer}},
                peer + "'s identity key has changed since your last call: either " + peer +
                    " set up Sala again, or someone else is answering as " + peer +
                    ". Read the safety code to each other before you trust this call.",
                LogLevel::warning);
}

Notice key_logged(const std::string& path) {
    return make({{"event", "warning"}, {"code", "key_logged"}, {"file", path}},
                "SALA_SRTP_KEYLOG is set: this call's keys are written to " + path +
                    ", so anyone who can read that file can listen. This call is NOT private.",
                LogLevel::warning);
}

Notice media_path(const std::string& path, const std::string& local, const std::string& remote,
                  const std::string& remote_address) {
    std::string text = path == "direct"    ? "audio goes straight to the peer"
                       : path == "relayed" ? "audio goes through the relay"
                                           : "audio goes through the relay, over TCP";
    return make({{"event", "media_path"},
                 {"media_path", path},
                 {"local", local},
                 {"remote", remote},
                 {"remote_address", remote_address}},
                text + " (" + local + " to " + remote + ", " + remote_address + ")");
}

Notice first_audio(const std::string& peer, std::chrono::steady_clock::duration after) {
    const double ms = std::chrono::duration<double, std::milli>(after).count();
    char text[96];
    std::snprintf(text, sizeof text, "first audio from %s played %.0f ms after the call started", peer.c_str(), ms);
    return make({{"event", "first_audio"}, {"peer", peer}, {"after_call_started_ms", std::round(ms * 10) / 10}}, text);
}

Notice path_lost() {
    return make({{"event", "media_path"}, {"media_path", "lost"}},
                "no audio from the peer for a second: looking for another path", LogLevel::warning);
}

Notice media_path_failed() {
    return make({{"event", "media_path"}, {"media_path", "failed"}},
                "no way to reach the peer was found: audio cannot flow", LogLevel::error);
}

Notice call_ended(const std::string& peer, const std::string& reason, const std::string& by, const std::string& me,
                  std::chrono::milliseconds media_timeout) {
    return make({{"event", "call_ended"}, {"peer", peer}, {"reason", reason}, {"by", by}},
                "call with " + peer + " ended: " + ended_words(reason, by, me, peer, media_timeout));
}

Notice bad_media_address() {
    const std::string text = "the server sent no usable media address";
    return error("bad_media_address", text, text, LogLevel::error, false);
}

Notice muted(bool muted) {
    return make({{"event", muted ? "muted" : "unmuted"}}, muted ? "microphone muted" : "microphone on");
}

std::string audio_problem(const char* device, const std::string& error) {
    return std::string("The ") + device + " could not be used: " + error;
}

Notice audio_device(const char* device, const std::string& error) {
    return make({{"event", "error"}, {"code", "audio_device"}, {"device", device}, {"message", error}},
                audio_problem(device, error) + "; the call goes on without it.", LogLevel::warning);
}

Notice stats(const std::string& peer, long long second, const CallStatistics& s, const MeterReading& mic,
             const MeterReading& speaker, const std::string& media_path) {
    Json fields{{"event", "stats"},
                {"peer", peer},
                {"seconds", second},
                {"packets_sent", s.packets_sent},
                {"packets_received", s.packets_received},
                {"packets_lost", s.packets_lost},
                {"loss_percent", s.loss_percent},
                {"jitter_ms", s.jitter_ms},
                {"jitter_buffer_ms", s.jitter_buffer_ms},
                {"jitter_target_ms", s.jitter_target_ms},
                {"send_kbps", s.send_kbps},
                {"receive_kbps", s.receive_kbps},
                {"rtt_ms", s.rtt_ms},
                {"concealed_frames", s.concealed_frames},
                {"fec_recovered_frames", s.fec_recovered_frames},
                {"late_packets", s.late_packets},
                {"duplicate_packets", s.duplicate_packets},
                {"foreign_packets", s.foreign_packets},
                {"rejected_packets", s.rejected_packets},
                {"capture_overruns", s.capture_overruns},
                {"playback_underruns", s.playback_underruns},
                {"capture_overruns_per_min", s.capture_overruns_per_minute},
                {"playback_underruns_per_min", s.playback_underruns_per_minute},
                {"playback_margin_ms", std::round(s.playback_margin_ms * 10) / 10},
                {"input_latency_ms", std::round(s.input_latency_ms * 10) / 10},
                {"output_latency_ms", std::round(s.output_latency_ms * 10) / 10},
                {"remote_loss_percent", s.remote_loss_percent},
                {"mic_dbfs", mic.rms_dbfs},
                {"mic_voice", mic.voice},
                {"echo_cancel", s.voice.echo_cancel},
                {"noise_suppress", s.voice.noise_suppress},
                {"gain_control", s.voice.gain_control},
                {"echo_delay_ms", s.echo_delay_ms},
                {"speaker_dbfs", speaker.rms_dbfs},
                {"media_path", media_path}};
    // Estimates (sala/client/call_quality.hpp); -1 until the round trip is measured.
    fields["one_way_delay_estimate_ms"] = std::round(one_way_delay_estimate_ms(s) * 10) / 10;
    fields["mos"] = std::round(mos_estimate(s) * 100) / 100;
    char rtt[32] = "rtt not yet measured";  // the first RTCP report has not come back
    if (s.rtt_ms >= 0) std::snprintf(rtt, sizeof rtt, "rtt %.1f ms", s.rtt_ms);
    char text[400];
    std::snprintf(text, sizeof text,
                  "stats: sent %llu, received %llu, lost %.1f%%, jitter %.1f ms, buffer %d ms, %.1f kb/s out, "
                  "%s, concealed %llu, fec %llu, path %s, microphone delay %.0f ms, speaker delay %.0f ms",
                  static_cast<unsigned long long>(s.packets_sent), static_cast<unsigned long long>(s.packets_received),
                  s.loss_percent, s.jitter_ms, s.jitter_buffer_ms, s.send_kbps, rtt,
                  static_cast<unsigned long long>(s.concealed_frames),
                  static_cast<unsigned long long>(s.fec_recovered_frames), media_path.c_str(), s.input_latency_ms,
                  s.output_latency_ms);
    return make(std::move(fields), text, LogLevel::info, false);
}

}  // namespace sala::client::notices
