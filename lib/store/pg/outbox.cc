// The outbox repository on PostgreSQL (repositories.h): outbox_repo.cc's statements with
// PostgreSQL's parameters and functions (strpos for the newline-joined channel lists, COLLATE
// "C" where SQLite orders text by its bytes), counts from RETURNING instead of changes().
#include "common/entry_text.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

constexpr const char* kRowColumns =
    "o.id, o.mention_id, o.channel, o.idempotency_key, o.status, o.attempts, o.next_attempt_at, "
    "o.last_error, o.created_at, o.delivered_at";

OutboxRow ReadRow(const pg::Rows& rows, int i) {
  OutboxRow o;
  o.id = rows.Int(i, 0);
  o.mention_id = rows.Int(i, 1);
  o.channel = rows.Text(i, 2);
  o.idempotency_key = rows.Text(i, 3);
  o.status = ParseOutboxStatus(rows.View(i, 4)).value_or(OutboxStatus::kPending);
  o.attempts = static_cast<int>(rows.Int(i, 5));
  o.next_attempt_at = rows.Int(i, 6);
  o.last_error = rows.OptText(i, 7);
  o.created_at = rows.Int(i, 8);
  o.delivered_at = rows.OptInt(i, 9);
  return o;
}

std::vector<OutboxRow> ReadRows(const pg::Rows& rows) {
  std::vector<OutboxRow> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadRow(rows, i));
  return out;
}

// NULL: no limit (LIMIT NULL is LIMIT ALL).
std::optional<std::int64_t> LimitOf(int limit) {
  return limit <= 0 ? std::nullopt : std::optional<std::int64_t>(limit);
}

// The channel names as one parameter, each between newlines (strpos tests membership).
std::string NameList(const std::vector<std::string>& names) {
  std::string out = "\n";
  for (const auto& n : names) out += n + "\n";
  return out;
}

Result<int> CountOf(pg::PgResult<pg::Rows> rows) {
  if (!rows) return tl::unexpected(rows.error().ToError());
  return rows->size();
}

}  // namespace

Result<std::vector<OutboxRow>> OutboxOfMentionsPg(pg::Connection& conn,
                                                  const std::vector<std::int64_t>& mention_ids) {
  if (mention_ids.empty()) return std::vector<OutboxRow>{};
  auto rows = Lift(conn.Exec(std::string("SELECT ") + kRowColumns + " FROM outbox o WHERE 1 = 1" +
                             IdListCondition("o.mention_id", mention_ids) +
                             " ORDER BY o.created_at, o.id"));
  if (!rows) return tl::unexpected(rows.error());
  return ReadRows(*rows);
}

