// libFuzzer target: the TURN relay's logic (turn::Relay) fed a sequence of messages from four fake
// clients (three UDP addresses and one TCP connection) and from peers, with a fixed secret, nonce
// key and Unix clock (so a nonce in the corpus stays valid) and a call between alice and bob, whose
// TCP IP is 198.51.100.7 (bob is in no call as far as the lookup says, so bob reaches nothing).
// The input is a list of records:
//   CTRL, LENGTH (2 bytes, big-endian, cut to what is left), LENGTH bytes of BODY
//   CTRL bits 0-1: the client (0, 1: UDP IPv4; 2: UDP IPv6; 3: TCP)
//   CTRL bits 2-3: 0 BODY is a message from the client, as is;
//                  1 BODY is a request the harness authenticates: BODY[0] picks the method
//                    (Allocate, Refresh, CreatePermission, ChannelBind), BODY[1..12] is the
//                    transaction, then attributes TYPE (2 bytes), SIZE (1 byte), VALUE; it adds
//                    USERNAME, REALM, NONCE and MESSAGE-INTEGRITY for the user CTRL bits 4-5 pick
//                    (alice, bob, alice expired, alice with a wrong password) and a FINGERPRINT if
//                    CTRL bit 6; so mutations reach the authenticated paths;
//                  2 BODY is a datagram from a peer (CTRL bits 4-5: 198.51.100.7:4000, :4001,
//                    203.0.113.9:4000, [2001:db8::7]:4000) to the client's allocation;
//                  3 the clock moves on BODY[0] * 4 seconds and expire() runs; CTRL bit 4: the
//                    client is gone (client_gone).
// Besides what the sanitizers catch, it checks that nothing reaches a peer the rule does not allow
// (bob's TCP IP, or the client or relayed IP of an allocation: the harness does not track whose),
// that every success the clients get carries a MESSAGE-INTEGRITY a user's key verifies, that every
// message to a client parses (STUN or ChannelData) and goes to the right client, that relay sockets
// are opened and closed one for one with allocations, and that the limits hold.
//
// The seeds in corpus/turn_relay/ (an authenticated Allocate and the flows after it, as raw
// bytes with a valid MESSAGE-INTEGRITY) are written by this target itself:
//   SALA_FUZZ_WRITE_SEEDS=tests/fuzz/corpus/turn_relay build-fuzz/bin/fuzz_turn_relay
// SALA_FUZZ_VERBOSE=1 build-fuzz/bin/fuzz_turn_relay FILE prints the relay's counts after each input.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "check.hpp"
#include "stun/integrity.hpp"
#include "stun/stun_message.hpp"
#include "turn/channel_data.hpp"
#include "turn/relay.hpp"
#include "turn/rest_credentials.hpp"

namespace {
using namespace sala::server;
using namespace sala::server::stun;
using namespace sala::server::turn;
using Bytes = std::vector<std::uint8_t>;

using sala::fuzz::check;

constexpr std::int64_t kUnixNow = 1'700'000'000;
const std::string kSecret = "fuzz-secret";
const std::string kNonceKey = "fuzz-nonce-key";
const Clock::time_point kStart = Clock::time_point(std::chrono::hours(1000));
const std::string kAllowedIp = "198.51.100.7";

const std::array<ClientAddress, 4> kClients = {
    ClientAddress{Transport::udp, TransportAddress::v4({10, 0, 0, 1}, 40000), 0},
    ClientAddress{Transport::udp, TransportAddress::v4({10, 0, 0, 2}, 40000), 0},
    ClientAddress{Transport::udp,
                  TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 40000), 0},
    ClientAddress{Transport::tcp, TransportAddress::v4({10, 0, 0, 1}, 40001), 1},
};
const std::array<TransportAddress, 4> kPeers = {
    TransportAddress::v4({198, 51, 100, 7}, 4000),
    TransportAddress::v4({198, 51, 100, 7}, 4001),
    TransportAddress::v4({203, 0, 113, 9}, 4000),
    TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 4000),
};
constexpr std::array<std::uint16_t, 4> kMethods = {method::allocate, method::refresh, method::create_permission,
                                                   method::channel_bind};

// The keys are made once: MD5 and HMAC for each of them on every message were most of an input's time.
struct User {
    std::string username;
    std::string password;
    LongTermKey key;       // what the harness signs with (from `password`, wrong or not)
    LongTermKey real_key;  // what the relay checks with (from the secret's password)
};
const std::array<User, 4>& users() {
    static const std::array<User, 4> all = [] {
        auto user = [](std::int64_t expiry, std::string_view name, bool wrong) {
            std::string username = rest_username(expiry, name);
            std::string real = rest_password(kSecret, username);
            std::string password = wrong ? std::string("wrong") : real;
            LongTermKey key = long_term_key(username, kRealm, password);
            return User{username, password, key, long_term_key(username, kRealm, real)};
        };
        return std::array<User, 4>{user(kUnixNow + 3600, "alice", false), user(kUnixNow + 3600, "bob", false),
                                   user(kUnixNow - 1, "alice", false), user(kUnixNow + 3600, "alice", true)};
    }();
    return all;
}
const std::string& nonce() {
    static const std::string value = NonceIssuer(kNonceKey).issue(kUnixNow);
    return value;
}

