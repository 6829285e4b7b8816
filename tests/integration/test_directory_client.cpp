// DirectoryClient against a fake server on 127.0.0.1 in the same io_context: a connection that
// stops answering is found dead by a probe, and the reconnection presents the session's token.
#include "directory/directory_client.hpp"

#include <gtest/gtest.h>

#include <asio/experimental/as_tuple.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace {
using namespace std::chrono_literals;
using asio::ip::tcp;
using sala::client::DirectoryClient;
using sala::client::DirectoryState;
using sala::protocol::Json;
using Clock = std::chrono::steady_clock;
constexpr auto as_result = asio::experimental::as_tuple(asio::use_awaitable);

// Accepts connections and answers each hello with `welcome(n)` (n: 0 for the first connection);
// then, unless it answers pings, says nothing more, as a server behind a network that died would.
class FakeServer {
public:
    FakeServer(asio::io_context& io, std::function<Json(std::size_t)> welcome, bool answers_pings = false)
        : io_(io),
          acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          welcome_(std::move(welcome)),
          answers_pings_(answers_pings) {
        asio::co_spawn(io, serve(), asio::detached);
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::vector<Json> hellos;

private:
    asio::awaitable<void> serve() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(as_result);
            if (ec) co_return;
            std::string buffer;
            auto [read_error, n] =
                co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), '\n', as_result);
            if (read_error) continue;
            hellos.push_back(Json::parse(buffer.substr(0, n - 1)));
            const std::string line = welcome_(hellos.size() - 1).dump() + "\n";
            co_await asio::async_write(socket, asio::buffer(line), as_result);
            kept_.push_back(std::make_shared<tcp::socket>(std::move(socket)));  // open
            if (answers_pings_) asio::co_spawn(io_, pong(kept_.back()), asio::detached);
        }
    }
    asio::awaitable<void> pong(std::shared_ptr<tcp::socket> socket) {
        std::string buffer;
        for (;;) {
            auto [ec, n] = co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer), '\n', as_result);
            if (ec) co_return;
            buffer.erase(0, n);
            co_await asio::async_write(*socket,
                                       asio::buffer(std::string(R"({"type":"pong"})"
                                                                "\n")),
                                       as_result);
        }
    }
    asio::io_context& io_;
    tcp::acceptor acceptor_;
    std::function<Json(std::size_t)> welcome_;
    bool answers_pings_;
    std::vector<std::shared_ptr<tcp::socket>> kept_;
};

// Runs `io` until `done` holds or `timeout` passes.
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done() && Clock::now() < deadline) io.run_for(20ms);
    return done();
}

TEST(DirectoryClient, AnUnansweredProbeEndsTheConnectionAndTheReconnectionResumesWithTheToken) {
    asio::io_context io;
    FakeServer server(io, [](std::size_t n) {
        Json welcome{{"type", "welcome"}, {"name", "alice"}, {"users", Json::array()}};
        welcome["resume_token"] = n == 0 ? "0123456789abcdef0123456789abcdef" : "fedcba9876543210fedcba9876543210";
        if (n > 0) welcome["resumed"] = true;
        return welcome;
    });
    struct Registration {
        bool again, resumed;
    };
    std::vector<Registration> registrations;
    std::vector<std::string> lost;
    Clock::time_point lost_at{}, back_at{};
    DirectoryClient::Handlers h;
    h.registered = [&](const Json&, bool again, bool resumed) {
        registrations.push_back({again, resumed});
        back_at = Clock::now();
    };
    h.lost = [&](const std::string& reason, bool) {
        lost.push_back(reason);
        lost_at = Clock::now();
    };
    DirectoryClient client(io, h, std::chrono::milliseconds(60'000), /*tls=*/false);  // plain lines; no ping of its own
    client.open("127.0.0.1", server.port(), "alice", 40000);
    ASSERT_TRUE(run_until(
        io, [&] { return registrations.size() == 1; }, 3s));
    EXPECT_FALSE(registrations[0].again);
    ASSERT_EQ(server.hellos.size(), 1u);
    EXPECT_EQ(server.hellos[0]["resumable"], true);
    EXPECT_FALSE(server.hellos[0].contains("resume_token"));

    const auto probed = Clock::now();
    client.probe();
    ASSERT_TRUE(run_until(
        io, [&] { return !lost.empty(); }, 4s));
    EXPECT_NE(lost[0].find("no answer"), std::string::npos) << lost[0];
    EXPECT_GE(lost_at - probed, 1900ms);
    EXPECT_LT(lost_at - probed, 3000ms);

    ASSERT_TRUE(run_until(
        io, [&] { return registrations.size() == 2; }, 3s));
    EXPECT_LT(back_at - lost_at, 1000ms) << "the first retry is quick";
    EXPECT_TRUE(registrations[1].again);
    EXPECT_TRUE(registrations[1].resumed);
    ASSERT_EQ(server.hellos.size(), 2u);
    EXPECT_EQ(server.hellos[1]["resume_token"], "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(client.state(), DirectoryState::registered);
    client.close(false);
}

TEST(DirectoryClient, AnAnsweredProbeChangesNothing) {
    asio::io_context io;
    FakeServer server(
        io,
        [](std::size_t) {
            return Json{{"type", "welcome"}, {"name", "bob"}, {"users", Json::array()}};
        },
        true);
    std::size_t registered = 0, lost = 0;
    DirectoryClient::Handlers h;
    h.registered = [&](const Json&, bool, bool) { ++registered; };
    h.lost = [&](const std::string&, bool) { ++lost; };
    DirectoryClient client(io, h, std::chrono::milliseconds(60'000),
                           /*tls=*/false);  // the fake server speaks plain lines
    client.open("127.0.0.1", server.port(), "bob", 40000);
    ASSERT_TRUE(run_until(
        io, [&] { return registered == 1; }, 3s));
    client.probe();
    client.probe();  // a second one while the first waits: still one deadline
    io.run_for(2500ms);
    EXPECT_EQ(lost, 0u);
    EXPECT_EQ(client.state(), DirectoryState::registered);
    client.close(false);
}

// A welcome longer than a client's line (every other user is listed): the client read server lines
// only up to 64 KiB and parsed them only under 4096 bytes, so with about 90 users online it never
// saw its welcome and never registered. Found while fuzzing the line parsers (docs/fuzzing.md).
TEST(DirectoryClient, ALongWelcomeRegisters) {
    asio::io_context io;
    FakeServer server(io, [](std::size_t) {
        Json users = Json::array();
        for (int i = 0; i < 3000; ++i)
            users.push_back({{"name", "user number " + std::to_string(i)}, {"status", "available"}});
        return Json{{"type", "welcome"}, {"name", "carol"}, {"users", users}};
    });
    std::size_t listed = 0;
    DirectoryClient::Handlers h;
    h.registered = [&](const Json& welcome, bool, bool) { listed = welcome["users"].size(); };
    DirectoryClient client(io, h, std::chrono::milliseconds(60'000),
                           /*tls=*/false);  // the fake server speaks plain lines
    client.open("127.0.0.1", server.port(), "carol", 40000);
    ASSERT_TRUE(run_until(
        io, [&] { return listed > 0; }, 3s));
    EXPECT_EQ(listed, 3000u);
    EXPECT_EQ(client.state(), DirectoryState::registered);
    client.close(false);
}

}  // namespace
