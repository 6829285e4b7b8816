// The TURN relay's logic (RFC 8656) with a fake RelayIo: the long-term credential challenge, REST
// usernames, Allocate, Refresh, CreatePermission, ChannelBind, Send/Data, ChannelData, the peer
// rule and the bounds.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <variant>
#include <vector>

#include "stun/integrity.hpp"
#include "turn/channel_data.hpp"
#include "turn/relay.hpp"
#include "turn/rest_credentials.hpp"

namespace {
using namespace sala::server;
using namespace sala::server::stun;
using namespace sala::server::turn;
using Bytes = std::vector<std::uint8_t>;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kSecret = "secret";

struct FakeIo : RelayIo {
    std::map<AllocationId, TransportAddress> relays;
    std::map<AllocationId, RelaySocketRequest> requests;
    std::vector<Bytes> to_client;
    std::vector<std::pair<TransportAddress, Bytes>> to_peer;
    std::vector<bool> dont_fragment;  // of each datagram in to_peer
    bool ipv6 = true;                 // IPv6 relayed addresses can be made
    bool supports(Family family) const override { return family == Family::ipv4 || ipv6; }
    std::optional<TransportAddress> open_relay(AllocationId id, const ClientAddress&,
                                               const RelaySocketRequest& request) override {
        auto port = static_cast<std::uint16_t>(50000 + id);
        auto a = request.family == Family::ipv4
                     ? TransportAddress::v4({192, 0, 2, 1}, port)
                     : TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, port);
        relays[id] = a;
        requests[id] = request;
        return a;
    }
    void close_relay(AllocationId id) override { relays.erase(id); }
    void send_to_peer(AllocationId, const TransportAddress& peer, std::span<const std::uint8_t> b, bool df) override {
        to_peer.emplace_back(peer, Bytes(b.begin(), b.end()));
        dont_fragment.push_back(df);
    }
    void send_to_client(const ClientAddress&, std::span<const std::uint8_t> b) override {
        to_client.emplace_back(b.begin(), b.end());
    }
};

const TransportAddress kPeer = TransportAddress::v4({198, 51, 100, 7}, 4000);
const TransportAddress kStranger = TransportAddress::v4({203, 0, 113, 9}, 4000);

struct Fixture : ::testing::Test {
    FakeIo io;
    // alice is in a call with bob, whose TCP connection comes from 198.51.100.7 (nullopt: no call).
    std::optional<CallPeer> alices_peer = CallPeer{"bob", "198.51.100.7"};
    CallPeerLookup lookup = [this](std::string_view name) -> std::optional<CallPeer> {
        if (name == "alice") return alices_peer;
        if (name == "bob" || name == "Bob")
            return alices_peer ? std::optional(CallPeer{"alice", "127.0.0.1"}) : std::nullopt;
        return std::nullopt;
    };
    Relay relay{io, RelayLimits{}, kSecret, "nonce-key", lookup};
    Relay* target = &relay;  // where send() delivers
    ClientAddress client{Transport::udp, TransportAddress::v4({127, 0, 0, 1}, 40000), 0};
    Clock::time_point t0 = Clock::now();
    Clock::time_point now = t0;  // when send() delivers its request
    std::string username = rest_username(kNow + 3600, "alice");
    std::string nonce;
    std::uint8_t next = 1;
    std::array<std::uint8_t, 4096> buffer{};

    void SetUp() override {
        relay.set_unix_clock([] { return kNow; });
    }

