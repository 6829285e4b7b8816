#include "sala/cli_flags.hpp"

#include <gtest/gtest.h>

namespace {

sala::FlagParser parser() {
    return sala::FlagParser("prog", "[options]", "A test program.")
        .flag("json", "print JSON")
        .option("port", "N", "the port");
}

sala::FlagParser::Outcome parse(std::vector<const char*> args) {
    args.insert(args.begin(), "prog");
    return parser().parse(static_cast<int>(args.size()), args.data());
}

TEST(CliFlags, AcceptsSwitchAndOptionInBothForms) {
    auto a = std::get<sala::ParsedFlags>(parse({"--json", "--port", "42"}));
    EXPECT_TRUE(a.has("json"));
    EXPECT_EQ(a.get("port"), "42");
    auto b = std::get<sala::ParsedFlags>(parse({"--port=7"}));
    EXPECT_FALSE(b.has("json"));
    EXPECT_EQ(b.get("port"), "7");
}

TEST(CliFlags, HelpAndVersionWin) {
    EXPECT_TRUE(std::holds_alternative<sala::FlagParser::Help>(parse({"--port", "1", "--help"})));
    EXPECT_TRUE(std::holds_alternative<sala::FlagParser::Version>(parse({"--version"})));
}

TEST(CliFlags, RejectsUnknownMissingAndStray) {
    EXPECT_EQ(std::get<std::string>(parse({"--bogus"})), "unknown flag '--bogus' (try --help)");
    EXPECT_EQ(std::get<std::string>(parse({"--port"})), "flag '--port' needs a value N");
    EXPECT_EQ(std::get<std::string>(parse({"--json=1"})), "flag '--json' takes no value");
    EXPECT_EQ(std::get<std::string>(parse({"stray"})), "unexpected argument 'stray' (try --help)");
}

TEST(CliFlags, UsageListsEveryFlag) {
    std::string text = parser().usage();
    for (const char* needle : {"Usage: prog [options]", "--json", "--port N", "--help", "--version"})
        EXPECT_NE(text.find(needle), std::string::npos) << needle;
}

TEST(CliFlags, ParseIntegerIsStrict) {
    EXPECT_EQ(sala::parse_integer("5000", 0, 65535), 5000);
    EXPECT_EQ(sala::parse_integer("0", 0, 65535), 0);
    EXPECT_FALSE(sala::parse_integer("65536", 0, 65535));
    EXPECT_FALSE(sala::parse_integer("12x", 0, 65535));
    EXPECT_FALSE(sala::parse_integer("", 0, 65535));
    EXPECT_FALSE(sala::parse_integer("-1", 0, 65535));
}

}  // namespace
