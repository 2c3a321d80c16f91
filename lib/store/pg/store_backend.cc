// The PostgreSQL backend (store_backend.h): opening it, feeds, the schedule, the heartbeat.
#include "store/pg/store_backend.h"

#include "store/internal.h"
#include "store/pg/schema.h"

namespace veille::store {

PostgresBackend::PostgresBackend(std::unique_ptr<pg::Connection> conn, std::string session)
    : conn_(std::move(conn)),
      session_(std::move(session)),
      lease_owner_(LeaseOwnerName()),
      unavailable_(Database::Unavailable(
          "not available on PostgreSQL yet: this command runs on an SQLite database only "
          "(issue 18)")) {}

Result<std::unique_ptr<Backend>> OpenPostgres(const std::string& url, Access access,
                                              int busy_timeout_ms) {
  pg::ConnectOptions options;
  options.conninfo = url;
  auto conn = pg::Connection::Open(options);
  if (!conn) return tl::unexpected(conn.error().ToError());
  // SQLite's busy timeout is PostgreSQL's lock_timeout, where 0 would mean waiting forever
  // (SQLite's 0 fails at once: 1 ms is the nearest); a reader's session refuses writes, and
  // compiles no query: PostgreSQL's JIT (on by default from 15, past jit_above_cost) spent
  // 16-40 ms compiling a search over 100,000 candidates at 1M entries, for no faster execution
  // (docs/performance.md, 2026-12-08). In the session message, not libpq's `options`:
  // pgbouncer refuses startup parameters it does not know.
  std::string session = "SET lock_timeout = " + std::to_string(std::max(busy_timeout_ms, 1));
  if (access == Access::kRead) session += "; SET default_transaction_read_only = on; SET jit = off";
  if (access == Access::kMigrate) {
    VEILLE_TRY(Lift((*conn)->ExecScript(session)));
    VEILLE_TRY(Lift(pg::Migrate(**conn)));
  } else {
    // The settings and the schema's version in one round trip (pg::StartSession).
    const std::string& location = (*conn)->description();
    auto version = pg::StartSession(**conn, session);
    if (!version) return tl::unexpected(version.error().ToError());
    if (*version == 0) {  // as store::CheckSchema says it of a missing SQLite schema
      return Fail(ErrorCode::kNotFound,
                  location +
                      " is not a veille database (has veilled run yet? `veille db migrate` "
                      "creates it)");
    }
    VEILLE_TRY(Lift(pg::CheckVersion(*version, location)));
  }
  return std::unique_ptr<Backend>(new PostgresBackend(std::move(*conn), std::move(session)));
}

Result<void> PostgresBackend::Ready() {
  if (!conn_->Lost()) return {};
  VEILLE_TRY(Lift(conn_->Reconnect()));
  ++session_count_;  // session locks (the maintenance lock) ended with the old session
  return Lift(conn_->ExecScript(session_));
}

Result<std::vector<std::int64_t>> PostgresBackend::SyncFeeds(
    const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now) {
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  std::vector<std::int64_t> ids;
  for (const auto& [url, name] : url_and_name) {
    auto row = Query(
        "INSERT INTO feeds (url, name, state, created_at) VALUES ($1, $2, 'ok', $3) "
        "ON CONFLICT (url) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        {url, name, now});
    if (!row) return tl::unexpected(row.error());
    ids.push_back(row->Int(0, 0));
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return ids;
}

Result<std::vector<FeedRow>> PostgresBackend::ListFeeds() {
  VEILLE_TRY(Ready());
  auto rows = Query(std::string("SELECT ") + kFeedColumns +
                    ", (SELECT COUNT(*) FROM entries e WHERE e.feed_id = feeds.id), "
                    "(SELECT COUNT(*) FROM mentions m JOIN entries e ON e.id = m.entry_id "
                    "WHERE e.feed_id = feeds.id) FROM feeds ORDER BY id");
  if (!rows) return tl::unexpected(rows.error());
  std::vector<FeedRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    FeedRow f = ReadFeed(PgRow{*rows, i});
    f.entry_count = rows->Int(i, 25);
    f.mention_count = rows->Int(i, 26);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::optional<FeedRow>> PostgresBackend::GetFeed(std::int64_t feed_id) {
  VEILLE_TRY(Ready());
  auto rows = Query(std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = $1", {feed_id});
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<FeedRow>();
  return std::optional<FeedRow>(ReadFeed(PgRow{*rows, 0}));
}

Result<int> PostgresBackend::CountEntriesSince(std::int64_t feed_id, UnixSeconds since) {
  VEILLE_TRY(Ready());
  auto rows = Query("SELECT COUNT(*) FROM entries WHERE feed_id = $1 AND first_seen_at >= $2",
                    {feed_id, since});
  if (!rows) return tl::unexpected(rows.error());
  return static_cast<int>(rows->Int(0, 0));
}

Result<void> PostgresBackend::WriteSchedule(
    const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) {
  if (next_due.empty()) return {};
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  // A schedule alone, like a 304's feed state, needs no flush: lost, it costs an early poll.
  VEILLE_TRY(Query("SET LOCAL synchronous_commit = off"));
  for (const auto& [id, due] : next_due) {
    VEILLE_TRY(Query("UPDATE feeds SET next_due_at = $2 WHERE id = $1", {id, due}));
  }
  return Lift(tx->Commit());
}

Result<void> PostgresBackend::WriteStatus(const DaemonStatus& status) {
  VEILLE_TRY(Ready());
  return Query(
             "INSERT INTO daemon_status (id, pid, version, started_at, heartbeat_at, stopped_at, "
             "last_error) VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET "
             "pid = EXCLUDED.pid, version = EXCLUDED.version, started_at = EXCLUDED.started_at, "
             "heartbeat_at = EXCLUDED.heartbeat_at, stopped_at = EXCLUDED.stopped_at, "
             "last_error = EXCLUDED.last_error",
             {status.pid, status.version, status.started_at, status.heartbeat_at, status.stopped_at,
              status.last_error})
      .map([](const pg::Rows&) {});
}

Result<std::optional<DaemonStatus>> PostgresBackend::ReadStatus() {
  VEILLE_TRY(Ready());
  auto rows = Query(
      "SELECT pid, version, started_at, heartbeat_at, stopped_at, last_error FROM daemon_status "
      "WHERE id = 1");
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<DaemonStatus>();
  DaemonStatus d;
  d.pid = rows->Int(0, 0);
  d.version = rows->Text(0, 1);
  d.started_at = rows->Int(0, 2);
  d.heartbeat_at = rows->Int(0, 3);
  d.stopped_at = rows->OptInt(0, 4);
  d.last_error = rows->OptText(0, 5);
  return std::optional<DaemonStatus>(d);
}

}  // namespace veille::store
