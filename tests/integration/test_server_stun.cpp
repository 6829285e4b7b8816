// sala-server's STUN port: Binding requests on UDP at the TCP port's number get the sender's
// address; garbage and other STUN get silence, and the server goes on answering and serving.
// The messages are written and read here by hand, not with the server's codec, so that the
// test checks the wire, not the codec against itself.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>

#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "line_client.hpp"
#include "sala/cli_flags.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "udp_peer.hpp"

namespace {
using namespace sala::test;
using Bytes = std::vector<std::uint8_t>;
using TransactionId = std::array<std::uint8_t, 12>;

void put16(Bytes& b, std::size_t at, unsigned v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
unsigned get16(const Bytes& b, std::size_t at) { return unsigned{b[at]} << 8 | b[at + 1]; }

TransactionId transaction(std::uint8_t seed) {
    TransactionId id;
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(seed * 16 + i);
    return id;
}

// A STUN message: `type`, then the attributes' raw bytes (already padded).
Bytes message(unsigned type, const TransactionId& id, const Bytes& attributes = {}) {
    Bytes b(20 + attributes.size());
    put16(b, 0, type);
    put16(b, 2, static_cast<unsigned>(attributes.size()));
    b[4] = 0x21, b[5] = 0x12, b[6] = 0xa4, b[7] = 0x42;
    std::copy(id.begin(), id.end(), b.begin() + 8);
    std::copy(attributes.begin(), attributes.end(), b.begin() + 20);
    return b;
}

Bytes binding_request(const TransactionId& id) { return message(0x0001, id); }

// What a response says, read by hand.
struct Response {
    unsigned type = 0;
    TransactionId transaction{};
    std::string mapped;  // "IP:PORT" ("[IP]:PORT" for IPv6) from XOR-MAPPED-ADDRESS
    unsigned error = 0;  // from ERROR-CODE
};

std::optional<Response> read_response(const Bytes& b) {
    if (b.size() < 20 || get16(b, 4) != 0x2112 || get16(b, 6) != 0xa442 || get16(b, 2) + 20u != b.size())
        return std::nullopt;
    Response r;
    r.type = get16(b, 0);
    std::copy(b.begin() + 8, b.begin() + 20, r.transaction.begin());
    for (std::size_t at = 20; at + 4 <= b.size();) {
        unsigned type = get16(b, at), size = get16(b, at + 2);
        std::size_t value = at + 4;
        if (value + size > b.size()) return std::nullopt;
        if (type == 0x0020 && (size == 8 || size == 20)) {
            unsigned port = get16(b, value + 2) ^ 0x2112;
            char text[64];
            if (size == 8) {
                std::snprintf(text, sizeof text, "%u.%u.%u.%u:%u", b[value + 4] ^ 0x21u, b[value + 5] ^ 0x12u,
                              b[value + 6] ^ 0xa4u, b[value + 7] ^ 0x42u, port);
            } else {
                std::array<std::uint8_t, 16> pad{0x21, 0x12, 0xa4, 0x42};
                std::copy(r.transaction.begin(), r.transaction.end(), pad.begin() + 4);
                std::array<std::uint8_t, 16> ip{};
                for (std::size_t i = 0; i < 16; ++i) ip[i] = b[value + 4 + i] ^ pad[i];
                char address[INET6_ADDRSTRLEN];
                inet_ntop(AF_INET6, ip.data(), address, sizeof address);
                std::snprintf(text, sizeof text, "[%s]:%u", address, port);
            }
            r.mapped = text;
        }
        if (type == 0x0009 && size >= 4) r.error = (b[value + 2] & 7u) * 100 + b[value + 3];
        at = value + ((size + 3) & ~3u);
    }
    return r;
}

// The next response the peer gets within 5 s.
std::optional<Response> next_response(UdpPeer& peer) {
    auto datagram = peer.receive(std::chrono::milliseconds(5000));
    if (!datagram) return std::nullopt;
    return read_response(*datagram);
}

std::string loopback(unsigned short port) { return "127.0.0.1:" + std::to_string(port); }

TEST(ServerStun, AnswersABindingRequestWithThePeersOwnAddress) {
    ServerProcess server;
    UdpPeer peer;
    for (std::uint8_t i = 1; i <= 3; ++i) {
        peer.send(binding_request(transaction(i)), server.port());
        auto response = next_response(peer);
        ASSERT_TRUE(response);
        EXPECT_EQ(response->type, 0x0101u);
        EXPECT_EQ(response->transaction, transaction(i));
        EXPECT_EQ(response->mapped, loopback(peer.port()));
    }
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);  // then all of stderr is there to read
    EXPECT_NE(server.process().stderr_text().find("STUN answered on udp 127.0.0.1:" + std::to_string(server.port())),
              std::string::npos);
}

TEST(ServerStun, GarbageAndOtherStunGetSilenceAndTheServerGoesOn) {
    ServerProcess server({"--relay", "off"});  // with the relay, the Allocate below gets 401 (test_server_turn)
    UdpPeer peer;
    Bytes bad_fingerprint = message(0x0001, transaction(9), {0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4});
    const std::vector<Bytes> silent = {
        {},
        {'h', 'e', 'l', 'l', 'o', '\n'},
        Bytes(100, 0xAB),
        Bytes(5000, 0x00),                // longer than the server reads
        message(0x0101, transaction(2)),  // a Binding success response
        message(0x0111, transaction(3)),  // a Binding error response
        message(0x0003, transaction(4)),  // a TURN Allocate request
        message(0x0011, transaction(5)),  // a Binding indication: ignored, not answered
        bad_fingerprint,
    };
    for (const Bytes& datagram : silent) peer.send(datagram, server.port());
    // Datagrams on loopback arrive in order and the server answers in order: had any of the
    // above been answered, that answer would come before this one.
    peer.send(binding_request(transaction(7)), server.port());
    auto response = next_response(peer);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->transaction, transaction(7));
    EXPECT_EQ(response->mapped, loopback(peer.port()));

