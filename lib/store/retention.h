// Retention and maintenance of the archive: the daemon's bounded upkeep (Maintain), explicit
// pruning of old mentions, online backup, vacuum.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

// Deletes at most `batch` entries first seen before `cutoff` that have no mention, with their
// full-text rows and the stories left empty, in one short transaction. Returns how many were
// deleted: call again while it returns `batch` (the daemon does one batch per loop turn, so the
// poller never waits behind a long delete).
[[nodiscard]] Result<int> PruneEntriesBatch(Store& store, UnixSeconds cutoff, int batch);

// Deletes mentions detected before `cutoff` (their outbox rows go with them) in batches of
// `batch` per transaction; the entries stay until PruneEntriesBatch takes them. Returns how
// many were deleted.
[[nodiscard]] Result<std::int64_t> PruneMentions(Store& store, UnixSeconds cutoff, int batch);

// What one Maintain call does. Each part is bounded (one short transaction), so that the
// daemon calls it between polls, and again while it reports more to do.
// Leaf pages per full-text index step on SQLite (about 1 MB): tens of milliseconds of the
// daemon's loop.
inline constexpr int kIndexStepPages = 256;

struct MaintenanceRequest {
  // Retention: delete up to `prune_batch` entries first seen before this that have no mention
  // (PruneEntriesBatch).
  std::optional<UnixSeconds> prune_before;
  int prune_batch = 200;
  // One step of the full-text index's upkeep, which commits leave to idle time (SQLite: merges
  // up to `index_pages` leaf pages (kIndexStepPages by default) of the FTS5 level with the most
  // segments, when a level holds at least 8; migration 10). PostgreSQL: nothing (the server's
  // autovacuum keeps the GIN index and the statistics); never reports more work.
  bool index = false;
  // Leaf pages per index step (each step is one transaction): the daemon's default keeps a step
  // to tens of milliseconds of its loop; `veilled --once`, which merges everything at its end,
  // takes larger steps (fewer commits for the same merging).
  int index_pages = kIndexStepPages;

  static MaintenanceRequest Index(int pages = kIndexStepPages) {
    MaintenanceRequest r;
    r.index = true;
    r.index_pages = pages;
    return r;
  }
  static MaintenanceRequest Prune(UnixSeconds before) {
    MaintenanceRequest r;
    r.prune_before = before;
    return r;
  }
};

struct MaintenanceResult {
  int pruned = 0;                // entries deleted
  bool more_to_prune = false;    // a full batch was deleted: call again
  bool more_index_work = false;  // the index step did work: call again
};

// The daemon's maintenance, whatever the backend: the parts of `request`, in that order (an
// error stops the call).
[[nodiscard]] Result<MaintenanceResult> Maintain(Store& store, const MaintenanceRequest& request);

// Copies the database to `destination` with SQLite's online backup API (a consistent
// snapshot, never a file copy), in steps that let the daemon keep writing. Fails when
// `destination` exists. A backend with its own tool for this (PostgreSQL: pg_dump) fails with
// a message naming it.
[[nodiscard]] Result<void> BackupTo(Store& store, const std::string& destination);

// SQLite: rebuilds the file to reclaim the space of deleted rows (VACUUM), then optimizes the
// full-text index and truncates the WAL. Needs a read-write store; the daemon's writes wait
// (busy timeout) while it runs. PostgreSQL: VACUUM (ANALYZE) of veille's tables (the space of
// deleted rows made reusable, the planner's statistics refreshed; the daemons keep writing;
// the files do not shrink: that is VACUUM FULL, the operator's call).
[[nodiscard]] Result<void> Vacuum(Store& store);

}  // namespace veille::store
