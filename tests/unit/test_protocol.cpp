#include "sala/protocol.hpp"

#include <gtest/gtest.h>

namespace {
using namespace sala::protocol;

TEST(ProtocolNames, AcceptsLettersOfAnyScriptDigitsAndPunctuation) {
    for (const char* name : {"alice", "Bob_2", "a.b-c", "Jean Luc", "Zoë", "Ñandú", "Мария", "李小龙", "عمر", "x"})
        EXPECT_EQ(name_problem(name), std::nullopt) << name;
    EXPECT_EQ(name_problem(std::string(32, 'a')), std::nullopt);
    std::string greek;  // 32 two-byte letters: 64 bytes but 32 characters
    for (int i = 0; i < 32; ++i) greek += "λ";
    EXPECT_EQ(name_problem(greek), std::nullopt);
}

TEST(ProtocolNames, RejectsBadNamesWithAReason) {
    EXPECT_EQ(name_problem(""), "A name cannot be empty.");
    EXPECT_EQ(name_problem(std::string(33, 'a')), "A name can be at most 32 characters long.");
    EXPECT_EQ(name_problem(" alice"), "A name cannot start or end with a space.");
    EXPECT_EQ(name_problem("alice "), "A name cannot start or end with a space.");
    for (const char* name : {"a/b", "a\nb", "a\tb", "<script>", "al\"ice", "a😀"})
        EXPECT_EQ(name_problem(name), "A name may hold only letters, digits, spaces and the characters _ - .") << name;
    for (const char* name : {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"})
        EXPECT_EQ(name_problem(name), "A name must be valid UTF-8 text.");
}

TEST(ProtocolNames, KeyFoldsAsciiCaseOnly) {
    EXPECT_EQ(name_key("Alice"), name_key("aLICE"));
    EXPECT_EQ(name_key("Zoë"), "zoë");
}

TEST(ProtocolLines, ParsesObjectsWithStringType) {
    auto parsed = parse_line(R"({"type":"hello","version":1,"name":"alice","media_port":40123,"extra":[1]})");
    ASSERT_TRUE(std::holds_alternative<Json>(parsed));
    const Json& m = std::get<Json>(parsed);
    EXPECT_EQ(get_string(m, "type"), "hello");
    EXPECT_EQ(get_int(m, "version"), 1);
    EXPECT_EQ(get_int(m, "name"), std::nullopt);
    EXPECT_EQ(get_string(m, "version"), std::nullopt);
    EXPECT_TRUE(std::holds_alternative<Json>(parse_line("{\"type\":\"ping\"}\r")));
}

TEST(ProtocolLines, RejectsMalformedLines) {
    for (const char* line : {"", "not json", "{", "[1,2]", "\"ping\"", "{\"type\":3}", "{\"name\":\"x\"}",
                             "{\"type\":\"hello\",\"name\":\"\xff\"}"}) {
        auto parsed = parse_line(line);
        ASSERT_TRUE(std::holds_alternative<LineError>(parsed)) << line;
        EXPECT_EQ(std::get<LineError>(parsed).code, ErrorCode::bad_request);
    }
}

TEST(ProtocolLines, RoundTripsAndEndsInNewline) {
    Json m = error(ErrorCode::name_taken, "The name \"bob\" is taken.");
    EXPECT_EQ(m["code"], "name_taken");
    std::string line = to_line(m);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    auto back = parse_line(std::string_view(line).substr(0, line.size() - 1));
    ASSERT_TRUE(std::holds_alternative<Json>(back));
    EXPECT_EQ(std::get<Json>(back), m);
}

}  // namespace