struct FakeIo : RelayIo {
    std::map<AllocationId, ClientAddress> relays;   // open relay sockets
    std::map<ClientAddress, AllocationId> last_of;  // the last allocation each client opened
    std::set<AllocationId> ever;
    std::set<std::string> evidence{kAllowedIp};      // every IP the rule could have allowed
    const ClientAddress* expected_client = nullptr;  // who may be answered now (nullptr: anyone)
    std::size_t sent = 0;

    bool supports(Family) const override { return true; }
    std::optional<TransportAddress> open_relay(AllocationId id, const ClientAddress& client,
                                               const RelaySocketRequest& request) override {
        const bool even = request.even;
        check(request.family == Family::ipv4 || request.family == Family::ipv6);
        check(ever.insert(id).second);
        if (id % 7 == 0) return std::nullopt;  // sometimes no socket: the 508 path
        relays[id] = client;
        last_of[client] = id;
        auto port = static_cast<std::uint16_t>(even ? 50000 + 2 * id : 50001 + 2 * id);
        auto relayed =
            request.family == Family::ipv4
                ? TransportAddress::v4({192, 0, 2, 1}, port)
                : TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99}, port);
        evidence.insert(to_string(PeerIp::of(client.address)));
        evidence.insert(to_string(PeerIp::of(relayed)));
        return relayed;
    }
    void close_relay(AllocationId id) override { check(relays.erase(id) == 1); }
    void send_to_peer(AllocationId id, const TransportAddress& peer, std::span<const std::uint8_t>, bool) override {
        check(relays.count(id) == 1);
        check(evidence.count(to_string(PeerIp::of(peer))) == 1);  // the rule allows no other
        ++sent;
    }
    void send_to_client(const ClientAddress& client, std::span<const std::uint8_t> bytes) override {
        if (expected_client) check(client == *expected_client);
        check(!bytes.empty());
        if (starts_channel_data(bytes[0])) {
            check(parse_channel_data(bytes).has_value());
            if (client.transport == Transport::tcp) check(bytes.size() % 4 == 0);
            return;
        }
        auto parsed = parse(bytes);
        check(std::holds_alternative<Message>(parsed));
        const Message& m = std::get<Message>(parsed);
        check(m.header().message_class != Class::request);
        if (m.header().message_class == Class::success_response) {
            bool verified = false;
            for (const User& u : users()) verified = verified || check_integrity(m, u.real_key) == Integrity::ok;
            check(verified);
        }
        ++sent;
    }
};

// A request with the given attributes, authenticated as `user`; its bytes, or empty if they do not fit.
template <typename Fill>
Bytes authenticated(std::uint16_t method, const TransactionId& transaction, const User& user, bool fingerprint,
                    Fill fill) {
    static std::array<std::uint8_t, kMaxMessageSize> buffer;
    MessageBuilder out(buffer, method, Class::request, transaction);
    fill(out);
    out.add_text(attribute::username, user.username)
        .add_text(attribute::realm, kRealm)
        .add_text(attribute::nonce, nonce())
        .add_message_integrity(user.key);
    if (fingerprint) out.add_fingerprint();
    auto done = out.finish();
    return done ? Bytes(done->begin(), done->end()) : Bytes{};
}

Bytes signed_request(std::span<const std::uint8_t> body, const User& user, bool fingerprint) {
    if (body.empty()) return {};
    std::uint16_t method = kMethods[body[0] % kMethods.size()];
    TransactionId transaction{};
    std::size_t at = 1;
    for (std::size_t i = 0; i < transaction.size() && at < body.size(); ++i) transaction[i] = body[at++];
    return authenticated(method, transaction, user, fingerprint, [&](MessageBuilder& out) {
        while (body.size() - at >= 3) {
            auto type = static_cast<std::uint16_t>(body[at] << 8 | body[at + 1]);
            std::size_t size = std::min<std::size_t>(body[at + 2], body.size() - at - 3);
            out.add(type, body.subspan(at + 3, size));
            at += 3 + size;
        }
    });
}

