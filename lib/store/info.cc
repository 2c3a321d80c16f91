#include "store/info.h"

#include "store/internal.h"
#include "store/pg/conninfo.h"
#include "store/pg/schema.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// PostgreSQL: the counts in one statement; no pages (the server's storage is its own).
Result<DatabaseInfo> ReadDatabaseInfoPg(pg::Connection& conn) {
  DatabaseInfo info;
  info.backend = "postgresql";
  auto version = pg::StoredVersion(conn);
  if (!version) return tl::unexpected(version.error().ToError());
  info.schema_version = *version;
  auto rows =
      Lift(conn.Exec("SELECT (SELECT COUNT(*) FROM feeds), (SELECT COUNT(*) FROM entries), "
                     "(SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM mentions), "
                     "(SELECT COUNT(*) FROM outbox)"));
  if (!rows) return tl::unexpected(rows.error());
  info.feeds = rows->Int(0, 0);
  info.entries = rows->Int(0, 1);
  info.stories = rows->Int(0, 2);
  info.mentions = rows->Int(0, 3);
  info.outbox = rows->Int(0, 4);
  return info;
}

Result<std::int64_t> Scalar(Database& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kStorage, std::string("no row from ") + sql);
  return stmt->Int(0);
}

}  // namespace

std::string ShownLocation(std::string_view database) {
  return pg::IsPostgresUrl(database) ? pg::RedactConninfo(database) : std::string(database);
}

Result<DatabaseInfo> ReadDatabaseInfo(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ReadDatabaseInfoPg(**conn);
  Database& db = DatabaseOf(store);
  DatabaseInfo info;
  info.backend = "sqlite";
  const std::pair<std::int64_t*, const char*> counts[] = {
      {&info.feeds, "SELECT COUNT(*) FROM feeds"},
      {&info.entries, "SELECT COUNT(*) FROM entries"},
      {&info.stories, "SELECT COUNT(*) FROM stories"},
      {&info.mentions, "SELECT COUNT(*) FROM mentions"},
      {&info.outbox, "SELECT COUNT(*) FROM outbox"}};
  auto version = Scalar(db, "PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  info.schema_version = static_cast<int>(*version);
  for (const auto& [target, sql] : counts) {
    auto n = Scalar(db, sql);
    if (!n) return tl::unexpected(n.error());
    *target = *n;
  }
  auto pages = Scalar(db, "PRAGMA page_count");
  if (!pages) return tl::unexpected(pages.error());
  auto free_pages = Scalar(db, "PRAGMA freelist_count");
  if (!free_pages) return tl::unexpected(free_pages.error());
  info.pages = *pages;
  info.free_pages = *free_pages;
  return info;
}

Result<std::vector<FeedIdentity>> FeedIdentities(Store& store) {
  auto ready = ReadyPostgres(store);
  if (!ready) return tl::unexpected(ready.error());
  if (pg::Connection* conn = *ready) {
    auto rows = Lift(conn->Exec("SELECT id, name, url, fetch_url FROM feeds ORDER BY id"));
    if (!rows) return tl::unexpected(rows.error());
    std::vector<FeedIdentity> out;
    for (int i = 0; i < rows->size(); ++i) {
      out.push_back(
          FeedIdentity{rows->Int(i, 0), rows->Text(i, 1), rows->Text(i, 2), rows->OptText(i, 3)});
    }
    return out;
  }
  auto stmt = DatabaseOf(store).Prepare("SELECT id, name, url, fetch_url FROM feeds ORDER BY id");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<FeedIdentity> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(FeedIdentity{stmt->Int(0), stmt->Text(1), stmt->Text(2), stmt->OptText(3)});
  }
  return out;
}

Result<bool> MentionLabelStored(Store& store, MentionLabel label, std::string_view value) {
  auto ready = ReadyPostgres(store);
  if (!ready) return tl::unexpected(ready.error());
  if (pg::Connection* conn = *ready) {
    auto rows = Lift(conn->Exec(label == MentionLabel::kRule
                                    ? "SELECT 1 FROM mentions WHERE rule = $1 LIMIT 1"
                                    : "SELECT 1 FROM mentions WHERE category = $1 LIMIT 1",
                                {value}));
    if (!rows) return tl::unexpected(rows.error());
    return !rows->empty();
  }
  // Both columns are indexed (mentions_rule, mentions_category).
  auto stmt = DatabaseOf(store).Prepare(label == MentionLabel::kRule
                                            ? "SELECT 1 FROM mentions WHERE rule = ?1 LIMIT 1"
                                            : "SELECT 1 FROM mentions WHERE category = ?1 LIMIT 1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, value);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row;
}

}  // namespace veille::store
