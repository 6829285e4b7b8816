// The window's pure logic: which controls are enabled in which state, how figures read, the
// statistics history and the settings file.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sala/gui/control_rules.hpp"
#include "sala/gui/format.hpp"
#include "sala/gui/settings.hpp"
#include "sala/gui/stats_history.hpp"

namespace {

using sala::client::CallState;
using sala::client::ConnectionState;
using sala::client::Snapshot;
using sala::client::UserEntry;
using namespace sala::gui;

Snapshot registered(std::vector<UserEntry> users = {{"bob", false}, {"carol", true}}) {
    Snapshot s;
    s.connection = ConnectionState::registered;
    s.name = "alice";
    s.server = "localhost:5000";
    s.users = std::make_shared<const std::vector<UserEntry>>(std::move(users));
    return s;
}

UiFacts typed(std::string selected = "") { return {"alice", "localhost:5000", std::move(selected)}; }

TEST(GuiControlRules, DisconnectedAllowsRegisteringOnlyWithAValidNameAndServer) {
    Snapshot s;
    auto r = control_rules(s, typed());
    EXPECT_TRUE(r.edit_identity);
    EXPECT_TRUE(r.register_);
    EXPECT_FALSE(r.disconnect);
    EXPECT_FALSE(r.call);
    EXPECT_FALSE(r.hang_up);
    EXPECT_FALSE(r.mute);
    EXPECT_FALSE(r.answer);
    EXPECT_TRUE(r.mic_test);
    EXPECT_TRUE(r.choose_devices);

    EXPECT_FALSE(control_rules(s, {"", "localhost:5000", ""}).register_);
    EXPECT_FALSE(control_rules(s, {" alice", "localhost:5000", ""}).register_);
    EXPECT_FALSE(control_rules(s, {"alice", "", ""}).register_);
    EXPECT_FALSE(control_rules(s, {"alice", "localhost:notaport", ""}).register_);
    EXPECT_TRUE(control_rules(s, {"alice", "localhost", ""}).register_);
}

TEST(GuiControlRules, ConnectingAndReconnectingOfferOnlyDisconnect) {
    for (auto state : {ConnectionState::connecting, ConnectionState::reconnecting}) {
        Snapshot s;
        s.connection = state;
        auto r = control_rules(s, typed("bob"));
        EXPECT_FALSE(r.edit_identity);
        EXPECT_FALSE(r.register_);
        EXPECT_TRUE(r.disconnect);
        EXPECT_FALSE(r.call);
    }
}

TEST(GuiControlRules, CallNeedsASelectedAvailableOtherUser) {
    auto s = registered();
    EXPECT_TRUE(control_rules(s, typed("bob")).call);
    EXPECT_FALSE(control_rules(s, typed("")).call);
    EXPECT_FALSE(control_rules(s, typed("carol")).call);  // busy
    EXPECT_FALSE(control_rules(s, typed("dave")).call);   // not online
    EXPECT_FALSE(control_rules(s, typed("alice")).call);  // ourselves
    auto with_self = registered({{"Alice", false}});
    EXPECT_FALSE(can_call(with_self, "Alice"));  // names are unique without ASCII case
    auto r = control_rules(s, typed("bob"));
    EXPECT_FALSE(r.edit_identity);
    EXPECT_FALSE(r.register_);
    EXPECT_TRUE(r.disconnect);
}

TEST(GuiControlRules, EachCallStateEnablesItsOwnControls) {
    auto s = registered();
    s.call = CallState::calling;
    s.peer = "bob";
    auto r = control_rules(s, typed("bob"));
    EXPECT_FALSE(r.call);
    EXPECT_TRUE(r.cancel_call);
    EXPECT_FALSE(r.answer);
    EXPECT_FALSE(r.hang_up);
    EXPECT_FALSE(r.mic_test);

    s.call = CallState::ringing;
    r = control_rules(s, typed("bob"));
    EXPECT_FALSE(r.call);
    EXPECT_FALSE(r.cancel_call);
    EXPECT_TRUE(r.answer);
    EXPECT_FALSE(r.hang_up);
    EXPECT_FALSE(r.mute);

    s.call = CallState::in_call;
    r = control_rules(s, typed("bob"));
    EXPECT_FALSE(r.call);
    EXPECT_FALSE(r.answer);
    EXPECT_TRUE(r.hang_up);
    EXPECT_TRUE(r.mute);
    EXPECT_TRUE(r.choose_devices);
    EXPECT_FALSE(r.mic_test);
}

TEST(GuiControlRules, ACallGoesOnWhileReconnectingButNoNewCallStarts) {
    auto s = registered();
    s.connection = ConnectionState::reconnecting;
    s.call = CallState::in_call;
    auto r = control_rules(s, typed("bob"));
    EXPECT_TRUE(r.hang_up);
    EXPECT_TRUE(r.mute);
    EXPECT_FALSE(r.call);
}

TEST(GuiFormat, Durations) {
    using std::chrono::seconds;
    EXPECT_EQ(format_duration(seconds(0)), "0:00");
    EXPECT_EQ(format_duration(seconds(7)), "0:07");
    EXPECT_EQ(format_duration(seconds(754)), "12:34");
    EXPECT_EQ(format_duration(seconds(3723)), "1:02:03");
    EXPECT_EQ(format_duration(seconds(-5)), "0:00");
}

TEST(GuiFormat, MeterLevelsAndBands) {
    EXPECT_EQ(format_dbfs(-12.34f), "-12.3 dB");
    EXPECT_EQ(format_dbfs(0.0f), "0.0 dB");
    EXPECT_EQ(format_dbfs(-90.0f), "silence");
    EXPECT_EQ(meter_zone(-40.0f), MeterZone::green);
    EXPECT_EQ(meter_zone(-12.1f), MeterZone::green);
    EXPECT_EQ(meter_zone(-12.0f), MeterZone::yellow);
    EXPECT_EQ(meter_zone(-3.1f), MeterZone::yellow);
    EXPECT_EQ(meter_zone(-3.0f), MeterZone::red);
    EXPECT_EQ(meter_zone(0.0f), MeterZone::red);
}

TEST(GuiFormat, TheMicMeterShowsWhatTheVolumeSends) {
    const sala::client::MeterReading level{-20.0f, -10.0f, -6.0f};
    EXPECT_EQ(after_volume(level, 1.0f).rms_dbfs, -20.0f);
    EXPECT_NEAR(after_volume(level, 0.5f).rms_dbfs, -26.02f, 0.01f);
    EXPECT_NEAR(after_volume(level, 2.0f).hold_dbfs, 0.0f, 0.03f);  // held at full scale
    EXPECT_EQ(after_volume(level, 0.0f).peak_dbfs, -90.0f);         // silence
}

TEST(GuiFormat, CallFigures) {
    EXPECT_EQ(format_kbps(24.56), "24.6 kb/s");
    EXPECT_EQ(format_percent(2.54), "2.5 %");
    EXPECT_EQ(format_ms(0.14), "0.1 ms");
    EXPECT_EQ(format_ms(47.4), "47 ms");
    EXPECT_EQ(format_rtt(-1.0), "not measured yet");
    EXPECT_EQ(format_rtt(23.0), "23 ms");
    EXPECT_EQ(format_media_path("direct"), "Direct");
    EXPECT_EQ(format_media_path("relayed"), "Relayed via the server");
    EXPECT_EQ(format_media_path("relayed-tcp"), "Relayed via the server over TCP");
    EXPECT_EQ(format_media_path("connecting"), "Finding a path");
}

TEST(GuiFormat, LogLinesCarryTheLocalTime) {
    setenv("TZ", "UTC", 1);
    tzset();
    sala::client::LogEntry entry{std::chrono::system_clock::from_time_t(3600 * 14 + 60 * 3 + 27),
                                 sala::client::LogLevel::info, "bob joined"};
    EXPECT_EQ(format_log_line(entry), "14:03:27  bob joined");
    EXPECT_EQ(format_log({entry, entry}), "14:03:27  bob joined\n14:03:27  bob joined\n");
}

TEST(GuiFormat, ConnectionWordsAndErrorPlaces) {
    Snapshot s;
    EXPECT_EQ(connection_words(s), "Not connected");
    s = registered();
    EXPECT_EQ(connection_words(s), "Registered as alice on localhost:5000");
    EXPECT_EQ(error_field("name_taken"), ErrorField::name);
    EXPECT_EQ(error_field("invalid_name"), ErrorField::name);
    EXPECT_EQ(error_field("server_unreachable"), ErrorField::server);
    EXPECT_EQ(error_field("server_full"), ErrorField::server);
}

TEST(GuiFormat, FilterIsACaseInsensitiveSubstring) {
    EXPECT_TRUE(name_matches_filter("Bob", ""));
    EXPECT_TRUE(name_matches_filter("Bob", "bo"));
    EXPECT_TRUE(name_matches_filter("bob", "OB"));
    EXPECT_FALSE(name_matches_filter("bob", "carol"));
    EXPECT_TRUE(name_matches_filter("Zoë", "zo"));
}

TEST(GuiStatsHistory, OnePointPerSecondAndAFreshStartPerCall) {
    auto s = registered();
    s.call = CallState::in_call;
    s.call_id = "c1";
    s.call_started_at = std::chrono::steady_clock::now() - std::chrono::seconds(3);
    s.stats.loss_percent = 2.0;
    s.stats.jitter_buffer_ms = 60;
    StatsHistory history(3);
    history.update(s);
    history.update(s);  // same second: no new point
    ASSERT_EQ(history.loss_percent().size(), 1u);
    EXPECT_FLOAT_EQ(history.loss_percent()[0], 2.0f);
    EXPECT_FLOAT_EQ(history.max_delay_ms(), 60.0f);
    for (int i = 4; i < 9; ++i) {
        s.call_started_at -= std::chrono::seconds(1);
        s.stats.jitter_buffer_ms = i * 10;
        history.update(s);
    }
    ASSERT_EQ(history.delay_ms().size(), 3u);  // bounded
    EXPECT_FLOAT_EQ(history.delay_ms().back(), 80.0f);
    s.call_id = "c2";
    history.update(s);
    EXPECT_EQ(history.delay_ms().size(), 1u);
    s.call = CallState::idle;
    history.update(s);
    EXPECT_EQ(history.delay_ms().size(), 1u);  // kept after the call, for a last look
}

TEST(GuiSettings, RoundTripAndDefaults) {
    auto dir = std::filesystem::temp_directory_path() / ("sala-gui-settings-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Settings defaults = load_settings(dir);
    EXPECT_EQ(defaults.name, "");
    EXPECT_EQ(defaults.server, "localhost:5000");
    EXPECT_EQ(defaults.audio_in, "device");

    EXPECT_TRUE(defaults.echo_cancel && defaults.noise_suppress && defaults.gain_control);

    Settings saved{"Zoë", "example.org:6000", "device:USB mic", "device:Speakers"};
    saved.echo_cancel = false;
    saved.noise_suppress = true;
    saved.gain_control = false;
    std::string error;
    ASSERT_TRUE(save_settings(dir / "nested", saved, &error)) << error;
    Settings loaded = load_settings(dir / "nested");
    EXPECT_EQ(loaded.name, saved.name);
    EXPECT_EQ(loaded.server, saved.server);
    EXPECT_EQ(loaded.audio_in, saved.audio_in);
    EXPECT_EQ(loaded.audio_out, saved.audio_out);
    EXPECT_FALSE(loaded.echo_cancel);
    EXPECT_TRUE(loaded.noise_suppress);
    EXPECT_FALSE(loaded.gain_control);
    // Off is off; on follows the input (processed for a sound card, untouched for a file).
    const auto voice = voice_options(loaded);
    EXPECT_EQ(voice.echo_cancel, std::optional<bool>(false));
    EXPECT_EQ(voice.noise_suppress, std::nullopt);
    EXPECT_EQ(voice.gain_control, std::optional<bool>(false));

    // A newline cannot break the file; unknown lines are ignored.
    saved.name = "eve\nserver=evil:1";
    ASSERT_TRUE(save_settings(dir, saved, &error));
    { std::ofstream(dir / "settings.conf", std::ios::app) << "garbage\ncolour=blue\n"; }
    loaded = load_settings(dir);
    EXPECT_EQ(loaded.name, "eve");
    EXPECT_EQ(loaded.server, "example.org:6000");
    std::filesystem::remove_all(dir);
}

TEST(GuiSettings, ConfigDirFollowsXdgThenHome) {
    setenv("XDG_CONFIG_HOME", "/tmp/xdg", 1);
    EXPECT_EQ(default_config_dir(), std::filesystem::path("/tmp/xdg/sala"));
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/someone", 1);
    EXPECT_EQ(default_config_dir(), std::filesystem::path("/home/someone/.config/sala"));
}

}  // namespace
