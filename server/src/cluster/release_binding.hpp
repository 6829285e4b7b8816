#pragma once
// sala-server --release-name NAME --redis URL: frees a name's binding in the cluster's Redis. A
// one-off command run before any io_context, so it uses hiredis's blocking API (5 s timeout).

#include <string>

#include "cluster/redis_address.hpp"

namespace sala::server::cluster {

enum class Released { released, not_bound, failed };
// Deletes sala:name:KEY for the name's ASCII-folded key; *error says why on failed.
Released release_binding(const RedisAddress& address, const std::string& password, const std::string& name,
                         std::string* error);

}  // namespace sala::server::cluster
