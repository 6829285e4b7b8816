// libFuzzer target: what sala-server does with the bytes of its clients' TCP connections, without
// sockets: each of three connections has the server's LineFramer, whose lines go to one Registry
// (hello, call, accept with "ice" and "keys", candidate, restart, resume, bye...), as the server's
// sessions do. The input is a list of records:
//   CTRL, then for a feed: LENGTH (1 byte), LENGTH bytes
//   CTRL bits 0-1: the connection (0, 1, 2; 3 is taken as 0)
//   CTRL bits 2-3: 0 or 1: feed the bytes to that connection's framer, in one piece;
//                  2: the connection drops (disconnected, as a reset) and a new one takes its place;
//                  3: the clock moves on CTRL >> 4 seconds (times 4) and expire() runs.
// Call ids and resume tokens are random, so in fed bytes the harness replaces "@CALL" by the call id
// the server last handed out and "@TOKEN" by the last resume token it gave that connection's user
// (so a mutated seed still reaches accept, candidate, restart and resumption).
// Besides what the sanitizers catch, it checks that the framer holds at most one line's bytes and
// hands on only lines under the limit, that every message the registry writes is one line of one
// JSON object with a "type" (which the client's parse_line takes), that nothing goes to a
// connection that never was, that a directed message fits the client's line limit, and that
// the registry's counts agree with the connections the harness holds.
// SALA_FUZZ_VERBOSE=1 build-fuzz/bin/fuzz_server_lines FILE prints every directed message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "check.hpp"
#include "line_framer.hpp"
#include "registry.hpp"
#include "sala/log.hpp"
#include "seeds.hpp"

namespace {
using namespace sala::server;
namespace protocol = sala::protocol;

using sala::fuzz::check;

constexpr std::size_t kConnections = 3;

struct Slot {
    ClientId id = 0;
    LineFramer framer;
    bool open = false;
    std::string token;  // the last resume token welcome gave it
};

struct Harness;

// What the client's parse_line asks of a line (one JSON value, an object with a string "type"),
// checked by the same parser through its SAX events, without building the message; it keeps the
// top-level strings the harness needs. Building every answer again as a Json took a third of the time.
class LineFacts final : public protocol::Json::json_sax_t {
public:
    bool object = false;  // the value is an object
    std::optional<std::string> type, call_id, resume_token;

    bool null() override { return value(nullptr); }
    bool boolean(bool) override { return value(nullptr); }
    bool number_integer(number_integer_t) override { return value(nullptr); }
    bool number_unsigned(number_unsigned_t) override { return value(nullptr); }
    bool number_float(number_float_t, const string_t&) override { return value(nullptr); }
    bool string(string_t& text) override { return value(&text); }
    bool binary(binary_t&) override { return value(nullptr); }
    bool start_object(std::size_t) override {
        if (depth_ == 0) object = true;
        value(nullptr);
        ++depth_;
        return true;
    }
    bool key(string_t& name) override {
        if (depth_ == 1)
            field_ = name == "type"                          ? &type
                     : name == "call_id"                     ? &call_id
                     : name == protocol::field::resume_token ? &resume_token
                                                             : nullptr;
        return true;
    }
    bool end_object() override {
        --depth_;
        return true;
    }
    bool start_array(std::size_t) override {
        value(nullptr);
        ++depth_;
        return true;
    }
    bool end_array() override {
        --depth_;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    // A field given twice keeps its last value, as in a parsed Json.
    bool value(const std::string* text) {
        if (depth_ == 1 && field_) *field_ = text ? std::optional<std::string>(*text) : std::nullopt;
        field_ = nullptr;
        return true;
    }
    std::size_t depth_ = 0;
    std::optional<std::string>* field_ = nullptr;
};

struct FakeOutbox : Outbox {
    Harness* harness = nullptr;
    void send(ClientId to, const SharedLine& line) override;
    void publish(ClientId, std::string line) override { check_line(line, false); }
    void subscribe(ClientId) override {}
    void unsubscribe(ClientId) override {}
    void deadline(Clock::time_point) override {}
    void drop(ClientId id) override;
    const LineFacts& check_line(std::string_view line, bool directed);

    // The lines read so far in this input: most answers repeat (the same error again and again).
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, LineFacts, Hash, std::equal_to<>> checked;
};

struct Harness {
    FakeOutbox outbox;
    Registry registry{outbox, [] {
                          RegistryLimits limits;
                          limits.max_clients = 2;
                          limits.invite_timeout = std::chrono::seconds(30);
                          limits.resume_grace = std::chrono::seconds(10);
                          return limits;
                      }()};
    Slot slots[kConnections];
    ClientId next_id = 1;
    std::string call_id;  // the last one handed out
    Clock::time_point now = Clock::time_point(std::chrono::hours(1000));

