#pragma once
// Unguessable ids: call ids and resume tokens, 128 random bits each from the kernel's CSPRNG, as
// 32 lower-case hex digits.

#include <string>
#include <string_view>

namespace sala::server {

std::string new_call_id();
// The secret that lets a reconnecting client take its session over (hello's "resume_token").
std::string new_resume_token();
// Whether a presented token is the session's, in time that does not depend on where they differ.
bool same_resume_token(std::string_view presented, std::string_view held);

}  // namespace sala::server
