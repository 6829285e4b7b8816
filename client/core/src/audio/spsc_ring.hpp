#pragma once
// A single-producer single-consumer lock-free ring: how samples cross between an audio
// callback and the engine without locks or allocation.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>

namespace sala::client {

// Fixed-capacity SPSC ring; one thread pushes, one pops, any thread may read size().
template <typename T>
class SpscRing {
public:
    // Allocates the whole ring here and nowhere else.
    explicit SpscRing(std::size_t capacity) : capacity_(capacity), slots_(std::make_unique<T[]>(capacity)) {}
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    // Producer: writes up to n items, returns how many fit. Never blocks.
    std::size_t push(const T* data, std::size_t n) {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t count = std::min(n, capacity_ - (head - tail));
        if (count == 0) return 0;
        copy_in(head % capacity_, data, count);
        head_.store(head + count, std::memory_order_release);
        return count;
    }

    // Consumer: reads up to n items into out, returns how many were there. Never blocks.
    std::size_t pop(T* out, std::size_t n) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t count = std::min(n, head - tail);
        if (count == 0) return 0;
        copy_out(tail % capacity_, out, count);
        tail_.store(tail + count, std::memory_order_release);
        return count;
    }

    // Items currently stored; exact on either side, a snapshot from any other thread.
    std::size_t size() const {
        // Tail first: head only grows, so head read later is never behind this tail.
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t head = head_.load(std::memory_order_acquire);
        return head - tail;
    }

    std::size_t capacity() const { return capacity_; }
    // Items ever pushed (exact on the producer's side) and ever popped (exact on the consumer's).
    std::size_t pushed() const { return head_.load(std::memory_order_acquire); }
    std::size_t popped() const { return tail_.load(std::memory_order_acquire); }

    // Consumer: discards everything stored now.
    void clear_from_consumer() { tail_.store(head_.load(std::memory_order_acquire), std::memory_order_release); }

private:
    void copy_in(std::size_t at, const T* data, std::size_t count) {
        const std::size_t first = std::min(count, capacity_ - at);
        std::copy(data, data + first, slots_.get() + at);
        std::copy(data + first, data + count, slots_.get());
    }
    void copy_out(std::size_t at, T* out, std::size_t count) const {
        const std::size_t first = std::min(count, capacity_ - at);
        std::copy(slots_.get() + at, slots_.get() + at + first, out);
        std::copy(slots_.get(), slots_.get() + (count - first), out + first);
    }

    // Indices count items ever pushed/popped (64-bit: they never wrap in practice).
    static constexpr std::size_t kCacheLine = 64;
    alignas(kCacheLine) std::atomic<std::size_t> head_{0};
    alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
    alignas(kCacheLine) const std::size_t capacity_;
    std::unique_ptr<T[]> slots_;
};

}  // namespace sala::client
