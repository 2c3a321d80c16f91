#include "store/info.h"

#include "store/internal.h"

namespace veille::store {
namespace {

Result<std::int64_t> Scalar(Database& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kStorage, std::string("no row from ") + sql);
  return stmt->Int(0);
}

}  // namespace

Result<DatabaseInfo> ReadDatabaseInfo(Store& store) {
  Database& db = DatabaseOf(store);
  DatabaseInfo info;
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