Result<std::vector<OutboxListRow>> ListOutboxPg(pg::Connection& conn,
                                                std::optional<OutboxStatus> status, int limit) {
  auto rows = Lift(conn.ExecCached(
      std::string("SELECT ") + kRowColumns +
          ", m.rule, e.title, f.name, o.digest_key, "
          "CASE WHEN e.title IS NULL THEN substr(COALESCE(NULLIF(e.summary, ''), e.content), 1, "
          "400) END FROM outbox o JOIN mentions m ON m.id = o.mention_id "
          "JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
          "WHERE ($1::text = '' OR o.status = $1) ORDER BY o.created_at DESC, o.id DESC "
          "LIMIT $2::bigint",
      {status ? OutboxStatusName(*status) : std::string_view(""), LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<OutboxListRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    OutboxListRow r;
    r.row = ReadRow(*rows, i);
    r.rule = rows->Text(i, 10);
    r.title = rows->OptText(i, 11);
    r.feed_name = rows->Text(i, 12);
    r.digest_key = rows->OptText(i, 13);
    if (!r.title) {
      if (auto text = rows->OptText(i, 14)) {
        std::string derived = DerivedTitle(*text);
        if (!derived.empty()) {
          r.title = std::move(derived);
          r.title_derived = true;
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<SuppressedGroup>> CountSuppressedPg(pg::Connection& conn) {
  auto rows = Lift(conn.ExecCached(
      "SELECT COALESCE(o.last_error, ''), COUNT(*), COUNT(DISTINCT e.feed_id) "
      "FROM outbox o JOIN mentions m ON m.id = o.mention_id JOIN entries e ON e.id = m.entry_id "
      "WHERE o.status = 'suppressed' GROUP BY 1 ORDER BY 2 DESC, "
      "COALESCE(o.last_error, '') COLLATE \"C\""));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<SuppressedGroup> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->Text(i, 0), rows->Int(i, 1), rows->Int(i, 2)});
  }
  return out;
}

Result<std::map<OutboxStatus, std::int64_t>> CountOutboxPg(pg::Connection& conn) {
  auto rows = Lift(conn.ExecCached("SELECT status, COUNT(*) FROM outbox GROUP BY status"));
  if (!rows) return tl::unexpected(rows.error());
  std::map<OutboxStatus, std::int64_t> out;
  for (int i = 0; i < rows->size(); ++i) {
    if (auto status = ParseOutboxStatus(rows->View(i, 0))) out[*status] = rows->Int(i, 1);
  }
  return out;
}

Result<bool> RetryOutboxPg(pg::Connection& conn, std::int64_t id, UnixSeconds now) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  // FOR UPDATE: a dispatcher marking the row at the same time waits, then sees the retry.
  auto found =
      Lift(conn.ExecCached("SELECT channel, status FROM outbox WHERE id = $1 AND status IN "
                           "('dead', 'disabled', 'channel_removed', 'pending') FOR UPDATE",
                           {id}));
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return false;
  const std::string channel = found->Text(0, 0);
  const bool disabled = found->View(0, 1) == "disabled";
  VEILLE_TRY(Lift(conn.ExecCached(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1",
      {id, now})));
  if (disabled) {
    VEILLE_TRY(Lift(conn.ExecCached(
        "UPDATE channel_state SET disabled_at = NULL, disabled_reason = NULL WHERE channel = $1",
        {channel})));
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return true;
}

Result<int> RetryAllDeadPg(pg::Connection& conn, UnixSeconds now) {
  return CountOf(
      conn.ExecCached("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1 "
                      "WHERE status = 'dead' RETURNING id",
                      {now}));
}

Result<int> RetryAllPendingPg(pg::Connection& conn, UnixSeconds now) {
  return CountOf(
      conn.ExecCached("UPDATE outbox SET attempts = 0, next_attempt_at = $1 "
                      "WHERE status = 'pending' AND next_attempt_at > $1 RETURNING id",
                      {now}));
}

Result<int> MarkChannelsRemovedPg(pg::Connection& conn, const std::vector<std::string>& configured,
                                  UnixSeconds now) {
  return CountOf(conn.ExecCached(
      "UPDATE outbox SET status = 'channel_removed', next_attempt_at = $2, "
      "last_error = 'channel ' || channel || ' is no longer in the configuration' "
      "WHERE status = 'pending' AND strpos($1, E'\\n' || channel || E'\\n') = 0 RETURNING id",
      {NameList(configured), now}));
}

Result<int> DisableChannelPg(pg::Connection& conn, const std::string& channel,
                             const std::string& endpoint, const std::string& reason,
                             UnixSeconds now) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  VEILLE_TRY(Lift(conn.ExecCached(
      "INSERT INTO channel_state (channel, endpoint, disabled_at, disabled_reason) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (channel) DO UPDATE SET endpoint = EXCLUDED.endpoint, "
      "disabled_at = EXCLUDED.disabled_at, disabled_reason = EXCLUDED.disabled_reason",
      {channel, endpoint, now, reason})));
  auto moved =
      CountOf(conn.ExecCached("UPDATE outbox SET status = 'disabled', last_error = $2 "
                              "WHERE channel = $1 AND status = 'pending' RETURNING id",
                              {channel, reason}));
  if (!moved) return moved;
  VEILLE_TRY(Lift(tx->Commit()));
  return moved;
}

Result<std::optional<std::string>> ChannelDisabledReasonPg(pg::Connection& conn,
                                                           const std::string& channel,
                                                           const std::string& endpoint) {
  auto rows = Lift(conn.ExecCached(
      "SELECT disabled_reason FROM channel_state WHERE channel = $1 AND endpoint = $2 "
      "AND disabled_at IS NOT NULL",
      {channel, endpoint}));
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->OptText(0, 0).value_or("disabled"));
}

Result<std::vector<OutboxRow>> DueForChannelPg(pg::Connection& conn, const std::string& channel,
                                               UnixSeconds now, int limit) {
  auto rows = Lift(conn.ExecCached(std::string("SELECT ") + kRowColumns +
                                       " FROM outbox o WHERE o.status = 'pending' AND "
                                       "o.channel = $1 AND o.next_attempt_at <= $2 "
                                       "ORDER BY o.next_attempt_at, o.id LIMIT $3::bigint",
                                   {channel, now, LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadRows(*rows);
}

Result<std::vector<std::vector<OutboxRow>>> DueAlertGroupsPg(pg::Connection& conn,
                                                             const std::string& channel,
                                                             UnixSeconds now, int limit) {
  auto rows = Lift(conn.ExecCached(
      std::string("WITH due AS (SELECT m.entry_id AS entry_id, MIN(o.next_attempt_at) AS at, "
                  "MIN(o.id) AS first FROM outbox o JOIN mentions m ON m.id = o.mention_id "
                  "WHERE o.status = 'pending' AND o.channel = $1 AND o.next_attempt_at <= $2 "
                  "GROUP BY m.entry_id ORDER BY at, first LIMIT $3::bigint) SELECT ") +
          kRowColumns +
          ", due.entry_id FROM due JOIN mentions m ON m.entry_id = due.entry_id "
          "JOIN outbox o ON o.mention_id = m.id AND o.channel = $1 AND o.status = 'pending' "
          "ORDER BY due.at, due.first, o.id",
      {channel, now, LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::vector<OutboxRow>> groups;
  std::int64_t entry = -1;
  for (int i = 0; i < rows->size(); ++i) {
    if (groups.empty() || rows->Int(i, 10) != entry) {
      entry = rows->Int(i, 10);
      groups.emplace_back();
    }
    groups.back().push_back(ReadRow(*rows, i));
  }
  return groups;
}

Result<int> DeliveredSincePg(pg::Connection& conn, const std::string& channel, UnixSeconds since) {
  auto rows = Lift(conn.ExecCached(
      "SELECT COUNT(DISTINCT COALESCE(digest_key, 'row-' || id)) FROM outbox WHERE channel = $1 "
      "AND status = 'delivered' AND delivered_at >= $2",
      {channel, since}));
  if (!rows) return tl::unexpected(rows.error());
  return static_cast<int>(rows->Int(0, 0));
}

Result<std::optional<UnixSeconds>> LastDigestAtPg(pg::Connection& conn,
                                                  const std::string& channel) {
  auto rows = Lift(
      conn.ExecCached("SELECT last_digest_at FROM channel_state WHERE channel = $1", {channel}));
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<UnixSeconds>();
  return rows->OptInt(0, 0);
}

Result<void> SetLastDigestAtPg(pg::Connection& conn, const std::string& channel, UnixSeconds at) {
  return Lift(conn.ExecCached("INSERT INTO channel_state (channel, last_digest_at) VALUES ($1, $2) "
                              "ON CONFLICT (channel) DO UPDATE SET last_digest_at = $2",
                              {channel, at}))
      .map([](const pg::Rows&) {});
}

Result<void> MarkDigestDeliveredPg(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                   const std::string& channel, const std::string& key,
                                   UnixSeconds now, bool record_digest_time) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  for (const std::int64_t id : ids) {
    VEILLE_TRY(Lift(conn.ExecCached(
        "UPDATE outbox SET status = 'delivered', delivered_at = $2, attempts = attempts + 1, "
        "last_error = NULL, digest_key = $3 WHERE id = $1",
        {id, now, key})));
  }
  if (record_digest_time) VEILLE_TRY(SetLastDigestAtPg(conn, channel, now));
  return Lift(tx->Commit());
}

Result<void> MarkDigestFailedPg(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                const std::string& error, UnixSeconds next_attempt_at, bool dead) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  for (const std::int64_t id : ids) {
    // PostgresBackend::MarkFailed's statement.
    VEILLE_TRY(Lift(conn.ExecCached(
        "UPDATE outbox SET status = CASE WHEN $4 <> 0 THEN 'dead' ELSE status END, "
        "attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1",
        {id, error, next_attempt_at, dead ? 1 : 0})));
  }
  return Lift(tx->Commit());
}

Result<std::optional<UnixSeconds>> NextPendingAttemptPg(pg::Connection& conn,
                                                        const std::vector<std::string>& channels) {
  auto rows =
      Lift(conn.ExecCached("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' "
                           "AND strpos($1, E'\\n' || channel || E'\\n') > 0",
                           {NameList(channels)}));
  if (!rows) return tl::unexpected(rows.error());
  return rows->OptInt(0, 0);
}

Result<std::optional<std::string>> CanonicalLinkOfPg(pg::Connection& conn,
                                                     std::int64_t mention_id) {
  auto rows = Lift(
      conn.ExecCached("SELECT e.canonical_link FROM mentions m JOIN entries e ON e.id = m.entry_id "
                      "WHERE m.id = $1",
                      {mention_id}));
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<std::string>();
  return rows->OptText(0, 0);
}

}  // namespace veille::store
