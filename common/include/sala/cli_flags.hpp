#pragma once
// Command-line flags shared by every Sala program: --help, --version, clear errors.

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sala {

// The flags a program accepted; only the ones given on the command line are present.
class ParsedFlags {
public:
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
    const std::map<std::string, std::string>& values() const { return values_; }

private:
    std::map<std::string, std::string> values_;
};

// Declares a program's flags, prints its usage, and parses argv.
class FlagParser {
public:
    FlagParser(std::string program, std::string synopsis, std::string summary);

    // A switch without a value, e.g. --json.
    FlagParser& flag(std::string name, std::string help);
    // An option with a value, e.g. --port N; accepts "--port N" and "--port=N".
    FlagParser& option(std::string name, std::string value_name, std::string help);

    std::string usage() const;
    // Whether the flag NAME takes a value (an option) or not (a switch); nullopt if there is no such flag.
    std::optional<bool> takes_value(const std::string& name) const;

    struct Help {};
    struct Version {};
    using Outcome = std::variant<ParsedFlags, Help, Version, std::string /*error*/>;
    Outcome parse(int argc, const char* const* argv) const;

    // For main(): prints usage or version and exits 0, or prints a one-line error and
    // exits 2; otherwise returns the flags.
    ParsedFlags parse_or_exit(int argc, const char* const* argv) const;

private:
    struct Spec {
        std::string name;
        std::string value_name;  // empty for a switch
        std::string help;
    };
    const Spec* find(const std::string& name) const;

    std::string program_;
    std::string synopsis_;
    std::string summary_;
    std::vector<Spec> specs_;
};

// Parses a whole decimal number in [lo, hi]; nullopt for anything else.
std::optional<long long> parse_integer(const std::string& text, long long lo, long long hi);

}  // namespace sala
