// sala-server's TURN relay against coturn's turnutils_uclient (REST credentials from the secret
// file): two allocations of a user in a call relay to each other over UDP and over TCP; the
// secret file's mode is checked; welcome carries the credentials. And against TurnClient below, a
// client written here with the server's STUN codec, for the requests uclient does not make.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <variant>

#include "line_client.hpp"
#include "process.hpp"
#include "program_path.hpp"
#include "server_process.hpp"
#include "stun/integrity.hpp"
#include "stun/stun_message.hpp"
#include "temp_dir.hpp"
#include "turn/channel_data.hpp"
#include "turn/rest_credentials.hpp"
#include "udp_peer.hpp"

namespace {
using namespace sala::test;
namespace stun = sala::server::stun;
using Bytes = std::vector<std::uint8_t>;

sockaddr_storage socket_address(const std::string& ip, std::uint16_t port, socklen_t& length) {
    sockaddr_storage storage{};
    if (ip.find(':') == std::string::npos) {
        auto* a = reinterpret_cast<sockaddr_in*>(&storage);
        a->sin_family = AF_INET;
        ::inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
        a->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
        a->sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
        a->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    }
    return storage;
}

std::string ip_text(const stun::TransportAddress& a) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(a.family == stun::Family::ipv4 ? AF_INET : AF_INET6, a.ip.data(), text, sizeof text);
    return text;
}

stun::TransportAddress loopback_peer(std::uint16_t port) { return stun::TransportAddress::v4({127, 0, 0, 1}, port); }

// A server's answer, kept with its bytes.
struct Reply {
    Bytes bytes;
    std::optional<stun::Message> message() const {
        auto parsed = stun::parse(bytes);
        if (!std::holds_alternative<stun::Message>(parsed)) return std::nullopt;
        return std::get<stun::Message>(parsed);
    }
    bool success() const {
        auto m = message();
        return m && m->header().message_class == stun::Class::success_response;
    }
    unsigned error() const {  // 0: not an error response
        auto m = message();
        const stun::Attribute* e = m ? m->find(stun::attribute::error_code) : nullptr;
        auto value = e ? stun::decode_error_code(e->value) : std::nullopt;
        return value ? value->code : 0;
    }
    std::optional<stun::TransportAddress> address(std::uint16_t type) const {
        auto m = message();
        const stun::Attribute* a = m ? m->find(type) : nullptr;
        return a ? stun::decode_xor_address(a->value, m->header().transaction) : std::nullopt;
    }
};