    LineClient client(server.port());
    ASSERT_TRUE(client.hello("alice"));
    ASSERT_TRUE(client.send(Json{{"type", "ping"}}));
    EXPECT_EQ(client.read(), (Json{{"type", "pong"}}));

    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    EXPECT_NE(server.process().stderr_text().find("stun: 1 binding requests answered, 0 error responses, 1 "
                                                  "indications ignored, 8 datagrams dropped"),
              std::string::npos)
        << server.process().stderr_text();
}

TEST(ServerStun, AMalformedRequestGets400) {
    ServerProcess server;
    UdpPeer peer;
    // A SOFTWARE attribute that claims 9 bytes where 4 are left.
    peer.send(message(0x0001, transaction(3), {0x80, 0x22, 0x00, 0x09, 'a', 'b', 'c', 'd'}), server.port());
    auto response = next_response(peer);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->type, 0x0111u);
    EXPECT_EQ(response->transaction, transaction(3));
    EXPECT_EQ(response->error, 400u);
    // RFC 5780's CHANGE-REQUEST is not understood: 420.
    peer.send(message(0x0001, transaction(4), {0x00, 0x03, 0x00, 0x04, 0, 0, 0, 6}), server.port());
    response = next_response(peer);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->error, 420u);
}

TEST(ServerStun, DualStackAnswersEachFamilyInItsOwn) {
    ServerProcess server({"--bind", "::"});
    UdpPeer v4;
    v4.send(binding_request(transaction(1)), server.port());
    auto response = next_response(v4);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->mapped, loopback(v4.port()));  // IPv4, not ::ffff:127.0.0.1

    UdpPeer v6(UdpPeer::Family::v6);
    v6.send(binding_request(transaction(2)), server.port());
    response = next_response(v6);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->mapped, "[::1]:" + std::to_string(v6.port()));
}

// Without --bind the server is dual stack: STUN on [::] answers IPv4 and IPv6 alike.
TEST(ServerStun, DualStackIsTheDefault) {
    TempDir data;
    Process server({bin("sala-server"), "--port", "0", "--data-dir", data.file("data")});
    auto first = server.read_line(5000ms);
    auto port = first ? port_from_listening_line(*first) : std::nullopt;
    ASSERT_TRUE(port) << server.stderr_text();
    EXPECT_EQ(*first, "listening on [::]:" + std::to_string(*port));
    UdpPeer v4;
    v4.send(binding_request(transaction(1)), *port);
    auto response = next_response(v4);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->mapped, loopback(v4.port()));
    UdpPeer v6(UdpPeer::Family::v6);
    v6.send(binding_request(transaction(2)), *port);
    response = next_response(v6);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->mapped, "[::1]:" + std::to_string(v6.port()));
    auto client = LineClient::tls(*port);  // and the directory over IPv4, in TLS
    EXPECT_TRUE(client.hello("alice"));
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    EXPECT_NE(server.stderr_text().find("STUN answered on udp [::]:" + std::to_string(*port)), std::string::npos)
        << server.stderr_text();
}

// True if a socket of `type` (SOCK_DGRAM, SOCK_STREAM) can bind 127.0.0.1:port right now.
bool port_free(int type, unsigned short port) {
    int fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return free;
}
bool udp_port_free(unsigned short port) { return port_free(SOCK_DGRAM, port); }
bool tcp_port_free(unsigned short port) { return port_free(SOCK_STREAM, port); }

