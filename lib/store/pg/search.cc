// The PostgreSQL side of search.h: the statements of search.cc with a tsquery over entries.fts
// (its GIN index entries_fts) instead of FTS5's MATCH, and ts_rank instead of bm25. Each page
// is one statement outside any transaction (autocommit): no snapshot is held while `visit` runs.
#include "store/pg/search.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "store/entry_date.h"
#include "store/pg/store_backend.h"
#include "store/pg/tsquery.h"
#include "store/search_rows.h"

namespace veille::store::pg {
namespace {

// The filter's conditions over `entries e`, with $1 since, $2 until, $3 the language key and $4
// the tsquery (NULL: every entry). Run with Exec (unnamed statements, planned with the values):
// the NULL tests fold away and the GIN index serves the tsquery.
std::string Conditions(const EntryFilter& filter) {
  std::string sql =
      "($1::bigint IS NULL OR e.first_seen_at >= $1) AND ($2::bigint IS NULL OR "
      "e.first_seen_at < $2) AND ($3::text = '' OR lower(e.language) = $3 OR "
      "starts_with(lower(e.language), $3 || '-'))";
  sql += IdListCondition("e.feed_id", filter.feed_ids);
  sql += IdListCondition("e.id", filter.ids);
  return sql + " AND ($4::tsquery IS NULL OR e.fts @@ $4::tsquery)";
}

// A tsquery the server refuses is the query's fault, not the storage's (it cannot happen with
// TsQueryPrefilter's output; said clearly if it ever does).
Error QueryError(Error error, const std::string& tsquery) {
  if (!tsquery.empty() && error.code == ErrorCode::kStorage) {
    error.code = ErrorCode::kInvalidArgument;
    error.message = "full-text query " + tsquery + ": " + error.message;
  }
  return error;
}

std::vector<StoredEntry> ReadRows(const Rows& rows) {
  std::vector<StoredEntry> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadStoredEntry(PgRow{rows, i}));
  return out;
}

// kDetected without a tsquery: pages by id, newest first, nothing read ahead.
Result<void> ScanByDetection(Connection& conn, const std::string& tsquery,
                             const EntryFilter& filter, const EntryVisitor& visit) {
  const std::string sql = std::string("SELECT ") + kEntryColumns +
                          " FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id < $5 AND " +
                          Conditions(filter) + " ORDER BY e.id DESC LIMIT $6::bigint";
  const std::string language = LanguageKey(filter.language);
  const std::optional<std::string> match =
      tsquery.empty() ? std::nullopt : std::optional<std::string>(tsquery);
  const auto read_page = [&](std::int64_t below,
                             std::int64_t page_size) -> Result<std::vector<StoredEntry>> {
    auto rows =
        Lift(conn.Exec(sql, {filter.since, filter.until, language, match, below, page_size}));
    if (!rows) return tl::unexpected(QueryError(rows.error(), tsquery));
    return ReadRows(*rows);
  };
  return VisitByDetection(read_page, visit);
}

Result<std::vector<Ranked>> RankCandidates(Connection& conn, const std::string& tsquery,
                                           const EntryFilter& filter, bool relevance) {
  // ts_rank's weights are {D, C, B, A}: a title hit (A) weighs double a text hit (B), as
  // bm25(entries_fts, 2.0, 1.0) on SQLite; minus the rank, so that the best is lowest as bm25.
  std::string sql = "SELECT e.id, ";
  // kDetected: the id itself (newest first, as the date).
  sql += relevance ? "-ts_rank('{0, 0, 0.5, 1.0}', e.fts, $4::tsquery)"
         : filter.order == EntryOrder::kDetected ? "e.id"
                                                 : kEntryDateSql;
  sql += " FROM entries e WHERE " + Conditions(filter);
  const std::optional<std::string> match =
      tsquery.empty() ? std::nullopt : std::optional<std::string>(tsquery);
  auto rows =
      Lift(conn.Exec(sql, {filter.since, filter.until, LanguageKey(filter.language), match}));
  if (!rows) return tl::unexpected(QueryError(rows.error(), tsquery));
  std::vector<Ranked> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    const double key = relevance ? std::strtod(rows->Text(i, 1).c_str(), nullptr)
                                 : static_cast<double>(rows->Int(i, 1));
    out.push_back({key, rows->Int(i, 0)});
  }
  SortRanked(out, relevance);
  return out;
}

