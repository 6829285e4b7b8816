#pragma once
// The directory server's address as a user types it: "host", "host:port" or "[v6]:port".

#include <string>
#include <vector>

#include "sala/protocol.hpp"

namespace sala::client {

struct ServerAddress {
    std::string host;
    unsigned short port = protocol::kDefaultPort;
};

// False with a one-line *error when the text is not an address (empty host, bad port).
bool parse_server_address(const std::string& text, ServerAddress& out, std::string* error);
// Several addresses separated by commas ("host1:5000,host2:5000": the nodes of a cluster), at least
// one; false with a one-line *error naming the first that is not an address.
bool parse_server_list(const std::string& text, std::vector<ServerAddress>& out, std::string* error);

}  // namespace sala::client