// A TURN client on loopback over UDP or TCP, with the credentials of a welcome's "turn".
class TurnClient {
public:
    TurnClient(const std::string& server_ip, std::uint16_t port, const Json& turn, bool tcp = false)
        : tcp_(tcp), username_(turn["username"]), password_(turn["password"]) {
        socklen_t length = 0;
        sockaddr_storage a = socket_address(server_ip, port, length);
        fd_ = ::socket(a.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), length), 0);
    }
    ~TurnClient() { ::close(fd_); }
    TurnClient(const TurnClient&) = delete;
    TurnClient& operator=(const TurnClient&) = delete;

    void send_raw(const Bytes& bytes) {
        EXPECT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    }
    // The next message from the server (a datagram, or one framed message over TCP), or nullopt.
    std::optional<Bytes> receive(std::chrono::milliseconds timeout = 3000ms) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (tcp_) {
                if (auto frame = take_frame()) return frame;
            }
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return std::nullopt;
            Bytes buffer(70000);
            ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n <= 0) return std::nullopt;
            buffer.resize(static_cast<std::size_t>(n));
            if (!tcp_) return buffer;
            stream_.insert(stream_.end(), buffer.begin(), buffer.end());
        }
    }
    // A request with `fill`'s attributes, authenticated (after the 401 that gives a nonce) unless
    // `authenticate` is false; the answer with its transaction id.
    template <typename Fill>
    Reply request(std::uint16_t method, Fill fill, bool authenticate = true) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            stun::TransactionId id = fresh();
            std::array<std::uint8_t, 4096> buffer{};
            stun::MessageBuilder out(buffer, method, stun::Class::request, id);
            fill(out);
            if (authenticate && !nonce_.empty())
                out.add_text(stun::attribute::username, username_)
                    .add_text(stun::attribute::realm, "sala")
                    .add_text(stun::attribute::nonce, nonce_)
                    .add_message_integrity(stun::long_term_key(username_, "sala", password_));
            out.add_fingerprint();
            auto done = out.finish();
            EXPECT_TRUE(done);
            if (!done) return {};
            send_raw(Bytes(done->begin(), done->end()));
            Reply reply = answer_to(id);
            if (!authenticate || (reply.error() != 401 && reply.error() != 438) || attempt == 2) return reply;
            auto m = reply.message();
            nonce_ = std::string(m->text(stun::attribute::nonce));
        }
        return {};
    }
    Reply allocate() {
        return request(stun::method::allocate,
                       [](stun::MessageBuilder& b) { b.add_u32(stun::attribute::requested_transport, 17u << 24); });
    }
    Reply permit(const std::vector<stun::TransportAddress>& peers) {
        return request(stun::method::create_permission, [&](stun::MessageBuilder& b) {
            for (const auto& peer : peers) b.add_xor_address(stun::attribute::xor_peer_address, peer);
        });
    }
    void send_indication(const stun::TransportAddress& peer, const Bytes& data, bool dont_fragment = false) {
        std::array<std::uint8_t, 4096> buffer{};
        stun::MessageBuilder out(buffer, stun::method::send, stun::Class::indication, fresh());
        out.add_xor_address(stun::attribute::xor_peer_address, peer).add(stun::attribute::data, data);
        if (dont_fragment) out.add(stun::attribute::dont_fragment, {});
        send_raw(Bytes(out.finish()->begin(), out.finish()->end()));
    }
    // The DATA of the next Data indication or the data of the next ChannelData, or nullopt.
    std::optional<Bytes> receive_data(std::chrono::milliseconds timeout = 3000ms) {
        auto bytes = receive(timeout);
        if (!bytes) return std::nullopt;
        if (auto channel = sala::server::turn::parse_channel_data(*bytes))
            return Bytes(channel->data.begin(), channel->data.end());
        Reply reply{*bytes};
        auto m = reply.message();
        const stun::Attribute* data = m ? m->find(stun::attribute::data) : nullptr;
        if (!data) return std::nullopt;
        return Bytes(data->value.begin(), data->value.end());
    }

