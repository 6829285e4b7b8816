#include "cli_options.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "sala/cli_flags.hpp"
#include "sala/client/audio_devices.hpp"
#include "sala/protocol.hpp"
#include "sala/tls_fingerprint.hpp"

namespace sala::cli {
namespace {

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "sala-cli: " << message << "\n";
    std::exit(2);
}

client::Impairment parse_impairment(const std::string& text) {
    client::Impairment impair;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        auto eq = item.find('=');
        std::string key = item.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (key == "loss") {
            auto pct = parse_integer(value, 0, 100);
            if (!pct) fail("--impair loss takes a percentage 0 to 100, not '" + value + "'");
            impair.loss_percent = static_cast<double>(*pct);
        } else if (key == "jitter") {
            auto ms = parse_integer(value, 0, 1000);
            if (!ms) fail("--impair jitter takes milliseconds 0 to 1000, not '" + value + "'");
            impair.jitter_ms = static_cast<int>(*ms);
        } else {
            fail("--impair takes loss=PCT,jitter=MS, not '" + item + "'");
        }
    }
    return impair;
}

// --config-dir, else $XDG_CONFIG_HOME/sala, else ~/.config/sala.
std::string config_dir(const ParsedFlags& flags) {
    if (flags.has("config-dir")) return flags.get("config-dir");
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/sala";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/sala";
    fail("no config directory: set HOME or give --config-dir DIR");
}

}  // namespace