TEST(ServerStun, OffMeansNoUdpSocket) {
    ServerProcess server({"--stun", "off", "--relay", "off"});
    EXPECT_TRUE(udp_port_free(server.port()));
    LineClient client(server.port());
    EXPECT_TRUE(client.hello("alice"));
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    EXPECT_EQ(server.process().stderr_text().find("stun"), std::string::npos);
}

TEST(ServerStun, StunTakesOnOrOff) {
    Process p({bin("sala-server"), "--stun", "yes"});
    EXPECT_EQ(p.wait(), 2);
    EXPECT_EQ(p.stderr_text(), "sala-server: --stun must be on or off\n");
}

TEST(ServerStun, AGivenPortWhoseUdpIsTakenIsAClearError) {
    // Holds 127.0.0.1:P in UDP, where P's TCP is free (another test's connection may hold it).
    auto holder = std::make_unique<UdpPeer>();
    for (int i = 0; i < 20 && !tcp_port_free(holder->port()); ++i) holder = std::make_unique<UdpPeer>();
    ASSERT_TRUE(tcp_port_free(holder->port()));
    const std::string port = std::to_string(holder->port());
    TempDir data;
    Process refused({bin("sala-server"), "--bind", "127.0.0.1", "--port", port, "--data-dir", data.file("data")});
    EXPECT_EQ(refused.wait(), 1);
    std::string log = refused.stderr_text();
    EXPECT_NE(log.find("cannot answer STUN on udp 127.0.0.1:" + port), std::string::npos) << log;
    EXPECT_NE(log.find("--stun off"), std::string::npos) << log;
    EXPECT_EQ(refused.read_line(), std::nullopt);  // no "listening on" line

    ServerProcess without({"--port", port, "--stun", "off", "--relay", "off"});
    EXPECT_EQ(without.port(), holder->port());
}

std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return {};
}

// coturn's STUN client (Debian package coturn) reads the address from a standard point of view.
TEST(ServerStun, CoturnsStunClientReadsItsAddress) {
    std::string client = find_program("turnutils_stunclient");
    if (client.empty())
        GTEST_SKIP() << "turnutils_stunclient is not installed (package coturn; tools/install-deps test)";
    ServerProcess server({"--bind", "::"});
    for (auto [address, expected] : {std::pair{"127.0.0.1", "127.0.0.1:"}, std::pair{"::1", "::1:"}}) {
        Process stunclient({client, "-p", std::to_string(server.port()), address});
        auto line = stunclient.wait_for_line("reflexive addr:", std::chrono::milliseconds(10000));
        ASSERT_TRUE(line) << address << ": " << stunclient.stderr_text();
        std::string mapped = line->substr(line->find("addr:") + 5);
        mapped.erase(0, mapped.find_first_not_of(' '));
        EXPECT_EQ(mapped.rfind(expected, 0), 0u) << *line;
        EXPECT_TRUE(sala::parse_integer(mapped.substr(std::string(expected).size()), 1, 65535)) << *line;
        EXPECT_EQ(stunclient.wait(std::chrono::milliseconds(10000)), 0);
    }
}

}  // namespace

// libnice 0.1.21 discovers its server-reflexive address with RFC 3489 requests (no magic cookie);
// RFC 8489 section 12 lets a server answer them with MAPPED-ADDRESS and the whole 16-byte id.
TEST(ServerStun, ClassicRfc3489RequestGetsMappedAddress) {
    ServerProcess server;
    UdpPeer peer;
    Bytes classic(20, 0);
    classic[1] = 0x01;  // Binding Request, length 0
    for (std::size_t i = 4; i < 20; ++i) classic[i] = static_cast<std::uint8_t>(0x50 + i);
    peer.send(classic, server.port());
    auto response = peer.receive(std::chrono::seconds(2));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->size(), 32u);
    EXPECT_EQ((*response)[0], 0x01);
    EXPECT_EQ((*response)[1], 0x01);  // Binding Success Response
    EXPECT_EQ((*response)[3], 12);    // one 8-byte attribute with its header
    EXPECT_TRUE(std::equal(classic.begin() + 4, classic.end(), response->begin() + 4)) << "the id, echoed";
    const Bytes mapped(response->begin() + 20, response->end());
    const Bytes want = {0x00,
                        0x01,
                        0x00,
                        0x08,
                        0x00,
                        0x01,
                        static_cast<std::uint8_t>(peer.port() >> 8),
                        static_cast<std::uint8_t>(peer.port()),
                        127,
                        0,
                        0,
                        1};
    EXPECT_EQ(mapped, want) << "MAPPED-ADDRESS 127.0.0.1:" << peer.port();
    Bytes other_method = classic;
    other_method[1] = 0x02;  // RFC 3489's Shared Secret Request: not served
    peer.send(other_method, server.port());
    EXPECT_FALSE(peer.receive(std::chrono::milliseconds(300)));
}
