// Flags from a JSON config file: the flag names as keys, the command line on top, every bad
// file a one-line error naming the file and the key.
#include <gtest/gtest.h>

#include <fstream>

#include "sala/config_file.hpp"
#include "temp_dir.hpp"

namespace {

sala::FlagParser parser() {
    return sala::FlagParser("prog", "[options]", "A test program.")
        .option("config", "FILE", "the config file")
        .option("port", "N", "a port")
        .option("name", "NAME", "a name")
        .flag("verbose", "talk more");
}

struct ConfigFile : ::testing::Test {
    sala::test::TempDir dir;
    std::string write(const std::string& text) {
        const auto path = dir.file("config.json");
        std::ofstream(path) << text;
        return path;
    }
    std::string error_of(const std::string& text) {
        auto outcome = sala::read_config_file(parser(), write(text));
        auto* error = std::get_if<std::string>(&outcome);
        return error ? *error : "(no error)";
    }
};

TEST_F(ConfigFile, ReadsStringsNumbersSwitchesAndComments) {
    auto outcome =
        sala::read_config_file(parser(), write("// settings\n{\"port\": 5000, /* who */ \"name\": \"alice\",\n"
                                               "\"verbose\": true}\n"));
    ASSERT_TRUE(std::holds_alternative<sala::ParsedFlags>(outcome)) << std::get<std::string>(outcome);
    const auto& flags = std::get<sala::ParsedFlags>(outcome);
    EXPECT_EQ(flags.get("port"), "5000");
    EXPECT_EQ(flags.get("name"), "alice");
    EXPECT_TRUE(flags.has("verbose"));
}

TEST_F(ConfigFile, AFalseSwitchIsAbsent) {
    auto outcome = sala::read_config_file(parser(), write("{\"verbose\": false}"));
    ASSERT_TRUE(std::holds_alternative<sala::ParsedFlags>(outcome));
    EXPECT_FALSE(std::get<sala::ParsedFlags>(outcome).has("verbose"));
}

TEST_F(ConfigFile, TheCommandLineWins) {
    const auto path = write("{\"port\": 5000, \"name\": \"alice\"}");
    const char* argv[] = {"prog", "--config", path.c_str(), "--port", "6000"};
    auto command_line = std::get<sala::ParsedFlags>(parser().parse(5, argv));
    auto outcome = sala::with_config_file(parser(), command_line);
    ASSERT_TRUE(std::holds_alternative<sala::ParsedFlags>(outcome));
    EXPECT_EQ(std::get<sala::ParsedFlags>(outcome).get("port"), "6000");
    EXPECT_EQ(std::get<sala::ParsedFlags>(outcome).get("name"), "alice");
}

TEST_F(ConfigFile, WithoutConfigTheFlagsStayAsGiven) {
    const char* argv[] = {"prog", "--port", "6000"};
    auto outcome = sala::with_config_file(parser(), std::get<sala::ParsedFlags>(parser().parse(3, argv)));
    ASSERT_TRUE(std::holds_alternative<sala::ParsedFlags>(outcome));
    EXPECT_EQ(std::get<sala::ParsedFlags>(outcome).values().size(), 1u);
}

TEST_F(ConfigFile, AnUnknownKeyIsAnErrorNamingIt) {
    const auto error = error_of("{\"prot\": 5000}");
    EXPECT_NE(error.find("config.json: unknown key 'prot'"), std::string::npos) << error;
}

TEST_F(ConfigFile, ConfigCannotNameAnotherConfig) {
    EXPECT_NE(error_of("{\"config\": \"/etc/other.json\"}").find("unknown key 'config'"), std::string::npos);
}

TEST_F(ConfigFile, WrongTypesAreErrors) {
    EXPECT_NE(error_of("{\"verbose\": \"yes\"}").find("'verbose' is a switch: true or false"), std::string::npos);
    EXPECT_NE(error_of("{\"port\": 1.5}").find("'port' takes a string or a whole number"), std::string::npos);
    EXPECT_NE(error_of("{\"name\": [\"a\"]}").find("'name' takes a string or a whole number"), std::string::npos);
}

TEST_F(ConfigFile, BrokenJsonSaysWhere) {
    const auto error = error_of("{\"port\": 5000,\n}");
    EXPECT_NE(error.find("config.json: not valid JSON: "), std::string::npos) << error;
    EXPECT_NE(error.find("line 2"), std::string::npos) << error;
    EXPECT_EQ(error.find("[json.exception"), std::string::npos) << error;
}

TEST_F(ConfigFile, NotAnObjectIsAnError) {
    EXPECT_NE(error_of("[1, 2]").find("must hold one JSON object"), std::string::npos);
}

TEST_F(ConfigFile, AMissingFileIsAnError) {
    auto outcome = sala::read_config_file(parser(), dir.file("absent.json"));
    ASSERT_TRUE(std::holds_alternative<std::string>(outcome));
    EXPECT_NE(std::get<std::string>(outcome).find("cannot read the config file"), std::string::npos);
    EXPECT_NE(std::get<std::string>(outcome).find("No such file"), std::string::npos);
}

}  // namespace
