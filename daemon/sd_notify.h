// sd_notify(3) without libsystemd: readiness, reload, stop, status and watchdog messages to the
// service manager over the $NOTIFY_SOCKET datagram socket.
//
// Every function is a no-op returning NotifyOutcome::kNoManager when $NOTIFY_SOCKET is unset or
// empty (veilled started by hand, by a test, or by a manager that does not listen), so callers
// never branch on "am I under systemd". Errors come back as values (ErrorCode::kInvalidArgument
// for a malformed address, ErrorCode::kIo when the socket refuses the datagram); veilled logs them
// once and carries on, because a lost notification must never stop monitoring. The functions read
// the environment and open one socket per call: no global state, safe from any thread, not
// async-signal-safe (call them from the loop, never from a signal handler).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace veille::daemon {

enum class NotifyOutcome {
  kSent,       // one datagram was accepted by the socket
  kNoManager,  // $NOTIFY_SOCKET unset or empty: nothing was done
};

// Sends `state`, newline-separated assignments such as "READY=1\nSTATUS=42 feeds", as one
// datagram to $NOTIFY_SOCKET. The address is a filesystem path ("/run/systemd/notify") or, when
// it starts with '@', a Linux abstract-namespace name. The caller is responsible for the content;
// prefer the helpers below, which sanitise it.
[[nodiscard]] Result<NotifyOutcome> Notify(std::string_view state);

// Same as Notify() but to an explicit address (same syntax as $NOTIFY_SOCKET); an empty address
// means "no manager". This is what Notify() calls, and the seam the tests use.
[[nodiscard]] Result<NotifyOutcome> NotifyTo(std::string_view address, std::string_view state);

// "READY=1" plus "STATUS=<status>" when `status` is not empty: start-up or reload finished.
[[nodiscard]] Result<NotifyOutcome> Ready(std::string_view status = {});

// "RELOADING=1" and "MONOTONIC_USEC=<CLOCK_MONOTONIC now in µs>" (required by Type=notify-reload
// on systemd >= 253, ignored by older managers), plus STATUS= when given. Send Ready() when the
// reload is over, whether the new config was taken or rejected.
[[nodiscard]] Result<NotifyOutcome> Reloading(std::string_view status = {});

// "STOPPING=1" plus STATUS= when given: shutdown has begun.
[[nodiscard]] Result<NotifyOutcome> Stopping(std::string_view status = {});

// "STATUS=<text>": one line shown by `systemctl status`. Newlines and other control characters
// in `text` become spaces, so a status can never inject another assignment (READY=1, ...).
[[nodiscard]] Result<NotifyOutcome> Status(std::string_view text);

// "WATCHDOG=1": the keep-alive ping. Send it only after a healthy loop iteration.
[[nodiscard]] Result<NotifyOutcome> Watchdog();

// The watchdog timeout the manager enforces (WatchdogSec=), or nullopt when no watchdog applies
// to this process: $WATCHDOG_USEC unset, malformed or zero, or $WATCHDOG_PID set to another
// process. Ping at half this interval, as sd_watchdog_enabled(3) recommends.
std::optional<std::chrono::microseconds> WatchdogEnabled();

// The pure part of WatchdogEnabled(): the values of $WATCHDOG_USEC and $WATCHDOG_PID (nullptr when
// unset) judged for the process `self`.
std::optional<std::chrono::microseconds> ParseWatchdog(const char* watchdog_usec,
                                                       const char* watchdog_pid, pid_t self);

// "STATUS=..." with control characters replaced by spaces (exposed for tests).
std::string StatusLine(std::string_view text);

// CLOCK_MONOTONIC in microseconds, the value Reloading() sends as MONOTONIC_USEC.
std::uint64_t MonotonicMicros();

}  // namespace veille::daemon
