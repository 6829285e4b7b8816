#pragma once
// Every event the engine reports, worded once: the --json fields, the sentence in plain
// words, its log level, and whether it goes into the log pane.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sala/client/event.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

struct Notice {
    Event event;
    LogLevel level = LogLevel::info;
    bool logged = true;  // also a line in the snapshot's log (the window's log pane)
};

namespace notices {
// Directory and registration.
Notice invalid_name(const std::string& problem);
// again: a reconnection; resumed: the server kept the session (in_call: and its call).
Notice registered(const std::string& name, const std::string& server, const std::vector<UserEntry>& users, bool again,
                  bool resumed = false, bool in_call = false);
Notice server_unreachable(const std::string& sentence);
Notice registration_failed(const std::string& code, const std::string& message);
// The server's TLS certificate is trusted (vouched for, pinned before, or pinned now).
Notice server_trusted(const std::string& server, const std::string& fingerprint, const std::string& sentence);
Notice registration_retry(const std::string& code, const std::string& message);
Notice server_error(const std::string& code, const std::string& message);
Notice connection_lost(const std::string& reason, bool in_call);
Notice server_shutdown();
// The server's node lost its cluster (or is back in it).
Notice server_cluster(bool joined, const std::string& message);
// What a server line of type `kind` (error, shutdown, cluster) says to the user; nullopt for
// any other type.
std::optional<Notice> from_server(const std::string& kind, const protocol::Json& message);
Notice disconnected();
// Other users.
Notice user_joined(const std::string& name);
Notice user_status(const std::string& name, bool busy);
Notice user_left(const std::string& name);
// Calls.
Notice refused(const char* command, const std::string& why);
Notice calling(const std::string& peer);
Notice invite(const std::string& from, const std::string& call_id);
Notice call_failed(const std::string& peer, const std::string& reason);
// media_path: "direct" for a version 1 peer (the server's address), "connecting" while ICE checks.
Notice call_started(const std::string& peer, const std::string& call_id, const std::string& host, unsigned short port,
                    const std::string& media_path, const CallSecurity& security);
// End-to-end encryption: why a call cannot be private (it ends next), a call that goes on in
// the clear (--allow-unencrypted), a known peer with a new identity key, keys written to a file.
Notice not_private(const std::string& peer, const std::string& problem);
Notice not_encrypted(const std::string& peer);
Notice peer_key_changed(const std::string& peer);
Notice key_logged(const std::string& path);
// ICE chose (or changed) the path: "direct", "relayed" or "relayed-tcp", and the candidate types.
Notice media_path(const std::string& path, const std::string& local, const std::string& remote,
                  const std::string& remote_address);
Notice media_path_failed();
// The output device took the first frame decoded from the peer's audio, `after` the call started.
Notice first_audio(const std::string& peer, std::chrono::steady_clock::duration after);
Notice path_lost();  // nothing from the peer for a second: looking for a path again
// media_timeout: how long the engine waits for the peer's audio (said when that ended the call).
Notice call_ended(const std::string& peer, const std::string& reason, const std::string& by, const std::string& me,
                  std::chrono::milliseconds media_timeout);
Notice bad_media_address();
Notice muted(bool muted);
// What the snapshot's audio_problem says of a device that could not be used.
std::string audio_problem(const char* device, const std::string& error);
Notice audio_device(const char* device, const std::string& error);
// Once a second in a call; not logged.
Notice stats(const std::string& peer, long long second, const CallStatistics& s, const MeterReading& mic,
             const MeterReading& speaker, const std::string& media_path);
}  // namespace notices

}  // namespace sala::client
