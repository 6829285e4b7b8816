#include "turn/relay.hpp"

#include <algorithm>
#include <variant>

#include "turn/channel_data.hpp"
#include "turn/rest_credentials.hpp"

namespace sala::server::turn {
namespace {
using namespace stun;

constexpr std::uint8_t kUdpProtocol = 17;  // REQUESTED-TRANSPORT's value for UDP

std::optional<std::uint32_t> u32(const Message& message, std::uint16_t type) {
    const Attribute* a = message.find(type);
    if (!a || a->value.size() != 4) return std::nullopt;
    return std::uint32_t{a->value[0]} << 24 | std::uint32_t{a->value[1]} << 16 | std::uint32_t{a->value[2]} << 8 |
           a->value[3];
}

// The size of the message that carries `data` bytes from a peer to the client: ChannelData
// (padded, as over TCP) or a Data indication with XOR-PEER-ADDRESS and DATA.
std::size_t to_client_size(std::size_t data, bool channel, Family family) {
    std::size_t padded = (data + 3) & ~std::size_t{3};
    if (channel) return kChannelDataHeaderSize + padded;
    std::size_t address = kAttributeHeaderSize + 4 + (family == Family::ipv4 ? 4 : 16);
    return kHeaderSize + address + kAttributeHeaderSize + padded;
}

// A user's key in by_user_: ASCII letters in lower case (as protocol::name_key, which the directory
// compares names with; the relay does not link the directory's code).
std::string user_key(std::string_view name) {
    std::string key(name);
    for (char& c : key)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return key;
}

std::int64_t system_unix_time() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

// One request being answered: who sent it, what it is, and the key it was checked with.
struct Relay::Request {
    const ClientAddress& client;
    const Message& message;
    std::optional<LongTermKey> key;  // set once the credentials are checked
    std::string username;
    std::string_view name;
};

Relay::Relay(RelayIo& io, RelayLimits limits, std::string secret, std::string nonce_key, CallPeerLookup call_peer)
    : io_(io),
      limits_(limits),
      secret_(std::move(secret)),
      nonces_(std::move(nonce_key)),
      call_peer_(std::move(call_peer)),
      unix_clock_(system_unix_time) {}

Allocation* Relay::allocation_of(const ClientAddress& client) {
    auto it = by_client_.find(client);
    if (it == by_client_.end()) return nullptr;
    return &allocations_.at(it->second);
}

std::optional<Clock::time_point> Relay::expiry_of(const ClientAddress& client) const {
    auto it = by_client_.find(client);
    if (it == by_client_.end()) return std::nullopt;
    return allocations_.at(it->second).expiry;
}

void Relay::from_client(const ClientAddress& client, std::span<const std::uint8_t> bytes, Clock::time_point now) {
    if (bytes.empty()) return;
    Allocation* a = allocation_of(client);
    if (a) a->last_heard = now;
    if (starts_channel_data(bytes[0])) return on_channel_data(a, bytes, now);
    auto header = parse_header(bytes);
    if (!header) {
        ++counts_.dropped;
        return;
    }
    auto parsed = parse(bytes);
    if (!std::holds_alternative<Message>(parsed)) {
        // Attributes out of bounds in a request get 400; anything else broken is ignored.
        if (header->message_class == Class::request && std::get<ParseError>(parsed) == ParseError::bad_attributes) {
            MessageBuilder out(out_, header->method, Class::error_response, header->transaction);
            out.add_error_code(error::bad_request);
            if (auto done = out.finish()) io_.send_to_client(client, *done);
            ++counts_.errors;
            return;
        }
        ++counts_.dropped;
        return;
    }
    const Message& message = std::get<Message>(parsed);
    if (header->message_class == Class::indication && header->method == method::send)
        return on_send(client, message, now);
    if (header->message_class != Class::request) {
        ++counts_.dropped;
        return;
    }
    request(client, message, now);
}

void Relay::request(const ClientAddress& client, const Message& message, Clock::time_point now) {
    Request r{client, message, std::nullopt, {}, {}};
    std::uint16_t m = message.header().method;
    if (m != method::allocate && m != method::refresh && m != method::create_permission && m != method::channel_bind) {
        ++counts_.dropped;  // Binding is answered elsewhere; other methods are not ours
        return;
    }
    AttributeTypes unknown = unknown_comprehension_required(message);
    if (!unknown.empty()) {
        MessageBuilder out(out_, m, Class::error_response, message.header().transaction);
        out.add_error_code(error::unknown_attribute).add_unknown_attributes(unknown);
        if (message.has_fingerprint()) out.add_fingerprint();
        if (auto done = out.finish()) io_.send_to_client(client, *done);
        ++counts_.errors;
        return;
    }

    // The long-term credential mechanism (RFC 8489, 9.2.4).
    if (!message.find(attribute::message_integrity)) return challenge(r, error::unauthorized);
    std::string_view username = message.text(attribute::username);
    std::string_view realm = message.text(attribute::realm);
    std::string_view nonce = message.text(attribute::nonce);
    if (username.empty() || realm.empty() || nonce.empty() || username.size() > kMaxUsernameBytes)
        return error(r, error::bad_request, false);
    std::int64_t unix_now = unix_clock_();
    if (!nonces_.valid(nonce, unix_now)) return challenge(r, error::stale_nonce);
    auto rest = parse_rest_username(username);
    if (!rest || rest->expiry < unix_now || realm != kRealm) return challenge(r, error::unauthorized);
    LongTermKey key = long_term_key(username, kRealm, rest_password(secret_, username));
    if (check_integrity(message, key) != Integrity::ok) return challenge(r, error::unauthorized);
    r.key = key;
    r.username = std::string(username);
    r.name = rest->name;

    if (m == method::allocate) return on_allocate(r, now);
    Allocation* a = allocation_of(client);
    if (!a) return error(r, error::allocation_mismatch, true);
    if (a->username != r.username) return error(r, error::wrong_credentials, true);
    if (m == method::refresh) return on_refresh(r, *a, now);
    if (m == method::create_permission) return on_create_permission(r, *a, now);
    on_channel_bind(r, *a, now);
}

void Relay::on_allocate(Request& r, Clock::time_point now) {
    const Message& message = r.message;
    if (Allocation* existing = allocation_of(r.client)) {
        if (existing->allocate_transaction != message.header().transaction || existing->username != r.username)
            return error(r, error::allocation_mismatch, true);
        // A retransmission: the same success again.
        MessageBuilder out(out_, method::allocate, Class::success_response, message.header().transaction);
        out.add_xor_address(attribute::xor_relayed_address, existing->relayed)
            .add_u32(attribute::lifetime,
                     static_cast<std::uint32_t>(
                         std::chrono::duration_cast<std::chrono::seconds>(existing->expiry - now).count()))
            .add_xor_address(attribute::xor_mapped_address, r.client.address);
        return answer(r, out);
    }
    auto transport = u32(message, attribute::requested_transport);
    if (!transport) return error(r, error::bad_request, true);
    if (*transport >> 24 != kUdpProtocol) return error(r, error::unsupported_transport, true);
    RelaySocketRequest socket;
    if (const Attribute* family = message.find(attribute::requested_address_family)) {
        if (family->value.size() != 4) return error(r, error::bad_request, true);
        if (family->value[0] == static_cast<std::uint8_t>(Family::ipv6))
            socket.family = Family::ipv6;
        else if (family->value[0] != static_cast<std::uint8_t>(Family::ipv4))
            return error(r, error::address_family_not_supported, true);
    }
    if (!io_.supports(socket.family)) return error(r, error::address_family_not_supported, true);
    if (const Attribute* even_port = message.find(attribute::even_port)) {
        // An even port is given; reserving the next one for a later Allocate (the R bit) is not.
        if (even_port->value.size() != 1) return error(r, error::bad_request, true);
        if (even_port->value[0] & 0x80) return error(r, error::insufficient_capacity, true);
        socket.even = true;
    }
    if (const Attribute* dont_fragment = message.find(attribute::dont_fragment)) {
        if (!dont_fragment->value.empty()) return error(r, error::bad_request, true);
        socket.dont_fragment = true;
    }
    if (message.find(attribute::reservation_token)) return error(r, error::insufficient_capacity, true);
    std::string name(r.name);
    auto user = by_user_.find(user_key(name));
    if (user != by_user_.end() && user->second.size() >= limits_.max_allocations_per_user) {
        auto oldest = std::min_element(user->second.begin(), user->second.end(), [&](AllocationId x, AllocationId y) {
            return allocations_.at(x).last_heard < allocations_.at(y).last_heard;
        });
        if (now - allocations_.at(*oldest).last_heard < kStaleAfter)
            return error(r, error::allocation_quota_reached, true);
        ++counts_.stale;
        remove(*oldest);  // `user` may be gone now; the count is one less either way
    }
    if (allocations_.size() >= limits_.max_allocations) return error(r, error::insufficient_capacity, true);

    AllocationId id = next_id_++;
    auto relayed = io_.open_relay(id, r.client, socket);
    if (!relayed) return error(r, error::insufficient_capacity, true);
    auto requested = u32(message, attribute::lifetime).value_or(0);
    auto lifetime = std::clamp(std::chrono::seconds(requested), limits_.default_lifetime, limits_.max_lifetime);
    Allocation a{id,
                 r.client,
                 r.username,
                 name,
                 *r.key,
                 *relayed,
                 now + lifetime,
                 now,
                 message.header().transaction,
                 {},
                 {},
                 TokenBucket(limits_.bytes_per_second, now)};
    allocations_.emplace(id, std::move(a));
    by_client_[r.client] = id;
    by_user_[user_key(name)].push_back(id);
    ++counts_.allocations;

    MessageBuilder out(out_, method::allocate, Class::success_response, message.header().transaction);
    out.add_xor_address(attribute::xor_relayed_address, *relayed)
        .add_u32(attribute::lifetime, static_cast<std::uint32_t>(lifetime.count()))
        .add_xor_address(attribute::xor_mapped_address, r.client.address);
    answer(r, out);
}

void Relay::on_refresh(Request& r, Allocation& a, Clock::time_point now) {
    auto requested = u32(r.message, attribute::lifetime);
    std::chrono::seconds lifetime = limits_.default_lifetime;
    if (requested)
        lifetime = *requested == 0
                       ? std::chrono::seconds(0)
                       : std::clamp(std::chrono::seconds(*requested), limits_.default_lifetime, limits_.max_lifetime);
    MessageBuilder out(out_, method::refresh, Class::success_response, r.message.header().transaction);
    out.add_u32(attribute::lifetime, static_cast<std::uint32_t>(lifetime.count()));
    answer(r, out);
    if (lifetime.count() == 0)
        remove(a.id);
    else
        a.expiry = now + lifetime;
}

bool Relay::may_reach(const Allocation& a, const PeerIp& ip) const {
    auto peer = call_peer_(a.name);
    if (!peer) return false;
    if (to_string(ip) == peer->ip) return true;
    auto user = by_user_.find(user_key(peer->name));
    if (user == by_user_.end()) return false;
    for (AllocationId id : user->second) {
        const Allocation& theirs = allocations_.at(id);
        if (PeerIp::of(theirs.relayed) == ip || PeerIp::of(theirs.client.address) == ip) return true;
    }
    return false;
}

bool Relay::add_permission(Allocation& a, const PeerIp& ip, Clock::time_point now) {
    for (Permission& p : a.permissions)
        if (p.ip == ip) {
            p.expiry = now + kPermissionLifetime;
            return true;
        }
    std::erase_if(a.permissions, [&](const Permission& p) { return p.expiry <= now; });
    if (a.permissions.size() >= limits_.max_permissions) return false;
    a.permissions.push_back({ip, now + kPermissionLifetime});
    return true;
}

void Relay::on_create_permission(Request& r, Allocation& a, Clock::time_point now) {
    std::vector<PeerIp> ips;
    for (const Attribute& attr : r.message.attributes()) {
        if (attr.type != attribute::xor_peer_address) continue;
        auto peer = decode_xor_address(attr.value, r.message.header().transaction);
        if (!peer) return error(r, error::bad_request, true);
        if (peer->family != a.relayed.family) return error(r, error::peer_address_family_mismatch, true);
        if (ips.size() == limits_.max_permissions) return error(r, error::insufficient_capacity, true);
        ips.push_back(PeerIp::of(*peer));
    }
    if (ips.empty()) return error(r, error::bad_request, true);
    // All or nothing: every peer is checked, and room made sure of, before any is installed.
    for (const PeerIp& ip : ips)
        if (!may_reach(a, ip)) {
            ++counts_.forbidden;
            return error(r, error::forbidden, true);
        }
    std::erase_if(a.permissions, [&](const Permission& p) { return p.expiry <= now; });
    std::size_t added = 0;
    for (std::size_t i = 0; i < ips.size(); ++i)
        if (!a.permission(ips[i], now) && std::find(ips.begin(), ips.begin() + i, ips[i]) == ips.begin() + i) ++added;
    if (a.permissions.size() + added > limits_.max_permissions) return error(r, error::insufficient_capacity, true);
    for (const PeerIp& ip : ips) add_permission(a, ip, now);
    MessageBuilder out(out_, method::create_permission, Class::success_response, r.message.header().transaction);
    answer(r, out);
}

void Relay::on_channel_bind(Request& r, Allocation& a, Clock::time_point now) {
    auto number = u32(r.message, attribute::channel_number);
    const Attribute* peer_attr = r.message.find(attribute::xor_peer_address);
    if (!number || !peer_attr || !is_channel_number(static_cast<std::uint16_t>(*number >> 16)))
        return error(r, error::bad_request, true);
    auto channel = static_cast<std::uint16_t>(*number >> 16);
    auto peer = decode_xor_address(peer_attr->value, r.message.header().transaction);
    if (!peer) return error(r, error::bad_request, true);
    if (peer->family != a.relayed.family) return error(r, error::peer_address_family_mismatch, true);
    if (!may_reach(a, PeerIp::of(*peer))) {
        ++counts_.forbidden;
        return error(r, error::forbidden, true);
    }
    // A binding, live or expired less than kChannelReservation ago, holds its number and its peer:
    // only the same pair may be bound again (RFC 8656, 12).
    std::erase_if(a.channels, [&](const ChannelBinding& c) { return c.expiry + kChannelReservation <= now; });
    ChannelBinding* existing = nullptr;
    for (ChannelBinding& c : a.channels) {
        bool same_number = c.number == channel, same_peer = c.peer == *peer;
        if (same_number != same_peer) return error(r, error::bad_request, true);
        if (same_number) existing = &c;
    }
    if (!existing && a.channels.size() >= limits_.max_channels) return error(r, error::insufficient_capacity, true);
    if (!add_permission(a, PeerIp::of(*peer), now)) return error(r, error::insufficient_capacity, true);
    if (existing)
        existing->expiry = now + kChannelLifetime;
    else
        a.channels.push_back({channel, *peer, now + kChannelLifetime});
    MessageBuilder out(out_, method::channel_bind, Class::success_response, r.message.header().transaction);
    answer(r, out);
}

void Relay::on_send(const ClientAddress& client, const Message& message, Clock::time_point now) {
    Allocation* a = allocation_of(client);
    const Attribute* peer_attr = message.find(attribute::xor_peer_address);
    const Attribute* data = message.find(attribute::data);
    if (!a || !peer_attr || !data || !unknown_comprehension_required(message).empty()) {
        ++counts_.dropped;
        return;
    }
    auto peer = decode_xor_address(peer_attr->value, message.header().transaction);
    if (!peer || peer->family != a->relayed.family) {
        ++counts_.dropped;
        return;
    }
    if (!a->permission(PeerIp::of(*peer), now)) {
        ++counts_.without_permission;
        return;
    }
    if (!a->bucket.take(data->value.size(), now)) {
        ++counts_.over_rate;
        return;
    }
    ++counts_.to_peers;
    io_.send_to_peer(a->id, *peer, data->value, message.find(attribute::dont_fragment) != nullptr);
}

// `a`: the allocation of the client the ChannelData came from (nullptr: it has none).
void Relay::on_channel_data(Allocation* a, std::span<const std::uint8_t> bytes, Clock::time_point now) {
    auto message = parse_channel_data(bytes);
    if (!message || !a) {
        ++counts_.dropped;
        return;
    }
    const ChannelBinding* channel = a->channel(message->channel, now);
    if (!channel || !a->permission(PeerIp::of(channel->peer), now)) {
        ++counts_.without_permission;
        return;
    }
    if (!a->bucket.take(message->data.size(), now)) {
        ++counts_.over_rate;
        return;
    }
    ++counts_.to_peers;
    io_.send_to_peer(a->id, channel->peer, message->data, false);
}

void Relay::from_peer(AllocationId id, const TransportAddress& peer, std::span<const std::uint8_t> bytes,
                      Clock::time_point now) {
    auto it = allocations_.find(id);
    if (it == allocations_.end()) return;
    Allocation& a = it->second;
    if (!a.permission(PeerIp::of(peer), now)) {
        ++counts_.without_permission;
        return;
    }
    const ChannelBinding* channel = a.channel_to(peer, now);
    if (to_client_size(bytes.size(), channel != nullptr, peer.family) > kMaxMessageSize) {
        ++counts_.oversized;  // never cut short: a datagram goes whole or not at all
        return;
    }
    if (!a.bucket.take(bytes.size(), now)) {
        ++counts_.over_rate;
        return;
    }
    std::size_t size = 0;
    if (channel) {
        size = write_channel_data(out_, channel->number, bytes, a.client.transport == Transport::tcp);
    } else {
        TransactionId transaction{};
        for (std::size_t i = 0; i < transaction.size(); ++i)
            transaction[i] = static_cast<std::uint8_t>(next_id_ * 31 + i);
        MessageBuilder out(out_, method::data, Class::indication, transaction);
        out.add_xor_address(attribute::xor_peer_address, peer).add(attribute::data, bytes);
        if (auto done = out.finish()) size = done->size();
    }
    if (size == 0) {
        ++counts_.dropped;
        return;
    }
    ++counts_.to_clients;
    io_.send_to_client(a.client, std::span<const std::uint8_t>(out_.data(), size));
}

void Relay::expire(Clock::time_point now) {
    std::vector<AllocationId> gone;
    for (auto& entry : allocations_) {
        Allocation& a = entry.second;  // not a structured binding: clang before 16 cannot capture one
        if (a.expiry <= now) {
            gone.push_back(entry.first);
            continue;
        }
        std::erase_if(a.permissions, [&](const Permission& p) { return p.expiry <= now || !may_reach(a, p.ip); });
        // A binding stays reserved for 5 minutes after it expires (RFC 8656, 12).
        std::erase_if(a.channels, [&](const ChannelBinding& c) { return c.expiry + kChannelReservation <= now; });
    }
    for (AllocationId id : gone) remove(id);
}

void Relay::client_gone(const ClientAddress& client) {
    if (Allocation* a = allocation_of(client)) remove(a->id);
}

void Relay::remove(AllocationId id) {
    auto it = allocations_.find(id);
    if (it == allocations_.end()) return;
    by_client_.erase(it->second.client);
    if (auto user = by_user_.find(user_key(it->second.name)); user != by_user_.end()) {
        std::erase(user->second, id);
        if (user->second.empty()) by_user_.erase(user);
    }
    allocations_.erase(it);
    io_.close_relay(id);
}

void Relay::answer(const Request& r, MessageBuilder& out) {
    if (r.key) out.add_message_integrity(*r.key);
    if (r.message.has_fingerprint()) out.add_fingerprint();
    if (auto done = out.finish()) io_.send_to_client(r.client, *done);
}

void Relay::error(const Request& r, const ErrorReason& reason, bool with_integrity) {
    ++counts_.errors;
    MessageBuilder out(out_, r.message.header().method, Class::error_response, r.message.header().transaction);
    out.add_error_code(reason);
    if (with_integrity && r.key) out.add_message_integrity(*r.key);
    if (r.message.has_fingerprint()) out.add_fingerprint();
    if (auto done = out.finish()) io_.send_to_client(r.client, *done);
}

void Relay::challenge(const Request& r, const ErrorReason& reason) {
    ++counts_.unauthenticated;
    MessageBuilder out(out_, r.message.header().method, Class::error_response, r.message.header().transaction);
    out.add_error_code(reason)
        .add_text(attribute::realm, kRealm)
        .add_text(attribute::nonce, nonces_.issue(unix_clock_()));
    if (r.message.has_fingerprint()) out.add_fingerprint();
    if (auto done = out.finish()) io_.send_to_client(r.client, *done);
}

}  // namespace sala::server::turn
