#include "sala/key_offer.hpp"

namespace sala::protocol {
namespace {
int digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

template <std::size_t N>
bool read_hex(const nlohmann::json& value, const char* field, std::array<std::uint8_t, N>& out, std::string* problem) {
    auto it = value.find(field);
    if (it != value.end() && it->is_string() && from_hex(it->get_ref<const std::string&>(), out.data(), N)) return true;
    if (problem) *problem = std::string("\"") + field + "\" must be " + std::to_string(2 * N) + " hex digits";
    return false;
}
}  // namespace

std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

bool from_hex(std::string_view text, std::uint8_t* out, std::size_t size) {
    if (text.size() != 2 * size) return false;
    for (std::size_t i = 0; i < size; ++i) {
        const int high = digit(text[2 * i]), low = digit(text[2 * i + 1]);
        if (high < 0 || low < 0) return false;
        out[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return true;
}

std::optional<KeyOffer> parse_key_offer(const nlohmann::json& value, std::string* problem) {
    if (!value.is_object()) {
        if (problem) *problem = "\"keys\" must be an object";
        return std::nullopt;
    }
    KeyOffer offer;
    auto suite = value.find("suite");
    if (suite == value.end() || !suite->is_string() || suite->get_ref<const std::string&>().empty() ||
        suite->get_ref<const std::string&>().size() > kMaxSuiteChars) {
        if (problem) *problem = "\"suite\" must be a name of at most 64 characters";
        return std::nullopt;
    }
    offer.suite = suite->get<std::string>();
    for (char c : offer.suite)
        if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_') {
            if (problem) *problem = "\"suite\" may hold only A-Z, 0-9 and _";
            return std::nullopt;
        }
    if (!read_hex(value, "identity", offer.identity, problem) ||
        !read_hex(value, "ephemeral", offer.ephemeral, problem) ||
        !read_hex(value, "signature", offer.signature, problem))
        return std::nullopt;
    return offer;
}

nlohmann::json to_json(const KeyOffer& offer) {
    return {{"suite", offer.suite},
            {"identity", to_hex(offer.identity.data(), offer.identity.size())},
            {"ephemeral", to_hex(offer.ephemeral.data(), offer.ephemeral.size())},
            {"signature", to_hex(offer.signature.data(), offer.signature.size())}};
}

}  // namespace sala::protocol
