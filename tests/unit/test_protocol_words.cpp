#include "sala/protocol_words.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {
using namespace sala::protocol;

// How many words a list holds, so a test table that misses one fails.
#define COUNT_WORD(word) +1
constexpr std::size_t kStatusCount = 0 SALA_PROTOCOL_STATUSES(COUNT_WORD);
constexpr std::size_t kFailReasonCount = 0 SALA_PROTOCOL_FAIL_REASONS(COUNT_WORD);
constexpr std::size_t kEndReasonCount = 0 SALA_PROTOCOL_END_REASONS(COUNT_WORD);
constexpr std::size_t kErrorCodeCount = 0 SALA_PROTOCOL_ERROR_CODES(COUNT_WORD);
#undef COUNT_WORD

template <typename Enum>
struct Word {
    Enum value;
    const char* wire;
};

// Every value with the spelling docs/protocol.md promises: renaming one breaks deployed peers.
template <typename Enum, typename Parse>
void expect_round_trips(const std::vector<Word<Enum>>& words, std::size_t count, Parse parse) {
    EXPECT_EQ(words.size(), count);
    for (const auto& [value, wire] : words) {
        EXPECT_STREQ(to_string(value), wire);
        EXPECT_EQ(parse(wire), value) << wire;
        EXPECT_EQ(parse(std::string(wire) + " "), std::nullopt) << wire;
        std::string upper(wire);
        upper[0] = static_cast<char>(upper[0] - 'a' + 'A');
        EXPECT_EQ(parse(upper), std::nullopt) << upper;
    }
    for (const char* unknown : {"", "unknown", "away", "error", "0"})
        EXPECT_EQ(parse(unknown), std::nullopt) << unknown;
}

TEST(ProtocolWords, StatusesRoundTrip) {
    expect_round_trips<Status>({{Status::available, "available"}, {Status::busy, "busy"}}, kStatusCount, parse_status);
}

TEST(ProtocolWords, FailReasonsRoundTrip) {
    expect_round_trips<FailReason>({{FailReason::unknown_user, "unknown_user"},
                                    {FailReason::self_call, "self_call"},
                                    {FailReason::busy, "busy"},
                                    {FailReason::not_registered, "not_registered"},
                                    {FailReason::already_in_call, "already_in_call"}},
                                   kFailReasonCount, parse_fail_reason);
}

TEST(ProtocolWords, EndReasonsRoundTrip) {
    expect_round_trips<EndReason>({{EndReason::hangup, "hangup"},
                                   {EndReason::rejected, "rejected"},
                                   {EndReason::cancelled, "cancelled"},
                                   {EndReason::no_answer, "no_answer"},
                                   {EndReason::peer_left, "peer_left"},
                                   {EndReason::media_timeout, "media_timeout"},
                                   {EndReason::connection_lost, "connection_lost"},
                                   {EndReason::not_private, "not_private"}},
                                  kEndReasonCount, parse_end_reason);
}

TEST(ProtocolWords, ErrorCodesRoundTrip) {
    expect_round_trips<ErrorCode>({{ErrorCode::bad_request, "bad_request"},
                                   {ErrorCode::unknown_type, "unknown_type"},
                                   {ErrorCode::too_long, "too_long"},
                                   {ErrorCode::not_registered, "not_registered"},
                                   {ErrorCode::unsupported_version, "unsupported_version"},
                                   {ErrorCode::invalid_name, "invalid_name"},
                                   {ErrorCode::name_taken, "name_taken"},
                                   {ErrorCode::already_registered, "already_registered"},
                                   {ErrorCode::server_full, "server_full"},
                                   {ErrorCode::unknown_call, "unknown_call"},
                                   {ErrorCode::wrong_state, "wrong_state"},
                                   {ErrorCode::name_owned, "name_owned"},
                                   {ErrorCode::bad_proof, "bad_proof"},
                                   {ErrorCode::tls_required, "tls_required"}},
                                  kErrorCodeCount, parse_error_code);
}

TEST(ProtocolWords, FailSentences) {
    EXPECT_EQ(fail_sentence(FailReason::unknown_user), "there is no such user");
    EXPECT_EQ(fail_sentence(FailReason::self_call), "you cannot call yourself");
    EXPECT_EQ(fail_sentence(FailReason::busy), "busy");
    EXPECT_EQ(fail_sentence(FailReason::not_registered), "you are not registered");
    EXPECT_EQ(fail_sentence(FailReason::already_in_call), "you are already in a call");
}

TEST(ProtocolWords, EndSentencesSayWhoDidIt) {
    EXPECT_EQ(end_sentence(EndReason::hangup, "alice", true, "bob"), "you hung up");
    EXPECT_EQ(end_sentence(EndReason::hangup, "bob", false, "bob"), "bob hung up");
    EXPECT_EQ(end_sentence(EndReason::rejected, "alice", true, "bob"), "you rejected the call");
    EXPECT_EQ(end_sentence(EndReason::rejected, "bob", false, "bob"), "bob rejected the call");
    EXPECT_EQ(end_sentence(EndReason::cancelled, "alice", true, "bob"), "you cancelled the call");
    EXPECT_EQ(end_sentence(EndReason::cancelled, "bob", false, "bob"), "bob cancelled the call");
}

TEST(ProtocolWords, EndSentencesAboutThePeerOrTheConnection) {
    for (bool by_me : {false, true}) {
        EXPECT_EQ(end_sentence(EndReason::no_answer, "bob", by_me, "bob"), "no answer");
        EXPECT_EQ(end_sentence(EndReason::peer_left, "carol", by_me, "carol"), "carol left the server");
        EXPECT_EQ(end_sentence(EndReason::media_timeout, "carol", by_me, "carol"), "no audio from carol for 5 s");
        EXPECT_EQ(end_sentence(EndReason::media_timeout, "carol", by_me, "carol", 1.5),
                  "no audio from carol for 1.5 s");
        EXPECT_EQ(end_sentence(EndReason::connection_lost, "alice", by_me, "bob"),
                  "the connection to the server was lost");
        EXPECT_EQ(end_sentence(EndReason::not_private, "bob", by_me, "bob"),
                  "the call could not be made private: bob's client sent no valid keys for end-to-end encryption");
    }
}

}  // namespace
