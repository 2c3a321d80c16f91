// Operator events (spike and feed-health alerts, outbox_repo.h: their own outbox, the same life
// cycle) and the mention counts their baselines read. PostgreSQL: pg/outbox_events.cc.
#include <algorithm>

#include "common/hash.h"
#include "store/internal.h"
#include "store/outbox_rows.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {

namespace {

Result<std::vector<EventOutboxRow>> ReadEvents(Statement& stmt) {
  std::vector<EventOutboxRow> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadEventOutboxRow(stmt));
  }
  return out;
}

}  // namespace

// "ev1-" + 32 hex digits from (kind, subject, window, channel): stable across retries.
std::string EventIdempotencyKey(const EventRecord& e, const std::string& channel) {
  const std::string material = e.kind + "\n" + e.subject + "\n" + e.window_key + "\n" + channel;
  return "ev1-" + Hex64(Fnv1a64(material)) + Hex64(Fnv1a64(material, 0x84222325cbf29ce4ULL));
}

Result<bool> RecordEvent(Store& store, const EventRecord& event,
                         const std::vector<std::string>& channels) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RecordEventPg(**conn, event, channels);
  auto tx = Transaction::Begin(DatabaseOf(store));
  if (!tx) return tl::unexpected(tx.error());
  auto insert = DatabaseOf(store).Prepare(
      "INSERT INTO events (kind, subject, window_key, title, text, payload, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (kind, subject, window_key) DO NOTHING "
      "RETURNING id");
  if (!insert) return tl::unexpected(insert.error());
  insert->Bind(1, event.kind)
      .Bind(2, event.subject)
      .Bind(3, event.window_key)
      .Bind(4, event.title)
      .Bind(5, event.text)
      .Bind(6, event.payload)
      .Bind(7, event.created_at);
  auto inserted = insert->Step();
  if (!inserted) return tl::unexpected(inserted.error());
  if (!*inserted) return false;  // already said for this window
  const std::int64_t event_id = insert->Int(0);
  insert->Reset();
  auto row = DatabaseOf(store).Prepare(
      "INSERT INTO event_outbox (event_id, channel, idempotency_key, next_attempt_at, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING");
  if (!row) return tl::unexpected(row.error());
  for (const auto& channel : channels) {
    row->Bind(1, event_id)
        .Bind(2, channel)
        .Bind(3, EventIdempotencyKey(event, channel))
        .Bind(4, event.created_at);
    VEILLE_TRY(row->Run());
  }
  VEILLE_TRY(tx->Commit());
  return true;
}

Result<std::vector<EventOutboxRow>> DueEvents(Store& store, const std::string& channel,
                                              UnixSeconds now, int limit, std::int64_t lease_ms) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return DueEventsPg(**conn, channel, now, limit, ClaimOf(store, lease_ms));
  auto stmt = DatabaseOf(store).Prepare(
      std::string("SELECT ") + kEventColumns +
      " FROM event_outbox x JOIN events e ON e.id = x.event_id WHERE x.status = 'pending' "
      "AND x.channel = ?1 AND x.next_attempt_at <= ?2 ORDER BY x.next_attempt_at, x.id LIMIT ?3");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, now).Bind(3, std::int64_t{limit <= 0 ? -1 : limit});
  return ReadEvents(*stmt);
}

Result<void> MarkEventDelivered(Store& store, std::int64_t id, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return MarkEventDeliveredPg(**conn, id, now);
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE event_outbox SET status = 'delivered', delivered_at = ?2, attempts = attempts + 1, "
      "last_error = NULL WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, id).Bind(2, now);
  return stmt->Run();
}

Result<void> MarkEventFailed(Store& store, std::int64_t id, const std::string& error,
                             UnixSeconds next_attempt_at, bool dead) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) {
    return MarkEventFailedPg(**conn, ClaimOf(store, 0).owner, id, error, next_attempt_at, dead);
  }
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE event_outbox SET status = CASE WHEN ?4 THEN 'dead' ELSE status END, "
      "attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, id).Bind(2, error).Bind(3, next_attempt_at).Bind(4, std::int64_t{dead});
  return stmt->Run();
}

Result<std::vector<EventOutboxRow>> ListEvents(Store& store, int limit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ListEventsPg(**conn, limit);
  auto stmt = DatabaseOf(store).Prepare(std::string("SELECT ") + kEventColumns +
                                        " FROM event_outbox x JOIN events e ON e.id = x.event_id "
                                        "ORDER BY x.created_at DESC, x.id DESC LIMIT ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, std::int64_t{limit <= 0 ? -1 : limit});
  return ReadEvents(*stmt);
}

Result<bool> RetryEvent(Store& store, std::int64_t id, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RetryEventPg(**conn, id, now);
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE event_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2 "
      "WHERE id = ?1 AND status IN ('dead', 'pending')");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, id).Bind(2, now);
  VEILLE_TRY(stmt->Run());
  return DatabaseOf(store).Changes() > 0;
}

Result<std::vector<int>> MentionCounts(Store& store, const std::string& rule, UnixSeconds from,
                                       UnixSeconds to, std::int64_t bucket_s) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return MentionCountsPg(**conn, rule, from, to, bucket_s);
  std::vector<int> counts(
      static_cast<std::size_t>(std::max<std::int64_t>(0, (to - from) / bucket_s)), 0);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT (created_at - ?2) / ?4, COUNT(*) FROM mentions WHERE rule = ?1 "
      "AND created_at >= ?2 AND created_at < ?3 GROUP BY 1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, rule).Bind(2, from).Bind(3, to).Bind(4, bucket_s);
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const auto i = static_cast<std::size_t>(stmt->Int(0));
    if (i < counts.size()) counts[i] = static_cast<int>(stmt->Int(1));
  }
  return counts;
}

Result<std::optional<UnixSeconds>> EarliestMention(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return EarliestMentionPg(**conn);
  auto stmt = DatabaseOf(store).Prepare("SELECT MIN(created_at) FROM mentions");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return stmt->OptInt(0);
}

}  // namespace veille::store
