// libFuzzer target: what a node of a cluster reads from Redis, on the presence channel and on its own
// channel (server/src/cluster/presence_message, node_message). Besides what the sanitizers catch, it
// checks that whatever decodes encodes to something that decodes to the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "cluster/node_message.hpp"
#include "cluster/presence_message.hpp"

namespace {
using sala::fuzz::check;
using namespace sala::server::cluster;

bool same(const ClusterUser& a, const ClusterUser& b) { return a.name == b.name && a.status == b.status; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    if (auto presence = decode_presence(payload)) {
        auto again = decode_presence(encode(*presence));
        check(again && again->kind == presence->kind && again->node == presence->node);
        check(again->roster.size() == presence->roster.size());
        for (std::size_t i = 0; i < presence->roster.size(); ++i) check(same(again->roster[i], presence->roster[i]));
        if (presence->kind == PresenceMessage::Kind::joined || presence->kind == PresenceMessage::Kind::status)
            check(same(again->user, presence->user));
    }
    if (auto message = decode_node_message(payload)) {
        auto again = decode_node_message(encode(*message));
        check(again && again->kind == message->kind && again->from == message->from && again->user == message->user &&
              again->line == message->line && again->host == message->host && again->media_port == message->media_port);
    }
    return 0;
}
