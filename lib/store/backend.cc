// Store: opening the backend its location names, and forwarding to it (store/backend.h).
#include "store/backend.h"

#include <sqlite3.h>

#include "store/internal.h"
#include "store/pg/conninfo.h"
#include "store/pg/schema.h"
#include "store/pg/store_backend.h"
#include "store/schema.h"
#include "store/sqlite_backend.h"

namespace veille::store {

bool IsPostgresLocation(std::string_view database) { return pg::IsPostgresUrl(database); }

std::string MentionSelect(std::string_view tags_sql) {
  return std::string(
             "SELECT m.id, m.created_at, m.rule, m.category, m.terms, m.snippet, m.highlights, "
             "f.name, f.url, e.title, e.link, e.author, e.published_at, e.story_id, e.id, "
             "COALESCE(t.status, 'new'), COALESCE(t.note, ''), COALESCE(") +
         std::string(tags_sql) + ", ''), e.updated_at, " + kTextStartSql +
         ", e.canonical_link, e.language, e.language_source FROM mentions m "
         "JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
         "LEFT JOIN triage t ON t.mention_id = m.id ";
}

Result<std::unique_ptr<Backend>> OpenSqlite(const std::string& path, Access access,
                                            int busy_timeout_ms) {
  auto db =
      Database::Open(path, access == Access::kRead ? OpenMode::kReadOnly : OpenMode::kReadWrite,
                     busy_timeout_ms, /*create=*/access == Access::kMigrate);
  if (!db) return tl::unexpected(db.error());
  if (access == Access::kMigrate) {
    VEILLE_TRY(Migrate(**db));
  } else {
    VEILLE_TRY(CheckSchema(**db, path));
  }
  return std::unique_ptr<Backend>(new SqliteBackend(std::move(*db), path));
}

Store::Store(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& database, Access access,
                                           int busy_timeout_ms) {
  auto backend = IsPostgresLocation(database) ? OpenPostgres(database, access, busy_timeout_ms)
                                              : OpenSqlite(database, access, busy_timeout_ms);
  if (!backend) return tl::unexpected(backend.error());
  return std::unique_ptr<Store>(new Store(std::move(*backend)));
}

Result<void> Store::Revalidate() {
  if (InTransaction()) return Fail(ErrorCode::kStorage, "the connection is inside a transaction");
  if (pg::Connection* conn = backend_->postgres()) {
    // No Ready() first: a connection the server closed is found by this statement, and the
    // caller opens a new store (its session settings and schema check with it).
    auto rows = conn->Exec("SELECT version FROM veille_schema WHERE id = 1");
    if (!rows) return tl::unexpected(rows.error().ToError());
    const int version = rows->empty() ? 0 : static_cast<int>(rows->Int(0, 0));
    return Lift(pg::CheckVersion(version, conn->description()));
  }
  Database& db = backend_->sqlite();
  auto moved = db.FileHasMoved();
  if (!moved) return tl::unexpected(moved.error());
  const char* file = sqlite3_db_filename(db.handle(), "main");
  const std::string location = file ? file : "the database";
  if (*moved) return Fail(ErrorCode::kStorage, location + " was replaced since it was opened");
  return CheckSchema(db, location);
}

bool Store::InTransaction() {
  if (pg::Connection* conn = backend_->postgres()) return conn->InTransaction();
  return backend_->sqlite().InTransaction();
}

Backend& BackendOf(Store& store) { return *store.backend_; }
Database& DatabaseOf(Store& store) { return BackendOf(store).sqlite(); }
Result<pg::Connection*> ReadyPostgres(Store& store) {
  Backend& backend = BackendOf(store);
  pg::Connection* conn = backend.postgres();
  if (conn == nullptr) return conn;
  VEILLE_TRY(static_cast<PostgresBackend&>(backend).Ready());
  return conn;
}
bool OnPostgres(Store& store) { return BackendOf(store).postgres() != nullptr; }
std::string_view BackendKind(Store& store) { return BackendOf(store).kind(); }

Result<std::vector<std::int64_t>> Store::SyncFeeds(
    const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now) {
  return backend_->SyncFeeds(url_and_name, now);
}

Result<std::vector<FeedRow>> Store::ListFeeds() { return backend_->ListFeeds(); }

Result<std::optional<FeedRow>> Store::GetFeed(std::int64_t feed_id) {
  return backend_->GetFeed(feed_id);
}

Result<int> Store::CountEntriesSince(std::int64_t feed_id, UnixSeconds since) {
  return backend_->CountEntriesSince(feed_id, since);
}

Result<std::vector<Result<CommitStats>>> Store::CommitBatch(
    const std::vector<DocumentCommit>& writes) {
  return backend_->CommitBatch(writes);
}

Result<CommitStats> Store::CommitDocument(const DocumentCommit& commit) {
  auto results = CommitBatch({commit});
  if (!results) return tl::unexpected(results.error());
  return std::move(results->front());
}

Result<void> Store::UpdateFeed(const FeedUpdate& update) {
  DocumentCommit state;  // no document: committed without an fsync (CommitBatch)
  state.feed = update;
  auto results = CommitBatch({state});
  if (!results) return tl::unexpected(results.error());
  if (!results->front()) return tl::unexpected(results->front().error());
  return {};
}

void Store::PreloadStoryKeys(UnixSeconds now) { backend_->PreloadStoryKeys(now); }

Result<void> Store::StartCheckpointer() { return backend_->StartCheckpointer(); }

Result<bool> Store::ChangedByOthers() { return backend_->ChangedByOthers(); }

Result<bool> Store::DatabaseReplaced() const { return backend_->DatabaseReplaced(); }

Result<void> Store::WriteSchedule(
    const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) {
  return backend_->WriteSchedule(next_due);
}

Result<std::vector<MentionRow>> Store::ListMentions(const MentionFilter& filter) {
  return backend_->ListMentions(filter);
}

Result<std::vector<OutboxRow>> Store::DueOutbox(UnixSeconds now, int limit) {
  return backend_->DueOutbox(now, limit);
}

Result<MentionRow> Store::GetMention(std::int64_t mention_id) {
  return backend_->GetMention(mention_id);
}

Result<void> Store::MarkDelivered(std::int64_t outbox_id, UnixSeconds now) {
  return backend_->MarkDelivered(outbox_id, now);
}

Result<void> Store::MarkFailed(std::int64_t outbox_id, const std::string& error,
                               UnixSeconds next_attempt_at, bool dead) {
  return backend_->MarkFailed(outbox_id, error, next_attempt_at, dead);
}

Result<void> Store::WriteStatus(const DaemonStatus& status) {
  return backend_->WriteStatus(status);
}

Result<std::optional<DaemonStatus>> Store::ReadStatus() { return backend_->ReadStatus(); }

Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> Store::OutboxCounts() {
  return backend_->OutboxCounts();
}

}  // namespace veille::store
