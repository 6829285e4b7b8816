#include "sala/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sala {

namespace {
// nlohmann's messages start with "[json.exception.parse_error.101] ": the rest says where and what.
std::string without_exception_id(const std::string& what) {
    auto close = what.find("] ");
    return what.rfind("[json.exception.", 0) == 0 && close != std::string::npos ? what.substr(close + 2) : what;
}
}  // namespace

std::variant<ParsedFlags, std::string> read_config_file(const FlagParser& parser, const std::string& path) {
    std::ifstream in(path);
    if (!in) return "cannot read the config file " + path + ": " + std::strerror(errno);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        return path + ": not valid JSON: " + without_exception_id(e.what());
    }
    if (!document.is_object())
        return path + ": must hold one JSON object, {\"flag-name\": value, ...}, not " + document.type_name();
    ParsedFlags flags;
    for (const auto& [key, value] : document.items()) {
        const auto takes_value = parser.takes_value(key);
        if (!takes_value || key == "config")
            return path + ": unknown key '" + key + "' (the keys are the flag names of --help without --, " +
                   "except config)";
        if (!*takes_value) {
            if (!value.is_boolean()) return path + ": '" + key + "' is a switch: true or false";
            if (value.get<bool>()) flags.set(key, "1");
        } else if (value.is_string()) {
            flags.set(key, value.get<std::string>());
        } else if (value.is_number_integer()) {
            flags.set(key, value.dump());
        } else {
            return path + ": '" + key + "' takes a string or a whole number, as --" + key + " does";
        }
    }
    return flags;
}

std::variant<ParsedFlags, std::string> with_config_file(const FlagParser& parser, ParsedFlags flags) {
    if (!flags.has("config")) return flags;
    auto file = read_config_file(parser, flags.get("config"));
    if (auto* error = std::get_if<std::string>(&file)) return *error;
    for (const auto& [name, value] : std::get<ParsedFlags>(file).values())
        if (!flags.has(name)) flags.set(name, value);
    return flags;
}

}  // namespace sala