private:
    stun::TransactionId fresh() {
        stun::TransactionId id{};
        id.fill(++next_);
        return id;
    }
    Reply answer_to(const stun::TransactionId& id) {
        while (auto bytes = receive()) {
            Reply reply{*bytes};
            auto m = reply.message();
            if (m && m->header().transaction == id) return reply;
        }
        ADD_FAILURE() << "no answer from the server";
        return {};
    }
    std::optional<Bytes> take_frame() {
        if (stream_.size() < 4) return std::nullopt;
        std::size_t length = std::size_t{stream_[2]} << 8 | stream_[3];
        std::size_t size =
            sala::server::turn::starts_channel_data(stream_[0]) ? 4 + ((length + 3) & ~std::size_t{3}) : 20 + length;
        if (stream_.size() < size) return std::nullopt;
        Bytes frame(stream_.begin(), stream_.begin() + static_cast<std::ptrdiff_t>(size));
        stream_.erase(stream_.begin(), stream_.begin() + static_cast<std::ptrdiff_t>(size));
        return frame;
    }

    int fd_ = -1;
    bool tcp_ = false;
    std::string username_, password_, nonce_;
    std::uint8_t next_ = 0;
    Bytes stream_;  // TCP bytes not yet framed
};

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
    Json welcome, bob_welcome;
    explicit Call(std::uint16_t port) : alice(port), bob(port) {
        welcome = alice.hello("alice").value_or(Json());
        bob_welcome = bob.hello("bob").value_or(Json());
        EXPECT_TRUE(bob_welcome.contains("turn"));
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

// Several XOR-PEER-ADDRESS in one CreatePermission: one the user may not reach refuses them all.
TEST(ServerTurn, CreatePermissionIsAllOrNothing) {
    ServerProcess server;
    Call call(server.port());
    TurnClient alice(std::string("127.0.0.1"), server.port(), call.welcome["turn"]);
    ASSERT_TRUE(alice.allocate().success());
    UdpPeer peer;                                                             // bob's side, at bob's IP (127.0.0.1)
    const auto stranger = stun::TransportAddress::v4({192, 0, 2, 99}, 4000);  // named, never sent to
    EXPECT_EQ(alice.permit({loopback_peer(peer.port()), stranger}).error(), 403u);
    alice.send_indication(loopback_peer(peer.port()), {1, 2, 3});
    EXPECT_FALSE(peer.receive(300ms)) << "a permission was installed by the refused request";
    ASSERT_TRUE(alice.permit({loopback_peer(peer.port())}).success());
    alice.send_indication(loopback_peer(peer.port()), {1, 2, 3});
    EXPECT_EQ(peer.receive(3000ms), (Bytes{1, 2, 3}));
}

// A peer's datagram larger than a message to the client can carry is dropped and counted, never
// cut short and relayed.
TEST(ServerTurn, APeersOversizedDatagramIsDroppedNotTruncated) {
    ServerProcess server;
    Call call(server.port());
    TurnClient alice(std::string("127.0.0.1"), server.port(), call.welcome["turn"]);
    Reply allocated = alice.allocate();
    ASSERT_TRUE(allocated.success());
    auto relayed = allocated.address(stun::attribute::xor_relayed_address);
    ASSERT_TRUE(relayed);
    ASSERT_EQ(ip_text(*relayed), "127.0.0.1");
    UdpPeer peer;
    ASSERT_TRUE(alice.permit({loopback_peer(peer.port())}).success());
    peer.send(Bytes(5000, 0xAB), relayed->port);
    peer.send(Bytes(100, 0xCD), relayed->port);
    auto data = alice.receive_data();
    ASSERT_TRUE(data);
    EXPECT_EQ(*data, Bytes(100, 0xCD));
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    EXPECT_NE(server.process().stderr_text().find(" 1 too big to relay"), std::string::npos)
        << server.process().stderr_text();
}

// DONT-FRAGMENT is served (the relay socket sets DF), not ignored: Allocate with it succeeds, and
// so does a Send indication with it.
TEST(ServerTurn, DontFragmentIsServed) {
    ServerProcess server;
    Call call(server.port());
    TurnClient alice(std::string("127.0.0.1"), server.port(), call.welcome["turn"]);
    Reply allocated = alice.request(stun::method::allocate, [](stun::MessageBuilder& b) {
        b.add_u32(stun::attribute::requested_transport, 17u << 24).add(stun::attribute::dont_fragment, {});
    });
    ASSERT_TRUE(allocated.success()) << allocated.error();
    UdpPeer peer;
    ASSERT_TRUE(alice.permit({loopback_peer(peer.port())}).success());
    alice.send_indication(loopback_peer(peer.port()), Bytes(1200, 1), true);
    EXPECT_EQ(peer.receive(3000ms), Bytes(1200, 1));
    TurnClient bob(std::string("127.0.0.1"), server.port(), call.bob_welcome["turn"]);
    ASSERT_TRUE(bob.allocate().success());
    ASSERT_TRUE(bob.permit({loopback_peer(peer.port())}).success());
    bob.send_indication(loopback_peer(peer.port()), {2}, true);  // DF for this datagram only
    bob.send_indication(loopback_peer(peer.port()), {3});
    EXPECT_EQ(peer.receive(3000ms), Bytes{2});
    EXPECT_EQ(peer.receive(3000ms), Bytes{3});
}

// A Binding request on a TURN-over-TCP connection gets its success response there (libnice sends
// them as keepalives), before and after an Allocate on the same connection.
TEST(ServerTurn, BindingRequestOnATurnTcpConnectionIsAnswered) {
    ServerProcess server;
    LineClient directory(server.port());
    auto welcome = directory.hello("alice");
    ASSERT_TRUE(welcome);
    TurnClient alice(std::string("127.0.0.1"), server.port(), (*welcome)["turn"], true);
    auto binding = [&](std::uint8_t seed) {
        std::array<std::uint8_t, 64> buffer{};
        stun::TransactionId id{};
        id.fill(seed);
        stun::MessageBuilder out(buffer, stun::method::binding, stun::Class::request, id);
        alice.send_raw(Bytes(out.finish()->begin(), out.finish()->end()));
        auto answer = alice.receive();
        EXPECT_TRUE(answer);
        Reply reply{answer.value_or(Bytes{})};
        auto m = reply.message();
        EXPECT_TRUE(m && m->header().method == stun::method::binding && m->header().transaction == id);
        EXPECT_TRUE(reply.success());
        auto mapped = reply.address(stun::attribute::xor_mapped_address);
        EXPECT_TRUE(mapped && ip_text(*mapped) == "127.0.0.1");
    };
    binding(0xA1);  // the connection's first message
    ASSERT_TRUE(alice.allocate().success());
    binding(0xA2);
    // Still a TURN connection that works.
    EXPECT_TRUE(
        alice.request(stun::method::refresh, [](stun::MessageBuilder& b) { b.add_u32(stun::attribute::lifetime, 600); })
            .success());
}

// With few descriptors (prlimit 160: 64 after the reserve), the relay takes half of them: the 33rd
// allocation gets 508, and the server still accepts and registers clients.
TEST(ServerTurn, AllocationsStopAtTheDescriptorBudget) {
    if (::access("/usr/bin/prlimit", X_OK) != 0) GTEST_SKIP() << "prlimit (util-linux) is not installed";
    TempDir data;
    Process server({"/usr/bin/prlimit", "--nofile=160:160", bin("sala-server"), "--bind", "127.0.0.1", "--port", "0",
                    "--max-allocations-per-user", "64", "--data-dir", data.file("data")});
    auto first = server.read_line(5000ms);
    auto port = first ? port_from_listening_line(*first) : std::nullopt;
    ASSERT_TRUE(port) << server.stderr_text();
    auto directory = LineClient::tls(*port);
    auto welcome = directory.hello("alice");
    ASSERT_TRUE(welcome);
    std::vector<std::unique_ptr<TurnClient>> clients;
    for (int i = 0; i < 32; ++i) {
        clients.push_back(std::make_unique<TurnClient>(std::string("127.0.0.1"), *port, (*welcome)["turn"]));
        ASSERT_TRUE(clients.back()->allocate().success()) << "allocation " << i + 1;
    }
    TurnClient one_more(std::string("127.0.0.1"), *port, (*welcome)["turn"]);
    EXPECT_EQ(one_more.allocate().error(), 508u);
    std::vector<std::unique_ptr<LineClient>> users;
    for (int i = 0; i < 20; ++i) {
        users.push_back(std::make_unique<LineClient>(*port, 0, LineClient::Wire::tls));
        EXPECT_TRUE(users.back()->hello("user" + std::to_string(i))) << i;
    }
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    std::string log = server.stderr_text();
    EXPECT_NE(log.find("open-file limit 160: room for 64 clients; accepting up to 32 and 32 relay allocations"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("leaves room for 32 relay allocations, not --max-allocations 2000"), std::string::npos) << log;
    EXPECT_EQ(log.find("accept failed"), std::string::npos) << log;
}

// The first of `count` consecutive UDP ports on 127.0.0.1 that are free right now (0: none found).
std::uint16_t free_udp_ports(std::uint16_t count) {
    for (std::uint16_t first = 61000; first < 65000; first += count) {
        bool all = true;
        for (std::uint16_t p = first; p < first + count && all; ++p) {
            const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
            socklen_t length = 0;
            sockaddr_storage a = socket_address("127.0.0.1", p, length);
            all = ::bind(fd, reinterpret_cast<sockaddr*>(&a), length) == 0;
            ::close(fd);
        }
        if (all) return first;
    }
    return 0;
}

// --relay-ports: every relayed port inside the range (for a firewall rule); when the range is
// full the Allocate gets 508 and the server says why, once.
TEST(ServerTurn, RelayPortsKeepAllocationsInTheirRange) {
    const std::uint16_t first = free_udp_ports(4);
    ASSERT_NE(first, 0);
    const std::string range = std::to_string(first) + "-" + std::to_string(first + 3);
    ServerProcess server({"--max-allocations-per-user", "64", "--relay-ports", range});
    const std::uint16_t port = server.port();
    LineClient directory(port);
    auto welcome = directory.hello("alice");
    ASSERT_TRUE(welcome);
    std::vector<std::unique_ptr<TurnClient>> clients;
    std::set<std::uint16_t> ports;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<TurnClient>(std::string("127.0.0.1"), port, (*welcome)["turn"]));
        Reply allocated = clients.back()->allocate();
        ASSERT_TRUE(allocated.success()) << "allocation " << i + 1;
        auto relayed = allocated.address(stun::attribute::xor_relayed_address);
        ASSERT_TRUE(relayed);
        EXPECT_GE(relayed->port, first);
        EXPECT_LE(relayed->port, first + 3);
        ports.insert(relayed->port);
    }
    EXPECT_EQ(ports.size(), 4u);
    TurnClient one_more(std::string("127.0.0.1"), port, (*welcome)["turn"]);
    EXPECT_EQ(one_more.allocate().error(), 508u);
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    const std::string log = server.process().stderr_text();
    EXPECT_NE(log.find("relay allocations take UDP ports " + range), std::string::npos) << log;
    EXPECT_NE(log.find("no port of --relay-ports is free"), std::string::npos) << log;
}

