// Every program answers --help and --version, and refuses an unknown flag in one line.
#include <gtest/gtest.h>

#include "process.hpp"

namespace {
using sala::test::Process;

std::vector<std::string> programs() {
    std::vector<std::string> list{"sala-server", "sala-cli"};
#ifdef SALA_HAVE_GUI
    list.push_back("sala");
#endif
    return list;
}

TEST(ProgramFlags, HelpPrintsUsageAndExitsZero) {
    for (const auto& name : programs()) {
        Process p({sala::test::bin(name), "--help"});
        auto first = p.read_line();
        ASSERT_TRUE(first) << name;
        EXPECT_EQ(first->rfind("Usage: " + name, 0), 0u) << *first;
        EXPECT_EQ(p.wait(), 0) << name;
    }
}

TEST(ProgramFlags, VersionPrintsNameAndVersion) {
    for (const auto& name : programs()) {
        Process p({sala::test::bin(name), "--version"});
        EXPECT_EQ(p.read_line(), name + " " + SALA_VERSION_TEXT) << name;
        EXPECT_EQ(p.wait(), 0) << name;
    }
}

TEST(ProgramFlags, UnknownFlagFailsWithOneLine) {
    for (const auto& name : programs()) {
        Process p({sala::test::bin(name), "--no-such-flag"});
        EXPECT_EQ(p.wait(), 2) << name;
        EXPECT_EQ(p.stderr_text(), name + ": unknown flag '--no-such-flag' (try --help)\n");
    }
}

}  // namespace