    TransactionId fresh() {
        TransactionId id{};
        id.fill(next++);
        return id;
    }
    // The last message sent to the client, parsed (its bytes stay in io.to_client).
    Message last() {
        auto parsed = parse(io.to_client.back());
        EXPECT_TRUE(std::holds_alternative<Message>(parsed));
        return std::get<Message>(parsed);
    }
    std::uint16_t last_error() {
        Message m = last();
        const Attribute* e = m.find(attribute::error_code);
        return e ? decode_error_code(e->value)->code : 0;
    }
    // A request with the given attributes, authenticated with `password` unless empty.
    template <typename Fill>
    void send(std::uint16_t method, Fill fill, std::string password = "-", std::string user = "") {
        if (user.empty()) user = username;
        if (password == "-") password = rest_password(kSecret, user);
        MessageBuilder out(buffer, method, Class::request, fresh());
        fill(out);
        if (!password.empty()) {
            out.add_text(attribute::username, user)
                .add_text(attribute::realm, "sala")
                .add_text(attribute::nonce, nonce);
            out.add_message_integrity(long_term_key(user, "sala", password));
        }
        out.add_fingerprint();
        target->from_client(client, *out.finish(), now);
    }
    void get_nonce() {
        send(
            method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); }, "");
        ASSERT_EQ(last_error(), 401);
        nonce = std::string(last().text(attribute::nonce));
    }
    void allocate() {
        get_nonce();
        send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
        ASSERT_EQ(last().header().message_class, Class::success_response);
    }
};

TEST_F(Fixture, UnauthenticatedAllocateGets401WithRealmAndNonce) {
    get_nonce();
    EXPECT_EQ(last().text(attribute::realm), "sala");
    EXPECT_EQ(nonce.size(), 32u);
    EXPECT_EQ(relay.allocations(), 0u);
}

TEST_F(Fixture, AllocateWithUclientsAttributes) {
    get_nonce();
    send(method::allocate, [](MessageBuilder& b) {
        b.add_u32(attribute::requested_transport, 17u << 24)
            .add_u32(attribute::lifetime, 800)
            .add_u32(attribute::requested_address_family, 0x01000000);
    });
    Message m = last();
    ASSERT_EQ(m.header().message_class, Class::success_response) << last_error();
    auto key = long_term_key(username, "sala", rest_password(kSecret, username));
    EXPECT_EQ(check_integrity(m, key), Integrity::ok);
    auto relayed = decode_xor_address(m.find(attribute::xor_relayed_address)->value, m.header().transaction);
    EXPECT_EQ(relayed, io.relays.at(1));
    EXPECT_EQ(relay.allocations(), 1u);
}

TEST_F(Fixture, WrongPasswordExpiredUserStaleNonceAndWrongTransport) {
    get_nonce();
    auto transport = [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); };
    send(method::allocate, transport, "wrong");
    EXPECT_EQ(last_error(), 401);
    send(method::allocate, transport, "-", rest_username(kNow - 1, "alice"));
    EXPECT_EQ(last_error(), 401);
    send(method::allocate, transport, "-", "alice");
    EXPECT_EQ(last_error(), 401);
    nonce = "0000000000000000ffffffffffffffff";
    send(method::allocate, transport);
    EXPECT_EQ(last_error(), 438);
    EXPECT_FALSE(last().text(attribute::nonce).empty());
    get_nonce();
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 6u << 24); });
    EXPECT_EQ(last_error(), 442);
    send(method::allocate, [](MessageBuilder& b) {
        std::array<std::uint8_t, 1> reserve{0x80};
        b.add_u32(attribute::requested_transport, 17u << 24).add(attribute::even_port, reserve);
    });
    EXPECT_EQ(last_error(), 508);
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(0x0024, 0); });  // PRIORITY: not TURN's
    EXPECT_EQ(last_error(), 420);
    EXPECT_EQ(relay.allocations(), 0u);
}

TEST_F(Fixture, PermissionsOnlyForTheCallPeer) {
    allocate();
    send(method::create_permission,
         [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kStranger); });
    EXPECT_EQ(last_error(), 403);
    send(method::channel_bind, [](MessageBuilder& b) {
        b.add_u32(attribute::channel_number, 0x40000000).add_xor_address(attribute::xor_peer_address, kStranger);
    });
    EXPECT_EQ(last_error(), 403);
    send(method::create_permission, [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kPeer); });
    EXPECT_EQ(last().header().message_class, Class::success_response);
}

