#include "cluster/hiredis_asio.hpp"

#include <hiredis/async.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <memory>
#include <utility>

namespace sala::server::cluster {
namespace {

// hiredis says which readiness it wants (idempotent add/del hooks); one async_wait per direction
// is armed at a time. The watch outlives the context while a wait is pending (each wait holds a
// reference), and after hiredis's cleanup hook it never touches the context again.
class SocketWatch : public std::enable_shared_from_this<SocketWatch> {
public:
    SocketWatch(redisAsyncContext* context, asio::io_context& io, std::function<void()> freed)
        : context_(context), socket_(io, context->c.fd), freed_(std::move(freed)) {}

    void want_read(bool on) {
        reading_ = on;
        if (on && !read_armed_) arm(asio::posix::stream_descriptor::wait_read);
    }
    void want_write(bool on) {
        writing_ = on;
        if (on && !write_armed_) arm(asio::posix::stream_descriptor::wait_write);
    }
    // hiredis frees the context (and closes its socket) right after this.
    void detach() {
        alive_ = false;
        std::error_code ignored;
        socket_.cancel(ignored);
        socket_.release();  // the descriptor is hiredis's to close
        if (auto freed = std::exchange(freed_, nullptr)) freed();
    }

private:
    void arm(asio::posix::stream_descriptor::wait_type direction) {
        const bool read = direction == asio::posix::stream_descriptor::wait_read;
        (read ? read_armed_ : write_armed_) = true;
        socket_.async_wait(direction, [self = shared_from_this(), read](std::error_code ec) {
            (read ? self->read_armed_ : self->write_armed_) = false;
            if (!self->alive_ || ec) return;
            if (read ? self->reading_ : self->writing_) {
                // May free the context: then detach() ran and alive_ is false.
                if (read)
                    redisAsyncHandleRead(self->context_);
                else
                    redisAsyncHandleWrite(self->context_);
            }
            if (!self->alive_) return;
            if (read && self->reading_ && !self->read_armed_) self->arm(asio::posix::stream_descriptor::wait_read);
            if (!read && self->writing_ && !self->write_armed_) self->arm(asio::posix::stream_descriptor::wait_write);
        });
    }

    redisAsyncContext* context_;
    asio::posix::stream_descriptor socket_;
    bool reading_ = false, writing_ = false;
    bool read_armed_ = false, write_armed_ = false;
    std::function<void()> freed_;
    bool alive_ = true;
};

using Holder = std::shared_ptr<SocketWatch>;
SocketWatch& watch_of(void* data) { return **static_cast<Holder*>(data); }

}  // namespace

void attach_to_asio(redisAsyncContext* context, asio::io_context& io, std::function<void()> freed) {
    context->ev.data = new Holder(std::make_shared<SocketWatch>(context, io, std::move(freed)));
    context->ev.addRead = [](void* data) { watch_of(data).want_read(true); };
    context->ev.delRead = [](void* data) { watch_of(data).want_read(false); };
    context->ev.addWrite = [](void* data) { watch_of(data).want_write(true); };
    context->ev.delWrite = [](void* data) { watch_of(data).want_write(false); };
    context->ev.cleanup = [](void* data) {
        watch_of(data).detach();
        delete static_cast<Holder*>(data);
    };
}

}  // namespace sala::server::cluster
