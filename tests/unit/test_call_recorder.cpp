// The call history: which events make which record, the file it keeps (JSON lines, bounded,
// rewritten whole) and what is read back.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "engine/call_recorder.hpp"

namespace sala::client {
namespace {

using protocol::Json;

Notice event(Json fields) { return Notice{Event{std::move(fields), ""}}; }

class CallRecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("sala-history-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void incoming(CallRecorder& r, const std::string& from) {
        r.follow(state_, event({{"event", "invite"}, {"from", from}, {"call_id", "c1"}}));
    }
    void ended(CallRecorder& r, const std::string& reason) {
        r.follow(state_, event({{"event", "call_ended"}, {"peer", "x"}, {"reason", reason}, {"by", "x"}}));
    }

    std::filesystem::path dir_;
    Snapshot state_;
};

TEST_F(CallRecorderTest, EachWayACallCanGo) {
    CallRecorder r(dir_);
    incoming(r, "bob");
    ended(r, "cancelled");  // bob gave up: missed
    incoming(r, "carol");
    ended(r, "rejected");
    r.follow(state_, event({{"event", "calling"}, {"peer", "dave"}}));
    r.follow(state_, event({{"event", "call_started"}, {"peer", "dave"}}));
    ended(r, "hangup");
    r.follow(state_, event({{"event", "calling"}, {"peer", "erin"}}));
    r.follow(state_, event({{"event", "call_failed"}, {"peer", "erin"}, {"reason", "busy"}}));
    r.follow(state_, event({{"event", "calling"}, {"peer", "frank"}}));
    ended(r, "no_answer");

    const auto& h = *state_.history;
    ASSERT_EQ(h.size(), 5u);
    EXPECT_EQ(h[0].peer, "bob");
    EXPECT_TRUE(h[0].incoming);
    EXPECT_EQ(h[0].outcome, CallOutcome::missed);
    EXPECT_FALSE(h[0].seen);
    EXPECT_EQ(h[1].outcome, CallOutcome::rejected);
    EXPECT_EQ(h[2].peer, "dave");
    EXPECT_FALSE(h[2].incoming);
    EXPECT_EQ(h[2].outcome, CallOutcome::answered);
    EXPECT_EQ(h[3].outcome, CallOutcome::failed);
    EXPECT_EQ(h[4].outcome, CallOutcome::unanswered);
    EXPECT_EQ(state_.missed_calls, 1);

    const CallRecord shown = h[3];
    r.mark_seen(state_);  // publishes a new history: h refers to the old one, which is gone
    EXPECT_EQ(state_.missed_calls, 0);
    // What the next run reads back is what was shown.
    const auto read = load_call_history(dir_);
    ASSERT_EQ(read.size(), 5u);
    EXPECT_EQ(read[0].peer, "bob");
    EXPECT_TRUE(read[0].seen);
    EXPECT_EQ(read[2].outcome, CallOutcome::answered);
    EXPECT_EQ(to_json(read[3]), to_json(shown));
}

TEST_F(CallRecorderTest, KeepsTheNewestRecordsAndSkipsBrokenLines) {
    {
        std::ofstream out(dir_ / kCallHistoryFile);
        out << "not json\n{\"peer\":\"x\"}\n";
        for (std::size_t i = 0; i < kMaxCallRecords; ++i)
            out << to_json(CallRecord{"old" + std::to_string(i), {}, true, CallOutcome::missed, {}, false}).dump()
                << "\n";
    }
    CallRecorder r(dir_);
    r.show(state_);
    EXPECT_EQ(state_.history->size(), kMaxCallRecords);
    EXPECT_EQ(state_.missed_calls, static_cast<int>(kMaxCallRecords));
    incoming(r, "new");
    ended(r, "cancelled");
    const auto read = load_call_history(dir_);
    ASSERT_EQ(read.size(), kMaxCallRecords);
    EXPECT_EQ(read.front().peer, "old1");
    EXPECT_EQ(read.back().peer, "new");
}

TEST(CallHistoryText, SaysWhoWhichWayHowItWentAndHowLong) {
    CallRecord r{"bob", std::chrono::system_clock::now(), false, CallOutcome::answered, std::chrono::seconds(65), true};
    const std::string line = describe(r);
    EXPECT_NE(line.find("outgoing"), std::string::npos) << line;
    EXPECT_NE(line.find("answered"), std::string::npos) << line;
    EXPECT_NE(line.find("1:05"), std::string::npos) << line;
    EXPECT_NE(line.find("bob"), std::string::npos) << line;
    EXPECT_EQ(call_length_text(std::chrono::seconds(3723)), "1:02:03");
}

}  // namespace
}  // namespace sala::client
