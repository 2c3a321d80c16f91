#include "store/search.h"

#include <algorithm>
#include <cstdint>

namespace veille::store {
namespace {

constexpr const char* kEntryColumns =
    "e.id, e.story_id, f.name, f.url, e.link, e.canonical_link, e.title, e.author, "
    "e.published_at, e.first_seen_at, e.summary, e.content, e.categories, e.language";

StoredEntry ReadEntry(const Statement& s) {
  StoredEntry e;
  e.id = s.Int(0);
  e.story_id = s.OptInt(1).value_or(0);
  e.feed_name = s.Text(2);
  e.feed_url = s.Text(3);
  e.link = s.OptText(4);
  e.canonical_link = s.OptText(5);
  e.title = s.OptText(6);
  e.author = s.OptText(7);
  e.published_at = s.OptInt(8);
  e.first_seen_at = s.Int(9);
  e.summary = s.OptText(10);
  e.content = s.OptText(11);
  e.categories = SplitLines(s.Text(12));
  e.language = s.OptText(13);
  return e;
}

}  // namespace

std::string FtsQuote(const std::string& words) {
  std::string out = "\"";
  for (char c : words) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<void> ScanEntries(Store& store, const std::string& fts_match, const EntryFilter& filter,
                         const std::function<bool(const StoredEntry&)>& visit) {
  const std::string conditions =
      "(?1 IS NULL OR e.first_seen_at >= ?1) AND (?2 IS NULL OR e.first_seen_at < ?2)" +
      IdListCondition("e.feed_id", filter.feed_ids) + " ";
  std::string sql = std::string("SELECT ") + kEntryColumns;
  if (fts_match.empty()) {
    sql += " FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id < ?5 AND ";
    sql += conditions;
    sql += "ORDER BY e.id DESC LIMIT ?6";
  } else {
    // The FTS table drives the loop so that its rowid order (newest first) is used as is.
    sql +=
        " FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
        "JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH ?4 "
        "AND entries_fts.rowid < ?5 AND ";
    sql += conditions;
    sql += "ORDER BY entries_fts.rowid DESC LIMIT ?6";
  }
  auto stmt = store.db().Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  // Pages of rows, each read in its own short read transaction (the statement is reset before
  // `visit` runs): a slow consumer, such as a pager reading `veille search --format ndjson`,
  // never holds a snapshot that keeps the daemon's WAL from being checkpointed.
  // Pages grow from 64 to 512 rows: a search that stops after its first 50 hits reads little.
  std::int64_t page_size = 64;
  std::int64_t below = INT64_MAX;
  for (;;) {
    stmt->Bind(1, filter.since).Bind(2, filter.until);
    if (!fts_match.empty()) stmt->Bind(4, fts_match);
    stmt->Bind(5, below).Bind(6, page_size);
    std::vector<StoredEntry> page;
    for (;;) {
      auto row = stmt->Step();
      if (!row) {
        Error error = row.error();
        if (!fts_match.empty() && error.code == ErrorCode::kStorage) {
          error.code = ErrorCode::kInvalidArgument;
          error.message = "full-text expression " + fts_match + ": " + error.message;
        }
        return tl::unexpected(error);
      }
      if (!*row) break;
      page.push_back(ReadEntry(*stmt));
    }
    stmt->Reset();
    for (const StoredEntry& e : page) {
      if (!visit(e)) return {};
    }
    if (static_cast<std::int64_t>(page.size()) < page_size) return {};
    below = page.back().id;
    page_size = std::min<std::int64_t>(page_size * 2, 512);
  }
}

Result<std::vector<StoredEntry>> StoryEntries(Store& store, std::int64_t story_id) {
  auto stmt = store.db().Prepare(std::string("SELECT ") + kEntryColumns +
                                 " FROM entries e JOIN feeds f ON f.id = e.feed_id "
                                 "WHERE e.story_id = ?1 ORDER BY e.id");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, story_id);
  std::vector<StoredEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadEntry(*stmt));
  }
  return out;
}

}  // namespace veille::store
