#pragma once
// Which controls of the window are enabled in which state: one pure function of the engine's
// snapshot and what the user has typed or picked, so the rules are written (and tested) once.

#include <string>

#include "sala/client/snapshot.hpp"

namespace sala::gui {

// What the window knows besides the snapshot.
struct UiFacts {
    std::string name_text;    // the name field as typed
    std::string server_text;  // the server field as typed
    std::string selected;     // the user picked in the list ("" for none)
};

// Every action the window offers, true when it makes sense now.
struct ControlRules {
    bool edit_identity = false;  // name and server fields
    bool register_ = false;
    bool disconnect = false;
    bool call = false;         // call the selected user
    bool cancel_call = false;  // our outgoing call is ringing at the peer
    bool answer = false;       // accept or reject an invite
    bool hang_up = false;
    bool mute = false;
    bool choose_devices = false;  // input and output device
    bool mic_test = false;        // start (or stop) the microphone test
};

ControlRules control_rules(const client::Snapshot& snapshot, const UiFacts& facts);

// Whether peer can be called now (the Call button and double-clicks in the list).
bool can_call(const client::Snapshot& snapshot, const std::string& peer);

}  // namespace sala::gui
