#pragma once
// How the window writes durations, levels and call figures: plain words and short numbers.

#include <chrono>
#include <string>

#include "sala/client/snapshot.hpp"

namespace sala::gui {

// "0:07", "12:34", "1:02:03"; negative durations read as 0:00.
std::string format_duration(std::chrono::seconds duration);
// "-12.3 dB"; at or below the meter floor (-90 dBFS) "silence".
std::string format_dbfs(float dbfs);

// The colour band of a level meter at a level.
enum class MeterZone { green, yellow, red };
inline constexpr float kMeterYellowDbfs = -12.0f;  // loud but safe from here
inline constexpr float kMeterRedDbfs = -3.0f;      // close to clipping from here
MeterZone meter_zone(float dbfs);
// A level after a volume (0-2): what is sent when the microphone's level is scaled by it (at
// most full scale; silence at 0).
client::MeterReading after_volume(const client::MeterReading& level, float volume);

// "24.6 kb/s", "2.5 %", "12 ms", "not measured yet" for an unknown round-trip time.
std::string format_kbps(double kbps);
std::string format_percent(double percent);
std::string format_ms(double ms);
std::string format_rtt(double rtt_ms);
// How the call's audio travels, for the call panel: "Direct", "Relayed via the server", ...
std::string format_media_path(const std::string& media_path);

// Local wall-clock time "14:03:27" and a log line "14:03:27  text".
std::string format_clock(std::chrono::system_clock::time_point time);
std::string format_log_line(const client::LogEntry& entry);
// Every log line, one per line, for the clipboard.
std::string format_log(const std::vector<client::LogEntry>& log);

// Connection state in words, e.g. "Registered as alice on localhost:5000".
std::string connection_words(const client::Snapshot& snapshot);

// Which field a registration error belongs next to, from the error's code ("name_taken",
// "invalid_name": the name; "server_unreachable", "server_full", ...: the server).
enum class ErrorField { name, server };
ErrorField error_field(const std::string& code);

// Whether a user name matches what was typed in the filter box (ASCII case-insensitive
// substring; an empty filter matches everyone).
bool name_matches_filter(const std::string& name, const std::string& filter);

}  // namespace sala::gui
