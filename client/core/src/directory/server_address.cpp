#include "sala/client/server_address.hpp"

#include "sala/client/command.hpp"

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

bool parse_server_list(const std::string& text, std::vector<ServerAddress>& out, std::string* error) {
    std::vector<ServerAddress> list;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!parse_server_address(item, list.emplace_back(), error)) return false;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    out = std::move(list);
    return true;
}

bool make_connect_command(const std::string& servers, const std::string& name, ConnectCommand& out,
                          std::string* error) {
    std::vector<ServerAddress> list;
    if (!parse_server_list(servers, list, error)) return false;
    out = ConnectCommand{list.front().host, list.front().port, name, {list.begin() + 1, list.end()}};
    return true;
}

}  // namespace sala::client
