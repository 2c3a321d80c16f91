// The outbox repository on PostgreSQL (repositories.h): outbox_repo.cc's statements with
// PostgreSQL's parameters and functions (strpos for the newline-joined channel lists, COLLATE
// "C" where SQLite orders text by its bytes), counts from RETURNING instead of changes(); and
// the claims several daemons make on alert rows (docs/scaling.md, "Alert delivery").
#include <algorithm>
#include <utility>

#include "store/internal.h"
#include "store/outbox_rows.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

std::vector<OutboxRow> ReadRows(const pg::Rows& rows) {
  std::vector<OutboxRow> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadOutboxRow(PgRow{rows, i}));
  return out;
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

// The advisory lock space of digest claims (two int4 keys: apart from the bigint keys of the
// migration and maintenance locks); the second key is the channel name's hash.
constexpr std::int32_t kDigestLockSpace = 0x7665696c;  // "veil"

}  // namespace

Result<std::vector<OutboxRow>> OutboxOfMentionsPg(pg::Connection& conn,
                                                  const std::vector<std::int64_t>& mention_ids) {
  if (mention_ids.empty()) return std::vector<OutboxRow>{};
  auto rows = Lift(
      conn.Exec(std::string("SELECT ") + kOutboxColumns + " FROM outbox o WHERE 1 = 1" +
                IdListCondition("o.mention_id", mention_ids) + " ORDER BY o.created_at, o.id"));
  if (!rows) return tl::unexpected(rows.error());
  return ReadRows(*rows);
}