// CreatePermission with several XOR-PEER-ADDRESS is all or nothing: one refused peer, or no room
// for all of them, installs none.
TEST_F(Fixture, CreatePermissionIsAllOrNothing) {
    allocate();
    auto has_permission = [&](const TransportAddress& peer) {
        std::size_t before = io.to_client.size();
        relay.from_peer(1, peer, Bytes{1}, now);
        return io.to_client.size() > before;
    };
    send(method::create_permission, [](MessageBuilder& b) {
        b.add_xor_address(attribute::xor_peer_address, kPeer).add_xor_address(attribute::xor_peer_address, kStranger);
    });
    EXPECT_EQ(last_error(), 403);
    EXPECT_FALSE(has_permission(kPeer));

    // Room for 2 (a relay with that bound): 1 installed, then 2 more new ones in one request get 508
    // and neither is installed; 1 new one and the existing one fit. The
    // IPs alice may reach: bob's TCP IP, and the client and relayed IPs of bob's allocation.
    RelayLimits two;
    two.max_permissions = 2;
    Relay small(io, two, kSecret, "nonce-key", lookup);
    small.set_unix_clock([] { return kNow; });
    target = &small;
    const TransportAddress bobs_client = TransportAddress::v4({198, 51, 100, 8}, 5000);
    const TransportAddress bobs_relay = TransportAddress::v4({192, 0, 2, 1}, 4000);
    ClientAddress alice = client;
    client.address = bobs_client;
    std::string bob = rest_username(kNow + 3600, "bob");
    send(
        method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); }, "-", bob);
    ASSERT_EQ(last().header().message_class, Class::success_response) << last_error();
    client = alice;
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    ASSERT_EQ(last().header().message_class, Class::success_response) << last_error();
    AllocationId alices = io.relays.rbegin()->first;
    auto permit = [&](std::vector<TransportAddress> list) {
        send(method::create_permission, [&](MessageBuilder& b) {
            for (const auto& peer : list) b.add_xor_address(attribute::xor_peer_address, peer);
        });
        return last().header().message_class == Class::success_response ? 0 : last_error();
    };
    auto small_permits = [&](const TransportAddress& peer) {
        std::size_t before = io.to_client.size();
        small.from_peer(alices, peer, Bytes{1}, now);
        return io.to_client.size() > before;
    };
    ASSERT_EQ(permit({kPeer}), 0);
    EXPECT_EQ(permit({bobs_client, bobs_relay}), 508);
    EXPECT_FALSE(small_permits(bobs_client));
    EXPECT_FALSE(small_permits(bobs_relay));
    EXPECT_EQ(permit({bobs_relay, kPeer}), 0);
    EXPECT_TRUE(small_permits(bobs_relay));
    EXPECT_TRUE(small_permits(kPeer));
}

