// Operator events (spike and feed-health alerts) and the mention counts their baselines read, on
// PostgreSQL (repositories.h): outbox_repo.cc's statements with PostgreSQL's parameters.
#include <algorithm>

#include "store/outbox_rows.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

std::vector<EventOutboxRow> ReadEvents(const pg::Rows& rows) {
  std::vector<EventOutboxRow> out;
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(ReadEventOutboxRow(PgRow{rows, i}));
  }
  return out;
}

}  // namespace

Result<bool> RecordEventPg(pg::Connection& conn, const EventRecord& event,
                           const std::vector<std::string>& channels) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  auto inserted = Lift(conn.ExecCached(
      "INSERT INTO events (kind, subject, window_key, title, text, payload, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, subject, window_key) DO NOTHING "
      "RETURNING id",
      {event.kind, event.subject, event.window_key, event.title, event.text, event.payload,
       event.created_at}));
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->empty()) return false;  // already said for this window
  const std::int64_t event_id = inserted->Int(0, 0);
  for (const auto& channel : channels) {
    VEILLE_TRY(Lift(conn.ExecCached(
        "INSERT INTO event_outbox (event_id, channel, idempotency_key, next_attempt_at, "
        "created_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
        {event_id, channel, EventIdempotencyKey(event, channel), event.created_at})));
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return true;
}

Result<std::vector<EventOutboxRow>> DueEventsPg(pg::Connection& conn, const std::string& channel,
                                                UnixSeconds now, int limit,
                                                const OutboxClaim& claim) {
  // The claim of pg/outbox.cc's alert groups, one row at a time: due rows free to claim (never
  // leased, lease expired, or this store's own), FOR UPDATE SKIP LOCKED, leased in the same
  // statement.
  static const std::string sql =
      std::string(
          "WITH due AS (SELECT x.id FROM event_outbox x WHERE x.status = 'pending' "
          "AND x.channel = $1 AND x.next_attempt_at <= $2 AND (x.lease_until IS NULL "
          "OR x.lease_owner = $4 OR x.lease_until <= ") +
      kServerClockMs +
      ") ORDER BY x.next_attempt_at, x.id LIMIT $3::bigint FOR UPDATE SKIP LOCKED), "
      "claimed AS (UPDATE event_outbox x SET lease_owner = $4, lease_until = " +
      kServerClockMs + " + $5::bigint FROM due WHERE x.id = due.id RETURNING x.*) SELECT " +
      kEventColumns +
      " FROM claimed x JOIN events e ON e.id = x.event_id ORDER BY x.next_attempt_at, x.id";
  auto rows =
      Lift(conn.ExecCached(sql, {channel, now, LimitOf(limit), claim.owner, claim.lease_ms}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadEvents(*rows);
}

Result<void> MarkEventDeliveredPg(pg::Connection& conn, std::int64_t id, UnixSeconds now) {
  return Lift(conn.ExecCached("UPDATE event_outbox SET status = 'delivered', delivered_at = $2, "
                              "attempts = attempts + 1, last_error = NULL, lease_owner = NULL, "
                              "lease_until = NULL WHERE id = $1",
                              {id, now}))
      .map([](const pg::Rows&) {});
}

Result<void> MarkEventFailedPg(pg::Connection& conn, const std::string& owner, std::int64_t id,
                               const std::string& error, UnixSeconds next_attempt_at, bool dead) {
  // pg/repositories.h kMarkFailedSql on the event's row.
  return Lift(conn.ExecCached(
                  "UPDATE event_outbox SET status = CASE WHEN $4 <> 0 THEN 'dead' ELSE status "
                  "END, attempts = attempts + 1, last_error = $2, next_attempt_at = $3, "
                  "lease_until = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_until END, "
                  "lease_owner = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_owner END "
                  "WHERE id = $1",
                  {id, error, next_attempt_at, dead ? 1 : 0, owner}))
      .map([](const pg::Rows&) {});
}

Result<std::vector<EventOutboxRow>> ListEventsPg(pg::Connection& conn, int limit) {
  auto rows = Lift(conn.ExecCached(std::string("SELECT ") + kEventColumns +
                                       " FROM event_outbox x JOIN events e ON e.id = x.event_id "
                                       "ORDER BY x.created_at DESC, x.id DESC LIMIT $1::bigint",
                                   {LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadEvents(*rows);
}

Result<bool> RetryEventPg(pg::Connection& conn, std::int64_t id, UnixSeconds now) {
  auto rows = Lift(conn.ExecCached(
      "UPDATE event_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 "
      "WHERE id = $1 AND status IN ('dead', 'pending') RETURNING id",
      {id, now}));
  if (!rows) return tl::unexpected(rows.error());
  return !rows->empty();
}

Result<std::vector<int>> MentionCountsPg(pg::Connection& conn, const std::string& rule,
                                         UnixSeconds from, UnixSeconds to, std::int64_t bucket_s) {
  std::vector<int> counts(
      static_cast<std::size_t>(std::max<std::int64_t>(0, (to - from) / bucket_s)), 0);
  auto rows = Lift(conn.ExecCached(
      "SELECT (created_at - $2::bigint) / $4::bigint, COUNT(*) FROM mentions WHERE rule = $1 "
      "AND created_at >= $2::bigint AND created_at < $3::bigint GROUP BY 1",
      {rule, from, to, bucket_s}));
  if (!rows) return tl::unexpected(rows.error());
  for (int r = 0; r < rows->size(); ++r) {
    const auto i = static_cast<std::size_t>(rows->Int(r, 0));
    if (i < counts.size()) counts[i] = static_cast<int>(rows->Int(r, 1));
  }
  return counts;
}

Result<std::optional<UnixSeconds>> EarliestMentionPg(pg::Connection& conn) {
  auto rows = Lift(conn.ExecCached("SELECT MIN(created_at) FROM mentions"));
  if (!rows) return tl::unexpected(rows.error());
  return rows->OptInt(0, 0);
}

}  // namespace veille::store
