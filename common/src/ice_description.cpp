#include "sala/ice_description.hpp"

#include <algorithm>
#include <cctype>

namespace sala::protocol {
namespace {

// ALPHA / DIGIT / "+" / "/" (RFC 8445 section 5.3, ice-char).
bool is_ice_chars(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '/'; });
}

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size() && out.size() < 32) {
        while (i < line.size() && line[i] == ' ') ++i;
        std::size_t j = line.find(' ', i);
        if (j == std::string_view::npos) j = line.size();
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

bool is_number(std::string_view text, std::size_t max_digits) {
    return !text.empty() && text.size() <= max_digits &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::optional<std::string> credential_problem(const nlohmann::json& value, const char* field, std::size_t min) {
    auto it = value.find(field);
    if (it == value.end() || !it->is_string())
        return std::string("an ICE description needs a string \"") + field + "\"";
    const auto& text = it->get_ref<const std::string&>();
    if (text.size() < min || text.size() > kMaxIceCredentialChars || !is_ice_chars(text))
        return std::string("\"") + field + "\" must be " + std::to_string(min) + " to " +
               std::to_string(kMaxIceCredentialChars) + " letters, digits, '+' or '/'";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> candidate_problem(std::string_view candidate) {
    if (candidate.size() > kMaxCandidateChars)
        return "a candidate is at most " + std::to_string(kMaxCandidateChars) + " characters";
    constexpr std::string_view prefix = "candidate:";
    if (candidate.substr(0, prefix.size()) != prefix) return std::string("a candidate starts with \"candidate:\"");
    for (unsigned char c : candidate)
        if (c < 0x20 || c > 0x7e) return std::string("a candidate is printable ASCII");
    candidate.remove_prefix(prefix.size());
    const auto f = fields(candidate);
    if (f.size() < 8 || f[6] != "typ")
        return std::string(
            "a candidate needs foundation, component, transport, "
            "priority, address, port, \"typ\" and a type");
    if (!is_number(f[1], 3) || !is_number(f[3], 10) || !is_number(f[5], 5) || std::stoul(std::string(f[5])) > 65535)
        return std::string("a candidate's component, priority and port are numbers");
    return std::nullopt;
}

std::optional<std::string> candidate_address(std::string_view candidate) {
    if (candidate_problem(candidate)) return std::nullopt;
    candidate.remove_prefix(std::string_view("candidate:").size());
    return std::string(fields(candidate)[4]);
}

std::optional<IceDescription> parse_ice(const nlohmann::json& value, std::string* problem) {
    auto fail = [&](std::string why) -> std::optional<IceDescription> {
        if (problem) *problem = std::move(why);
        return std::nullopt;
    };
    if (!value.is_object()) return fail("\"ice\" must be an object");
    if (auto p = credential_problem(value, "ufrag", 4)) return fail(*p);
    if (auto p = credential_problem(value, "pwd", 22)) return fail(*p);
    IceDescription ice{value["ufrag"].get<std::string>(), value["pwd"].get<std::string>(), {}};
    auto list = value.find("candidates");
    if (list == value.end()) return ice;
    if (!list->is_array()) return fail("\"candidates\" must be an array of strings");
    if (list->size() > kMaxCandidates) return fail("at most " + std::to_string(kMaxCandidates) + " candidates");
    for (const auto& c : *list) {
        if (!c.is_string()) return fail("\"candidates\" must be an array of strings");
        if (auto p = candidate_problem(c.get_ref<const std::string&>())) return fail(*p);
        ice.candidates.push_back(c.get<std::string>());
    }
    return ice;
}

nlohmann::json to_json(const IceDescription& ice) {
    return nlohmann::json{{"ufrag", ice.ufrag}, {"pwd", ice.pwd}, {"candidates", ice.candidates}};
}

}  // namespace sala::protocol
