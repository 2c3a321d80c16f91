// Private to lib/store: the PostgreSQL side of search.h (ScanEntries, CountEntries,
// StoryEntries), over the backend's connection; search.cc calls it when ReadyPostgres(store)
// gives a connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/result.h"
#include "match/query.h"
#include "store/pg/connection.h"
#include "store/search.h"

namespace veille::store::pg {

// ScanEntries with the tsquery prefilter (tsquery.h; empty: every entry in the filter).
[[nodiscard]] Result<void> ScanEntries(Connection& conn, const match::QueryNode* query,
                                       const EntryFilter& filter,
                                       const std::function<bool(const StoredEntry&)>& visit);
[[nodiscard]] Result<std::optional<std::vector<std::int64_t>>> CandidateIds(
    Connection& conn, const match::QueryNode& query, const EntryFilter& filter);
[[nodiscard]] Result<std::int64_t> CountEntries(Connection& conn, const EntryFilter& filter);
[[nodiscard]] Result<std::vector<StoredEntry>> StoryEntries(Connection& conn,
                                                            std::int64_t story_id);

}  // namespace veille::store::pg
