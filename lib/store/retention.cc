#include "store/retention.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "common/entry_text.h"
#include "store/internal.h"
#include "store/pg/retention.h"

namespace veille::store {

Result<int> PruneEntriesBatch(Store& store, UnixSeconds cutoff, int batch) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::PruneEntriesBatch(**conn, cutoff, batch);
  Database& db = DatabaseOf(store);
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  auto select = db.Prepare(
      "SELECT e.id, e.story_id, e.title, e.summary, e.content FROM entries e "
      "WHERE e.first_seen_at < ?1 AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entry_id = "
      "e.id) "
      "ORDER BY e.first_seen_at LIMIT ?2");
  // A contentless FTS5 table deletes a row given the values it indexed.
  auto delete_fts = db.Prepare(
      "INSERT INTO entries_fts (entries_fts, rowid, title, text) VALUES ('delete', ?1, ?2, ?3)");
  auto delete_entry = db.Prepare("DELETE FROM entries WHERE id = ?1");
  auto delete_story = db.Prepare(
      "DELETE FROM stories WHERE id = ?1 AND NOT EXISTS "
      "(SELECT 1 FROM entries WHERE story_id = ?1)");
  for (auto* s : {&select, &delete_fts, &delete_entry, &delete_story}) {
    if (!*s) return tl::unexpected(s->error());
  }
  select->Bind(1, cutoff).Bind(2, std::int64_t{batch});
  struct Doomed {
    std::int64_t id;
    std::optional<std::int64_t> story;
    std::string title;
    std::string text;
  };
  std::vector<Doomed> doomed;
  for (;;) {
    auto row = select->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    doomed.push_back({select->Int(0), select->OptInt(1), select->Text(2),
                      IndexedEntryText(select->OptText(3), select->OptText(4))});
  }
  select->Reset();
  std::set<std::int64_t> stories;
  for (const Doomed& d : doomed) {
    delete_fts->Bind(1, d.id).Bind(2, d.title).Bind(3, d.text);
    if (auto r = delete_fts->Run(); !r) return tl::unexpected(r.error());
    delete_entry->Bind(1, d.id);
    if (auto r = delete_entry->Run(); !r) return tl::unexpected(r.error());
    if (d.story) stories.insert(*d.story);
  }
  for (std::int64_t story : stories) {
    delete_story->Bind(1, story);
    if (auto r = delete_story->Run(); !r) return tl::unexpected(r.error());
  }
  if (auto r = tx->Commit(); !r) return tl::unexpected(r.error());
  return static_cast<int>(doomed.size());
}

Result<std::int64_t> PruneMentions(Store& store, UnixSeconds cutoff, int batch) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::PruneMentions(**conn, cutoff, batch);
  std::int64_t total = 0;
  for (;;) {
    auto tx = Transaction::Begin(DatabaseOf(store));
    if (!tx) return tl::unexpected(tx.error());
    auto stmt = DatabaseOf(store).Prepare(
        "DELETE FROM mentions WHERE id IN "
        "(SELECT id FROM mentions WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)");
    if (!stmt) return tl::unexpected(stmt.error());
    stmt->Bind(1, cutoff).Bind(2, std::int64_t{batch});
    if (auto r = stmt->Run(); !r) return tl::unexpected(r.error());
    const int deleted = DatabaseOf(store).Changes();
    if (auto r = tx->Commit(); !r) return tl::unexpected(r.error());
    total += deleted;
    if (deleted < batch) break;
  }
  return total;
}

Result<void> BackupTo(Store& store, const std::string& destination) {
  if (OnPostgres(store)) {  // the server's own tool, which knows its roles, schemas and versions
    return Fail(ErrorCode::kInvalidArgument,
                "the database is on PostgreSQL: back it up with pg_dump, e.g. pg_dump "
                "--format=custom --file=" +
                    destination +
                    " with the connection string of [daemon] database (docs/operations.md)");
  }
  std::error_code ec;
  if (std::filesystem::exists(destination, ec)) {
    return Fail(ErrorCode::kIo, destination + " already exists; choose a new file name");
  }
  sqlite3* target = nullptr;
  if (sqlite3_open_v2(destination.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    Error error = SqliteError(target, "cannot create " + destination);
    sqlite3_close_v2(target);
    return tl::unexpected(error);
  }
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", DatabaseOf(store).handle(), "main");
  if (!backup) {
    Error error = SqliteError(target, "backup");
    sqlite3_close_v2(target);
    std::filesystem::remove(destination, ec);
    return tl::unexpected(error);
  }
  // One step copies every page inside one read transaction: in WAL mode the daemon keeps
  // writing meanwhile, and the copy is the snapshot taken when the step began (page-by-page
  // steps would restart each time the daemon commits).
  int rc = SQLITE_BUSY;
  for (int attempt = 0; attempt < 100 && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED); ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  sqlite3_backup_finish(backup);
  Result<void> result;
  if (rc != SQLITE_DONE) result = tl::unexpected(SqliteError(target, "backup"));
  sqlite3_close_v2(target);
  if (!result) std::filesystem::remove(destination, ec);
  return result;
}

Result<bool> MergeIndexStep(Store& store, int pages) {
  Database& db = DatabaseOf(store);
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  auto merge = db.Cached("INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?1)");
  if (!merge) return tl::unexpected(merge.error());
  const std::int64_t before = db.TotalChanges();
  (*merge)->Bind(1, std::int64_t{pages});
  VEILLE_TRY((*merge)->Run());
  // FTS5 counts the rows it rewrote; fewer than 2 means there was nothing left to merge.
  const bool worked = db.TotalChanges() - before >= 2;
  VEILLE_TRY(tx->Commit());
  return worked;
}

Result<MaintenanceResult> Maintain(Store& store, const MaintenanceRequest& request) {
  MaintenanceResult done;
  if (request.prune_before) {
    auto pruned = PruneEntriesBatch(store, *request.prune_before, request.prune_batch);
    if (!pruned) return tl::unexpected(pruned.error());
    done.pruned = *pruned;
    done.more_to_prune = *pruned == request.prune_batch;
  }
  // PostgreSQL: the GIN index needs no step of ours (autovacuum flushes its pending list and
  // refreshes the statistics): nothing to do, no more work reported.
  if (request.index && !OnPostgres(store)) {
    auto merged = MergeIndexStep(store, std::max(request.index_pages, 1));
    if (!merged) return tl::unexpected(merged.error());
    done.more_index_work = *merged;
  }
  return done;
}

Result<void> Vacuum(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return pg::Vacuum(**conn);
  if (auto r = DatabaseOf(store).Exec("VACUUM"); !r) return r;
  if (auto r = DatabaseOf(store).Exec("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')");
      !r) {
    return r;
  }
  return DatabaseOf(store).Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace veille::store