Result<void> ScanRanked(Connection& conn, const std::string& tsquery, const EntryFilter& filter,
                        const EntryVisitor& visit) {
  const bool relevance = filter.order == EntryOrder::kRelevance && !tsquery.empty();
  auto ranked = RankCandidates(conn, tsquery, filter, relevance);
  if (!ranked) return tl::unexpected(ranked.error());
  const std::string sql = std::string("SELECT ") + kEntryColumns +
                          " FROM entries e JOIN feeds f ON f.id = e.feed_id "
                          "WHERE e.id = ANY($1::bigint[])";
  const auto read_rows =
      [&](const std::vector<std::int64_t>& ids) -> Result<std::vector<StoredEntry>> {
    std::string list = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      list += (i > 0 ? "," : "") + std::to_string(ids[i]);
    }
    list += "}";
    auto rows = Lift(conn.ExecCached(sql, {list}));
    if (!rows) return tl::unexpected(rows.error());
    return ReadRows(*rows);
  };
  return VisitRanked(*ranked, read_rows, visit);
}

}  // namespace

Result<void> ScanEntries(Connection& conn, const match::QueryNode* query, const EntryFilter& filter,
                         const std::function<bool(const StoredEntry&)>& visit) {
  const std::string tsquery = query ? TsQueryPrefilter(*query) : std::string();
  // With a tsquery, kDetected reads its candidates' ids first too: the GIN index gives every
  // candidate at once (a bitmap), so a page per statement would scan it again for each page
  // (archive_backends.py, 100,000 entries, the 500 hits of a phrase: 94 ms a page per
  // statement, 21 ms with the ids first; docs/performance.md).
  if (filter.order == EntryOrder::kDetected && tsquery.empty()) {
    return ScanByDetection(conn, tsquery, filter, visit);
  }
  return ScanRanked(conn, tsquery, filter, visit);
}

Result<std::optional<std::vector<std::int64_t>>> CandidateIds(Connection& conn,
                                                              const match::QueryNode& query,
                                                              const EntryFilter& filter) {
  const std::string tsquery = TsQueryPrefilter(query);
  if (tsquery.empty()) return std::optional<std::vector<std::int64_t>>();
  auto rows = Lift(
      conn.Exec("SELECT e.id FROM entries e WHERE " + Conditions(filter) + " ORDER BY e.id DESC",
                {filter.since, filter.until, LanguageKey(filter.language), tsquery}));
  if (!rows) return tl::unexpected(QueryError(rows.error(), tsquery));
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Int(i, 0));
  return std::optional<std::vector<std::int64_t>>(std::move(out));
}

Result<std::int64_t> CountEntries(Connection& conn, const EntryFilter& filter) {
  auto rows = Lift(conn.Exec("SELECT COUNT(*) FROM entries e WHERE " + Conditions(filter),
                             {filter.since, filter.until, LanguageKey(filter.language), nullptr}));
  if (!rows) return tl::unexpected(rows.error());
  return rows->empty() ? 0 : rows->Int(0, 0);
}

Result<std::vector<StoredEntry>> StoryEntries(Connection& conn, std::int64_t story_id) {
  auto rows = Lift(conn.ExecCached(std::string("SELECT ") + kEntryColumns +
                                       " FROM entries e JOIN feeds f ON f.id = e.feed_id "
                                       "WHERE e.story_id = $1 ORDER BY e.id",
                                   {story_id}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadRows(*rows);
}

}  // namespace veille::store::pg
