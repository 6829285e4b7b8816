#pragma once
// How received datagrams cross from the ICE thread to the engine thread: a single-producer
// single-consumer ring of fixed-size slots, all allocated up front. The producer copies a datagram
// into the next free slot and publishes it; the consumer reads slots in place. No lock, no
// allocation per datagram; when the engine falls behind, new datagrams are dropped and counted.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace sala::client {

class DatagramRing {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kMaxDatagram = 1500;  // a longer one is dropped (and counted)
    struct Slot {
        Clock::time_point arrival;
        std::size_t size = 0;
        std::array<std::uint8_t, kMaxDatagram> bytes;
    };

    explicit DatagramRing(std::size_t capacity) : capacity_(capacity), slots_(std::make_unique<Slot[]>(capacity)) {}
    DatagramRing(const DatagramRing&) = delete;
    DatagramRing& operator=(const DatagramRing&) = delete;

    // Producer: false (and counted in dropped()) when the ring is full or the datagram too long.
    bool push(std::span<const std::uint8_t> data, Clock::time_point arrival) {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        if (head - tail == capacity_ || data.size() > kMaxDatagram) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        Slot& slot = slots_[head % capacity_];
        slot.arrival = arrival;
        slot.size = data.size();
        if (!data.empty()) std::memcpy(slot.bytes.data(), data.data(), data.size());
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    // Consumer: calls each(const Slot&) for up to `limit` stored slots, oldest first; returns the count.
    template <typename Each>
    std::size_t pop(Each&& each, std::size_t limit) {
        std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        std::size_t count = 0;
        for (; tail != head && count < limit; ++tail, ++count) {
            each(static_cast<const Slot&>(slots_[tail % capacity_]));
            tail_.store(tail + 1, std::memory_order_release);  // the slot is free once each() returned
        }
        return count;
    }

    std::size_t capacity() const { return capacity_; }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kCacheLine = 64;
    alignas(kCacheLine) std::atomic<std::size_t> head_{0};
    alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
    alignas(kCacheLine) std::atomic<std::uint64_t> dropped_{0};
    const std::size_t capacity_;
    std::unique_ptr<Slot[]> slots_;
};

}  // namespace sala::client
