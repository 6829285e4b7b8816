#pragma once
// A process's CPU time and memory as /proc reports them, for the benchmarks that load a server.

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace sala::bench {

struct ProcessUsage {
    double rss_kib = 0;      // VmRSS: resident now
    double hwm_kib = 0;      // VmHWM: the most ever resident
    double cpu_seconds = 0;  // utime + stime of all its threads
};

inline ProcessUsage process_usage(int pid) {
    ProcessUsage usage;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") status >> usage.rss_kib;
        if (key == "VmHWM:") status >> usage.hwm_kib;
        status.ignore(4096, '\n');
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    auto close = text.rfind(')');  // the command name may hold spaces and parentheses
    if (close != std::string::npos) {
        std::istringstream fields(text.substr(close + 2));
        std::string skip;
        for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
        double utime = 0, stime = 0;
        fields >> utime >> stime;
        usage.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
    return usage;
}

}  // namespace sala::bench
