#include "sala/protocol_words.hpp"

#include <cstdio>

#include <cstddef>

namespace sala::protocol {
namespace {

// Indexed by enumerator: both come from the same list, so they cannot drift apart.
#define SALA_PROTOCOL_SPELLING(word) #word,
constexpr const char* kStatuses[] = {SALA_PROTOCOL_STATUSES(SALA_PROTOCOL_SPELLING)};
constexpr const char* kFailReasons[] = {SALA_PROTOCOL_FAIL_REASONS(SALA_PROTOCOL_SPELLING)};
constexpr const char* kEndReasons[] = {SALA_PROTOCOL_END_REASONS(SALA_PROTOCOL_SPELLING)};
constexpr const char* kErrorCodes[] = {SALA_PROTOCOL_ERROR_CODES(SALA_PROTOCOL_SPELLING)};
#undef SALA_PROTOCOL_SPELLING

// "" for a value outside the enumeration (only a cast can make one).
template <std::size_t N, typename Enum>
const char* spelling(const char* const (&words)[N], Enum value) {
    const auto index = static_cast<std::size_t>(value);
    return index < N ? words[index] : "";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse_word(const char* const (&words)[N], std::string_view text) {
    for (std::size_t i = 0; i < N; ++i)
        if (text == words[i]) return static_cast<Enum>(i);
    return std::nullopt;
}

}  // namespace

const char* to_string(Status status) { return spelling(kStatuses, status); }
const char* to_string(FailReason reason) { return spelling(kFailReasons, reason); }
const char* to_string(EndReason reason) { return spelling(kEndReasons, reason); }
const char* to_string(ErrorCode code) { return spelling(kErrorCodes, code); }

std::optional<Status> parse_status(std::string_view text) { return parse_word<Status>(kStatuses, text); }
std::optional<FailReason> parse_fail_reason(std::string_view text) {
    return parse_word<FailReason>(kFailReasons, text);
}
std::optional<EndReason> parse_end_reason(std::string_view text) { return parse_word<EndReason>(kEndReasons, text); }
std::optional<ErrorCode> parse_error_code(std::string_view text) { return parse_word<ErrorCode>(kErrorCodes, text); }

std::string fail_sentence(FailReason reason) {
    switch (reason) {
        case FailReason::unknown_user:
            return "there is no such user";
        case FailReason::self_call:
            return "you cannot call yourself";
        case FailReason::busy:
            return "busy";
        case FailReason::not_registered:
            return "you are not registered";
        case FailReason::already_in_call:
            return "you are already in a call";
    }
    return {};
}

std::string end_sentence(EndReason reason, std::string_view by, bool by_me, std::string_view peer,
                         double media_timeout_s) {
    auto did = [&](const char* what) { return std::string(by_me ? std::string_view("you") : by) + " " + what; };
    switch (reason) {
        case EndReason::hangup:
            return did("hung up");
        case EndReason::rejected:
            return did("rejected the call");
        case EndReason::cancelled:
            return did("cancelled the call");
        case EndReason::no_answer:
            return "no answer";
        case EndReason::peer_left:
            return std::string(peer) + " left the server";
        case EndReason::media_timeout:
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", media_timeout_s);
            return "no audio from " + std::string(peer) + " for " + seconds + " s";
        case EndReason::connection_lost:
            return "the connection to the server was lost";
        case EndReason::not_private:
            return "the call could not be made private: " + std::string(peer) +
                   "'s client sent no valid keys for end-to-end encryption";
    }
    return {};
}

}  // namespace sala::protocol
