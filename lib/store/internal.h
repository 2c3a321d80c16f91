// Internal to lib/store and its white-box tests (tests/store, tests/bench): the SQLite
// connection behind a Store, and the SQLite-only steps the interface wraps. Nothing above
// lib/store includes this header (or sqlite.h, schema.h, fts_query.h, stories.h).
#pragma once

#include "common/result.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace veille::store {

// The connection the store's repositories (outbox, search, stats, retention, triage...) run
// their statements on.
Database& DatabaseOf(Store& store);

// One step of the full-text index's merging, which commits leave to idle time (migration
// 10): merges up to `pages` leaf pages of the level with the most segments, when a level holds
// at least 8 (FTS5 usermerge), in one short transaction. Returns whether it did any work.
// Maintain(request.index) runs it.
[[nodiscard]] Result<bool> MergeIndexStep(Store& store, int pages);

}  // namespace veille::store
