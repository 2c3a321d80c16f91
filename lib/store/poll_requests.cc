#include "store/poll_requests.h"

#include "store/internal.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// PostgreSQL: the same statements over the backend's connection.
Result<int> RequestPollsPg(pg::Connection& conn, const std::vector<std::int64_t>& feed_ids,
                           std::int64_t now_ms) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  int found = 0;
  for (const std::int64_t id : feed_ids) {
    auto rows = Lift(conn.ExecCached(
        "UPDATE feeds SET poll_requested_at = $2 WHERE id = $1 RETURNING id", {id, now_ms}));
    if (!rows) return tl::unexpected(rows.error());
    found += rows->empty() ? 0 : 1;
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return found;
}

Result<std::vector<PollRequest>> PendingPollRequestsPg(pg::Connection& conn) {
  auto rows = Lift(
      conn.ExecCached("SELECT id, poll_requested_at FROM feeds WHERE poll_requested_at IS NOT NULL "
                      "ORDER BY poll_requested_at, id"));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<PollRequest> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back({rows->Int(i, 0), rows->Int(i, 1)});
  return out;
}

}  // namespace

Result<int> RequestPolls(Store& store, const std::vector<std::int64_t>& feed_ids,
                         std::int64_t now_ms) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RequestPollsPg(**conn, feed_ids, now_ms);
  Database& db = DatabaseOf(store);
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  auto stmt = db.Prepare("UPDATE feeds SET poll_requested_at = ?2 WHERE id = ?1 RETURNING id");
  if (!stmt) return tl::unexpected(stmt.error());
  int found = 0;
  for (const std::int64_t id : feed_ids) {
    stmt->Bind(1, id).Bind(2, now_ms);
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    stmt->Reset();
    found += *row ? 1 : 0;
  }
  VEILLE_TRY(tx->Commit());
  return found;
}

Result<std::vector<PollRequest>> PendingPollRequests(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return PendingPollRequestsPg(**conn);
  auto stmt = DatabaseOf(store).Cached(
      "SELECT id, poll_requested_at FROM feeds WHERE poll_requested_at IS NOT NULL "
      "ORDER BY poll_requested_at, id");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<PollRequest> out;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row) {
      (*stmt)->Reset();
      return tl::unexpected(row.error());
    }
    if (!*row) break;
    out.push_back({(*stmt)->Int(0), (*stmt)->Int(1)});
  }
  (*stmt)->Reset();  // a statement left stepped pins a read snapshot
  return out;
}

}  // namespace veille::store
