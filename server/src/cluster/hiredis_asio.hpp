#pragma once
// hiredis's async API driven by an asio io_context: the context's socket is watched with
// async_wait on the io thread, and hiredis reads or writes only when the socket is ready (no
// thread of its own, no blocking call).

#include <functional>

struct redisAsyncContext;
namespace asio {
class io_context;
}

namespace sala::server::cluster {

// Hooks `context` (just made by redisAsyncConnect, without an error) to `io`. When hiredis frees the
// context, whoever freed it (we, or hiredis itself after an error), `freed` runs (hiredis's cleanup
// hook) and what this attached goes with it.
void attach_to_asio(redisAsyncContext* context, asio::io_context& io, std::function<void()> freed);

}  // namespace sala::server::cluster
