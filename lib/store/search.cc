#include "store/search.h"

#include <cstdint>

#include "store/entry_date.h"
#include "store/fts_query.h"
#include "store/internal.h"
#include "store/pg/search.h"
#include "store/search_rows.h"

namespace veille::store {
namespace {

// A failing MATCH is the user's expression, not the storage.
Error QueryError(Error error, const std::string& fts_match) {
  if (!fts_match.empty() && error.code == ErrorCode::kStorage) {
    error.code = ErrorCode::kInvalidArgument;
    error.message = "full-text expression " + fts_match + ": " + error.message;
  }
  return error;
}

std::string Conditions(const EntryFilter& filter) {
  return "(?1 IS NULL OR e.first_seen_at >= ?1) AND (?2 IS NULL OR e.first_seen_at < ?2)" +
         IdListCondition("e.feed_id", filter.feed_ids) + IdListCondition("e.id", filter.ids) +
         LanguageCondition("e.language", 7, filter.language) + " ";
}

// kDetected: pages by id straight from the index, nothing read ahead.
Result<void> ScanByDetection(Store& store, const std::string& fts_match, const EntryFilter& filter,
                             const EntryVisitor& visit) {
  std::string sql = std::string("SELECT ") + kEntryColumns;
  if (fts_match.empty()) {
    sql += " FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id < ?5 AND ";
    sql += Conditions(filter);
    sql += "ORDER BY e.id DESC LIMIT ?6";
  } else {
    // The FTS table drives the loop so that its rowid order (newest first) is used as is.
    sql +=
        " FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
        "JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH ?4 "
        "AND entries_fts.rowid < ?5 AND ";
    sql += Conditions(filter);
    sql += "ORDER BY entries_fts.rowid DESC LIMIT ?6";
  }
  auto stmt = DatabaseOf(store).Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  // Each page in its own short read transaction (the statement is reset before `visit` runs):
  // a slow consumer, such as a pager reading `veille search --format ndjson`, never holds a
  // snapshot that keeps the daemon's WAL from being checkpointed.
  const auto read_page = [&](std::int64_t below,
                             std::int64_t page_size) -> Result<std::vector<StoredEntry>> {
    stmt->Bind(1, filter.since).Bind(2, filter.until);
    if (!fts_match.empty()) stmt->Bind(4, fts_match);
    stmt->Bind(5, below).Bind(6, page_size);
    if (!filter.language.empty()) stmt->Bind(7, LanguageKey(filter.language));
    std::vector<StoredEntry> page;
    for (;;) {
      auto row = stmt->Step();
      if (!row) return tl::unexpected(QueryError(row.error(), fts_match));
      if (!*row) break;
      page.push_back(ReadStoredEntry(*stmt));
    }
    stmt->Reset();
    return page;
  };
  return VisitByDetection(read_page, visit);
}

// kDate and kRelevance: every candidate's (key, id), sorted, in one statement.
Result<std::vector<Ranked>> RankCandidates(Store& store, const std::string& fts_match,
                                           const EntryFilter& filter, bool relevance) {
  std::string sql = "SELECT e.id, ";
  sql += relevance ? "bm25(entries_fts, 2.0, 1.0)" : kEntryDateSql;
  if (fts_match.empty()) {
    sql += " FROM entries e WHERE ";
  } else {
    sql +=
        " FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
        "WHERE entries_fts MATCH ?4 AND ";
  }
  // The period through the first_seen_at index (an id list), not from each candidate's row:
  // first_seen_at comes after the texts in a row (entry_date.h).
  sql += (filter.since || filter.until)
             ? "e.id IN (SELECT id FROM entries WHERE first_seen_at >= ?1 AND first_seen_at < ?2)"
             : "1";
  sql += IdListCondition("e.feed_id", filter.feed_ids);
  sql += IdListCondition("e.id", filter.ids);
  sql += LanguageCondition("e.language", 7, filter.language);
  auto stmt = DatabaseOf(store).Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  if (!filter.language.empty()) stmt->Bind(7, LanguageKey(filter.language));
  if (filter.since || filter.until) {
    stmt->Bind(1, filter.since.value_or(INT64_MIN)).Bind(2, filter.until.value_or(INT64_MAX));
  }
  if (!fts_match.empty()) stmt->Bind(4, fts_match);
  std::vector<Ranked> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(QueryError(row.error(), fts_match));
    if (!*row) break;
    out.push_back({relevance ? stmt->Double(1) : static_cast<double>(stmt->Int(1)), stmt->Int(0)});
  }
  stmt->Reset();
  // bm25 is negative, better matches more so: lowest first, as SortRanked does for a rank.
  SortRanked(out, relevance);
  return out;
}

Result<void> ScanRanked(Store& store, const std::string& fts_match, const EntryFilter& filter,
                        const EntryVisitor& visit) {
  const bool relevance = filter.order == EntryOrder::kRelevance && !fts_match.empty();
  auto ranked = RankCandidates(store, fts_match, filter, relevance);
  if (!ranked) return tl::unexpected(ranked.error());
  const auto read_rows =
      [&store](const std::vector<std::int64_t>& ids) -> Result<std::vector<StoredEntry>> {
    auto stmt = DatabaseOf(store).Prepare(
        std::string("SELECT ") + kEntryColumns +
        " FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE 1" + IdListCondition("e.id", ids));
    if (!stmt) return tl::unexpected(stmt.error());
    std::vector<StoredEntry> rows;
    for (;;) {
      auto row = stmt->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      rows.push_back(ReadStoredEntry(*stmt));
    }
    stmt->Reset();
    return rows;
  };
  return VisitRanked(*ranked, read_rows, visit);
}

}  // namespace

