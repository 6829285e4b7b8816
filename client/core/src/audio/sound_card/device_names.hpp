#pragma once
// How a sound device is named by the user: matching ("device:NAME" picks the device whose
// name contains NAME, ignoring case), shared by the RtAudio and libpulse streams.

#include <algorithm>
#include <cctype>
#include <string>

namespace sala::client {

inline bool contains_ignoring_case(const std::string& haystack, const std::string& needle) {
    auto lower = [](unsigned char c) { return std::tolower(c); };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

// Sets *error (when given) to text; false, for `return set_device_error(...)`.
inline bool set_device_error(std::string* error, const std::string& text) {
    if (error) *error = text;
    return false;
}

}  // namespace sala::client
