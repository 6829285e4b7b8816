// TLS on the directory connection (protocol v5) with real processes: sala-cli pins a self-signed
// server's certificate on first use; a server whose certificate changed is refused (status 1, a
// sentence with the word "fingerprint" and the new value) until --trust-server names the new
// fingerprint; a certificate a CA vouches for (for the host name asked) needs no pin.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "cli_peer.hpp"
#include "line_client.hpp"
#include "process.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace std::chrono_literals;
using sala::test::bin;
using sala::test::CliPeer;
using sala::test::Process;
using sala::test::ServerProcess;
using sala::test::TempDir;

// The fingerprint a server logged at start ("certificate fingerprint SHA256:...").
std::string logged_fingerprint(Process& server) {
    for (int i = 0; i < 50; ++i) {
        std::smatch match;
        const std::string log = server.stderr_text();
        if (std::regex_search(log, match, std::regex("certificate fingerprint (SHA256:[A-Za-z0-9+/]{43})")))
            return match[1];
        std::this_thread::sleep_for(20ms);
    }
    return {};
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A new name each time: a killed client's session lingers on the server for its resume grace.
std::vector<std::string> cli(std::uint16_t port, const std::string& config, std::vector<std::string> more = {},
                             const std::string& host = "127.0.0.1") {
    static int runs = 0;
    std::vector<std::string> argv{bin("sala-cli"),
                                  "--server",
                                  host + ":" + std::to_string(port),
                                  "--name",
                                  "alice" + std::to_string(++runs),
                                  "--config-dir",
                                  config,
                                  "--audio-in",
                                  "silence",
                                  "--audio-out",
                                  "null",
                                  "--json"};
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

// The client said it registered (the Process is killed when it goes out of scope).
bool registers(Process& client) { return client.wait_for_line("\"event\":\"registered\"", 5000ms).has_value(); }

TEST(ServerTrust, FirstUsePinsAndAChangedCertificateIsRefusedUntilTrusted) {
    TempDir dir;
    const std::string config = dir.file("alice");
    auto first = std::make_unique<ServerProcess>(std::vector<std::string>{}, /*plaintext_too=*/false);
    const auto port = first->port();
    const std::string old_fingerprint = logged_fingerprint(first->process());
    ASSERT_FALSE(old_fingerprint.empty()) << first->process().stderr_text();
    EXPECT_EQ(sala::test::LineClient::tls(port).server_fingerprint(),
              old_fingerprint);  // what it logs is what it shows
    {
        Process client(cli(port, config));
        auto pinned = client.wait_for_line("server_certificate", 5000ms);
        ASSERT_TRUE(pinned) << client.stderr_text();
        EXPECT_NE(pinned->find(old_fingerprint), std::string::npos) << *pinned;
        EXPECT_TRUE(registers(client)) << client.stderr_text();
    }
    EXPECT_EQ(read_file(config + "/known_servers"), "127.0.0.1:" + std::to_string(port) + " " + old_fingerprint + "\n");
    first->process().signal(SIGTERM);
    first->process().wait();

    // Another server on the same address, with a certificate of its own.
    TempDir other_data;
    Process second({bin("sala-server"), "--bind", "127.0.0.1", "--port", std::to_string(port), "--data-dir",
                    other_data.file("data")});
    ASSERT_TRUE(second.wait_for_line("listening on", 5000ms)) << second.stderr_text();
    const std::string new_fingerprint = logged_fingerprint(second);
    ASSERT_FALSE(new_fingerprint.empty());
    ASSERT_NE(new_fingerprint, old_fingerprint);
    {
        Process refused(cli(port, config));
        EXPECT_EQ(refused.wait(5000ms), 1);
        const std::string said = refused.stderr_text();
        EXPECT_NE(said.find("fingerprint"), std::string::npos) << said;
        EXPECT_NE(said.find(new_fingerprint), std::string::npos) << said;
        EXPECT_NE(said.find("--trust-server"), std::string::npos) << said;
    }
    EXPECT_NE(read_file(config + "/known_servers").find(old_fingerprint), std::string::npos)
        << "a refused certificate must not replace the pin";
    {
        Process wrong(cli(port, config, {"--trust-server", old_fingerprint}));  // trusting something else
        EXPECT_EQ(wrong.wait(5000ms), 1);
    }
    {
        Process trusted(cli(port, config, {"--trust-server", new_fingerprint}));
        EXPECT_TRUE(registers(trusted)) << trusted.stderr_text();
    }
    EXPECT_EQ(read_file(config + "/known_servers"), "127.0.0.1:" + std::to_string(port) + " " + new_fingerprint + "\n");
    {
        Process again(cli(port, config));  // pinned now: no flag needed
        EXPECT_TRUE(registers(again)) << again.stderr_text();
    }
    Process malformed(cli(port, config, {"--trust-server", "SHA256:nope"}));
    EXPECT_EQ(malformed.wait(5000ms), 2);
}

// A certificate issued by a CA the system trusts (SSL_CERT_FILE points OpenSSL at a test CA) for
// "localhost": trusted at localhost without a pin; at 127.0.0.1, which it does not name, it is
// only a certificate like a self-signed one, pinned on first use.
TEST(ServerTrust, ACertificateACaVouchesForNeedsNoPin) {
    TempDir dir;
    auto run = [](std::vector<std::string> argv) {
        Process p(std::move(argv));
        return p.wait(20000ms).value_or(-1);
    };
    const std::string ca_key = dir.file("ca.key"), ca = dir.file("ca.pem"), key = dir.file("server.key"),
                      request = dir.file("server.csr"), cert = dir.file("server.pem"), ext = dir.file("ext.cnf");
    std::ofstream(ext) << "subjectAltName=DNS:localhost\n";
    ASSERT_EQ(run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=Sala test CA"}),
              0);
    ASSERT_EQ(run({"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", key, "-out", request, "-subj", "/CN=localhost"}),
              0);
    ASSERT_EQ(run({"/usr/bin/openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                   "-out", cert, "-days", "2", "-extfile", ext}),
              0);
    ServerProcess server({"--cert", cert, "--key", key}, /*plaintext_too=*/false);

    const std::string config = dir.file("alice");
    auto with_ca = [&](std::vector<std::string> argv) {
        argv.insert(argv.begin(), {"/usr/bin/env", "SSL_CERT_FILE=" + ca, "SSL_CERT_DIR=/nonexistent"});
        return argv;
    };
    {
        Process client(with_ca(cli(server.port(), config, {}, "localhost")));
        auto said = client.wait_for_line("server_certificate", 5000ms);
        ASSERT_TRUE(said) << client.stderr_text();
        EXPECT_TRUE(registers(client)) << client.stderr_text();
    }
    EXPECT_EQ(read_file(config + "/known_servers"), "") << "a CA-vouched certificate is not pinned";
    {
        Process client(with_ca(cli(server.port(), config)));  // 127.0.0.1: not the name in the certificate
        EXPECT_TRUE(registers(client)) << client.stderr_text();
    }
    EXPECT_NE(read_file(config + "/known_servers").find("127.0.0.1:"), std::string::npos);
}

}  // namespace
