#include "store/outbox_repo.h"

#include <algorithm>

#include "store/internal.h"
#include "store/outbox_rows.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

Result<std::vector<OutboxRow>> ReadRows(Statement& stmt) {
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadOutboxRow(stmt));
  }
  return out;
}

Result<int> RunCounting(Database& db, Statement& stmt) {
  VEILLE_TRY(stmt.Run());
  return db.Changes();
}

}  // namespace

Result<std::vector<OutboxRow>> OutboxOfMentions(Store& store,
                                                const std::vector<std::int64_t>& mention_ids) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return OutboxOfMentionsPg(**conn, mention_ids);
  if (mention_ids.empty()) return std::vector<OutboxRow>();
  auto stmt = DatabaseOf(store).Prepare(
      std::string("SELECT ") + kOutboxColumns + " FROM outbox o WHERE 1 = 1" +
      IdListCondition("o.mention_id", mention_ids) + " ORDER BY o.created_at, o.id");
  if (!stmt) return tl::unexpected(stmt.error());
  return ReadRows(*stmt);
}

Result<std::vector<OutboxListRow>> ListOutbox(Store& store, std::optional<OutboxStatus> status,
                                              int limit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ListOutboxPg(**conn, status, limit);
  // The page's ids first, from the outbox alone: joined before the sort, every row of a long
  // outbox would be (100,000 pending alerts: 8x the CPU).
  auto stmt = DatabaseOf(store).Prepare(
      "WITH page AS (SELECT id FROM outbox WHERE (?1 = '' OR status = ?1) "
      "ORDER BY created_at DESC, id DESC LIMIT ?2) " +
      OutboxListSelect() + "JOIN page ON page.id = o.id ORDER BY o.created_at DESC, o.id DESC");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, status ? OutboxStatusName(*status) : std::string_view(""))  // "": any
      .Bind(2, std::int64_t{limit <= 0 ? -1 : limit});
  std::vector<OutboxListRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadOutboxListRow(*stmt));
  }
  return out;
}

Result<std::vector<SuppressedGroup>> CountSuppressed(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return CountSuppressedPg(**conn);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT COALESCE(o.last_error, ''), COUNT(*), COUNT(DISTINCT e.feed_id) FROM outbox o "
      "JOIN mentions m ON m.id = o.mention_id JOIN entries e ON e.id = m.entry_id "
      "WHERE o.status = 'suppressed' GROUP BY 1 ORDER BY 2 DESC, 1");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<SuppressedGroup> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->Text(0), stmt->Int(1), stmt->Int(2)});
  }
  return out;
}

Result<std::map<OutboxStatus, std::int64_t>> CountOutbox(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return CountOutboxPg(**conn);
  auto stmt = DatabaseOf(store).Prepare("SELECT status, COUNT(*) FROM outbox GROUP BY status");
  if (!stmt) return tl::unexpected(stmt.error());
  std::map<OutboxStatus, std::int64_t> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    if (auto status = ParseOutboxStatus(stmt->Text(0))) out[*status] = stmt->Int(1);
  }
  return out;
}

Result<bool> RetryOutbox(Store& store, std::int64_t id, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RetryOutboxPg(**conn, id, now);
  auto tx = Transaction::Begin(DatabaseOf(store));
  if (!tx) return tl::unexpected(tx.error());
  auto find = DatabaseOf(store).Prepare("SELECT channel, status FROM outbox WHERE id = ?1");
  if (!find) return tl::unexpected(find.error());
  find->Bind(1, id);
  auto found = find->Step();
  if (!found) return tl::unexpected(found.error());
  if (!*found) return false;
  const std::string channel = find->Text(0);
  const std::string status = find->Text(1);
  if (status != "dead" && status != "disabled" && status != "channel_removed" &&
      status != "pending") {
    return false;
  }
  auto update = DatabaseOf(store).Prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2 WHERE id = ?1");
  if (!update) return tl::unexpected(update.error());
  update->Bind(1, id).Bind(2, now);
  VEILLE_TRY(update->Run());
  if (status == "disabled") {
    auto enable = DatabaseOf(store).Prepare(
        "UPDATE channel_state SET disabled_at = NULL, disabled_reason = NULL WHERE channel = ?1");
    if (!enable) return tl::unexpected(enable.error());
    enable->Bind(1, channel);
    VEILLE_TRY(enable->Run());
  }
  VEILLE_TRY(tx->Commit());
  return true;
}

Result<int> RetryAllDead(Store& store, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RetryAllDeadPg(**conn, now);
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1 "
      "WHERE status = 'dead'");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, now);
  return RunCounting(DatabaseOf(store), *stmt);
}

Result<int> RetryAllPending(Store& store, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return RetryAllPendingPg(**conn, now);
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE outbox SET attempts = 0, next_attempt_at = ?1 "
      "WHERE status = 'pending' AND next_attempt_at > ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, now);
  return RunCounting(DatabaseOf(store), *stmt);
}

