#pragma once
// The protocol's words: a user's status, why a call failed or ended, what an error is about.
// Each word is spelled once, in the lists below (an enumerator is its own wire spelling), and
// each reason is said to people once, in fail_sentence / end_sentence. See docs/protocol.md.

#include <optional>
#include <string>
#include <string_view>

// The lists, in enumerator order. Append only: a word on the wire is never renamed.
// clang-format off
#define SALA_PROTOCOL_STATUSES(X) X(available) X(busy)
#define SALA_PROTOCOL_FAIL_REASONS(X) \
    X(unknown_user) X(self_call) X(busy) X(not_registered) X(already_in_call)
#define SALA_PROTOCOL_END_REASONS(X) \
    X(hangup) X(rejected) X(cancelled) X(no_answer) X(peer_left) X(media_timeout) X(connection_lost) X(not_private)
#define SALA_PROTOCOL_ERROR_CODES(X) \
    X(bad_request) X(unknown_type) X(too_long) X(not_registered) X(unsupported_version) X(invalid_name) \
    X(name_taken) X(already_registered) X(server_full) X(unknown_call) X(wrong_state) X(name_owned) X(bad_proof) \
    X(tls_required)
// clang-format on
// Turns a list into enumerators: enum class E { SALA_PROTOCOL_FAIL_REASONS(SALA_PROTOCOL_WORD) }.
#define SALA_PROTOCOL_WORD(word) word,

namespace sala::protocol {

// A user's "status" in welcome, user_joined and user_status.
enum class Status { SALA_PROTOCOL_STATUSES(SALA_PROTOCOL_WORD) };
// call_failed "reason": why the server did not put a call through.
enum class FailReason { SALA_PROTOCOL_FAIL_REASONS(SALA_PROTOCOL_WORD) };
// call_ended "reason". media_timeout (no audio from the peer) and connection_lost (the
// server's connection is gone) and not_private (the peer sent no usable signed keys, so the
// call could not be end-to-end encrypted) are decided by a client locally: the server never
// sends them.
enum class EndReason { SALA_PROTOCOL_END_REASONS(SALA_PROTOCOL_WORD) };
// error "code": why the server could not act on a message.
enum class ErrorCode { SALA_PROTOCOL_ERROR_CODES(SALA_PROTOCOL_WORD) };

// The wire spelling, e.g. "unknown_user".
const char* to_string(Status status);
const char* to_string(FailReason reason);
const char* to_string(EndReason reason);
const char* to_string(ErrorCode code);

// The value a wire spelling stands for; nullopt for a word this version does not know.
std::optional<Status> parse_status(std::string_view text);
std::optional<FailReason> parse_fail_reason(std::string_view text);
std::optional<EndReason> parse_end_reason(std::string_view text);
std::optional<ErrorCode> parse_error_code(std::string_view text);

// Why a call failed, for people: "there is no such user".
std::string fail_sentence(FailReason reason);
// Why a call ended, for people: "bob hung up", "you hung up" (by_me: `by` is this user),
// "alice left the server". `peer` is the other side of the call; media_timeout_s is how long
// the client waited for the peer's audio before it gave up (media_timeout).
std::string end_sentence(EndReason reason, std::string_view by, bool by_me, std::string_view peer,
                         double media_timeout_s = 5.0);

}  // namespace sala::protocol