void run(std::span<const std::uint8_t> input) {
    FakeIo io;
    RelayLimits limits;
    limits.max_allocations = 3;
    limits.max_allocations_per_user = 2;
    limits.max_permissions = 3;
    limits.max_channels = 3;
    limits.bytes_per_second = 2000;
    Relay relay(io, limits, kSecret, kNonceKey, [](std::string_view name) -> std::optional<CallPeer> {
        if (name == "alice") return CallPeer{"bob", kAllowedIp};
        return std::nullopt;
    });
    relay.set_unix_clock([] { return kUnixNow; });
    Clock::time_point now = kStart;

    std::size_t at = 0;
    while (input.size() - at >= 3) {
        std::uint8_t ctrl = input[at];
        std::size_t length = std::min<std::size_t>(input[at + 1] << 8 | input[at + 2], input.size() - at - 3);
        auto body = input.subspan(at + 3, length);
        at += 3 + length;
        const ClientAddress& client = kClients[ctrl & 3];
        unsigned pick = ctrl >> 4 & 3;
        std::size_t sent_before = io.sent;
        switch (ctrl >> 2 & 3) {
            case 0:
                io.expected_client = &client;
                relay.from_client(client, body, now);
                break;
            case 1: {
                Bytes request = signed_request(body, users()[pick], ctrl & 0x40);
                io.expected_client = &client;
                if (!request.empty()) relay.from_client(client, request, now);
                break;
            }
            case 2: {
                auto id = io.last_of.find(client);
                io.expected_client = id == io.last_of.end() ? nullptr : &client;
                relay.from_peer(id == io.last_of.end() ? 1 : id->second, kPeers[pick], body, now);
                break;
            }
            case 3:
                io.expected_client = nullptr;
                now += std::chrono::seconds(4 * (body.empty() ? 1 : body[0]));
                relay.expire(now);
                if (ctrl & 0x10) relay.client_gone(client);
                break;
        }
        check(io.sent - sent_before <= 1);  // one message in, at most one out
        check(relay.allocations() == io.relays.size());
        check(relay.allocations() <= limits.max_allocations);
    }
    const RelayCounts& c = relay.counts();
    static const bool verbose = std::getenv("SALA_FUZZ_VERBOSE") != nullptr;  // what a seed reaches
    if (verbose)
        std::fprintf(stderr,
                     "allocations %llu unauthenticated %llu errors %llu forbidden %llu to_peers %llu to_clients %llu "
                     "over_rate %llu without_permission %llu dropped %llu\n",
                     static_cast<unsigned long long>(c.allocations), static_cast<unsigned long long>(c.unauthenticated),
                     static_cast<unsigned long long>(c.errors), static_cast<unsigned long long>(c.forbidden),
                     static_cast<unsigned long long>(c.to_peers), static_cast<unsigned long long>(c.to_clients),
                     static_cast<unsigned long long>(c.over_rate),
                     static_cast<unsigned long long>(c.without_permission), static_cast<unsigned long long>(c.dropped));
    check(c.allocations ==
          io.ever.size() - std::count_if(io.ever.begin(), io.ever.end(), [](AllocationId id) { return id % 7 == 0; }));
}