// The peer rule: the call peer's TCP IP, and the client and relayed IPs of the peer's own
// allocations (proved by its credentials), nothing else; forgotten when they go.
TEST_F(Fixture, PeerRuleTrustsOnlyWhatTheServerSaw) {
    allocate();
    auto permit = [&](const TransportAddress& peer) {
        send(method::create_permission,
             [&](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, peer); });
        return last().header().message_class == Class::success_response ? 0 : last_error();
    };
    auto permitted = [&](const TransportAddress& peer) {
        std::size_t before = io.to_client.size();
        relay.from_peer(1, peer, Bytes{1}, now);
        return io.to_client.size() > before;
    };
    const TransportAddress bobs_mapping = TransportAddress::v4({203, 0, 113, 50}, 5000);  // bob's UDP, NATed
    const TransportAddress bobs_relay = TransportAddress::v4({192, 0, 2, 1}, 50002);
    EXPECT_EQ(permit(kPeer), 0) << "bob's TCP IP";
    EXPECT_EQ(permit(kStranger), 403) << "an IP bob might list as a candidate is not evidence";
    EXPECT_EQ(permit(bobs_mapping), 403);
    EXPECT_EQ(permit(bobs_relay), 403);

    ClientAddress alice = client;
    client.address = bobs_mapping;  // bob allocates, as "Bob": names compare without ASCII case
    send(
        method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); }, "-",
        rest_username(kNow + 3600, "Bob"));
    ASSERT_EQ(last().header().message_class, Class::success_response) << last_error();
    ClientAddress bob = client;
    client = alice;
    EXPECT_EQ(permit(bobs_mapping), 0) << "the client IP of bob's allocation";
    EXPECT_EQ(permit(bobs_relay), 0) << "the relayed IP of bob's allocation";
    EXPECT_EQ(permit(kStranger), 403);
    EXPECT_TRUE(permitted(bobs_mapping));

    client = bob;  // bob's allocation goes: so do the permissions it justified
    send(
        method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 0); }, "-",
        rest_username(kNow + 3600, "Bob"));
    client = alice;
    relay.expire(now);
    EXPECT_FALSE(permitted(bobs_mapping));
    EXPECT_FALSE(permitted(bobs_relay));
    EXPECT_TRUE(permitted(kPeer));
    alices_peer.reset();  // the call ends
    relay.expire(now);
    EXPECT_FALSE(permitted(kPeer));
    EXPECT_EQ(permit(kPeer), 403);
}

TEST_F(Fixture, SendDataAndChannels) {
    allocate();
    // Without a permission, nothing goes out.
    MessageBuilder send_ind(buffer, method::send, Class::indication, fresh());
    Bytes payload{1, 2, 3, 4, 5};
    send_ind.add_xor_address(attribute::xor_peer_address, kPeer).add(attribute::data, payload);
    Bytes indication(send_ind.finish()->begin(), send_ind.finish()->end());
    relay.from_client(client, indication, t0);
    EXPECT_TRUE(io.to_peer.empty());
    send(method::create_permission, [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kPeer); });
    relay.from_client(client, indication, t0);
    ASSERT_EQ(io.to_peer.size(), 1u);
    EXPECT_EQ(io.to_peer[0].first, kPeer);
    EXPECT_EQ(io.to_peer[0].second, payload);

    // From the peer without a channel: a Data indication.
    relay.from_peer(1, kPeer, payload, t0);
    Message data = last();
    EXPECT_EQ(data.header().method, method::data);
    EXPECT_EQ(Bytes(data.find(attribute::data)->value.begin(), data.find(attribute::data)->value.end()), payload);
    // A stranger's datagram is dropped.
    std::size_t before = io.to_client.size();
    relay.from_peer(1, kStranger, payload, t0);
    EXPECT_EQ(io.to_client.size(), before);

    send(method::channel_bind, [](MessageBuilder& b) {
        b.add_u32(attribute::channel_number, 0x40010000).add_xor_address(attribute::xor_peer_address, kPeer);
    });
    ASSERT_EQ(last().header().message_class, Class::success_response);
    send(method::channel_bind, [](MessageBuilder& b) {
        b.add_u32(attribute::channel_number, 0x30000000).add_xor_address(attribute::xor_peer_address, kPeer);
    });
    EXPECT_EQ(last_error(), 400);
    std::array<std::uint8_t, 64> cd{};
    std::size_t size = write_channel_data(cd, 0x4001, payload, false);
    relay.from_client(client, std::span(cd.data(), size), t0);
    ASSERT_EQ(io.to_peer.size(), 2u);
    EXPECT_EQ(io.to_peer[1].second, payload);
    relay.from_peer(1, kPeer, payload, t0);
    auto back = parse_channel_data(io.to_client.back());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->channel, 0x4001);
}

