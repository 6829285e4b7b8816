#include "registry.hpp"

#include "call_id.hpp"
#include "name_proof_check.hpp"
#include "sala/log.hpp"

namespace sala::server {
namespace {
namespace type = protocol::type;
using protocol::EndReason;
using protocol::ErrorCode;
using protocol::FailReason;
using protocol::Json;
using protocol::Status;

SharedLine make_line(const Json& message) { return std::make_shared<const std::string>(protocol::to_line(message)); }

const SharedLine& pong_line() {
    static const SharedLine line = make_line(Json{{"type", type::pong}});
    return line;
}

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// ,"status":"busy"} or ,"status":"available"}: how a user in welcome's list ends.
const std::string& status_tail(Status status) {
    auto tail = [](Status s) { return R"(,"status":)" + Json(to_string(s)).dump() + "}"; };
    static const std::string busy = tail(Status::busy), available = tail(Status::available);
    return status == Status::busy ? busy : available;
}

}  // namespace

Registry::Registry(Outbox& outbox, RegistryLimits limits) : outbox_(outbox), limits_(limits) {}

void Registry::connected(ClientId id, std::string host) { clients_[id].host = std::move(host); }

void Registry::send(ClientId to, const Json& message) { deliver(to, make_line(message)); }

void Registry::send_error(ClientId to, ErrorCode code, std::string_view message) {
    send(to, protocol::error(code, message));
}

void Registry::name_taken(ClientId to, std::string_view name) {
    send_error(to, ErrorCode::name_taken, log::cat("The name \"", name, "\" is already taken; choose another."));
}

void Registry::publish(ClientId about, const Json& message) { outbox_.publish(about, protocol::to_line(message)); }

void Registry::status_changed(ClientId id, const Client& client) {
    if (!client.proxy_node.empty()) return;  // its own node tells
    if (watcher_) watcher_->status(client.name, client.status());
    publish(id, Json{{"type", type::user_status}, {"name", client.name}, {"status", to_string(client.status())}});
}

AfterLine Registry::receive(ClientId id, std::string_view line, Clock::time_point now) {
    auto it = clients_.find(id);
    if (it == clients_.end()) return AfterLine::close;
    Client& client = it->second;
    line = strip_cr(line);
    if (is_blank(line)) return AfterLine::keep_open;  // a stray Enter typed into nc

    auto parsed = protocol::parse_line(line);
    if (auto* bad = std::get_if<protocol::LineError>(&parsed)) {
        send_error(id, bad->code, bad->message);
        return AfterLine::keep_open;
    }
    const Json& message = std::get<Json>(parsed);
    const std::string& kind = message["type"].get_ref<const std::string&>();
    if (forward_to_callee_node(id, client, kind, message, line)) return AfterLine::keep_open;

    if (kind == type::ping) {
        outbox_.send(id, pong_line());
    } else if (kind == type::bye) {
        leave(id, "said bye");
        return AfterLine::close;
    } else if (kind == type::hello) {
        on_hello(id, client, message);
    } else if (kind == type::challenge) {
        on_challenge(id, client);
    } else if (kind == type::call) {
        on_call(id, client, message, now);
    } else if (kind == type::accept || kind == type::reject || kind == type::hangup) {
        on_call_message(id, client, message, kind);
    } else if (kind == type::candidate) {
        on_candidate(id, client, message);
    } else if (kind == type::restart) {
        on_restart(id, client, message);
    } else {
        send_error(id, ErrorCode::unknown_type,
                   kind.size() <= 40 ? log::cat("Unknown message type \"", kind, "\".")
                                     : std::string("Unknown message type."));
    }
    return AfterLine::keep_open;
}

void Registry::line_too_long(ClientId id) {
    send_error(id, ErrorCode::too_long,
               log::cat("A message can be at most ", protocol::kMaxLineBytes,
                        " bytes including its newline; the rest of that line was skipped."));
}

void Registry::on_hello(ClientId id, Client& client, const Json& message) {
    if (client.registered()) {
        send_error(id, ErrorCode::already_registered, log::cat("You are already registered as \"", client.name, "\"."));
        return;
    }
    auto version = protocol::get_int(message, "version");
    auto name = protocol::get_string(message, "name");
    auto media_port = protocol::get_int(message, "media_port");
    if (!version) return send_error(id, ErrorCode::bad_request, "hello needs an integer field \"version\".");
    if (*version < protocol::kMinVersion || *version > protocol::kVersion)
        return send_error(id, ErrorCode::unsupported_version,
                          log::cat("This server speaks protocol versions ", protocol::kMinVersion, " to ",
                                   protocol::kVersion, "; you asked for version ", *version, "."));
    if (!name) return send_error(id, ErrorCode::bad_request, "hello needs a string field \"name\".");
    if (!media_port || *media_port < 1 || *media_port > 65535)
        return send_error(id, ErrorCode::bad_request,
                          "hello needs an integer field \"media_port\" between 1 and 65535.");
    auto resumable = message.find(protocol::field::resumable);
    if (resumable != message.end() && !resumable->is_boolean())
        return send_error(id, ErrorCode::bad_request, "hello's \"resumable\" must be true or false.");
    auto token = message.find(protocol::field::resume_token);
    if (token != message.end() && !token->is_string())
        return send_error(id, ErrorCode::bad_request, "hello's \"resume_token\" must be a string.");
    if (auto problem = protocol::name_problem(*name)) return send_error(id, ErrorCode::invalid_name, *problem);
    std::optional<protocol::NameProof> proof;
    if (!owner_checked(id, client, message, *name, &proof)) return;
    const bool wants_grace = resumable != message.end() && *resumable == true;
    const auto port = static_cast<std::uint16_t>(*media_port);
    std::string key = protocol::name_key(*name);
    if (by_key_.count(key) || remote_.count(key)) {  // here, or on another node of the cluster
        if (token != message.end() && by_key_.count(key) &&
            take_over(id, client, key, token->get_ref<const std::string&>(), port, wants_grace))
            return;
        return name_taken(id, *name);
    }
    if (by_key_.size() >= limits_.max_clients)
        return send_error(id, ErrorCode::server_full,
                          log::cat("The server is full (", limits_.max_clients, " users); try again later."));

    if (claims_) {
        if (client.claiming)
            return send_error(id, ErrorCode::already_registered, "Your hello is being answered; wait for it.");
        client.claiming = true;
        std::string identity = proof ? protocol::to_hex(proof->identity.data(), proof->identity.size()) : "";
        claims_->claim(*name, identity, [this, id, name = *name, key, port, wants_grace](ClaimResult result) {
            claimed(id, name, key, port, wants_grace, result);
        });
        return;
    }
    if (names_ && proof && !names_->find(key) && !names_->bind(key, proof->identity, unix_now()))
        return send_error(id, ErrorCode::server_full,
                          "The server cannot record that this name is yours at the moment; try again later.");
    admit(id, client, *name, std::move(key), port, wants_grace);
}

void Registry::admit(ClientId id, Client& client, const std::string& name, std::string key, std::uint16_t port,
                     bool resumable) {
    client.name = name;
    client.quoted_name = Json(name).dump();
    client.media_port = port;
    client.resumable = resumable;
    client.resume_token = new_resume_token();
    if (names_) names_->touch(key, unix_now());
    by_key_.emplace(std::move(key), id);
    outbox_.send(id, std::make_shared<const std::string>(welcome_line(id, client, false)));
    publish(id, Json{{"type", type::user_joined}, {"name", client.name}, {"status", to_string(Status::available)}});
    outbox_.subscribe(id);
    if (watcher_) watcher_->joined(client.name, Status::available);
    log::info("server",
              log::cat("registered ", client.quoted_name, " from ", client.host, " (", by_key_.size(), " users)"));
}

void Registry::secured(ClientId id, const protocol::ChannelBinding& binding) {
    if (auto it = clients_.find(id); it != clients_.end()) it->second.channel_binding = binding;
}

void Registry::on_challenge(ClientId id, Client& client) {
    if (!client.nonce) client.nonce = new_nonce();
    send(id, Json{{"type", type::challenge},
                  {protocol::field::nonce, protocol::to_hex(client.nonce->data(), client.nonce->size())}});
}

// A proof must hold whenever hello carries one (a bad one is refused, bound name or not); a bound
// name needs a proof by its key, on every hello, resumed sessions included.
bool Registry::owner_checked(ClientId id, const Client& client, const Json& message, const std::string& name,
                             std::optional<protocol::NameProof>* proof) {
    std::string problem;
    *proof = protocol::parse_name_proof(message, &problem);
    if (!problem.empty()) {
        send_error(id, ErrorCode::bad_request, problem);
        return false;
    }
    if (*proof && !client.nonce) {
        send_error(id, ErrorCode::bad_proof,
                   "Send challenge first: hello's proof signs the nonce the server gave this connection.");
        return false;
    }
    if (*proof && !proof_holds(*client.nonce, client.channel_binding, name, **proof)) {
        send_error(id, ErrorCode::bad_proof,
                   "hello's proof is not the identity key's signature of this connection's challenge, its TLS channel "
                   "binding and this name.");
        return false;
    }
    const NameBinding* binding = names_ ? names_->find(protocol::name_key(name)) : nullptr;
    if (!binding || (*proof && (*proof)->identity == binding->identity)) return true;
    send_error(id, ErrorCode::name_owned,
               *proof
                   ? log::cat("The name \"", name,
                              "\" belongs to someone else on this server (another identity key); choose another name.")
                   : log::cat("The name \"", name,
                              "\" belongs to someone else on this server (it is bound to an identity key, and this "
                              "hello proves none); choose another name."));
    return false;
}

bool Registry::take_over(ClientId id, Client& client, const std::string& key, std::string_view token,
                         std::uint16_t media_port, bool resumable) {
    const ClientId old_id = by_key_.at(key);
    auto old = clients_.find(old_id);
    if (old == clients_.end() || !same_resume_token(token, old->second.resume_token)) return false;
    const bool was_live = !old->second.lingering_until;
    if (old->second.lingering_until) lingering_.erase({*old->second.lingering_until, old_id});
    std::string host = std::move(client.host);
    client = std::move(old->second);  // client is clients_[id]: erasing another key leaves it in place
    clients_.erase(old);
    client.host = std::move(host);
    client.media_port = media_port;
    client.resumable = resumable;
    client.lingering_until.reset();
    client.resume_token = new_resume_token();
    by_key_[key] = id;
    if (names_) names_->touch(key, unix_now());
    if (client.busy()) calls_.rebind(client.call_id, old_id, id);
    if (was_live) outbox_.drop(old_id);
    outbox_.send(id, std::make_shared<const std::string>(welcome_line(id, client, true)));
    outbox_.subscribe(id);
    log::info("server", log::cat("resumed ", client.quoted_name, " from ", client.host,
                                 client.busy() ? " (its call goes on)" : "", was_live ? "" : " after a drop"));
    return true;
}

// Built by hand: with thousands of users, a welcome is large and sent often.
std::string Registry::welcome_line(ClientId id, const Client& client, bool resumed) const {
    static const std::string head = R"({"type":)" + Json(type::welcome).dump() + R"(,"name":)";
    std::string line = head + client.quoted_name;
    line += log::cat(R"(,")", protocol::field::resume_token, R"(":")", client.resume_token, '"');
    if (resumed) {
        line += log::cat(R"(,")", protocol::field::resumed, R"(":true)");
        if (client.busy()) line += log::cat(R"(,")", protocol::field::call_id, R"(":")", client.call_id, '"');
    }
    if (turn_offer_)
        if (std::string turn = turn_offer_(id, client.name); !turn.empty()) line += R"(,"turn":)" + turn;
    line += R"(,"users":[)";
    line.reserve(line.size() + (by_key_.size() + remote_.size()) * (client.quoted_name.size() + 32));
    bool first = true;
    for (const auto& [key, other_id] : by_key_) {
        if (other_id == id) continue;
        const Client& other = clients_.at(other_id);
        line += first ? R"({"name":)" : R"(,{"name":)";
        line += other.quoted_name;
        line += status_tail(other.status());
        first = false;
    }
    for (const auto& [key, other] : remote_) {
        line += first ? R"({"name":)" : R"(,{"name":)";
        line += other.quoted_name;
        line += status_tail(other.status);
        first = false;
    }
    line += "]}\n";
    return line;
}

void Registry::call_failed(ClientId id, std::string_view peer, FailReason reason, std::string_view message) {
    send(id, Json{{"type", type::call_failed}, {"peer", peer}, {"reason", to_string(reason)}, {"message", message}});
}

void Registry::on_call(ClientId id, Client& client, const Json& message, Clock::time_point now) {
    auto to = protocol::get_string(message, "to");
    if (!to) return send_error(id, ErrorCode::bad_request, "call needs a string field \"to\".");
    if (!client.registered())
        return call_failed(id, *to, FailReason::not_registered, "Send hello before calling anyone.");
    auto found = by_key_.find(protocol::name_key(*to));
    if (found == by_key_.end()) return call_failed(id, *to, FailReason::unknown_user, "Nobody by that name is online.");
    ClientId callee_id = found->second;
    Client& callee = clients_.at(callee_id);
    if (callee_id == id) return call_failed(id, callee.name, FailReason::self_call, "You cannot call yourself.");
    if (client.busy())
        return call_failed(id, callee.name, FailReason::already_in_call, "Hang up your current call or invite first.");
    if (callee.busy())
        return call_failed(id, callee.name, FailReason::busy, log::cat(callee.name, " is in another call."));
    std::optional<protocol::IceDescription> ice;
    if (!read_ice(id, message, &ice)) return;
    std::optional<protocol::KeyOffer> keys;
    if (!read_keys(id, message, &keys)) return;

    auto deadline = now + limits_.invite_timeout;
    const Call& added = calls_.add(id, callee_id, deadline);
    Call& call = *calls_.find(added.id);
    call.caller_ice = std::move(ice);
    call.caller_keys = std::move(keys);
    client.call_id = call.id;
    callee.call_id = call.id;
    send(id, Json{{"type", type::calling}, {"call_id", call.id}, {"peer", callee.name}});
    Json invite{{"type", type::invite}, {"call_id", call.id}, {"from", client.name}};
    if (call.caller_ice) invite["ice"] = to_json(*call.caller_ice);
    if (call.caller_keys) invite["keys"] = to_json(*call.caller_keys);
    send(callee_id, invite);
    status_changed(id, client);
    status_changed(callee_id, callee);
    outbox_.deadline(deadline);
    log::info("server", log::cat("call ", call.id, ": ", client.quoted_name, " invites ", callee.quoted_name));
}

void Registry::on_call_message(ClientId id, Client& client, const Json& message, const std::string& kind) {
    auto call_id = protocol::get_string(message, "call_id");
    if (!call_id) return send_error(id, ErrorCode::bad_request, log::cat(kind, " needs a string field \"call_id\"."));
    if (!client.registered()) return send_error(id, ErrorCode::not_registered, "Send hello first.");
    Call* call = calls_.find(*call_id);
    if (!call || (call->caller != id && call->callee != id))
        return send_error(id, ErrorCode::unknown_call, "You are not part of a call with that id.");

    if (kind == type::hangup) {
        EndReason reason = call->state == CallState::ringing ? EndReason::cancelled : EndReason::hangup;
        return end_call(*call, reason, client.name, 0);
    }
    if (call->callee != id || call->state != CallState::ringing)
        return send_error(id, ErrorCode::wrong_state,
                          "Only the invited user can accept or reject a call, and only while "
                          "it rings.");
    if (kind == type::reject) return end_call(*call, EndReason::rejected, client.name, 0);
    if (!read_ice(id, message, &call->callee_ice) || !read_keys(id, message, &call->callee_keys)) return;

    calls_.answer(call->id);
    const Client& caller = clients_.at(call->caller);
    auto started = [&](const Client& peer, const std::optional<protocol::IceDescription>& peer_ice,
                       const std::optional<protocol::KeyOffer>& peer_keys) {
        Json message{{"type", type::call_started},
                     {"call_id", call->id},
                     {"peer", peer.name},
                     {"media", {{"host", peer.host}, {"port", peer.media_port}}}};
        if (peer_ice) message["ice"] = to_json(*peer_ice);
        if (peer_keys) message["keys"] = to_json(*peer_keys);
        return message;
    };
    send(call->caller, started(client, call->callee_ice, call->callee_keys));
    send(id, started(caller, call->caller_ice, call->caller_keys));
    log::info("server", log::cat("call ", call->id, ": answered"));
}

bool Registry::read_ice(ClientId id, const Json& message, std::optional<protocol::IceDescription>* out) {
    out->reset();
    auto field = message.find("ice");
    if (field == message.end()) return true;
    std::string problem;
    *out = protocol::parse_ice(*field, &problem);
    if (!*out) {
        send_error(id, ErrorCode::bad_request, log::cat("Not an ICE description: ", problem, "."));
        return false;
    }
    return true;
}

// Protocol v3: a side's signed ephemeral key ("keys"), checked for shape only and relayed.
bool Registry::read_keys(ClientId id, const Json& message, std::optional<protocol::KeyOffer>* out) {
    out->reset();
    auto field = message.find("keys");
    if (field == message.end()) return true;
    std::string problem;
    *out = protocol::parse_key_offer(*field, &problem);
    if (!*out) send_error(id, ErrorCode::bad_request, log::cat("Not a key offer: ", problem, "."));
    return out->has_value();
}

// A trickled candidate goes to the call's other side, in order with the rest of the call's
// signalling; each side may trickle protocol::kMaxCandidates of them.
void Registry::on_candidate(ClientId id, Client& client, const Json& message) {
    auto call_id = protocol::get_string(message, "call_id");
    if (!call_id) return send_error(id, ErrorCode::bad_request, "candidate needs a string field \"call_id\".");
    if (!client.registered()) return send_error(id, ErrorCode::not_registered, "Send hello first.");
    Call* call = calls_.find(*call_id);
    if (!call || (call->caller != id && call->callee != id))
        return send_error(id, ErrorCode::unknown_call, "You are not part of a call with that id.");
    Json relayed{{"type", type::candidate}, {"call_id", call->id}};
    if (auto end = message.find("end_of_candidates"); end != message.end() && *end == true) {
        relayed["end_of_candidates"] = true;
    } else {
        auto candidate = protocol::get_string(message, "candidate");
        if (!candidate)
            return send_error(id, ErrorCode::bad_request,
                              "candidate needs a string field \"candidate\" or \"end_of_candidates\": true.");
        if (auto problem = protocol::candidate_problem(*candidate))
            return send_error(id, ErrorCode::bad_request, log::cat("Not a candidate: ", *problem, "."));
        std::size_t& trickled = call->caller == id ? call->caller_trickled : call->callee_trickled;
        if (trickled >= protocol::kMaxCandidates)
            return send_error(id, ErrorCode::bad_request,
                              log::cat("At most ", protocol::kMaxCandidates, " candidates may be trickled in a call."));
        ++trickled;
        relayed["candidate"] = *candidate;
    }
    send(call->caller == id ? call->callee : call->caller, relayed);
}

// An ICE restart goes to the call's other side with the sender's fresh description; the sender
// may trickle protocol::kMaxCandidates candidates again after it.
void Registry::on_restart(ClientId id, Client& client, const Json& message) {
    auto call_id = protocol::get_string(message, "call_id");
    if (!call_id) return send_error(id, ErrorCode::bad_request, "restart needs a string field \"call_id\".");
    if (!client.registered()) return send_error(id, ErrorCode::not_registered, "Send hello first.");
    Call* call = calls_.find(*call_id);
    if (!call || (call->caller != id && call->callee != id))
        return send_error(id, ErrorCode::unknown_call, "You are not part of a call with that id.");
    if (call->state != CallState::active)
        return send_error(id, ErrorCode::wrong_state, "An ICE restart belongs to an answered call.");
    const bool caller = call->caller == id;
    std::size_t& restarts = caller ? call->caller_restarts : call->callee_restarts;
    std::size_t& repeats = caller ? call->caller_repeats : call->callee_repeats;
    std::string& last_ufrag = caller ? call->caller_ufrag : call->callee_ufrag;
    std::optional<protocol::IceDescription> ice;
    if (!read_ice(id, message, &ice)) return;
    if (!ice) return send_error(id, ErrorCode::bad_request, "restart needs an \"ice\" description.");
    const bool repeat = ice->ufrag == last_ufrag;
    if ((repeat ? repeats : restarts) >= protocol::kMaxRestarts)
        return send_error(id, ErrorCode::bad_request,
                          log::cat("At most ", protocol::kMaxRestarts, " ICE restarts per side in a call",
                                   repeat ? ", and as many repeats of one." : "."));
    if (repeat) {
        ++repeats;
    } else {
        ++restarts;
        last_ufrag = ice->ufrag;
        (caller ? call->caller_trickled : call->callee_trickled) = 0;
    }
    send(caller ? call->callee : call->caller,
         Json{{"type", type::restart}, {"call_id", call->id}, {"ice", to_json(*ice)}});
}

void Registry::end_call(const Call& ended, EndReason reason, std::string_view by, ClientId gone) {
    Call call = ended;  // the table entry goes away below
    calls_.remove(call.id);
    Json message{{"type", type::call_ended}, {"call_id", call.id}, {"reason", to_string(reason)}, {"by", by}};
    SharedLine line = make_line(message);
    for (ClientId party : {call.caller, call.callee}) {
        auto it = clients_.find(party);
        if (it == clients_.end()) continue;
        it->second.call_id.clear();
        if (party == gone) continue;
        deliver(party, line);
    }
    for (ClientId party : {call.caller, call.callee}) {
        auto it = clients_.find(party);
        if (party != gone && it != clients_.end()) status_changed(party, it->second);
    }
    log::info("server", log::cat("call ", call.id, ": ended, ", to_string(reason), " by ", by));
}

void Registry::disconnected(ClientId id, std::string_view why, Clock::time_point now) {
    auto it = clients_.find(id);
    if (it == clients_.end() || it->second.lingering_until) return;
    Client& client = it->second;
    if (!client.registered() || !client.resumable || limits_.resume_grace <= Clock::duration::zero())
        return leave(id, why);
    const auto until = now + limits_.resume_grace;
    client.lingering_until = until;
    lingering_.emplace(until, id);
    outbox_.unsubscribe(id);
    outbox_.deadline(until);
    log::info("server",
              log::cat(client.quoted_name, " lost its connection (", why, "); held for ",
                       std::chrono::duration_cast<std::chrono::seconds>(limits_.resume_grace).count(), " s to resume"));
}

void Registry::leave(ClientId id, std::string_view why) {
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    Client& client = it->second;
    if (client.lingering_until) lingering_.erase({*client.lingering_until, id});
    if (!client.proxy_node.empty()) {
        if (const Call* call = client.busy() ? calls_.find(client.call_id) : nullptr)
            end_call(*call, EndReason::peer_left, client.name, id);
        proxies_.erase(protocol::name_key(client.name));
    } else if (client.registered()) {
        if (const Call* call = client.busy() ? calls_.find(client.call_id) : nullptr)
            end_call(*call, EndReason::peer_left, client.name, id);
        const std::string key = protocol::name_key(client.name);
        by_key_.erase(key);
        if (names_) names_->touch(key, unix_now());  // unused from now on
        outbox_.unsubscribe(id);
        if (watcher_) watcher_->left(client.name);
        publish(id, Json{{"type", type::user_left}, {"name", client.name}});
        log::info("server", log::cat(client.quoted_name, " left: ", why, " (", by_key_.size(), " users)"));
    }
    clients_.erase(it);
}

void Registry::expire_invites(Clock::time_point now) {
    for (const std::string& id : calls_.expired(now)) {
        const Call* call = calls_.find(id);
        if (!call) continue;
        std::string callee = clients_.at(call->callee).name;
        end_call(*call, EndReason::no_answer, callee, 0);
    }
}

void Registry::expire_lingering(Clock::time_point now) {
    while (!lingering_.empty() && lingering_.begin()->first <= now)
        leave(lingering_.begin()->second, "did not come back within the resume grace");
}

void Registry::expire(Clock::time_point now) {
    expire_invites(now);
    expire_lingering(now);
}

std::optional<Clock::time_point> Registry::next_deadline() const {
    auto next = calls_.next_deadline();
    if (!lingering_.empty() && (!next || lingering_.begin()->first < *next)) next = lingering_.begin()->first;
    return next;
}

std::optional<Registry::RelayPeer> Registry::relay_peer(std::string_view name) const {
    auto found = by_key_.find(protocol::name_key(name));
    if (found == by_key_.end()) return std::nullopt;
    const Client& client = clients_.at(found->second);
    // A call judged on the callee's node: the callee's address as that node saw it.
    if (!client.remote_callee.empty() && !client.remote_host.empty())
        return RelayPeer{client.remote_callee, client.remote_host};
    const Call* call = client.busy() ? calls_.find(client.call_id) : nullptr;
    if (!call) return std::nullopt;
    auto peer = clients_.find(call->caller == found->second ? call->callee : call->caller);
    if (peer == clients_.end()) return std::nullopt;
    return RelayPeer{peer->second.name, peer->second.host};
}

std::vector<std::string> Registry::expire_names(std::int64_t cutoff) {
    if (!names_) return {};
    return names_->expire(cutoff, [this](const std::string& key) { return by_key_.count(key) > 0; });
}

void Registry::clear() {
    lingering_.clear();
    remote_.clear();
    clients_.clear();
    by_key_.clear();
    calls_.clear();
}

}  // namespace sala::server
