#pragma once
// Protocol v4 (v1 to v3 still served) between clients and sala-server: constants, limits, names, line codec; its
// words (statuses, reasons, error codes) are in sala/protocol_words.hpp, included here.
// Described for people in docs/protocol.md. Message types are only ever appended.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "sala/ice_description.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"
#include "sala/protocol_words.hpp"

namespace sala::protocol {

using Json = nlohmann::json;

// What this code speaks: v2 (ICE), v3 (signed ephemeral keys for end-to-end encryption), v4 (names
// bound to an identity key: challenge, hello's identity and proof), v5 (the connection is TLS, and
// a name proof signs its channel binding too).
inline constexpr int kVersion = 5;
inline constexpr int kMinVersion = 1;               // the oldest a server still registers
inline constexpr std::size_t kMaxLineBytes = 4096;  // one message from a client, including its '\n'
// One message from the server: welcome lists every other user (about 45 bytes each, up to 173 with
// a 32-character name in 4-byte UTF-8), and a relayed invite or accept may pass kMaxLineBytes.
inline constexpr std::size_t kMaxServerLineBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxNameChars = 32;  // Unicode code points
inline constexpr std::uint16_t kDefaultPort = 5000;
// Session resumption: how long the server holds a resumable session whose connection dropped
// without bye (sala-server --resume-grace), and the shape of a resume token (as call ids).
inline constexpr int kDefaultResumeGraceSeconds = 10;
inline constexpr std::size_t kResumeTokenChars = 32;

// The message catalogue. Append only; never rename or renumber.
namespace type {
// client -> server
inline constexpr const char* hello = "hello";
inline constexpr const char* call = "call";
inline constexpr const char* accept = "accept";
inline constexpr const char* reject = "reject";
inline constexpr const char* hangup = "hangup";
inline constexpr const char* ping = "ping";
inline constexpr const char* bye = "bye";
// server -> client
inline constexpr const char* welcome = "welcome";
inline constexpr const char* error = "error";
inline constexpr const char* user_joined = "user_joined";
inline constexpr const char* user_left = "user_left";
inline constexpr const char* user_status = "user_status";
inline constexpr const char* calling = "calling";
inline constexpr const char* call_failed = "call_failed";
inline constexpr const char* invite = "invite";
inline constexpr const char* call_started = "call_started";
inline constexpr const char* call_ended = "call_ended";
inline constexpr const char* pong = "pong";
inline constexpr const char* shutdown = "shutdown";
inline constexpr const char* cluster = "cluster";  // a node lost (or is back in) its cluster
// v2, both directions: one trickled ICE candidate (or its end) for the call's other side
inline constexpr const char* candidate = "candidate";
// v2, both directions, in an answered call: an ICE restart with a fresh description (the caller
// starts one when the media path dies; the callee answers with its own)
inline constexpr const char* restart = "restart";
// v4, both directions: the client asks for this connection's nonce; the server answers with it
// ("nonce"), to be signed in hello's "proof"
inline constexpr const char* challenge = "challenge";
}  // namespace type

// Fields of session resumption (optional, any version; see docs/protocol.md "Resuming a session").
namespace field {
inline constexpr const char* resumable = "resumable";        // hello: hold my session if my connection drops
inline constexpr const char* resume_token = "resume_token";  // welcome: the session's token; hello: take it over
inline constexpr const char* resumed = "resumed";            // welcome: true when a session was taken over
inline constexpr const char* call_id = "call_id";            // resumed welcome: the session's call, if any
// Names that belong to their owner (v4; see sala/name_proof.hpp).
inline constexpr const char* nonce = "nonce";        // challenge: 32 random bytes, 64 hex digits
inline constexpr const char* identity = "identity";  // hello: the client's Ed25519 public key, 64 hex digits
inline constexpr const char* proof = "proof";        // hello: its signature of the nonce and name, 128 hex digits
}  // namespace field

// Why a name is not acceptable, in a sentence a person understands; nullopt if it is fine.
// A name is 1..32 letters of any script, digits, space, '_', '-', '.', valid UTF-8,
// without leading or trailing space.
std::optional<std::string> name_problem(std::string_view name);
// The key under which names are unique: ASCII letters folded to lower case.
std::string name_key(std::string_view name);

// A line that is not a usable message: the error code to send back and a sentence.
struct LineError {
    ErrorCode code;  // bad_request (malformed JSON, no string "type", not an object)
    std::string message;
};
// Parses one line (without its '\n'): a JSON object with a string field "type".
std::variant<Json, LineError> parse_line(std::string_view line);
// Serializes a message as one line ending in '\n' (invalid UTF-8 is replaced, never thrown).
std::string to_line(const Json& message);

// Typed field access: nullopt when the field is missing or of another type.
std::optional<std::string> get_string(const Json& message, const char* field);
std::optional<std::int64_t> get_int(const Json& message, const char* field);

// {"type":"error","code":code,"message":message}
Json error(ErrorCode code, std::string_view message);

}  // namespace sala::protocol