// RFC 8656, 12: after a binding expires, its number and its peer stay reserved for 5 minutes;
// only the same pair may be bound again in that time.
TEST_F(Fixture, AnExpiredChannelStaysReservedForFiveMinutes) {
    const TransportAddress other_port = TransportAddress::v4({198, 51, 100, 7}, 4001);
    auto bind = [&](std::uint32_t channel, const TransportAddress& peer) {
        send(method::channel_bind, [&](MessageBuilder& b) {
            b.add_u32(attribute::channel_number, channel << 16).add_xor_address(attribute::xor_peer_address, peer);
        });
        return last().header().message_class == Class::success_response ? 0 : last_error();
    };
    allocate();
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 3600); });
    ASSERT_EQ(bind(0x4000, kPeer), 0);
    now = t0 + kChannelLifetime + std::chrono::seconds(1);  // expired, still reserved
    relay.expire(now);
    EXPECT_EQ(bind(0x4000, other_port), 400) << "the number, to another peer";
    EXPECT_EQ(bind(0x4001, kPeer), 400) << "the peer, to another number";
    now = t0 + kChannelLifetime + kChannelReservation - std::chrono::seconds(1);
    EXPECT_EQ(bind(0x4000, other_port), 400);
    EXPECT_EQ(bind(0x4000, kPeer), 0) << "the same pair may be bound again";
    // Expired again, and the reservation over: both are free.
    now += kChannelLifetime + kChannelReservation;
    EXPECT_EQ(bind(0x4001, kPeer), 0);
    EXPECT_EQ(bind(0x4000, other_port), 0);
}

// A peer's datagram goes to the client whole, in a message of at most 4096 bytes, or not at all.
TEST_F(Fixture, APeersDatagramTooBigForOneMessageIsDroppedNotCut) {
    allocate();
    send(method::create_permission, [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kPeer); });
    std::size_t before = io.to_client.size();
    relay.from_peer(1, kPeer, Bytes(4061, 7), now);  // 20 + 12 + 4 + 4064 > 4096
    EXPECT_EQ(io.to_client.size(), before);
    EXPECT_EQ(relay.counts().oversized, 1u);
    relay.from_peer(1, kPeer, Bytes(4060, 7), now);
    ASSERT_EQ(io.to_client.size(), before + 1);
    EXPECT_EQ(io.to_client.back().size(), 4096u);
    EXPECT_EQ(last().find(attribute::data)->value.size(), 4060u);

    send(method::channel_bind, [](MessageBuilder& b) {
        b.add_u32(attribute::channel_number, 0x40000000).add_xor_address(attribute::xor_peer_address, kPeer);
    });
    before = io.to_client.size();
    relay.from_peer(1, kPeer, Bytes(4093, 7), now);
    relay.from_peer(1, kPeer, Bytes(65507, 7), now);
    EXPECT_EQ(io.to_client.size(), before);
    EXPECT_EQ(relay.counts().oversized, 3u);
    relay.from_peer(1, kPeer, Bytes(4092, 7), now);
    ASSERT_EQ(io.to_client.size(), before + 1);
    EXPECT_EQ(parse_channel_data(io.to_client.back())->data.size(), 4092u);
}

// DONT-FRAGMENT (RFC 8656, 7.2 and 11.2): served, in Allocate for the relay socket, in a Send
// indication for its datagram.
TEST_F(Fixture, DontFragmentInAllocateAndSend) {
    get_nonce();
    send(method::allocate, [](MessageBuilder& b) {
        b.add_u32(attribute::requested_transport, 17u << 24).add(attribute::dont_fragment, {});
    });
    ASSERT_EQ(last().header().message_class, Class::success_response) << last_error();
    EXPECT_TRUE(io.requests.at(1).dont_fragment);
    send(method::create_permission, [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kPeer); });
    for (bool df : {true, false}) {
        MessageBuilder out(buffer, method::send, Class::indication, fresh());
        out.add_xor_address(attribute::xor_peer_address, kPeer).add(attribute::data, Bytes{1});
        if (df) out.add(attribute::dont_fragment, {});
        relay.from_client(client, *out.finish(), now);
    }
    EXPECT_EQ(io.dont_fragment, (std::vector<bool>{true, false}));
    client.address.port = 40001;  // a second allocation, without DONT-FRAGMENT
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    EXPECT_FALSE(io.requests.at(2).dont_fragment);
}

