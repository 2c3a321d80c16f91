// Private to lib/store (stats.cc, pg/stats_pg.cc): what stats.h counts, read in one pass. Every
// count of the report's charts (volume, share of voice, reach, languages, top sources) is a fold
// of the period's mentions grouped by rule, category, day, story, feed and language, so one
// statement per backend reads them and the folding is shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/stats.h"

namespace veille::store {

namespace pg {
class Connection;
}

struct PeriodRow {
  std::string rule;
  std::string category;
  std::int64_t day = 0;       // the mention's date (StatsQuery::count_by) / 86400
  std::int64_t story = 0;     // the entry's story, or -(entry id) when it has none
  bool has_story = false;     // the entry has a story (story is its id)
  std::int64_t feed_id = 0;   // the entry's feed
  std::string language;       // the entry's language tag as stored, "" when unknown
  std::int64_t mentions = 0;  // mentions with these values
};

// The time that places a mention, as SQL over `mentions m JOIN entries e` (both backends): its
// entry's date (entry_date.h; the mention's created_at is its entry's first_seen_at, written in
// the same commit, and is read from the mentions index instead of the end of a long entry row),
// or its detection (query.count_by).
std::string DateColumn(const StatsQuery& query);

// The mentions of query.since, until, count_by and language (query.category is applied by
// each fold, since the share of voice and the reach ignore it), grouped. On PostgreSQL.
[[nodiscard]] Result<std::vector<PeriodRow>> ReadPeriodRowsPg(pg::Connection& conn,
                                                              const StatsQuery& query);

// TopStories on PostgreSQL (stats.h).
[[nodiscard]] Result<std::vector<StorySummary>> TopStoriesPg(Store& store, pg::Connection& conn,
                                                             const StatsQuery& query, int limit);

}  // namespace veille::store