CliOptions parse_cli_options(int argc, char** argv) {
    auto flags =
        FlagParser(
            "sala-cli", "--server HOST[:PORT] --name NAME [options]",
            "The Sala client without a window, for scripts, bots and tests.\n"
            "Commands on stdin: users, call NAME, accept, reject, hangup, mute, unmute, audio IN [OUT], stats, quit.")
            .option("server", "HOST[:PORT][,HOST[:PORT]...]",
                    "directory server (port " + std::to_string(protocol::kDefaultPort) +
                        " unless given); several: nodes of one cluster, one picked, the next on failure")
            .option("name", "NAME", "the name to register")
            .option("call", "PEER", "call PEER once registered")
            .option("answer", "accept|reject|ignore", "what to do with incoming invites (default ignore: ask on stdin)")
            .option("audio-in", "SPEC",
                    "what is sent: a WAV file, tone:HZ, silence, device or device:NAME (default device)")
            .option("audio-out", "SPEC", "what is heard: a WAV file, null, device or device:NAME (default device)")
            .option("duration", "SECONDS", "hang up after this long in a call")
            .option("calls", "N", "exit after N calls have ended (default 1 with --call)")
            .flag("echo", "answer every call and send back what is heard (a sound test)")
            .option("frame-ms", "10|20", "Opus frame length (default 20)")
            .option("bitrate", "BPS", "Opus bitrate in bit/s (default 20000: about 36 kb/s on the wire)")
            .option("complexity", "N", "Opus encoder complexity 0-10: CPU against quality (default 5)")
            .option("echo-cancel", "on|off",
                    "cancel the speaker's echo in the microphone (default on for a sound card, off otherwise)")
            .option("noise-suppress", "on|off", "suppress the microphone's steady noise (default as --echo-cancel)")
            .option("agc", "on|off", "bring the microphone's speech to a steady level (default as --echo-cancel)")
            .option("impair", "loss=PCT,jitter=MS", "damage the receive path on purpose (tests, benchmarks)")
            .option("ice", "on|off|relay",
                    "find the media path with ICE (default on); off: only the address the server saw (protocol v1); "
                    "relay: offer only relayed candidates")
            .option("config-dir", "DIR",
                    "where the identity key and the peers' keys are kept (default $XDG_CONFIG_HOME/sala or "
                    "~/.config/sala)")
            .option("srtp", "SUITE",
                    "the SRTP suite asked for when calling: AES_CM_128_HMAC_SHA1_80 (default) or AEAD_AES_128_GCM; "
                    "off offers no keys (NOT private; implies --allow-unencrypted)")
            .flag("allow-unencrypted",
                  "let a call with a peer that cannot encrypt go on in the clear (NOT private; a warning says so)")
            .option("trust-server", "SHA256:...",
                    "trust the server's TLS certificate with this fingerprint, and pin it (after it changed)")
            .flag("insecure-plaintext", "talk to the server without TLS (a server started with --insecure-plaintext)")
            .flag("json", "print every event as one JSON line")
            .flag("list-devices", "list the audio devices and exit")
            .flag("history", "print the call history kept in the config directory and exit (JSON lines with --json)")
            .parse_or_exit(argc, argv);

    CliOptions o;
    o.engine.meter_interval = std::chrono::milliseconds(1000);  // nothing draws meters: stats once a second
    o.list_devices = flags.has("list-devices");
    o.json = flags.has("json");
    o.history = flags.has("history");
    if (o.list_devices) return o;
    o.engine.config_dir = config_dir(flags);
    if (o.history) return o;
    if (!flags.has("server")) fail("--server HOST[:PORT] is required (try --help)");
    if (!flags.has("name")) fail("--name NAME is required (try --help)");
    std::string error;
    std::vector<client::ServerAddress> servers;
    if (!client::parse_server_list(flags.get("server"), servers, &error)) fail(error);
    o.server = servers.front();
    o.more_servers.assign(servers.begin() + 1, servers.end());
    o.name = flags.get("name");
    if (flags.has("call")) o.call = flags.get("call");
    if (flags.has("answer")) {
        auto a = flags.get("answer");
        if (a == "accept")
            o.answer = Answer::accept;
        else if (a == "reject")
            o.answer = Answer::reject;
        else if (a == "ignore")
            o.answer = Answer::ignore;
        else
            fail("--answer takes accept, reject or ignore, not '" + a + "'");
    }
    o.engine.media.echo = flags.has("echo");
    if (o.engine.media.echo) o.answer = Answer::accept;
    o.engine.audio_in = flags.get("audio-in", "device");
    o.engine.audio_out = flags.get("audio-out", "device");
    if (flags.has("duration")) {
        char* end = nullptr;
        std::string text = flags.get("duration");
        double seconds = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(seconds > 0) || seconds > 86400)
            fail("--duration takes seconds (more than 0, at most 86400), not '" + text + "'");
        o.duration_s = seconds;
    }
    if (flags.has("calls")) {
        auto n = parse_integer(flags.get("calls"), 1, 1000000);
        if (!n) fail("--calls takes a whole number from 1, not '" + flags.get("calls") + "'");
        o.calls = *n;
    } else if (o.call) {
        o.calls = 1;
    }
    if (flags.has("frame-ms")) {
        auto ms = parse_integer(flags.get("frame-ms"), 10, 20);
        if (!ms || (*ms != 10 && *ms != 20)) fail("--frame-ms takes 10 or 20, not '" + flags.get("frame-ms") + "'");
        o.engine.media.frame_ms = static_cast<int>(*ms);
    }
    if (flags.has("bitrate")) {
        auto bps = parse_integer(flags.get("bitrate"), 6000, 510000);
        if (!bps) fail("--bitrate takes 6000 to 510000 bit/s, not '" + flags.get("bitrate") + "'");
        o.engine.media.bitrate_bps = static_cast<int>(*bps);
    }
    if (flags.has("complexity")) {
        auto n = parse_integer(flags.get("complexity"), 0, 10);
        if (!n) fail("--complexity takes 0 to 10, not '" + flags.get("complexity") + "'");
        o.engine.media.complexity = static_cast<int>(*n);
    }
    auto on_off = [&](const char* flag, std::optional<bool>& to) {
        if (!flags.has(flag)) return;
        const std::string value = flags.get(flag);
        if (value != "on" && value != "off") fail(std::string("--") + flag + " takes on or off, not '" + value + "'");
        to = value == "on";
    };
    on_off("echo-cancel", o.engine.media.voice.echo_cancel);
    on_off("noise-suppress", o.engine.media.voice.noise_suppress);
    on_off("agc", o.engine.media.voice.gain_control);
    if (flags.has("impair")) o.engine.media.impair = parse_impairment(flags.get("impair"));
    if (flags.has("ice")) {
        const std::string ice = flags.get("ice");
        if (ice != "on" && ice != "off" && ice != "relay") fail("--ice takes on, off or relay, not '" + ice + "'");
        o.engine.ice = ice != "off";
        o.engine.relay_only = ice == "relay";
    }
    o.engine.srtp_suite = flags.get("srtp", o.engine.srtp_suite);
    if (o.engine.srtp_suite != "AES_CM_128_HMAC_SHA1_80" && o.engine.srtp_suite != "AEAD_AES_128_GCM" &&
        o.engine.srtp_suite != "off")
        fail("--srtp takes AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM or off, not '" + o.engine.srtp_suite + "'");
    o.engine.allow_unencrypted = flags.has("allow-unencrypted");
    o.engine.insecure_plaintext = flags.has("insecure-plaintext");
    o.engine.trust_server = flags.get("trust-server", "");
    if (flags.has("trust-server") && !is_tls_fingerprint(o.engine.trust_server))
        fail(
            "--trust-server takes a fingerprint as the server logs it and sala-cli prints it, SHA256: and 43 "
            "characters, not '" +
            o.engine.trust_server + "'");
    // Check the audio specs now, so a bad file is reported before any call.
    if (!o.engine.media.echo && !client::check_audio_input(o.engine.audio_in, &error)) fail("--audio-in: " + error);
    if (!client::check_audio_output(o.engine.audio_out, &error)) fail("--audio-out: " + error);
    return o;
}

}  // namespace sala::cli