Result<int> MarkChannelsRemoved(Store& store, const std::vector<std::string>& configured,
                                UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return MarkChannelsRemovedPg(**conn, configured, now);
  // The configured names travel as one newline-joined parameter (no dynamic SQL).
  std::string names = "\n";
  for (const auto& c : configured) names += c + "\n";
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE outbox SET status = 'channel_removed', next_attempt_at = ?2, "
      "last_error = 'channel ' || channel || ' is no longer in the configuration' "
      "WHERE status = 'pending' AND instr(?1, char(10) || channel || char(10)) = 0");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, names).Bind(2, now);
  return RunCounting(DatabaseOf(store), *stmt);
}

Result<int> DisableChannel(Store& store, const std::string& channel, const std::string& endpoint,
                           const std::string& reason, UnixSeconds now) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return DisableChannelPg(**conn, channel, endpoint, reason, now);
  auto tx = Transaction::Begin(DatabaseOf(store));
  if (!tx) return tl::unexpected(tx.error());
  auto state = DatabaseOf(store).Prepare(
      "INSERT INTO channel_state (channel, endpoint, disabled_at, disabled_reason) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel) DO UPDATE SET endpoint = ?2, "
      "disabled_at = ?3, disabled_reason = ?4");
  if (!state) return tl::unexpected(state.error());
  state->Bind(1, channel).Bind(2, endpoint).Bind(3, now).Bind(4, reason);
  VEILLE_TRY(state->Run());
  auto rows = DatabaseOf(store).Prepare(
      "UPDATE outbox SET status = 'disabled', last_error = ?2 "
      "WHERE channel = ?1 AND status = 'pending'");
  if (!rows) return tl::unexpected(rows.error());
  rows->Bind(1, channel).Bind(2, reason);
  auto moved = RunCounting(DatabaseOf(store), *rows);
  if (!moved) return moved;
  VEILLE_TRY(tx->Commit());
  return moved;
}

Result<std::optional<std::string>> ChannelDisabledReason(Store& store, const std::string& channel,
                                                         const std::string& endpoint) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ChannelDisabledReasonPg(**conn, channel, endpoint);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT disabled_reason FROM channel_state WHERE channel = ?1 AND endpoint = ?2 "
      "AND disabled_at IS NOT NULL");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, endpoint);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->OptText(0).value_or("disabled"));
}

Result<std::vector<OutboxRow>> DueForChannel(Store& store, const std::string& channel,
                                             UnixSeconds now, int limit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return DueForChannelPg(**conn, channel, now, limit);
  auto stmt =
      DatabaseOf(store).Prepare(std::string("SELECT ") + kOutboxColumns +
                                " FROM outbox o WHERE o.status = 'pending' AND o.channel = ?1 "
                                "AND o.next_attempt_at <= ?2 ORDER BY o.next_attempt_at, o.id "
                                "LIMIT ?3");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, now).Bind(3, std::int64_t{limit <= 0 ? -1 : limit});
  return ReadRows(*stmt);
}

Result<std::vector<std::vector<OutboxRow>>> DueAlertGroups(Store& store, const std::string& channel,
                                                           UnixSeconds now, int limit,
                                                           std::int64_t lease_ms) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) {
    return DueAlertGroupsPg(**conn, channel, now, limit, ClaimOf(store, lease_ms));
  }
  // The due entries first (oldest first, limited), then every pending row of those entries.
  auto stmt = DatabaseOf(store).Prepare(
      std::string("WITH due AS (SELECT m.entry_id AS entry_id, MIN(o.next_attempt_at) AS at, "
                  "MIN(o.id) AS first FROM outbox o JOIN mentions m ON m.id = o.mention_id "
                  "WHERE o.status = 'pending' AND o.channel = ?1 AND o.next_attempt_at <= ?2 "
                  "GROUP BY m.entry_id ORDER BY at, first LIMIT ?3) SELECT ") +
      kOutboxColumns +
      ", due.entry_id FROM due JOIN mentions m ON m.entry_id = due.entry_id "
      "JOIN outbox o ON o.mention_id = m.id AND o.channel = ?1 AND o.status = 'pending' "
      "ORDER BY due.at, due.first, o.id");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, now).Bind(3, std::int64_t{limit <= 0 ? -1 : limit});
  std::vector<std::vector<OutboxRow>> groups;
  std::int64_t entry = -1;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    if (groups.empty() || stmt->Int(10) != entry) {
      entry = stmt->Int(10);
      groups.emplace_back();
    }
    groups.back().push_back(ReadOutboxRow(*stmt));
  }
  return groups;
}