// What keeps a TURN-over-TCP connection open: its allocation's expiry, moved by every Refresh.
TEST_F(Fixture, ExpiryOfTheAllocation) {
    EXPECT_FALSE(relay.expiry_of(client));
    allocate();
    EXPECT_EQ(relay.expiry_of(client), t0 + std::chrono::seconds(600));
    now = t0 + std::chrono::seconds(500);
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 3600); });
    EXPECT_EQ(relay.expiry_of(client), now + std::chrono::seconds(3600));
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 0); });
    EXPECT_FALSE(relay.expiry_of(client));
}

// RFC 8656: IPv4 unless REQUESTED-ADDRESS-FAMILY says IPv6 (440 if it cannot be served or is
// neither); a peer of the other family than the allocation's gets 443.
TEST_F(Fixture, AddressFamilies) {
    const TransportAddress peer6 =
        TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 4000);
    auto allocate_family = [&](std::uint32_t family) {
        send(method::allocate, [&](MessageBuilder& b) {
            b.add_u32(attribute::requested_transport, 17u << 24);
            if (family) b.add_u32(attribute::requested_address_family, family << 24);
        });
    };
    get_nonce();
    allocate_family(0x03);
    EXPECT_EQ(last_error(), 440);
    io.ipv6 = false;
    allocate_family(0x02);
    EXPECT_EQ(last_error(), 440);
    io.ipv6 = true;
    allocate_family(0x02);
    ASSERT_EQ(last().header().message_class, Class::success_response);
    EXPECT_EQ(io.requests.at(1).family, Family::ipv6);
    Message m = last();
    EXPECT_EQ(decode_xor_address(m.find(attribute::xor_relayed_address)->value, m.header().transaction)->family,
              Family::ipv6);
    auto permit = [&](const TransportAddress& peer) {
        send(method::create_permission,
             [&](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, peer); });
        return last().header().message_class == Class::success_response ? 0 : last_error();
    };
    auto bind = [&](const TransportAddress& peer) {
        send(method::channel_bind, [&](MessageBuilder& b) {
            b.add_u32(attribute::channel_number, 0x40000000).add_xor_address(attribute::xor_peer_address, peer);
        });
        return last().header().message_class == Class::success_response ? 0 : last_error();
    };
    EXPECT_EQ(permit(kPeer), 443);
    EXPECT_EQ(bind(kPeer), 443);
    alices_peer->ip = "2001:db8::7";  // bob came over IPv6
    EXPECT_EQ(permit(peer6), 0);
    alices_peer->ip = "198.51.100.7";

    client.address.port = 40001;  // no family asked: IPv4
    allocate_family(0);
    ASSERT_EQ(last().header().message_class, Class::success_response);
    EXPECT_EQ(io.requests.at(2).family, Family::ipv4);
    EXPECT_EQ(permit(peer6), 443);
    EXPECT_EQ(bind(peer6), 443);
    EXPECT_EQ(permit(kPeer), 0);
    // A Send indication to the other family is dropped.
    MessageBuilder out(buffer, method::send, Class::indication, fresh());
    out.add_xor_address(attribute::xor_peer_address, peer6).add(attribute::data, Bytes{1});
    relay.from_client(client, *out.finish(), now);
    EXPECT_TRUE(io.to_peer.empty());
}

TEST_F(Fixture, RefreshZeroDeletesAndLifetimeExpires) {
    allocate();
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 0); });
    EXPECT_EQ(last().header().message_class, Class::success_response);
    EXPECT_EQ(relay.allocations(), 0u);
    EXPECT_TRUE(io.relays.empty());
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 600); });
    EXPECT_EQ(last_error(), 437);
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    relay.expire(t0 + std::chrono::seconds(601));
    EXPECT_EQ(relay.allocations(), 0u);
}

