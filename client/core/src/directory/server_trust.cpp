#include "directory/server_trust.hpp"

#include <fstream>
#include <vector>

#include "sala/replace_file.hpp"

namespace sala::client {

std::optional<std::string> KnownServers::pinned(const std::string& server) const {
    if (file_.empty()) return std::nullopt;
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) {
        const auto space = line.find(' ');
        if (space != std::string::npos && line.compare(0, space, server) == 0) return line.substr(space + 1);
    }
    return std::nullopt;
}

void KnownServers::pin(const std::string& server, const std::string& fingerprint) {
    if (file_.empty()) return;
    std::string contents;
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);)
        if (line.compare(0, line.find(' '), server) != 0) contents += line + "\n";
    contents += server + " " + fingerprint + "\n";
    replace_file(file_, contents);
}

TrustVerdict decide_trust(KnownServers& known, const std::string& server, const ServerCertificate& certificate,
                          const TrustPolicy& policy) {
    const std::string& fingerprint = certificate.fingerprint;
    TrustVerdict verdict;
    if (certificate.vouched_by_ca) {
        verdict.trusted = true;
        verdict.sentence = "the server " + server + " has a certificate the system's authorities vouch for";
        return verdict;
    }
    const auto pinned = known.pinned(server);
    verdict.first_use = !pinned;
    if (pinned && *pinned == fingerprint) {
        verdict.trusted = true;
        verdict.sentence = "the server " + server + " has the certificate pinned before (" + fingerprint + ")";
        return verdict;
    }
    if (!policy.accept.empty() && policy.accept == fingerprint) {
        known.pin(server, fingerprint);
        verdict.trusted = true;
        verdict.sentence = "trusting the server " + server + "'s certificate " + fingerprint +
                           " as asked, and pinning it" + (pinned ? " in place of " + *pinned : std::string());
        return verdict;
    }
    if (!pinned && policy.pin_on_first_use) {
        known.pin(server, fingerprint);
        verdict.trusted = true;
        verdict.sentence = "first connection to " + server + ": trusting its certificate, fingerprint " + fingerprint +
                           " (pinned; compare it with the one the server's operator gives you)";
        return verdict;
    }
    if (!pinned) {
        verdict.sentence = "The server " + server + " presents a certificate no authority vouches for, fingerprint " +
                           fingerprint + ". Trust it only if it matches the one the server's operator gives you.";
        return verdict;
    }
    verdict.pinned = *pinned;
    verdict.sentence = "The server " + server + "'s certificate changed: its fingerprint is now " + fingerprint +
                       ", not " + *pinned +
                       " as before. Someone may be intercepting the connection, or the server got a new "
                       "certificate. If its operator confirms the new fingerprint, connect with --trust-server " +
                       fingerprint + ".";
    return verdict;
}

}  // namespace sala::client