Result<std::vector<std::vector<OutboxRow>>> DueDigestGroups(Store& store,
                                                            const std::string& channel,
                                                            UnixSeconds now, UnixSeconds slot,
                                                            std::int64_t lease_ms) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) {
    return DueDigestGroupsPg(**conn, channel, now, slot, ClaimOf(store, lease_ms));
  }
  return DueAlertGroups(store, channel, now, 0, lease_ms);  // one daemon: nothing to share
}

namespace {

Result<void> UpdateClaims(Store& store, const std::vector<std::int64_t>& outbox_ids,
                          const std::vector<std::int64_t>& event_ids, std::int64_t lease_ms) {
  if (outbox_ids.empty() && event_ids.empty()) return {};
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn == nullptr) return {};  // SQLite claims nothing
  return UpdateClaimsPg(**conn, ClaimOf(store, 0).owner, outbox_ids, event_ids, lease_ms);
}

}  // namespace

Result<void> ReleaseClaims(Store& store, const std::vector<std::int64_t>& outbox_ids,
                           const std::vector<std::int64_t>& event_ids) {
  return UpdateClaims(store, outbox_ids, event_ids, 0);
}

Result<void> RenewClaims(Store& store, const std::vector<std::int64_t>& outbox_ids,
                         const std::vector<std::int64_t>& event_ids, std::int64_t lease_ms) {
  return UpdateClaims(store, outbox_ids, event_ids, std::max<std::int64_t>(lease_ms, 1));
}

Result<int> DeliveredSince(Store& store, const std::string& channel, UnixSeconds since) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return DeliveredSincePg(**conn, channel, since);
  // A merged alert, a digest and a burst summary record their id in digest_key on each row
  // they carried; an alert about one rule is its own row.
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT COUNT(DISTINCT COALESCE(digest_key, 'row-' || id)) FROM outbox WHERE channel = ?1 "
      "AND status = 'delivered' AND delivered_at >= ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, since);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(stmt->Int(0));
}

Result<std::optional<UnixSeconds>> LastDigestAt(Store& store, const std::string& channel) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return LastDigestAtPg(**conn, channel);
  auto stmt =
      DatabaseOf(store).Prepare("SELECT last_digest_at FROM channel_state WHERE channel = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<UnixSeconds>();
  return stmt->OptInt(0);
}

Result<void> SetLastDigestAt(Store& store, const std::string& channel, UnixSeconds at) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return SetLastDigestAtPg(**conn, channel, at);
  auto stmt = DatabaseOf(store).Prepare(
      "INSERT INTO channel_state (channel, last_digest_at) VALUES (?1, ?2) "
      "ON CONFLICT (channel) DO UPDATE SET last_digest_at = ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, channel).Bind(2, at);
  return stmt->Run();
}

Result<void> MarkDigestDelivered(Store& store, const std::vector<std::int64_t>& ids,
                                 const std::string& channel, const std::string& key,
                                 UnixSeconds now, bool record_digest_time) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr)
    return MarkDigestDeliveredPg(**conn, ids, channel, key, now, record_digest_time);
  auto tx = Transaction::Begin(DatabaseOf(store));
  if (!tx) return tl::unexpected(tx.error());
  auto stmt = DatabaseOf(store).Prepare(
      "UPDATE outbox SET status = 'delivered', delivered_at = ?2, attempts = attempts + 1, "
      "last_error = NULL, digest_key = ?3 WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  for (std::int64_t id : ids) {
    stmt->Bind(1, id).Bind(2, now).Bind(3, key);
    VEILLE_TRY(stmt->Run());
    stmt->Reset();
  }
  if (record_digest_time) VEILLE_TRY(SetLastDigestAt(store, channel, now));
  return tx->Commit();
}

Result<void> MarkDigestFailed(Store& store, const std::vector<std::int64_t>& ids,
                              const std::string& error, UnixSeconds next_attempt_at, bool dead) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) {
    return MarkDigestFailedPg(**conn, ClaimOf(store, 0).owner, ids, error, next_attempt_at, dead);
  }
  auto tx = Transaction::Begin(DatabaseOf(store));
  if (!tx) return tl::unexpected(tx.error());
  for (std::int64_t id : ids) {
    VEILLE_TRY(store.MarkFailed(id, error, next_attempt_at, dead));
  }
  return tx->Commit();
}

Result<std::optional<UnixSeconds>> NextPendingAttempt(Store& store,
                                                      const std::vector<std::string>& channels) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return NextPendingAttemptPg(**conn, channels);
  std::string names = "\n";
  for (const auto& c : channels) names += c + "\n";
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' "
      "AND instr(?1, char(10) || channel || char(10)) > 0");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, names);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return stmt->OptInt(0);
}

Result<std::optional<std::string>> CanonicalLinkOf(Store& store, std::int64_t mention_id) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return CanonicalLinkOfPg(**conn, mention_id);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT e.canonical_link FROM mentions m JOIN entries e ON e.id = m.entry_id "
      "WHERE m.id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, mention_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return stmt->OptText(0);
}

}  // namespace veille::store
