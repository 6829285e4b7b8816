#pragma once
// A moment in the engine's life, for front ends that print a stream (sala-cli, tests).

#include <string>

#include <nlohmann/json.hpp>

namespace sala::client {

struct Event {
    nlohmann::json fields;  // {"event":"call_started","peer":"bob",...}: the --json form
    std::string text;       // the same in plain words, e.g. "call started with bob"
};

}  // namespace sala::client