// sala-server with its default --bind, on a port of its choosing; its port from "listening on".
struct DefaultServer {
    TempDir data;
    Process process{{bin("sala-server"), "--port", "0", "--data-dir", data.file("data")}};
    std::uint16_t port = 0;
    std::string listening;
    DefaultServer() {
        listening = process.read_line(5000ms).value_or("");
        port = port_from_listening_line(listening).value_or(0);
    }
};

Reply allocate_family(TurnClient& client, std::uint8_t family) {
    return client.request(stun::method::allocate, [&](stun::MessageBuilder& b) {
        b.add_u32(stun::attribute::requested_transport, 17u << 24);
        if (family) b.add_u32(stun::attribute::requested_address_family, std::uint32_t{family} << 24);
    });
}

// The default bind is dual stack; relayed addresses are IPv4 unless IPv6 is asked for, and no
// IPv4 address is ever written as v4-mapped IPv6.
TEST(ServerTurn, DualStackByDefaultWithIpv4RelaysUnlessAsked) {
    DefaultServer server;
    ASSERT_NE(server.port, 0) << server.process.stderr_text();
    EXPECT_EQ(server.listening, "listening on [::]:" + std::to_string(server.port));
    auto directory = LineClient::tls(server.port);  // over IPv4
    auto welcome = directory.hello("alice");
    ASSERT_TRUE(welcome);
    const Json& turn = (*welcome)["turn"];
    EXPECT_EQ(turn["uris"][0], "turn:127.0.0.1:" + std::to_string(server.port) + "?transport=udp");

    struct Case {
        std::string server_ip;
        bool tcp;
        std::uint8_t family;  // REQUESTED-ADDRESS-FAMILY, 0: none
        std::string relayed, mapped;
    };
    for (const Case& c :
         {Case{"127.0.0.1", false, 0, "127.0.0.1", "127.0.0.1"}, Case{"127.0.0.1", true, 0, "127.0.0.1", "127.0.0.1"},
          Case{"::1", false, 0, "127.0.0.1", "::1"}, Case{"::1", true, 0, "127.0.0.1", "::1"},
          Case{"::1", false, 2, "::1", "::1"}, Case{"127.0.0.1", false, 2, "::1", "127.0.0.1"}}) {
        SCOPED_TRACE(c.server_ip + (c.tcp ? " tcp" : " udp") + " family " + std::to_string(c.family));
        TurnClient client(c.server_ip, server.port, turn, c.tcp);
        Reply reply = allocate_family(client, c.family);
        ASSERT_TRUE(reply.success()) << reply.error();
        auto relayed = reply.address(stun::attribute::xor_relayed_address);
        auto mapped = reply.address(stun::attribute::xor_mapped_address);
        ASSERT_TRUE(relayed && mapped);
        EXPECT_EQ(ip_text(*relayed), c.relayed);
        EXPECT_EQ(ip_text(*mapped), c.mapped);
        // A peer of the other family than the allocation's: 443.
        auto other = relayed->family == stun::Family::ipv4
                         ? stun::TransportAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 4000)
                         : loopback_peer(4000);
        EXPECT_EQ(client.permit({other}).error(), 443u);
        EXPECT_EQ(client
                      .request(stun::method::channel_bind,
                               [&](stun::MessageBuilder& b) {
                                   b.add_u32(stun::attribute::channel_number, 0x40000000u)
                                       .add_xor_address(stun::attribute::xor_peer_address, other);
                               })
                      .error(),
                  443u);
        // Gone, to stay within the user's quota of 2.
        EXPECT_TRUE(client
                        .request(stun::method::refresh,
                                 [](stun::MessageBuilder& b) { b.add_u32(stun::attribute::lifetime, 0); })
                        .success());
    }
}

