// Line framing of untrusted TCP bytes: bounded, long lines reported once and skipped.
#include "line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {
using sala::server::LineFramer;

struct Fed {
    std::vector<std::string> lines;
    int too_long = 0;
};

bool feed(LineFramer& framer, Fed& fed, std::string_view data) {
    return framer.feed(
        data,
        [&](std::string_view line) {
            fed.lines.emplace_back(line);
            return true;
        },
        [&] { ++fed.too_long; });
}

TEST(ServerLineFramer, SplitsLinesAcrossReads) {
    LineFramer framer;
    Fed fed;
    feed(framer, fed, "ab");
    feed(framer, fed, "c\nde\n\nf");
    EXPECT_EQ(fed.lines, (std::vector<std::string>{"abc", "de", ""}));
    EXPECT_EQ(framer.pending(), 1u);
    feed(framer, fed, "\n");
    EXPECT_EQ(fed.lines.back(), "f");
}

TEST(ServerLineFramer, LimitIncludesTheNewline) {
    LineFramer framer;
    Fed fed;
    std::string longest(4095, 'x');
    feed(framer, fed, longest + "\n");
    ASSERT_EQ(fed.lines.size(), 1u);
    EXPECT_EQ(fed.lines[0].size(), 4095u);
    feed(framer, fed, longest.substr(0, 2000));
    feed(framer, fed, longest.substr(2000) + "\n");
    EXPECT_EQ(fed.lines.size(), 2u);
    feed(framer, fed, std::string(4096, 'y') + "\nok\n");
    EXPECT_EQ(fed.too_long, 1);
    EXPECT_EQ(fed.lines.back(), "ok");
}

TEST(ServerLineFramer, LongLineIsReportedOnceAndSkippedWithoutBuffering) {
    LineFramer framer;
    Fed fed;
    std::string chunk(65536, 'z');
    for (int i = 0; i < 16; ++i) {  // one megabyte, no newline yet
        feed(framer, fed, chunk);
        EXPECT_EQ(framer.pending(), 0u);
    }
    EXPECT_EQ(fed.too_long, 1);
    EXPECT_TRUE(fed.lines.empty());
    feed(framer, fed, "zzz\n{\"type\":\"ping\"}\n");
    EXPECT_EQ(fed.too_long, 1);
    EXPECT_EQ(fed.lines, (std::vector<std::string>{R"({"type":"ping"})"}));
}

TEST(ServerLineFramer, StopsWhenTheHandlerSaysSo) {
    LineFramer framer;
    std::vector<std::string> lines;
    bool more = framer.feed(
        "a\nb\nc\n",
        [&](std::string_view line) {
            lines.emplace_back(line);
            return line != "b";
        },
        [] {});
    EXPECT_FALSE(more);
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