    Harness() {
        outbox.harness = this;
        for (auto& slot : slots) open(slot);
    }
    void open(Slot& slot) {
        slot.id = next_id++;
        slot.framer = LineFramer{};
        slot.open = true;
        registry.connected(slot.id, "192.0.2." + std::to_string(slot.id % 250 + 1));
    }
    Slot* slot_of(ClientId id) {
        for (auto& slot : slots)
            if (slot.id == id) return &slot;
        return nullptr;
    }
    void close(Slot& slot, std::string_view why) {
        if (!slot.open) return;
        slot.open = false;
        registry.disconnected(slot.id, why, now);
    }
    void feed(Slot& slot, std::string bytes) {
        if (!slot.open) open(slot);
        for (auto [mark, value] : {std::pair<std::string_view, const std::string*>{"@CALL", &call_id},
                                   std::pair<std::string_view, const std::string*>{"@TOKEN", &slot.token}})
            for (std::size_t at = bytes.find(mark); at != std::string::npos; at = bytes.find(mark, at + value->size()))
                bytes.replace(at, mark.size(), *value);
        bool too_long = false;
        bool go_on = slot.framer.feed(
            bytes,
            [&](std::string_view line) {
                check(line.size() < protocol::kMaxLineBytes && line.find('\n') == std::string_view::npos);
                if (!slot.open) return false;
                if (registry.receive(slot.id, line, now) == AfterLine::close) {
                    close(slot, "said bye");
                    return false;
                }
                return true;
            },
            [&] {
                too_long = true;
                registry.line_too_long(slot.id);
            });
        if (go_on) check(slot.framer.pending() < protocol::kMaxLineBytes);
        (void)too_long;
    }
};

const LineFacts& FakeOutbox::check_line(std::string_view line, bool directed) {
    if (directed) check(line.size() <= protocol::kMaxServerLineBytes);
    if (auto known = checked.find(line); known != checked.end()) return known->second;
    check(!line.empty() && line.back() == '\n' && line.find('\n') == line.size() - 1);
    std::string_view text = line.substr(0, line.size() - 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);  // as parse_line
    LineFacts facts;
    check(protocol::Json::sax_parse(text.begin(), text.end(), &facts) && facts.object && facts.type);
    return checked.emplace(std::string(line), std::move(facts)).first->second;
}

void FakeOutbox::send(ClientId to, const SharedLine& line) {
    check(line != nullptr);
    const LineFacts& message = check_line(*line, true);
    // A session lingering after its connection dropped may still be told things (a call ended):
    // the server drops what has no connection, and the resumed welcome's call_id puts it right.
    check(to >= 1 && to < harness->next_id);
    Slot* slot = harness->slot_of(to);
    if (slot == nullptr || !slot->open) return;
    static const bool verbose = std::getenv("SALA_FUZZ_VERBOSE") != nullptr;  // what a seed reaches
    if (verbose) std::fprintf(stderr, "to %llu: %s", static_cast<unsigned long long>(to), line->c_str());
    if (message.call_id) harness->call_id = *message.call_id;
    if (*message.type == protocol::type::welcome && message.resume_token) slot->token = *message.resume_token;
}

void FakeOutbox::drop(ClientId id) {
    // A resumed session took over from this connection: the server closes it without a word.
    Slot* slot = harness->slot_of(id);
    check(slot != nullptr && slot->open);
    slot->open = false;
}
// The seeds: records as the target reads them, the messages made with the protocol's builders.
struct Seed {
    std::vector<std::uint8_t> bytes;
    Seed& line(unsigned connection, const protocol::Json& message) {
        std::string text = protocol::to_line(message);
        for (std::size_t at = 0; at < text.size(); at += 200) {  // in pieces, as TCP may bring it
            std::string_view piece = std::string_view(text).substr(at, 200);
            bytes.push_back(static_cast<std::uint8_t>(connection));
            bytes.push_back(static_cast<std::uint8_t>(piece.size()));
            bytes.insert(bytes.end(), piece.begin(), piece.end());
        }
        return *this;
    }
    Seed& reset(unsigned connection) {
        bytes.push_back(static_cast<std::uint8_t>(0x08 | connection));
        return *this;
    }
    Seed& later(unsigned times_4_seconds) {
        bytes.push_back(static_cast<std::uint8_t>(0x0C | times_4_seconds << 4));
        return *this;
    }
};

protocol::Json hello(const char* name, bool resumable, const char* token = nullptr) {
    protocol::Json m{{"type", "hello"}, {"version", protocol::kVersion}, {"name", name}, {"media_port", 40000}};
    if (resumable) m[protocol::field::resumable] = true;
    if (token) m[protocol::field::resume_token] = token;
    return m;
}

protocol::Json ice(const char* ufrag) {
    protocol::IceDescription d{ufrag, "abcdefghijklmnopqrstuvwx", {}};
    d.candidates.push_back("candidate:1 1 UDP 2130706431 192.0.2.10 40000 typ host");
    d.candidates.push_back("candidate:2 1 UDP 1694498815 203.0.113.7 51000 typ srflx raddr 192.0.2.10 rport 40000");
    return protocol::to_json(d);
}

protocol::Json keys(std::uint8_t fill) {
    protocol::KeyOffer offer;
    offer.suite = "AES_CM_128_HMAC_SHA1_80";
    offer.identity.fill(fill);
    offer.ephemeral.fill(static_cast<std::uint8_t>(fill + 1));
    offer.signature.fill(static_cast<std::uint8_t>(fill + 2));
    return protocol::to_json(offer);
}

Seed& call_and_accept(Seed& seed) {
    return seed.line(0, {{"type", "call"}, {"to", "bob"}, {"ice", ice("aliceufrag")}, {"keys", keys(1)}})
        .line(1, {{"type", "accept"}, {"call_id", "@CALL"}, {"ice", ice("bobufrag")}, {"keys", keys(7)}});
}

void write_seeds(const sala::fuzz::WriteSeed& write) {
    auto put = [&](const char* name, const Seed& seed) { write(name, seed.bytes); };
    put("register", Seed{}.line(0, hello("alice", true)).line(1, hello("bob", false)).line(2, {{"type", "ping"}}));
    Seed call;
    call.line(0, hello("alice", true)).line(1, hello("bob", true));
    call_and_accept(call)
        .line(0, {{"type", "candidate"},
                  {"call_id", "@CALL"},
                  {"candidate", "candidate:3 1 UDP 16777215 198.51.100.4 50000 typ relay raddr 0.0.0.0 rport 0"}})
        .line(1, {{"type", "candidate"}, {"call_id", "@CALL"}, {"end_of_candidates", true}})
        .line(0, {{"type", "restart"}, {"call_id", "@CALL"}, {"ice", ice("alicerestart")}})
        .line(1, {{"type", "restart"}, {"call_id", "@CALL"}, {"ice", ice("bobrestart")}})
        .line(1, {{"type", "hangup"}, {"call_id", "@CALL"}})
        .line(0, {{"type", "bye"}});
    put("call_accept_restart_hangup", call);
    Seed resume;
    resume.line(0, hello("alice", true)).line(1, hello("bob", true));
    call_and_accept(resume).reset(0).line(0, hello("alice", true, "@TOKEN")).later(3).reset(1).later(15);
    put("resume_in_call", resume);
    Seed refused;
    refused.line(0, hello("alice", false))
        .line(1, hello("ALICE", false))
        .line(2, hello("carol", false))
        .line(0, {{"type", "call"}, {"to", "nobody"}})
        .line(0, {{"type", "call"}, {"to", "alice"}})
        .line(0, {{"type", "reject"}, {"call_id", "0123"}})
        .line(1, {{"type", "nonsense"}})
        .later(8);
    refused.bytes.push_back(1);
    refused.bytes.push_back(3);
    for (char c : std::string_view("{x\n")) refused.bytes.push_back(static_cast<std::uint8_t>(c));
    put("refusals", refused);
    Seed ringing;
    ringing.line(0, hello("alice", false)).line(1, hello("bob", false));
    ringing.line(0, {{"type", "call"}, {"to", "bob"}, {"ice", ice("aliceufrag")}, {"keys", keys(1)}}).later(15);
    put("invite_times_out", ringing);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sala::fuzz::write_seeds_if_asked(write_seeds);
    sala::log::set_min_level(sala::log::Level::error);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Harness h;
    std::size_t at = 0;
    while (at < size) {
        const std::uint8_t ctrl = data[at++];
        Slot& slot = h.slots[(ctrl & 3) % kConnections];
        switch (ctrl >> 2 & 3) {
            case 0:
            case 1: {
                if (at >= size) break;
                const std::size_t declared = data[at++];
                const std::size_t length = std::min(declared, size - at);
                h.feed(slot, std::string(reinterpret_cast<const char*>(data + at), length));
                at += length;
                break;
            }
            case 2:
                h.close(slot, "connection reset");
                h.open(slot);
                break;
            case 3:
                h.now += std::chrono::seconds(4 * (ctrl >> 4));
                h.registry.expire(h.now);
                break;
        }
        std::size_t open = 0;
        for (auto& s : h.slots) open += s.open;
        check(h.registry.registered() <= 2);
        check(h.registry.connections() >= open);
        check(h.registry.calls() <= h.registry.registered());
    }
    for (auto& slot : h.slots) h.close(slot, "end of input");
    h.registry.expire(h.now + std::chrono::hours(1));
    check(h.registry.registered() == 0 && h.registry.calls() == 0);
    return 0;
}
