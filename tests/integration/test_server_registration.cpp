// sala-server, registration: names, errors before and at hello, ping, bye.
#include <gtest/gtest.h>

#include "line_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace sala::test;

Json hello_message(const std::string& name, Json version = 1, Json port = 40000) {
    return Json{{"type", "hello"}, {"version", version}, {"name", name}, {"media_port", port}};
}

std::string error_code(LineClient& client) {
    auto m = client.read();
    if (!m || m->value("type", "") != "error") return "no error: " + (m ? m->dump() : "nothing");
    EXPECT_FALSE(m->value("message", "").empty()) << *m;
    return m->value("code", "");
}

TEST(ServerRegistration, FirstLineNamesTheRealPort) {
    TempDir data;
    Process server({bin("sala-server"), "--port", "0", "--data-dir", data.file("data")});
    auto line = server.read_line();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->rfind("listening on [::]:", 0), 0u) << *line;  // dual stack by default
    auto port = port_from_listening_line(*line);
    ASSERT_TRUE(port);
    auto client = LineClient::tls(*port);  // plain lines are refused off loopback
    EXPECT_TRUE(client.hello("alice"));
}

TEST(ServerRegistration, WelcomeListsEveryOtherUser) {
    ServerProcess server;
    LineClient alice(server.port()), bob(server.port());
    auto first = alice.hello("alice");
    ASSERT_TRUE(first);
    EXPECT_EQ((*first)["name"], "alice");
    EXPECT_EQ((*first)["users"], Json::array());
    auto second = bob.hello("bob");
    ASSERT_TRUE(second);
    EXPECT_EQ((*second)["users"], (Json::array({{{"name", "alice"}, {"status", "available"}}})));
}

TEST(ServerRegistration, DuplicateNamesIgnoreAsciiCaseAndTheConnectionStaysOpen) {
    ServerProcess server;
    LineClient alice(server.port()), other(server.port());
    ASSERT_TRUE(alice.hello("Alice"));
    for (const char* name : {"Alice", "alice", "ALICE"}) {
        ASSERT_TRUE(other.send(hello_message(name)));
        EXPECT_EQ(error_code(other), "name_taken") << name;
    }
    auto welcome = other.hello("alice2");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["users"][0]["name"], "Alice");
}

TEST(ServerRegistration, InvalidNamesGetASentenceAndUnicodeNamesWork) {
    ServerProcess server;
    LineClient client(server.port());
    const std::pair<std::string, std::string> cases[] = {
        {"", "A name cannot be empty."},
        {std::string(33, 'a'), "A name can be at most 32 characters long."},
        {" bob", "A name cannot start or end with a space."},
        {"bob/2", "A name may hold only letters, digits, spaces and the characters _ - ."},
    };
    for (const auto& [name, sentence] : cases) {
        ASSERT_TRUE(client.send(hello_message(name)));
        auto m = client.read();
        ASSERT_TRUE(m);
        EXPECT_EQ((*m)["code"], "invalid_name") << name;
        EXPECT_EQ((*m)["message"], sentence) << name;
    }
    auto welcome = client.hello("Zoë Ñandú 李");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["name"], "Zoë Ñandú 李");
    LineClient other(server.port());
    auto seen = other.hello("other");
    ASSERT_TRUE(seen);
    EXPECT_EQ((*seen)["users"][0]["name"], "Zoë Ñandú 李");
}

TEST(ServerRegistration, HelloErrors) {
    ServerProcess server;
    LineClient client(server.port());
    ASSERT_TRUE(client.send(hello_message("a", 6)));
    EXPECT_EQ(error_code(client), "unsupported_version");
    ASSERT_TRUE(client.send(hello_message("a", 0)));
    EXPECT_EQ(error_code(client), "unsupported_version");
    ASSERT_TRUE(client.send(hello_message("a", "1")));
    EXPECT_EQ(error_code(client), "bad_request");
    ASSERT_TRUE(client.send(hello_message("a", 1, 70000)));
    EXPECT_EQ(error_code(client), "bad_request");
    ASSERT_TRUE(client.send(Json{{"type", "hello"}, {"version", 1}}));
    EXPECT_EQ(error_code(client), "bad_request");
    ASSERT_TRUE(client.hello("a"));
    ASSERT_TRUE(client.send(hello_message("b")));
    EXPECT_EQ(error_code(client), "already_registered");
}

TEST(ServerRegistration, ServerFull) {
    ServerProcess server({"--max-clients", "2"});
    LineClient a(server.port()), b(server.port()), c(server.port());
    ASSERT_TRUE(a.hello("a"));
    ASSERT_TRUE(b.hello("b"));
    ASSERT_TRUE(c.send(hello_message("c")));
    EXPECT_EQ(error_code(c), "server_full");
    a.close();
    ASSERT_TRUE(b.wait_for("user_left"));
    EXPECT_TRUE(c.hello("c"));
}

TEST(ServerRegistration, OnlyPingAndByeBeforeHello) {
    ServerProcess server;
    LineClient client(server.port());
    ASSERT_TRUE(client.send(Json{{"type", "ping"}}));
    EXPECT_EQ(client.read(), (Json{{"type", "pong"}}));
    ASSERT_TRUE(client.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto failed = client.read();
    ASSERT_TRUE(failed);
    EXPECT_EQ((*failed)["type"], "call_failed");
    EXPECT_EQ((*failed)["reason"], "not_registered");
    for (const char* kind : {"accept", "reject", "hangup"}) {
        ASSERT_TRUE(client.send(Json{{"type", kind}, {"call_id", "abc"}}));
        EXPECT_EQ(error_code(client), "not_registered") << kind;
    }
    ASSERT_TRUE(client.send(Json{{"type", "bye"}}));
    EXPECT_TRUE(client.wait_closed());
}

TEST(ServerRegistration, ByeFreesTheNameAtOnce) {
    ServerProcess server;
    LineClient alice(server.port()), watcher(server.port());
    ASSERT_TRUE(alice.hello("alice"));
    ASSERT_TRUE(watcher.hello("watcher"));
    ASSERT_TRUE(alice.send(Json{{"type", "bye"}}));
    EXPECT_TRUE(alice.wait_closed());
    EXPECT_EQ(watcher.read(), (Json{{"type", "user_left"}, {"name", "alice"}}));
    LineClient again(server.port());
    EXPECT_TRUE(again.hello("alice"));
}

}  // namespace
