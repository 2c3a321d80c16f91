// Internal to lib/store and its white-box tests (tests/store, tests/bench): the connection
// behind a Store, and the SQLite-only steps the interface wraps. Nothing above lib/store
// includes this header (or sqlite.h, schema.h, fts_query.h, stories.h, backend.h).
#pragma once

#include <string_view>

#include "common/result.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace veille::store {

class Backend;
namespace pg {
class Connection;
}

// The backend a Store forwards to (store/backend.h).
Backend& BackendOf(Store& store);

// The SQLite connection the store's repositories (outbox, search, stats, retention, triage...)
// run their statements on. On PostgreSQL, a connection that refuses every statement with
// kStorageUnavailable ("... not available on PostgreSQL yet"): those repositories have no
// PostgreSQL implementation yet, and fail cleanly instead of touching a null handle.
Database& DatabaseOf(Store& store);

// The one way the repositories (the free functions of lib/store) reach the PostgreSQL
// connection behind `store`: reconnected first when it was lost (PostgresBackend::Ready, as every
// Store method does), so that a call after a server restart works; the reconnection's own error
// when it fails; nullptr when the store runs on SQLite.
[[nodiscard]] Result<pg::Connection*> ReadyPostgres(Store& store);

// Whether `store` runs on PostgreSQL: a test of the backend, no statement and no reconnection.
bool OnPostgres(Store& store);

// "sqlite" or "postgresql".
std::string_view BackendKind(Store& store);

// One step of the full-text index's merging, which commits leave to idle time (migration
// 10): merges up to `pages` leaf pages of the level with the most segments, when a level holds
// at least 8 (FTS5 usermerge), in one short transaction. Returns whether it did any work.
// Maintain(request.index) runs it.
[[nodiscard]] Result<bool> MergeIndexStep(Store& store, int pages);

}  // namespace veille::store
