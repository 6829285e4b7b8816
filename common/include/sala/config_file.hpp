#pragma once
// A program's flags kept in a JSON config file (--config FILE): each key is a flag's name
// without "--", e.g. {"port": 5000, "data-dir": "/var/lib/sala-server", "insecure-plaintext": false}.
// JSON because Debian keeps a good parser of it (nlohmann-json, which Sala already uses for its
// protocol); // and /* */ comments are allowed, so a shipped file can explain itself.

#include <string>
#include <variant>

#include "sala/cli_flags.hpp"

namespace sala {

// The flags in the JSON object in PATH, checked against PARSER: a flag that takes a value takes
// a string or a whole number, a switch true or false (false: as if absent). A file that cannot be
// read, is not a JSON object, has a key that is not one of PARSER's flags ("config" included) or a
// value of another type is a one-line error that names the file and the key.
std::variant<ParsedFlags, std::string> read_config_file(const FlagParser& parser, const std::string& path);

// FLAGS with, when they have --config FILE, the flags of FILE that the command line did not give
// (the command line wins); or read_config_file's error.
std::variant<ParsedFlags, std::string> with_config_file(const FlagParser& parser, ParsedFlags flags);

}  // namespace sala
