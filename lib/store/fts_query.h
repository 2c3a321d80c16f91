// The query language as an FTS5 MATCH expression (the SQLite backend's full-text prefilter).
// Internal to lib/store and its tests: callers give ScanEntries the parsed query.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "match/query.h"
#include "store/search.h"

namespace veille::store {

// An FTS5 MATCH expression whose matches include every entry the query can match (terms and
// phrases, OR, AND; NEAR/ONEAR become AND, negations and the scopes the index does not hold,
// author: link: feed: category: site: lang:, become "anything"). Empty when the query puts no
// constraint the index can answer: then every entry in the period is a candidate.
std::string FtsPrefilter(const match::QueryNode& query);

// A phrase for an FTS5 expression: the words in double quotes, inner quotes doubled.
std::string FtsQuote(const std::string& words);

// ScanEntries with the FTS5 MATCH expression itself (empty: every entry). A malformed
// expression fails with ErrorCode::kInvalidArgument.
[[nodiscard]] Result<void> ScanEntriesFts(Store& store, const std::string& fts_match,
                                          const EntryFilter& filter,
                                          const std::function<bool(const StoredEntry&)>& visit);

}  // namespace veille::store
