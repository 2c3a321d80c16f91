// The configuration each daemon runs, as a fingerprint and a bounded description
// (config/fingerprint.h), one row per daemon, so that daemons sharing a database can say how
// their configurations differ and `veille status` can show them (docs/scaling.md,
// "Configurations that differ").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

struct DaemonConfigRow {
  // The daemon's name: on PostgreSQL the owner name of its feed leases ("host:pid:random", as
  // in feeds.lease_owner); on SQLite "host:pid".
  std::string owner;
  std::string hostname;
  std::int64_t pid = 0;
  std::string fingerprint;
  std::string description;
  UnixSeconds written_at = 0;  // its start or last reload
  UnixSeconds seen_at = 0;     // its last heartbeat (PostgreSQL), else written_at
  bool self = false;           // written through this store
};

// A daemon whose row was not refreshed for this long is gone (killed, its machine lost): it is
// left out of the comparisons and its row deleted by the next daemon to publish. Heartbeats
// refresh the row every 30 s.
inline constexpr std::int64_t kDaemonConfigStaleSeconds = 180;

// Daemon side, at start and at each reload: writes this store's row at `now`, deletes the rows
// of the daemons gone (SQLite: every other row, since one daemon runs per database file), and
// returns the other daemons' rows, oldest written first.
[[nodiscard]] Result<std::vector<DaemonConfigRow>> PublishDaemonConfig(
    Store& store, const std::string& fingerprint, const std::string& description, UnixSeconds now);

// Daemon side, with each heartbeat: this store's row was seen at `now`. PostgreSQL only (one
// UPDATE); nothing on SQLite, where no other daemon reads it.
[[nodiscard]] Result<void> TouchDaemonConfig(Store& store, UnixSeconds now);

// Daemon side, at the start of a `veilled --once` run on a shared database (docs/scaling.md,
// "veilled --once"): records on this store's row (PublishDaemonConfig first) that its run
// starts now, by the server's clock. From then on this store's LeaseDueFeeds leases only feeds
// whose last poll was not stored since the earliest start of the --once runs going on now (this
// one, and those of the rows seen within kDaemonConfigStaleSeconds of `now`): runs that overlap
// are one cycle and poll each feed once between them. A poll whose outcome could not be stored
// (outcome storage), or a lease given back unpolled, does not count. SQLite: nothing (one
// daemon).
[[nodiscard]] Result<void> BeginOnceRun(Store& store, UnixSeconds now);

// Daemon side, at a clean stop on PostgreSQL: removes this store's row, so that the daemon that
// replaces it is not compared with it. SQLite keeps it for `veille status`.
[[nodiscard]] Result<void> RemoveDaemonConfig(Store& store);

// CLI side: every row, most recently written first.
[[nodiscard]] Result<std::vector<DaemonConfigRow>> ReadDaemonConfigs(Store& store);

}  // namespace veille::store
