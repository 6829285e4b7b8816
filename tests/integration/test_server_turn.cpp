// sala-server's TURN relay against coturn's turnutils_uclient (REST credentials from the secret
// file): two allocations of a user in a call relay to each other over UDP and over TCP; the
// secret file's mode is checked; welcome carries the credentials.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "line_client.hpp"
#include "process.hpp"
#include "program_path.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace sala::test;

std::string find_uclient() {
    for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
        std::string path = std::string(dir) + "/turnutils_uclient";
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return {};
}

std::string write_secret(const TempDir& dir, const std::string& secret, mode_t mode) {
    std::string path = (dir.path() / "turn-secret").string();
    std::ofstream(path) << secret << "\n";
    ::chmod(path.c_str(), mode);
    return path;
}

// alice calls bob and bob accepts: alice's relay may then send to bob's IP (127.0.0.1).
struct Call {
    LineClient alice, bob;
    Json welcome;
    explicit Call(std::uint16_t port) : alice(port), bob(port) {
        welcome = alice.hello("alice").value_or(Json());
        EXPECT_TRUE(bob.hello("bob"));
        EXPECT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
        auto invite = bob.wait_for("invite");
        EXPECT_TRUE(invite);
        if (invite) {
            EXPECT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", (*invite)["call_id"]}}));
        }
        EXPECT_TRUE(alice.wait_for("call_started"));
    }
};

// Runs turnutils_uclient in client-to-client mode (-y) and returns its output.
std::string relay_through(std::uint16_t port, bool tcp) {
    std::vector<std::string> argv = {find_uclient(), "-y", "-c", "-W", "s3cret", "-u", "alice",
                                     "-n",           "50", "-m", "1",  "-X",     "-p", std::to_string(port)};
    if (tcp) argv.insert(argv.begin() + 1, "-t");
    argv.push_back("127.0.0.1");
    Process uclient(argv);
    EXPECT_EQ(uclient.wait(20000ms), 0);
    std::string out;
    while (auto line = uclient.read_line(100ms)) out += *line + "\n";
    return out + uclient.stderr_text();
}

TEST(ServerTurn, WelcomeCarriesRestCredentials) {
    TempDir dir;
    ServerProcess server({"--turn-secret-file", write_secret(dir, "s3cret", 0600)});
    LineClient alice(server.port());
    auto welcome = alice.hello("alice");
    ASSERT_TRUE(welcome);
    const Json& turn = (*welcome)["turn"];
    std::string username = turn["username"];
    EXPECT_EQ(username.substr(username.find(':')), ":alice");
    EXPECT_EQ(turn["ttl"], 86400);
    EXPECT_EQ(turn["uris"][0], "turn:127.0.0.1:" + std::to_string(server.port()) + "?transport=udp");
    EXPECT_EQ(turn["uris"][1], "turn:127.0.0.1:" + std::to_string(server.port()) + "?transport=tcp");
    EXPECT_EQ(std::string(turn["password"]).size(), 28u);
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    EXPECT_EQ(server.process().stderr_text().find(std::string(turn["password"])), std::string::npos);
    EXPECT_EQ(server.process().stderr_text().find("s3cret"), std::string::npos);
}

TEST(ServerTurn, RelayOffOrExternalServer) {
    TempDir dir;
    ServerProcess off({"--relay", "off"});
    LineClient a(off.port());
    EXPECT_FALSE(a.hello("alice")->contains("turn"));
    ServerProcess external(
        {"--turn-server", "turn:203.0.113.5:3478", "--turn-secret-file", write_secret(dir, "s3cret", 0600)});
    LineClient b(external.port());
    auto welcome = b.hello("bob");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["turn"]["uris"][0], "turn:203.0.113.5:3478?transport=udp");
}

TEST(ServerTurn, SecretFileReadableByOthersIsRefused) {
    TempDir dir;
    Process p({bin("sala-server"), "--port", "0", "--turn-secret-file", write_secret(dir, "s3cret", 0644)});
    EXPECT_EQ(p.wait(), 2);
    EXPECT_NE(p.stderr_text().find("chmod 600"), std::string::npos) << p.stderr_text();
}

TEST(ServerTurn, PublicAddressMustBeAnIpv4Address) {
    Process p({bin("sala-server"), "--port", "0", "--public-address", "relay.example"});
    EXPECT_EQ(p.wait(), 2);
    EXPECT_NE(p.stderr_text().find("--public-address takes the IPv4 address"), std::string::npos) << p.stderr_text();
}

class ServerTurnUclient : public ::testing::TestWithParam<bool> {};

TEST_P(ServerTurnUclient, RelaysBetweenTwoAllocationsOfAUserInACall) {
    if (find_uclient().empty()) GTEST_SKIP() << "turnutils_uclient (package coturn) is not installed";
    TempDir dir;
    // uclient makes a probe allocation before its two: three for one user.
    ServerProcess server({"--turn-secret-file", write_secret(dir, "s3cret", 0600), "--max-allocations-per-user", "4"});
    Call call(server.port());
    std::string out = relay_through(server.port(), GetParam());
    EXPECT_NE(out.find("tot_send_msgs=100, tot_recv_msgs=100"), std::string::npos) << out;
    EXPECT_NE(out.find("Total lost packets 0 "), std::string::npos) << out;
}

TEST_P(ServerTurnUclient, WithoutACallThePeerIsForbidden) {
    if (find_uclient().empty()) GTEST_SKIP() << "turnutils_uclient (package coturn) is not installed";
    TempDir dir;
    ServerProcess server({"--turn-secret-file", write_secret(dir, "s3cret", 0600), "--max-allocations-per-user", "4"});
    LineClient alice(server.port());
    ASSERT_TRUE(alice.hello("alice"));
    std::vector<std::string> argv = {find_uclient(), "-y", "-c", "-W", "s3cret", "-u", "alice",
                                     "-n",           "5",  "-m", "1",  "-X",     "-p", std::to_string(server.port()),
                                     "127.0.0.1"};
    if (GetParam()) argv.insert(argv.begin() + 1, "-t");
    Process uclient(argv);
    uclient.wait(20000ms);
    std::string out;
    while (auto line = uclient.read_line(100ms)) out += *line + "\n";
    out += uclient.stderr_text();
    EXPECT_NE(out.find("403"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Transports, ServerTurnUclient, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "tcp" : "udp"; });

}  // namespace
