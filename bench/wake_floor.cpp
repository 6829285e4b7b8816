// The floor of Sala's media design on this machine, without any codec: per client, a paced
// thread ticks every frame (the sound card's clock) and wakes an event thread through an
// eventfd, which drains its UDP socket and sends one 70-byte datagram to the peer. Two such
// clients on 127.0.0.1 exchange packets; each prints its CPU (all threads) in % of one core.
// sala-cli does this plus Opus, meters and RTP; the difference is what the code costs.
// Usage: sala-bench-wake-floor [SECONDS] [FRAME_MS]   (default 20, 20)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace {

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// One client: returns its CPU in % of one core over `seconds`.
double run_client(int socket_fd, sockaddr_in peer, int seconds, int frame_ms) {
    const int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const int poller = epoll_create1(EPOLL_CLOEXEC);
    epoll_event interest{};
    interest.events = EPOLLIN;
    epoll_ctl(poller, EPOLL_CTL_ADD, wake, &interest);
    std::atomic<bool> stop{false};
    std::thread engine([&] {
        char buffer[2048];
        char packet[70] = {};
        while (!stop.load()) {
            epoll_event ready{};
            if (epoll_wait(poller, &ready, 1, 100) <= 0) continue;
            std::uint64_t count = 0;
            if (read(wake, &count, sizeof count) < 0) continue;
            while (recv(socket_fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
            }
            sendto(socket_fd, packet, sizeof packet, 0, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
        }
    });
    const double start = process_cpu_seconds();
    auto deadline = std::chrono::steady_clock::now();
    for (int i = 0; i < seconds * 1000 / frame_ms; ++i) {
        deadline += std::chrono::milliseconds(frame_ms);
        std::this_thread::sleep_until(deadline);
        const std::uint64_t one = 1;
        if (write(wake, &one, sizeof one) < 0) break;
    }
    const double used = process_cpu_seconds() - start;
    stop = true;
    engine.join();
    close(poller);
    close(wake);
    return used / seconds * 100.0;
}

}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 20;
    const int frame_ms = argc > 2 ? std::atoi(argv[2]) : 20;
    if (seconds <= 0 || frame_ms <= 0) {
        std::fprintf(stderr, "usage: sala-bench-wake-floor [SECONDS] [FRAME_MS]\n");
        return 2;
    }
    int sockets[2];
    sockaddr_in addresses[2];
    for (int i = 0; i < 2; ++i) {
        sockets[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        addresses[i] = loopback(0);
        socklen_t length = sizeof addresses[i];
        if (sockets[i] < 0 || bind(sockets[i], reinterpret_cast<sockaddr*>(&addresses[i]), length) != 0 ||
            getsockname(sockets[i], reinterpret_cast<sockaddr*>(&addresses[i]), &length) != 0) {
            std::perror("socket");
            return 1;
        }
    }
    std::fflush(stdout);
    const pid_t child = fork();  // the two clients are two processes, as two sala-cli are
    if (child < 0) {
        std::perror("fork");
        return 1;
    }
    const int me = child == 0 ? 1 : 0;
    const double cpu = run_client(sockets[me], addresses[1 - me], seconds, frame_ms);
    std::printf("wake floor, %d ms frames: client %c %.2f %% of one core\n", frame_ms, me == 0 ? 'a' : 'b', cpu);
    std::fflush(stdout);
    if (child == 0) _exit(0);
    int status = 0;
    waitpid(child, &status, 0);
    return 0;
}
