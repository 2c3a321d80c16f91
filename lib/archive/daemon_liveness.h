// Whether veilled runs on a database, read from its heartbeat row (store::DaemonStatus): one
// reading for `veille status`, `veille poll` and the web inbox's feeds page, which each say it
// in their own words.
#pragma once

#include <cstdint>
#include <optional>

#include "common/time.h"
#include "store/store.h"

namespace veille::archive {

// veilled rewrites its heartbeat every 30 s: a row older than this is a hung or vanished daemon.
inline constexpr std::int64_t kHeartbeatStaleAfterS = 120;

enum class Liveness {
  kNeverStarted,  // no heartbeat row: no daemon ever ran on this database
  kStopped,       // it recorded a clean stop
  kEnded,         // its process is gone without a clean stop (killed, crashed)
  kStale,         // no heartbeat for more than kHeartbeatStaleAfterS
  kRunning,
};

// The reading of `status` at `now`. With `local_pid` (an SQLite file: one daemon, on this
// machine) the row's pid must name a live process here; a process of another user counts
// (EPERM: the service usually runs as its own user). A shared database (PostgreSQL) may be
// written by daemons of other machines, whose pids mean nothing here: the heartbeat alone
// tells.
Liveness LivenessOf(const std::optional<store::DaemonStatus>& status, UnixSeconds now,
                    bool local_pid);

// The same for `store`'s heartbeat row, `local_pid` unless the store is shared.
inline Liveness LivenessOf(const store::Store& store,
                           const std::optional<store::DaemonStatus>& status, UnixSeconds now) {
  return LivenessOf(status, now, !store.Shared());
}

}  // namespace veille::archive
