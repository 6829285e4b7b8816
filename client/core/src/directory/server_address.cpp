#include "sala/client/server_address.hpp"

#include "sala/cli_flags.hpp"

namespace sala::client {

bool parse_server_address(const std::string& text, ServerAddress& out, std::string* error) {
    std::string host = text;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) {
            if (error) *error = "bad server address '" + text + "': missing ']'";
            return false;
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                if (error) *error = "bad server address '" + text + "'";
                return false;
            }
            port = text.substr(close + 2);
        }
    } else if (auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty()) {
        if (error) *error = "bad server address '" + text + "': no host";
        return false;
    }
    out.host = host;
    out.port = protocol::kDefaultPort;
    if (!port.empty()) {
        auto number = parse_integer(port, 1, 65535);
        if (!number) {
            if (error) *error = "bad server address '" + text + "': the port must be 1 to 65535";
            return false;
        }
        out.port = static_cast<unsigned short>(*number);
    }
    return true;
}

}  // namespace sala::client
