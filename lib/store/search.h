// Reading the archive: stored entries by full-text candidates or by time, newest first. The
// store takes the parsed query and builds its own full-text prefilter (FTS5 on SQLite,
// store/fts_query.h; a tsquery on PostgreSQL, store/pg/tsquery.h); the candidates are a
// superset, verified by the matcher above the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "match/query.h"
#include "store/store.h"

namespace veille::store {

// The order ScanEntries visits entries in (veille search --sort).
enum class EntryOrder {
  kDetected,   // newest first seen first (by id): streamed, nothing read ahead
  kDate,       // newest entry date first (entry_date.h), then newest first seen
  kRelevance,  // best full-text rank first (bm25 on SQLite, ts_rank on PostgreSQL; title hits
               // weigh double); kDate when the query puts no constraint the index can answer
};

// "detected", "date", "relevance"; nullopt for anything else.
std::optional<EntryOrder> ParseEntryOrder(std::string_view name);

struct EntryFilter {
  std::optional<UnixSeconds> since;    // first_seen_at >= since
  std::optional<UnixSeconds> until;    // first_seen_at < until
  std::vector<std::int64_t> feed_ids;  // empty = any feed
  std::vector<std::int64_t> ids;       // empty = any entry; else only these entries
  std::string language;  // "" = any; else entries in it ("fr": fr, fr-FR...; LanguageCondition)
  EntryOrder order = EntryOrder::kDetected;
};

// One stored entry, with its feed and story.
struct StoredEntry {
  std::int64_t id = 0;
  std::int64_t story_id = 0;  // 0 when the entry has no story (never after migration 2)
  std::string feed_name;
  std::string feed_url;
  std::optional<std::string> link;
  std::optional<std::string> canonical_link;
  std::optional<std::string> title;  // the entry's, or derived from its text (title_derived)
  bool title_derived = false;
  std::optional<std::string> author;
  std::optional<UnixSeconds> published_at;
  std::optional<UnixSeconds> updated_at;
  UnixSeconds first_seen_at = 0;
  std::optional<std::string> summary;
  std::optional<std::string> content;
  std::vector<std::string> categories;
  std::optional<std::string> language;
  std::optional<std::string> language_source;  // "declared" | "detected"
};

// Calls `visit` for each entry that may match `query` (the full-text prefilter: every entry
// the query can match, and maybe more, which the caller verifies with the matcher; every entry
// when `query` is null or constrains nothing the index holds) within `filter`, in
// `filter.order`, until `visit` returns false. Rows are read in pages (64 rows, growing to
// 512), each in its own short read transaction, so `visit` may be slow (it runs with no
// snapshot held). kDate and kRelevance first read the (id, key) pairs of every candidate in
// one statement (16 bytes each), sort them, then read the rows in pages by id; an entry pruned
// in between is skipped. On PostgreSQL, kDetected with a full-text constraint reads its
// candidates' ids first too (the GIN index yields them all at once).
[[nodiscard]] Result<void> ScanEntries(Store& store, const match::QueryNode* query,
                                       const EntryFilter& filter,
                                       const std::function<bool(const StoredEntry&)>& visit);

// The ids of the entries within `filter` that may match `query`, newest first (by id, whatever
// filter.order says): the full-text prefilter alone, no row read. nullopt when the query
// constrains nothing the index holds (every entry is a candidate). The web inbox's search
// verifies only the candidates that have a mention in its list (archive/search.h).
[[nodiscard]] Result<std::optional<std::vector<std::int64_t>>> CandidateIds(
    Store& store, const match::QueryNode& query, const EntryFilter& filter);

// How many stored entries are within `filter` (its order aside).
[[nodiscard]] Result<std::int64_t> CountEntries(Store& store, const EntryFilter& filter);

// Every stored entry of one story (its sources), oldest first.
[[nodiscard]] Result<std::vector<StoredEntry>> StoryEntries(Store& store, std::int64_t story_id);

}  // namespace veille::store
