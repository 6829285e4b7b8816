#pragma once
// The immutable picture of the engine that front ends render; a new one is published on every change.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sala/client/call_history.hpp"
#include "sala/client/command.hpp"
#include "sala/client/media_options.hpp"

namespace sala::client {

enum class ConnectionState { disconnected, connecting, registered, reconnecting };
enum class CallState { idle, calling, ringing, in_call };

const char* to_string(ConnectionState state);
const char* to_string(CallState state);
// "HH:MM:SS" in local time, as people read log lines.
std::string clock_text(std::chrono::system_clock::time_point time);

// One other user on the directory server.
struct UserEntry {
    std::string name;
    bool busy = false;
};

enum class LogLevel { info, warning, error };

// A user-level event in plain words, for the log pane.
struct LogEntry {
    std::chrono::system_clock::time_point time;
    LogLevel level = LogLevel::info;
    std::string text;
};

// Audio levels in dBFS; -90 means silence.
struct MeterReading {
    float rms_dbfs = -90.0f;
    float peak_dbfs = -90.0f;
    float hold_dbfs = -90.0f;
    bool voice = false;  // the microphone's last block held a voice (while voice processing runs)
};
// Maps -60..0 dBFS onto 0..1 (clamped) for drawing a meter bar.
float dbfs_to_meter_fraction(float dbfs);

// Figures of the current (or last) call.
struct CallStatistics {
    std::string codec = "opus";
    int frame_ms = 20;
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_received = 0;
    std::uint64_t packets_lost = 0;
    double loss_percent = 0.0;
    double jitter_ms = 0.0;
    int jitter_buffer_ms = 0;
    int jitter_target_ms = 0;  // what the jitter buffer aims at: the packet plus the measured jitter
    double send_kbps = 0.0;    // RTP payload + IP/UDP/RTP headers, last second
    double receive_kbps = 0.0;
    double rtt_ms = -1.0;  // -1 until measured through RTCP
    std::uint64_t concealed_frames = 0;
    std::uint64_t fec_recovered_frames = 0;
    std::uint64_t late_packets = 0;
    std::uint64_t duplicate_packets = 0;
    std::uint64_t foreign_packets = 0;   // wrong address, SSRC or garbage: dropped
    std::uint64_t rejected_packets = 0;  // failed SRTP authentication or the replay check: dropped
    std::uint64_t capture_overruns = 0;
    std::uint64_t playback_underruns = 0;
    std::uint64_t capture_overruns_per_minute = 0;  // in the last 60 s (the call so far, when shorter)
    std::uint64_t playback_underruns_per_minute = 0;
    double playback_margin_ms = 0.0;    // queued for the speaker beyond one block, after its underruns
    double remote_loss_percent = -1.0;  // what the peer reports about our stream
    // Our devices' delays, as the sound server reports them plus the ring between the device
    // callback and the engine (file, tone and null devices: the ring only), in ms.
    double input_latency_ms = 0.0;   // microphone to encoder
    double output_latency_ms = 0.0;  // decoder to speaker
    // Voice processing of our microphone as it runs now (issue 13), and the delay between the
    // speaker and the microphone told to the echo canceller (-1 while that is off).
    VoiceSettings voice{false, false, false};
    int echo_delay_ms = -1;
};

// How private the current (or last) call is.
struct CallSecurity {
    bool encrypted = false;         // SRTP with keys only the two clients know
    std::string suite;              // e.g. "AES_CM_128_HMAC_SHA1_80"
    std::string safety_code;        // six digits, the same on both sides when nobody sits between them
    std::string peer_identity;      // the peer's identity key (hex)
    bool peer_key_changed = false;  // we knew another identity key for this peer's name
    bool key_logged = false;        // SALA_SRTP_KEYLOG wrote the keys to a file: not private
};

// A server certificate waiting for the user's word: seen for the first time (pinned empty), or
// different from the one pinned before.
struct ServerTrustQuestion {
    std::string server;        // host:port
    std::string fingerprint;   // what it presents now: "SHA256:..."
    std::string pinned;        // what it presented before; empty on first use
    std::uint64_t number = 0;  // new for each question, so the same certificate asked again is a new question
};

struct Snapshot {
    std::uint64_t version = 0;

    ConnectionState connection = ConnectionState::disconnected;
    std::string server;                               // host:port
    std::string name;                                 // our registered (or requested) name
    std::string connect_error;                        // the last registration/connection problem, in plain words
    std::string server_fingerprint;                   // the certificate of the server, once seen
    std::optional<ServerTrustQuestion> server_trust;  // the user must decide before we go on
    std::shared_ptr<const std::vector<UserEntry>> users = std::make_shared<std::vector<UserEntry>>();

    CallState call = CallState::idle;
    std::string peer;
    std::string call_id;
    std::chrono::steady_clock::time_point call_started_at{};
    bool muted = false;
    VolumeCommand volume;  // the volumes asked for last
    std::string audio_in = "device";
    std::string audio_out = "device";
    std::string audio_problem;  // a device that failed, in plain words; empty when fine
    // How the call's audio travels: "direct", "relayed", "relayed-tcp"; "connecting" while ICE
    // checks; "" without a call. media_local/media_remote: the selected candidate types.
    std::string media_path;
    std::string media_local, media_remote;
    CallSecurity security;

    MeterReading mic;
    MeterReading speaker;
    CallStatistics stats;

    std::shared_ptr<const std::vector<LogEntry>> log = std::make_shared<std::vector<LogEntry>>();
    // The calls made and received, oldest first (kept in the config directory), and how many
    // of them were missed and not seen yet (SeenCallsCommand).
    std::shared_ptr<const std::vector<CallRecord>> history = std::make_shared<std::vector<CallRecord>>();
    int missed_calls = 0;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace sala::client