// The seeds: records as run() reads them, the requests as raw bytes with a valid MESSAGE-INTEGRITY.
struct Seed {
    Bytes bytes;
    TransactionId transaction{};
    Seed& record(std::uint8_t ctrl, std::span<const std::uint8_t> body) {
        bytes.push_back(ctrl);
        bytes.push_back(static_cast<std::uint8_t>(body.size() >> 8));
        bytes.push_back(static_cast<std::uint8_t>(body.size()));
        bytes.insert(bytes.end(), body.begin(), body.end());
        return *this;
    }
    TransactionId fresh() {
        ++transaction[11];
        return transaction;
    }
    template <typename Fill>
    Seed& request(std::uint8_t client, std::uint16_t method, Fill fill, unsigned user = 0) {
        return record(client, authenticated(method, fresh(), users()[user], true, fill));
    }
    Seed& allocate(std::uint8_t client = 0, unsigned user = 0) {
        // The first Allocate without credentials (the 401 that gives the nonce), then with them.
        std::array<std::uint8_t, kMaxMessageSize> buffer{};
        MessageBuilder plain(buffer, method::allocate, Class::request, fresh());
        plain.add_u32(attribute::requested_transport, 17u << 24).add_fingerprint();
        record(client, *plain.finish());
        return request(
            client, method::allocate, [](MessageBuilder& b) { b.add_u32(attribute::requested_transport, 17u << 24); },
            user);
    }
    Seed& permission(std::uint8_t client = 0, const TransportAddress& peer = kPeers[0]) {
        return request(client, method::create_permission,
                       [&](MessageBuilder& b) { b.add_xor_address(attribute::xor_peer_address, peer); });
    }
    Seed& bind(std::uint8_t client = 0, std::uint16_t channel = 0x4000, const TransportAddress& peer = kPeers[0]) {
        return request(client, method::channel_bind, [&](MessageBuilder& b) {
            b.add_u32(attribute::channel_number, std::uint32_t{channel} << 16)
                .add_xor_address(attribute::xor_peer_address, peer);
        });
    }
    Seed& send(std::uint8_t client = 0, const TransportAddress& peer = kPeers[0]) {
        std::array<std::uint8_t, kMaxMessageSize> buffer{};
        MessageBuilder out(buffer, method::send, Class::indication, fresh());
        const std::uint8_t payload[] = {'h', 'e', 'l', 'l', 'o'};
        out.add_xor_address(attribute::xor_peer_address, peer).add(attribute::data, payload);
        return record(client, *out.finish());
    }
    Seed& channel_data(std::uint8_t client = 0, std::uint16_t channel = 0x4000) {
        std::array<std::uint8_t, 16> buffer{};
        const std::uint8_t payload[] = {1, 2, 3, 4, 5};
        std::size_t size = write_channel_data(buffer, channel, payload, client == 3);
        return record(client, std::span(buffer.data(), size));
    }
    Seed& from_peer(std::uint8_t client = 0, std::uint8_t peer = 0) {
        const std::uint8_t payload[] = {9, 8, 7, 6, 5, 4};
        return record(static_cast<std::uint8_t>(0x08 | peer << 4 | client), payload);
    }
    Seed& refresh(std::uint8_t client, std::uint32_t lifetime) {
        return request(client, method::refresh, [&](MessageBuilder& b) { b.add_u32(attribute::lifetime, lifetime); });
    }
    Seed& signed_record(std::uint8_t client, unsigned user, std::uint8_t method_index,
                        std::span<const std::uint8_t> attributes) {
        Bytes body{method_index};
        TransactionId id = fresh();
        body.insert(body.end(), id.begin(), id.end());
        body.insert(body.end(), attributes.begin(), attributes.end());
        return record(static_cast<std::uint8_t>(0x04 | user << 4 | 0x40 | client), body);
    }
    Seed& later(std::uint8_t client, std::uint8_t quarter_seconds_times_16, bool gone) {
        const std::uint8_t body[] = {quarter_seconds_times_16};
        return record(static_cast<std::uint8_t>(0x0C | (gone ? 0x10 : 0) | client), body);
    }
};

void write_seeds(const std::string& directory) {
    auto write = [&](const std::string& name, const Seed& seed) {
        std::ofstream file(directory + "/" + name, std::ios::binary);
        file.write(reinterpret_cast<const char*>(seed.bytes.data()), static_cast<std::streamsize>(seed.bytes.size()));
        check(file.good());
    };
    write("allocate", Seed{}.allocate());
    write("allocate_permission_send",
          Seed{}.allocate().permission().send().from_peer().from_peer(0, 2).send(0, kPeers[2]));
    write("channel_bind_data",
          Seed{}.allocate().bind().channel_data().from_peer().bind(0, 0x4001, kPeers[1]).from_peer(0, 1));
    write("forbidden_and_refresh",
          Seed{}.allocate().permission(0, kPeers[2]).bind(0, 0x4000, kPeers[3]).refresh(0, 1200).refresh(0, 0).send());
    write(
        "tcp_and_expiry",
        Seed{}.allocate(3).bind(3).channel_data(3).from_peer(3).later(3, 100, false).channel_data(3).later(3, 1, true));
    write("quota", Seed{}.allocate(0).allocate(1).allocate(2, 0).allocate(3, 1).later(0, 255, false).allocate(0));
    // The harness-authenticated form: REQUESTED-TRANSPORT UDP, then XOR-PEER-ADDRESS 198.51.100.7:4000 for
    // the transaction the record gives, so mutations start from a working flow.
    {
        Seed seed;
        const std::uint8_t transport[] = {0x00, 0x19, 4, 17, 0, 0, 0};
        seed.signed_record(0, 0, 0, transport);
        TransactionId id = seed.transaction;
        ++id[11];  // the next record's transaction
        std::array<std::uint8_t, kMaxMessageSize> buffer{};
        MessageBuilder peer(buffer, method::create_permission, Class::request, id);
        peer.add_xor_address(attribute::xor_peer_address, kPeers[0]);
        auto bytes = *peer.finish();
        Bytes attributes{0x00, 0x12, 8};  // XOR-PEER-ADDRESS, its 8 value bytes
        attributes.insert(attributes.end(), bytes.begin() + kHeaderSize + 4, bytes.end());
        seed.signed_record(0, 0, 2, attributes);
        seed.channel_data(0).send();
        write("signed_flow", seed);
    }
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* directory = std::getenv("SALA_FUZZ_WRITE_SEEDS")) {
        write_seeds(directory);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    run(std::span<const std::uint8_t>(data, size));
    return 0;
}
