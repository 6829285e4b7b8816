// The server-wide presence log: per-reader positions, lines about the reader left out.
#include "presence_log.hpp"

#include <gtest/gtest.h>

namespace {
using sala::server::PresenceLog;

TEST(ServerPresenceLog, ReadersGetTheLinesAfterTheirPositionExceptAboutThemselves) {
    PresenceLog log;
    EXPECT_EQ(log.begin(), log.end());
    PresenceLog::Seq start = log.end();
    log.append(1, "joined 1\n");
    log.append(2, "busy 2\n");
    log.append(1, "busy 1\n");
    EXPECT_EQ(log.end(), start + 3);
    EXPECT_EQ(log.lines(start, log.end(), 0), "joined 1\nbusy 2\nbusy 1\n");
    EXPECT_EQ(log.lines(start, log.end(), 1), "busy 2\n");
    EXPECT_EQ(log.lines(start, log.end(), 2), "joined 1\nbusy 1\n");
    EXPECT_EQ(log.lines(start + 1, log.end(), 3), "busy 2\nbusy 1\n");
    EXPECT_EQ(log.lines(log.end(), log.end(), 3), "");
    EXPECT_EQ(log.subjects(start, log.end()), (std::vector<sala::server::ClientId>{1, 2}));
}

TEST(ServerPresenceLog, TrimForgetsWhatEveryoneHasAndKeepsPositions) {
    PresenceLog log;
    log.append(1, "a\n");
    log.append(2, "b\n");
    PresenceLog::Seq middle = log.end();
    log.append(3, "c\n");
    log.trim(middle);
    EXPECT_EQ(log.begin(), middle);
    EXPECT_EQ(log.end(), middle + 1);
    EXPECT_EQ(log.lines(middle, log.end(), 0), "c\n");
    EXPECT_EQ(log.lines(0, log.end(), 0), "c\n");  // a position before the log reads from its start
    log.trim(log.end());
    EXPECT_EQ(log.begin(), log.end());
    log.append(4, "d\n");
    EXPECT_EQ(log.lines(middle + 1, log.end(), 0), "d\n");
}

}  // namespace
