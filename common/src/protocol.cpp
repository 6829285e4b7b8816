#include "sala/protocol.hpp"

#include <locale.h>
#include <clocale>
#include <cwctype>

namespace sala::protocol {
namespace {

// Decodes one UTF-8 code point at text[i]; advances i. nullopt for invalid or overlong forms.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char b0 = byte(i);
    int extra = b0 < 0x80 ? 0 : (b0 >> 5) == 0x6 ? 1 : (b0 >> 4) == 0xE ? 2 : (b0 >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) return std::nullopt;
    char32_t cp = extra == 0 ? b0 : extra == 1 ? (b0 & 0x1F) : extra == 2 ? (b0 & 0x0F) : (b0 & 0x07);
    for (int k = 1; k <= extra; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

// glibc's C.UTF-8 locale classifies every Unicode letter and digit.
locale_t unicode_locale() {
    static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return loc;
}

bool is_name_char(char32_t cp) {
    if (cp == ' ' || cp == '_' || cp == '-' || cp == '.') return true;
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    locale_t loc = unicode_locale();
    return loc && iswalnum_l(static_cast<wint_t>(cp), loc);
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "A name cannot be empty.";
    std::size_t chars = 0;
    for (std::size_t i = 0; i < name.size();) {
        auto cp = next_code_point(name, i);
        if (!cp) return "A name must be valid UTF-8 text.";
        if (!is_name_char(*cp)) return "A name may hold only letters, digits, spaces and the characters _ - .";
        ++chars;
    }
    if (chars > kMaxNameChars) return "A name can be at most 32 characters long.";
    if (name.front() == ' ' || name.back() == ' ') return "A name cannot start or end with a space.";
    return std::nullopt;
}

std::string name_key(std::string_view name) {
    std::string key(name);
    for (char& c : key)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return key;
}

std::variant<Json, LineError> parse_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded())
        return LineError{ErrorCode::bad_request, "The message is not valid JSON (or not valid UTF-8)."};
    if (!message.is_object()) return LineError{ErrorCode::bad_request, "A message must be a JSON object."};
    auto it = message.find("type");
    if (it == message.end() || !it->is_string())
        return LineError{ErrorCode::bad_request, "A message needs a string field \"type\"."};
    return message;
}

std::string to_line(const Json& message) {
    std::string line = message.dump(-1, ' ', false, Json::error_handler_t::replace);
    line.push_back('\n');
    return line;
}

std::optional<std::string> get_string(const Json& message, const char* field) {
    auto it = message.find(field);
    if (it == message.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::optional<std::int64_t> get_int(const Json& message, const char* field) {
    auto it = message.find(field);
    if (it == message.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

Json error(ErrorCode code, std::string_view message) {
    return Json{{"type", type::error}, {"code", to_string(code)}, {"message", message}};
}

}  // namespace sala::protocol
