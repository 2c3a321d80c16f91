// Retention and maintenance of the archive: pruning old entries without mentions, explicit
// pruning of old mentions, online backup, vacuum.
#pragma once

#include <cstdint>
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

// One step of the full-text index's merging, which commits leave to idle time (migration
// 10): merges up to `pages` leaf pages of the level with the most segments, when a level holds
// at least 8 (FTS5 usermerge), in one short transaction. Returns whether it did any work: the
// daemon calls it while it has nothing else to do, until it returns false.
[[nodiscard]] Result<bool> MergeIndexStep(Store& store, int pages);

// Copies the database to `destination` with SQLite's online backup API (a consistent
// snapshot, never a file copy), in steps that let the daemon keep writing. Fails when
// `destination` exists.
[[nodiscard]] Result<void> BackupTo(Store& store, const std::string& destination);

// Rebuilds the file to reclaim the space of deleted rows (VACUUM), then optimizes the
// full-text index and truncates the WAL. Needs a read-write store; the daemon's writes wait
// (busy timeout) while it runs.
[[nodiscard]] Result<void> Vacuum(Store& store);

}  // namespace veille::store