// A server bound to one family answers 440 for the other.
TEST(ServerTurn, AnIpv4OrIpv6OnlyBindRefusesTheOtherFamily) {
    ServerProcess v4;  // --bind 127.0.0.1
    LineClient a(v4.port());
    auto welcome = a.hello("alice");
    ASSERT_TRUE(welcome);
    TurnClient alice(std::string("127.0.0.1"), v4.port(), (*welcome)["turn"]);
    EXPECT_EQ(allocate_family(alice, 2).error(), 440u);
    EXPECT_EQ(allocate_family(alice, 3).error(), 440u);
    EXPECT_TRUE(allocate_family(alice, 1).success());

    TempDir dir;
    ServerProcess v6({"--bind", "::1", "--turn-secret-file", write_secret(dir, "s3cret", 0600)});
    std::string username = sala::server::turn::rest_username(std::time(nullptr) + 3600, "bob");
    Json turn{{"username", username}, {"password", sala::server::turn::rest_password("s3cret", username)}};
    TurnClient bob(std::string("::1"), v6.port(), turn);
    EXPECT_EQ(allocate_family(bob, 0).error(), 440u) << "IPv4, the default, beside ::1";
    Reply reply = allocate_family(bob, 2);
    ASSERT_TRUE(reply.success()) << reply.error();
    EXPECT_EQ(ip_text(*reply.address(stun::attribute::xor_relayed_address)), "::1");
}