Result<std::vector<OutboxListRow>> ListOutboxPg(pg::Connection& conn,
                                                std::optional<OutboxStatus> status, int limit) {
  // The page's ids first, from the outbox alone, as on SQLite (outbox_repo.cc).
  auto rows = Lift(conn.ExecCached(
      "WITH page AS (SELECT id FROM outbox WHERE ($1::text = '' OR status = $1) "
      "ORDER BY created_at DESC, id DESC LIMIT $2::bigint) " +
          OutboxListSelect() + "JOIN page ON page.id = o.id ORDER BY o.created_at DESC, o.id DESC",
      {status ? OutboxStatusName(*status) : std::string_view(""), LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<OutboxListRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(ReadOutboxListRow(PgRow{*rows, i}));
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
      "last_error = 'channel ' || channel || ' is no longer in the configuration', "
      "lease_owner = NULL, lease_until = NULL "
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
      CountOf(conn.ExecCached("UPDATE outbox SET status = 'disabled', last_error = $2, "
                              "lease_owner = NULL, lease_until = NULL "
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
  auto rows = Lift(conn.ExecCached(std::string("SELECT ") + kOutboxColumns +
                                       " FROM outbox o WHERE o.status = 'pending' AND "
                                       "o.channel = $1 AND o.next_attempt_at <= $2 "
                                       "ORDER BY o.next_attempt_at, o.id LIMIT $3::bigint",
                                   {channel, now, LimitOf(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadRows(*rows);
}

namespace {

// The claim of due alert groups (docs/scaling.md, "Alert delivery"), one statement: the due
// entries, among rows free to claim (never leased, lease expired, or this store's own); then
// each group's first row locked, oldest group first as on SQLite, FOR UPDATE SKIP LOCKED, so
// that two claims at once take disjoint groups (a group is claimed through its first row: rows
// of one group never go to two daemons) and the limit counts only groups this claim locked; a
// first row whose lease a claim that committed meanwhile set fails the re-check (READ
// COMMITTED re-evaluates the WHERE on the newest row version). Then every free pending row of
// the claimed groups is leased, and returned with its entry.
// `extra` narrows the due rows (the digest's conditions).
std::string ClaimGroupsSql(std::string_view extra) {
  const std::string free_row = std::string("(o.lease_until IS NULL OR o.lease_until <= ") +
                               kServerClockMs + " OR o.lease_owner = $4)";
  return std::string(
             "WITH due AS (SELECT m.entry_id AS entry_id, MIN(o.next_attempt_at) AS at, "
             "MIN(o.id) AS first FROM outbox o JOIN mentions m ON m.id = o.mention_id "
             "WHERE o.status = 'pending' AND o.channel = $1 AND o.next_attempt_at <= $2 AND ") +
         free_row + std::string(extra) +
         " GROUP BY m.entry_id), "
         "head AS (SELECT due.entry_id, due.at, due.first FROM due JOIN outbox o "
         "ON o.id = due.first WHERE o.status = 'pending' AND " +
         free_row +
         " ORDER BY due.at, due.first LIMIT $3::bigint FOR UPDATE OF o SKIP LOCKED), "
         "claimed AS (UPDATE outbox o SET lease_owner = $4, lease_until = " +
         kServerClockMs +
         " + $5::bigint FROM head, mentions m WHERE m.entry_id = head.entry_id "
         "AND o.mention_id = m.id AND o.channel = $1 AND o.status = 'pending' AND " +
         free_row + " RETURNING " + kOutboxColumns +
         ", head.entry_id, head.at, head.first) "
         "SELECT * FROM claimed ORDER BY at, first, id";
}

std::vector<std::vector<OutboxRow>> ReadGroups(const pg::Rows& rows) {
  std::vector<std::vector<OutboxRow>> groups;
  std::int64_t entry = -1;
  for (int i = 0; i < rows.size(); ++i) {
    if (groups.empty() || rows.Int(i, 10) != entry) {
      entry = rows.Int(i, 10);
      groups.emplace_back();
    }
    groups.back().push_back(ReadOutboxRow(PgRow{rows, i}));
  }
  return groups;
}

}  // namespace

OutboxClaim ClaimOf(Store& store, std::int64_t lease_ms) {
  return OutboxClaim{static_cast<PostgresBackend&>(BackendOf(store)).lease_owner(),
                     std::max<std::int64_t>(lease_ms, 1)};
}

Result<std::vector<std::vector<OutboxRow>>> DueAlertGroupsPg(pg::Connection& conn,
                                                             const std::string& channel,
                                                             UnixSeconds now, int limit,
                                                             const OutboxClaim& claim) {
  static const std::string sql = ClaimGroupsSql("");
  auto rows =
      Lift(conn.ExecCached(sql, {channel, now, LimitOf(limit), claim.owner, claim.lease_ms}));
  if (!rows) return tl::unexpected(rows.error());
  return ReadGroups(*rows);
}

Result<std::vector<std::vector<OutboxRow>>> DueDigestGroupsPg(pg::Connection& conn,
                                                              const std::string& channel,
                                                              UnixSeconds now, UnixSeconds slot,
                                                              const OutboxClaim& claim) {
  // Digest claims of one channel run one at a time (a transaction lock on the channel's name),
  // so that the test below sees every claim committed before it: nothing while the slot was
  // sent (its digest's outcome records last_digest_at and ends its leases in one transaction)
  // or while another store holds a lease on one of the channel's pending rows.
  static const std::string sql = ClaimGroupsSql(
      std::string(" AND COALESCE((SELECT last_digest_at FROM channel_state WHERE channel = $1), "
                  "-1) < $6 AND NOT EXISTS (SELECT 1 FROM outbox y WHERE y.channel = $1 "
                  "AND y.status = 'pending' AND y.lease_owner <> $4 AND y.lease_until > ") +
      kServerClockMs + ")");
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  VEILLE_TRY(Lift(conn.ExecCached("SELECT pg_advisory_xact_lock($1::integer, hashtext($2))",
                                  {kDigestLockSpace, channel})));
  auto rows =
      Lift(conn.ExecCached(sql, {channel, now, LimitOf(0), claim.owner, claim.lease_ms, slot}));
  if (!rows) return tl::unexpected(rows.error());
  VEILLE_TRY(Lift(tx->Commit()));
  return ReadGroups(*rows);
}

Result<void> UpdateClaimsPg(pg::Connection& conn, const std::string& owner,
                            const std::vector<std::int64_t>& outbox_ids,
                            const std::vector<std::int64_t>& event_ids, std::int64_t lease_ms) {
  // Only this store's: a lease another store took over after this one's expired is its own.
  const std::string set = lease_ms > 0 ? std::string("lease_until = ") + kServerClockMs + " + " +
                                             std::to_string(lease_ms)
                                       : std::string("lease_owner = NULL, lease_until = NULL");
  for (const auto& [table, ids] :
       {std::pair{"outbox", &outbox_ids}, std::pair{"event_outbox", &event_ids}}) {
    if (ids->empty()) continue;
    VEILLE_TRY(Lift(conn.Exec(std::string("UPDATE ") + table + " SET " + set +
                                  " WHERE lease_owner = $1" + IdListCondition("id", *ids),
                              {owner})));
  }
  return {};
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
        "last_error = NULL, digest_key = $3, lease_owner = NULL, lease_until = NULL "
        "WHERE id = $1",
        {id, now, key})));
  }
  if (record_digest_time) VEILLE_TRY(SetLastDigestAtPg(conn, channel, now));
  return Lift(tx->Commit());
}

Result<void> MarkDigestFailedPg(pg::Connection& conn, const std::string& owner,
                                const std::vector<std::int64_t>& ids, const std::string& error,
                                UnixSeconds next_attempt_at, bool dead) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  for (const std::int64_t id : ids) {
    VEILLE_TRY(
        Lift(conn.ExecCached(kMarkFailedSql, {id, error, next_attempt_at, dead ? 1 : 0, owner})));
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