std::optional<EntryOrder> ParseEntryOrder(std::string_view name) {
  if (name == "detected") return EntryOrder::kDetected;
  if (name == "date") return EntryOrder::kDate;
  if (name == "relevance") return EntryOrder::kRelevance;
  return std::nullopt;
}

Result<void> ScanEntries(Store& store, const match::QueryNode* query, const EntryFilter& filter,
                         const std::function<bool(const StoredEntry&)>& visit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::ScanEntries(**conn, query, filter, visit);
  return ScanEntriesFts(store, query ? FtsPrefilter(*query) : std::string(), filter, visit);
}

Result<void> ScanEntriesFts(Store& store, const std::string& fts_match, const EntryFilter& filter,
                            const std::function<bool(const StoredEntry&)>& visit) {
  if (filter.order == EntryOrder::kDetected) {
    return ScanByDetection(store, fts_match, filter, visit);
  }
  return ScanRanked(store, fts_match, filter, visit);
}

Result<std::optional<std::vector<std::int64_t>>> CandidateIds(Store& store,
                                                              const match::QueryNode& query,
                                                              const EntryFilter& filter) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::CandidateIds(**conn, query, filter);
  const std::string fts_match = FtsPrefilter(query);
  if (fts_match.empty()) return std::optional<std::vector<std::int64_t>>();
  const bool narrowed = filter.since || filter.until || !filter.feed_ids.empty() ||
                        !filter.ids.empty() || !filter.language.empty();
  // Without other conditions, the full-text index alone: no entry row is read.
  auto stmt = DatabaseOf(store).Prepare(
      narrowed ? "SELECT e.id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
                 "WHERE entries_fts MATCH ?4 AND " +
                     Conditions(filter) + "ORDER BY entries_fts.rowid DESC"
               : "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?4 ORDER BY rowid DESC");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(4, fts_match);
  if (narrowed) stmt->Bind(1, filter.since).Bind(2, filter.until);
  if (narrowed && !filter.language.empty()) stmt->Bind(7, LanguageKey(filter.language));
  std::vector<std::int64_t> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(QueryError(row.error(), fts_match));
    if (!*row) break;
    out.push_back(stmt->Int(0));
  }
  return std::optional<std::vector<std::int64_t>>(std::move(out));
}

Result<std::int64_t> CountEntries(Store& store, const EntryFilter& filter) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::CountEntries(**conn, filter);
  auto stmt =
      DatabaseOf(store).Prepare("SELECT COUNT(*) FROM entries e WHERE " + Conditions(filter));
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, filter.since).Bind(2, filter.until);
  if (!filter.language.empty()) stmt->Bind(7, LanguageKey(filter.language));
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? stmt->Int(0) : 0;
}

Result<std::vector<StoredEntry>> StoryEntries(Store& store, std::int64_t story_id) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::StoryEntries(**conn, story_id);
  auto stmt = DatabaseOf(store).Prepare(std::string("SELECT ") + kEntryColumns +
                                        " FROM entries e JOIN feeds f ON f.id = e.feed_id "
                                        "WHERE e.story_id = ?1 ORDER BY e.id");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, story_id);
  std::vector<StoredEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadStoredEntry(*stmt));
  }
  return out;
}

}  // namespace veille::store
