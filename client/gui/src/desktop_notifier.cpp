#include "desktop_notifier.hpp"

#include <cstdio>

#include <gio/gio.h>

namespace sala::gui {
namespace {
constexpr const char* kService = "org.freedesktop.Notifications";
constexpr const char* kPath = "/org/freedesktop/Notifications";
constexpr int kTimeoutMs = 2000;  // per D-Bus call: a stuck service costs this thread, never the window

// The session bus, or nullptr (said once).
GDBusConnection* session_bus() {
    GError* error = nullptr;
    GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
    if (!bus) {
        std::fprintf(stderr, "sala: no desktop notifications (no session D-Bus: %s)\n",
                     error ? error->message : "unknown error");
        g_clear_error(&error);
    }
    return bus;
}

// Notify; returns the id of the notification, 0 when none was shown.
guint32 notify(GDBusConnection* bus, guint32 replaces, const std::string& summary, const std::string& body,
               bool& said) {
    GVariantBuilder actions, hints;
    g_variant_builder_init(&actions, G_VARIANT_TYPE("as"));
    g_variant_builder_init(&hints, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&hints, "{sv}", "urgency", g_variant_new_byte(2));  // critical: stays until closed
    g_variant_builder_add(&hints, "{sv}", "desktop-entry", g_variant_new_string("sala"));
    GError* error = nullptr;
    GVariant* reply =
        g_dbus_connection_call_sync(bus, kService, kPath, kService, "Notify",
                                    g_variant_new("(susssasa{sv}i)", "Sala", replaces, "call-start", summary.c_str(),
                                                  body.c_str(), &actions, &hints, 0),
                                    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, kTimeoutMs, nullptr, &error);
    if (!reply) {
        if (!said) std::fprintf(stderr, "sala: no desktop notification: %s\n", error ? error->message : "no reply");
        said = true;
        g_clear_error(&error);
        return 0;
    }
    guint32 id = 0;
    g_variant_get(reply, "(u)", &id);
    g_variant_unref(reply);
    return id;
}

void close_notification(GDBusConnection* bus, guint32 id) {
    GVariant* reply =
        g_dbus_connection_call_sync(bus, kService, kPath, kService, "CloseNotification", g_variant_new("(u)", id),
                                    nullptr, G_DBUS_CALL_FLAGS_NONE, kTimeoutMs, nullptr, nullptr);
    if (reply) g_variant_unref(reply);
}

}  // namespace

DesktopNotifier::DesktopNotifier() : thread_([this](std::stop_token stop) { run(stop); }) {}

DesktopNotifier::~DesktopNotifier() {
    close();
    thread_.request_stop();
    wake_.notify_all();
}  // thread_ joins here, after it has closed what it showed

void DesktopNotifier::show(std::string summary, std::string body) {
    showing_ = true;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back({true, std::move(summary), std::move(body)});
    }
    wake_.notify_all();
}

void DesktopNotifier::close() {
    if (!showing_) return;
    showing_ = false;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back({false, {}, {}});
    }
    wake_.notify_all();
}

void DesktopNotifier::run(std::stop_token stop) {
    GDBusConnection* bus = nullptr;
    bool tried = false, said = false;
    guint32 shown = 0;
    for (;;) {
        Request request;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, stop, [this] { return !requests_.empty(); });
            if (requests_.empty()) break;  // stopped with nothing left to do
            request = std::move(requests_.front());
            requests_.pop_front();
        }
        if (!tried) bus = session_bus(), tried = true;
        if (!bus) continue;
        if (request.show) {
            shown = notify(bus, shown, request.summary, request.body, said);
        } else {
            close_notification(bus, shown);
            shown = 0;
        }
    }
    if (bus) g_object_unref(bus);
}

}  // namespace sala::gui
