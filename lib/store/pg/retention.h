// Private to lib/store: the PostgreSQL side of retention.h, over the backend's connection;
// retention.cc calls it when ReadyPostgres(store) gives a connection.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "common/time.h"
#include "store/pg/connection.h"

namespace veille::store::pg {

// PruneEntriesBatch: the entries and the stories left empty in one transaction (the full-text
// column goes with its row).
[[nodiscard]] Result<int> PruneEntriesBatch(Connection& conn, UnixSeconds cutoff, int batch);
// PruneMentions: one transaction per batch.
[[nodiscard]] Result<std::int64_t> PruneMentions(Connection& conn, UnixSeconds cutoff, int batch);
// Vacuum: VACUUM (ANALYZE) of veille's tables, outside any transaction. Plain VACUUM makes the
// space of deleted rows reusable and refreshes the planner's statistics without blocking the
// daemons; it does not shrink the files (VACUUM FULL does, under an exclusive lock: the
// operator's call, docs/operations.md).
[[nodiscard]] Result<void> Vacuum(Connection& conn);

}  // namespace veille::store::pg
