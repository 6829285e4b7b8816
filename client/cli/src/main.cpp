#include <csignal>
#include <iostream>

#include "cli_options.hpp"
#include "cli_session.hpp"
#include "sala/client/audio_devices.hpp"
#include "sala/client/call_history.hpp"

namespace {

int list_devices() {
    auto devices = sala::client::list_audio_devices();
    if (devices.empty()) {
        std::cout << "no audio devices found\n";
        return 0;
    }
    for (const auto& d : devices) {
        std::cout << d.id << ": " << d.name << "  in " << d.input_channels << "  out " << d.output_channels << "  "
                  << d.preferred_rate << " Hz" << (d.is_default_input ? "  [default input]" : "")
                  << (d.is_default_output ? "  [default output]" : "") << "\n";
    }
    return 0;
}

// The call history in the config directory, oldest first: a line per call, or JSON lines.
int print_history(const sala::cli::CliOptions& options) {
    const auto records = sala::client::load_call_history(options.engine.config_dir);
    for (const auto& record : records)
        std::cout << (options.json ? sala::client::to_json(record).dump() : sala::client::describe(record)) << "\n";
    if (records.empty() && !options.json) std::cout << "no calls yet\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto options = sala::cli::parse_cli_options(argc, argv);
    if (options.list_devices) return list_devices();
    if (options.history) return print_history(options);
    // SIGINT and SIGTERM are read by CliSession::run (a signalfd), which says bye and hangs up.
    // Blocked here, before the engine starts its threads (they inherit the mask); otherwise the
    // kernel may hand the signal to one of them, whose default action kills the process at once.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    try {
        sala::cli::CliSession session(std::move(options));
        return session.run();
    } catch (const std::exception& e) {
        std::cerr << "sala-cli: " << e.what() << "\n";
        return 1;
    }
}
