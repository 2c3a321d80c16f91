// The PostgreSQL side of retention.h. The full-text column (entries.fts) is part of the row, so
// deleting an entry deletes its index entries: nothing like FTS5's 'delete' command.
#include "store/pg/retention.h"

#include <string>

#include "store/pg/store_backend.h"

namespace veille::store::pg {

Result<int> PruneEntriesBatch(Connection& conn, UnixSeconds cutoff, int batch) {
  auto tx = Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  // The oldest first, as on SQLite. SKIP LOCKED: an entry a writer is updating (an edit) waits
  // for the next batch rather than blocking this one.
  auto deleted = Lift(conn.ExecCached(
      "DELETE FROM entries WHERE id IN (SELECT e.id FROM entries e WHERE e.first_seen_at < $1 "
      "AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entry_id = e.id) "
      "ORDER BY e.first_seen_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING story_id",
      {cutoff, batch}));
  if (!deleted) return tl::unexpected(deleted.error());
  std::string stories = "{";
  for (int i = 0; i < deleted->size(); ++i) {
    if (deleted->IsNull(i, 0)) continue;
    if (stories.size() > 1) stories += ',';
    stories += std::to_string(deleted->Int(i, 0));
  }
  stories += '}';
  if (stories.size() > 2) {
    // A statement of its own: it sees the entries the first one deleted.
    auto emptied =
        Lift(conn.ExecCached("DELETE FROM stories s WHERE s.id = ANY($1::bigint[]) "
                             "AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.story_id = s.id)",
                             {stories}));
    if (!emptied) return tl::unexpected(emptied.error());
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return deleted->size();
}

Result<std::int64_t> PruneMentions(Connection& conn, UnixSeconds cutoff, int batch) {
  std::int64_t total = 0;
  for (;;) {
    // One statement, one transaction (autocommit); the outbox, triage and tags rows go with
    // their mention (ON DELETE CASCADE).
    auto deleted = Lift(conn.ExecCached(
        "DELETE FROM mentions WHERE id IN "
        "(SELECT id FROM mentions WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
        {cutoff, batch}));
    if (!deleted) return tl::unexpected(deleted.error());
    total += deleted->Affected();
    if (deleted->Affected() < batch) break;
  }
  return total;
}

Result<void> Vacuum(Connection& conn) {
  return Lift(conn.ExecScript(
      "VACUUM (ANALYZE) entries, stories, mentions, outbox, triage, triage_tags, feeds, events, "
      "event_outbox"));
}

}  // namespace veille::store::pg