// The peer rule trusts what the server saw, not what a client claims: bob lists a "victim" IP
// among his candidates (in accept and trickled), and alice's relay may not reach it; the client
// IP of bob's own allocation (authenticated with his credentials) it may, and relays to it.
TEST(ServerTurn, ThePeerRuleIgnoresCandidatesAndTrustsAllocations) {
    DefaultServer server;  // dual stack: bob's allocation comes over IPv6, his directory over IPv4
    ASSERT_NE(server.port, 0);
    auto alice_line = LineClient::tls(server.port), bob_line = LineClient::tls(server.port);
    auto alice_welcome = alice_line.hello("alice");
    auto bob_welcome = bob_line.hello("bob");
    ASSERT_TRUE(alice_welcome && bob_welcome);
    Json ice_with_victim{{"ufrag", "F7gI"},
                         {"pwd", "x9cml/YzichV2+XlhiMu8g"},
                         {"candidates",
                          {"candidate:1 1 udp 2130706431 192.0.2.99 40000 typ host",
                           "candidate:2 1 udp 2130706431 2001:db8::99 40000 typ host"}}};
    ASSERT_TRUE(alice_line.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto invite = bob_line.wait_for("invite");
    ASSERT_TRUE(invite);
    ASSERT_TRUE(bob_line.send(Json{{"type", "accept"}, {"call_id", (*invite)["call_id"]}, {"ice", ice_with_victim}}));
    ASSERT_TRUE(bob_line.send(Json{{"type", "candidate"},
                                   {"call_id", (*invite)["call_id"]},
                                   {"candidate", "candidate:3 1 udp 1694498815 192.0.2.98 41000 typ srflx"}}));
    ASSERT_TRUE(alice_line.wait_for("call_started"));
    ASSERT_TRUE(alice_line.send(Json{{"type", "ping"}}));
    ASSERT_TRUE(alice_line.wait_for("pong"));  // bob's trickle has been handled: it came first

    TurnClient alice(std::string("::1"), server.port, (*alice_welcome)["turn"]);
    ASSERT_TRUE(allocate_family(alice, 2).success());
    auto victim6 = stun::TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99}, 40000);
    EXPECT_EQ(alice.permit({victim6}).error(), 403u) << "a candidate bob listed";
    TurnClient alice4(std::string("127.0.0.1"), server.port, (*alice_welcome)["turn"]);
    ASSERT_TRUE(alice4.allocate().success());
    EXPECT_EQ(alice4.permit({stun::TransportAddress::v4({192, 0, 2, 99}, 40000)}).error(), 403u);
    EXPECT_EQ(alice4.permit({stun::TransportAddress::v4({192, 0, 2, 98}, 41000)}).error(), 403u);
    EXPECT_TRUE(alice4.permit({loopback_peer(40000)}).success()) << "bob's TCP IP";

    auto bob_address = stun::TransportAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0);
    EXPECT_EQ(alice.permit({bob_address}).error(), 403u) << "::1 before bob has an allocation from it";
    TurnClient bob(std::string("::1"), server.port, (*bob_welcome)["turn"]);
    Reply bobs = allocate_family(bob, 2);
    ASSERT_TRUE(bobs.success());
    auto bob_relayed = *bobs.address(stun::attribute::xor_relayed_address);
    EXPECT_EQ(ip_text(bob_relayed), "::1");
    ASSERT_TRUE(alice.permit({bob_address}).success()) << "the client IP of bob's allocation";
    ASSERT_TRUE(bob.permit({bob_address}).success()) << "and the other way";
    // alice's IPv6 relay to bob's IPv6 relayed address: bob gets it as a Data indication.
    alice.send_indication(bob_relayed, {4, 5, 6});
    EXPECT_EQ(bob.receive_data(), (Bytes{4, 5, 6}));
}

// A relay never sends to the server's own STUN/TURN port, though the server's IP is a permitted
// peer (bob's, here): a Binding request relayed there would be answered to the relay itself.
TEST(ServerTurn, TheRelayDoesNotSendToTheServersOwnPort) {
    ServerProcess server;
    Call call(server.port());
    TurnClient alice(std::string("127.0.0.1"), server.port(), call.welcome["turn"]);
    ASSERT_TRUE(alice.allocate().success());
    ASSERT_TRUE(alice.permit({loopback_peer(server.port())}).success());
    Bytes binding = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    alice.send_indication(loopback_peer(server.port()), binding);
    EXPECT_FALSE(alice.receive(500ms)) << "the server answered its own relay";
    UdpPeer peer;  // another port of that IP still works
    alice.send_indication(loopback_peer(peer.port()), {7});
    EXPECT_EQ(peer.receive(3000ms), Bytes{7});
}

INSTANTIATE_TEST_SUITE_P(Transports, ServerTurnUclient, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "tcp" : "udp"; });

}  // namespace