TEST_F(Fixture, QuotaPerUser) {
    allocate();
    for (std::uint16_t port = 40001; port <= 40004; ++port) {
        client.address.port = port;
        send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    }
    EXPECT_EQ(last_error(), 486);
    EXPECT_EQ(relay.allocations(), 4u);
    // The same user spelled otherwise (names compare without ASCII case, as in the directory).
    client.address.port = 40005;
    send(
        method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); }, "-",
        rest_username(kNow + 3600, "ALICE"));
    EXPECT_EQ(last_error(), 486);
    EXPECT_EQ(relay.allocations(), 4u);
}

// At the quota, the allocation its client stopped talking to (a network change left it behind)
// gives way to the new one; allocations still in use never do.
TEST_F(Fixture, AStaleAllocationGivesWayAtTheQuota) {
    allocate();  // from port 40000: this one goes silent
    for (std::uint16_t port = 40001; port <= 40003; ++port) {
        client.address.port = port;
        send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
        ASSERT_EQ(last().header().message_class, Class::success_response);
    }
    // 9 s later the first is silent, but not for long enough.
    now = t0 + std::chrono::seconds(9);
    client.address.port = 40009;
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    EXPECT_EQ(last_error(), 486);
    // 12 s later: the three others refresh; the first has said nothing for 12 s and goes.
    now = t0 + std::chrono::seconds(12);
    for (std::uint16_t port = 40001; port <= 40003; ++port) {
        client.address.port = port;
        send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 600); });
        ASSERT_EQ(last().header().message_class, Class::success_response);
    }
    client.address.port = 40009;
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    EXPECT_EQ(last().header().message_class, Class::success_response);
    EXPECT_EQ(relay.allocations(), 4u);
    EXPECT_EQ(relay.counts().stale, 1u);
    client.address.port = 40000;  // its allocation is gone
    send(method::refresh, [](MessageBuilder& b) { b.add_u32(attribute::lifetime, 600); });
    EXPECT_EQ(last_error(), 437);
    // All four in use now: the next is refused.
    client.address.port = 40010;
    send(method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); });
    EXPECT_EQ(last_error(), 486);
}

TEST_F(Fixture, RateLimitDropsTheExcess) {
    allocate();
    send(method::create_permission, [](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, kPeer); });
    Bytes big(1000, 7);
    for (int i = 0; i < 200; ++i) relay.from_peer(1, kPeer, big, t0);
    EXPECT_LE(relay.counts().to_clients, 66u);
    EXPECT_GE(relay.counts().over_rate, 134u);
}

TEST(TurnRestCredentials, UsernamePasswordAndBase64) {
    EXPECT_EQ(base64(bytes_of("")), "");
    EXPECT_EQ(base64(bytes_of("f")), "Zg==");
    EXPECT_EQ(base64(bytes_of("fo")), "Zm8=");
    EXPECT_EQ(base64(bytes_of("foobar")), "Zm9vYmFy");
    EXPECT_EQ(rest_username(1700000000, "alice"), "1700000000:alice");
    auto parsed = parse_rest_username("1700000000:Ann Lee");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->expiry, 1700000000);
    EXPECT_EQ(parsed->name, "Ann Lee");
    for (const char* bad : {"alice", ":alice", "17:", "1x7:a", "99999999999999999999:a"})
        EXPECT_FALSE(parse_rest_username(bad)) << bad;
    // The example in docs/protocol.md: base64(HMAC-SHA1("s3cret", "1700000000:alice")).
    EXPECT_EQ(rest_password("s3cret", "1700000000:alice").size(), 28u);
    EXPECT_NE(rest_password("s3cret", "1700000000:alice"), rest_password("s3cret", "1700000001:alice"));
}

}  // namespace
