#include "sala/cli_flags.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace sala {

std::string ParsedFlags::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

FlagParser::FlagParser(std::string program, std::string synopsis, std::string summary)
    : program_(std::move(program)), synopsis_(std::move(synopsis)), summary_(std::move(summary)) {}

FlagParser& FlagParser::flag(std::string name, std::string help) {
    specs_.push_back({std::move(name), "", std::move(help)});
    return *this;
}

FlagParser& FlagParser::option(std::string name, std::string value_name, std::string help) {
    specs_.push_back({std::move(name), std::move(value_name), std::move(help)});
    return *this;
}

const FlagParser::Spec* FlagParser::find(const std::string& name) const {
    for (const auto& spec : specs_)
        if (spec.name == name) return &spec;
    return nullptr;
}

std::optional<bool> FlagParser::takes_value(const std::string& name) const {
    const Spec* spec = find(name);
    if (!spec) return std::nullopt;
    return !spec->value_name.empty();
}

std::string FlagParser::usage() const {
    std::ostringstream out;
    out << "Usage: " << program_ << " " << synopsis_ << "\n" << summary_ << "\n\nOptions:\n";
    auto line = [&](const std::string& left, const std::string& help) {
        out << "  " << left;
        if (left.size() < 28)
            out << std::string(28 - left.size(), ' ');
        else
            out << "\n  " << std::string(28, ' ');
        out << help << "\n";
    };
    for (const auto& spec : specs_)
        line("--" + spec.name + (spec.value_name.empty() ? "" : " " + spec.value_name), spec.help);
    line("--help", "show this help and exit");
    line("--version", "show the version and exit");
    return out.str();
}

FlagParser::Outcome FlagParser::parse(int argc, const char* const* argv) const {
    ParsedFlags flags;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") return Help{};
        if (arg == "--version") return Version{};
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) return "unexpected argument '" + arg + "' (try --help)";
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const Spec* spec = find(name);
        if (!spec) return "unknown flag '--" + name + "' (try --help)";
        if (spec->value_name.empty()) {
            if (inline_value) return "flag '--" + name + "' takes no value";
            flags.set(name, "1");
            continue;
        }
        if (inline_value) {
            flags.set(name, *inline_value);
        } else if (i + 1 < argc) {
            flags.set(name, argv[++i]);
        } else {
            return "flag '--" + name + "' needs a value " + spec->value_name;
        }
    }
    return flags;
}

ParsedFlags FlagParser::parse_or_exit(int argc, const char* const* argv) const {
    auto outcome = parse(argc, argv);
    if (std::holds_alternative<Help>(outcome)) {
        std::cout << usage();
        std::exit(0);
    }
    if (std::holds_alternative<Version>(outcome)) {
        std::cout << program_ << " " << SALA_VERSION << "\n";
        std::exit(0);
    }
    if (auto* error = std::get_if<std::string>(&outcome)) {
        std::cerr << program_ << ": " << *error << "\n";
        std::exit(2);
    }
    return std::get<ParsedFlags>(outcome);
}

std::optional<long long> parse_integer(const std::string& text, long long lo, long long hi) {
    long long value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < lo || value > hi) return std::nullopt;
    return value;
}

}  // namespace sala
