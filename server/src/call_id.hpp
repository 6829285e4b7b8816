#pragma once
// Call ids: 128 random bits from the kernel's CSPRNG, as 32 lower-case hex digits.

#include <string>

namespace sala::server {

std::string new_call_id();

}  // namespace sala::server
