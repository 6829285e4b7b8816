// sala-server --config FILE: the file's keys are the flags' names, the command line wins, and
// a bad file stops the server with one line naming the file and the key.
#include <gtest/gtest.h>

#include <fstream>

#include "process.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace std::chrono_literals;
using sala::test::Process;
using sala::test::ServerProcess;
using sala::test::TempDir;

std::string write_file(const TempDir& dir, const std::string& text) {
    const auto path = dir.file("sala-server.json");
    std::ofstream(path) << text;
    return path;
}

TEST(ServerConfig, TheFileSetsFlagsAndTheCommandLineWins) {
    TempDir dir;
    // An impossible port in the file: the server starts only because --port 0 wins.
    const auto path = write_file(dir, "// test\n{\"port\": 99999, \"relay\": \"off\", \"idle-timeout\": 10}\n");
    ServerProcess server({"--config", path});
    EXPECT_GT(server.port(), 0);
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(5000ms), 0) << server.process().stderr_text();
}

TEST(ServerConfig, AnUnknownKeyStopsTheServerWithOneLine) {
    TempDir dir;
    const auto path = write_file(dir, "{\"prot\": 5000}");
    Process p({sala::test::bin("sala-server"), "--config", path, "--data-dir", dir.file("data")});
    EXPECT_EQ(p.wait(5000ms), 2);
    EXPECT_EQ(p.stderr_text(), "sala-server: " + path +
                                   ": unknown key 'prot' (the keys are the flag names of --help without --, except "
                                   "config)\n");
}

TEST(ServerConfig, ABadValueInTheFileIsToldAsTheFlags) {
    TempDir dir;
    const auto path = write_file(dir, "{\"max-clients\": 0}");
    Process p({sala::test::bin("sala-server"), "--config", path, "--data-dir", dir.file("data")});
    EXPECT_EQ(p.wait(5000ms), 2);
    EXPECT_EQ(p.stderr_text(), "sala-server: --max-clients must be a number from 1 to 10000000\n");
}

TEST(ServerConfig, AMissingFileIsAnError) {
    TempDir dir;
    Process p({sala::test::bin("sala-server"), "--config", dir.file("absent.json")});
    EXPECT_EQ(p.wait(5000ms), 2);
    EXPECT_NE(p.stderr_text().find("cannot read the config file"), std::string::npos) << p.stderr_text();
}

}  // namespace
