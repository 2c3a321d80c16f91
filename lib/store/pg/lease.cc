// Several daemons on one PostgreSQL database (docs/scaling.md): feed leases taken with
// FOR UPDATE SKIP LOCKED, renewed while polls run, ended by the poll's commit; and the
// maintenance lock, a session advisory lock held by one daemon at a time.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "store/daemon_configs.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// The advisory lock key of maintenance ("veille" in ASCII, then 2; the migration lock is 1).
constexpr std::int64_t kMaintenanceLock = 0x7665696c6c650002;
// The transaction lock under which a --once run records its start and reads the others'.
constexpr std::int64_t kOnceRunLock = 0x7665696c6c650003;

// "{1,2,3}": a bigint[] parameter in text format.
std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return host;
}

std::string LeaseOwnerName() {
  std::random_device random;
  char suffix[9] = {};
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return HostName() + ":" + std::to_string(::getpid()) + ":" + suffix;
}

namespace {

// A feed f that may be leased: not gone, due at $2 (or a `veille poll` request pending and no
// Retry-After holding), no unexpired lease on it, and in a --once run (`cycle`, a bigint
// parameter: NULL outside one) no poll of it stored since the run's cycle began.
std::string Claimable(const std::string& f, const std::string& cycle) {
  return f + ".state <> 'gone' AND (" + f + ".next_due_at IS NULL OR " + f +
         ".next_due_at <= $2 OR (" + f + ".poll_requested_at IS NOT NULL AND " + f +
         ".last_outcome IS DISTINCT FROM 'rate_limited')) AND (" + f + ".lease_until IS NULL OR " +
         f + ".lease_until <= " + kServerMs + ") AND (" + cycle + "::bigint IS NULL OR " + f +
         ".poll_stored_at IS NULL OR " + f + ".poll_stored_at < " + cycle + "::bigint)";
}

constexpr const char* kLeasedColumns =
    "feeds.id, feeds.url, feeds.name, feeds.title, feeds.site_link, feeds.state, "
    "feeds.etag, feeds.last_modified, feeds.body_fingerprint, feeds.last_fetch_at, "
    "feeds.last_outcome, feeds.last_status, feeds.last_error, feeds.last_success_at, "
    "feeds.last_new_entry_at, feeds.consecutive_failures, feeds.next_due_at, "
    "feeds.first_polled_at, feeds.fetch_url, feeds.previous_url, feeds.redirect_target, "
    "feeds.redirect_count, feeds.failing_since, feeds.last_unconditional_at, "
    "feeds.encoding_suspect, feeds.poll_requested_at";

// The claim with host leases (docs/scaling.md, "Per-host politeness"), one statement:
// - duec: the hosts of the claimable candidates ($6[i] is the host of $1[i]; "" for a file),
//   with their earliest due time;
// - kept: this daemon's host leases that this claim uses or gives back (those with a due
//   candidate, and those not in $7, the hosts of its leased feeds);
// - fresh: free hosts (no lease, or an expired one) with due candidates, earliest due first, as
//   many as this daemon may still take ($9 hosts at most, counting those of its own it keeps:
//   busy ones and those with due candidates); and, first and beyond that bound, the hosts whose
//   owner's lease expired (a daemon that died: its feeds are taken over at once);
// - due: the feeds leased, only of kept or fresh hosts that are not paused (files need none);
// - took: the hosts of the feeds leased are this daemon's until the lease ends;
// - gave: this daemon's host leases it no longer needs are given back, and the host waits
//   $8 ms (host_spacing) for its next daemon.
// kept and fresh lock their host rows with SKIP LOCKED: a host another claim is locking now is
// passed over, so no claim ever waits for another, and none can deadlock.
std::string HostClaimSql() {
  const std::string srv = kServerMs;
  const std::string paused = "(h.paused_until IS NOT NULL AND h.paused_until * 1000 > " + srv + ")";
  return "WITH cand AS (SELECT c.id, c.host FROM unnest($1::bigint[], $6::text[]) AS c(id, host)), "
         "duec AS (SELECT c.host, min(coalesce(f.next_due_at, 0)) AS due FROM cand c "
         "JOIN feeds f ON f.id = c.id WHERE c.host <> '' AND " +
         Claimable("f", "$10") +
         " GROUP BY c.host), "
         "kept AS (SELECT h.host, " +
         paused +
         " AS paused FROM hosts h WHERE h.owner = $4 AND (h.host IN (SELECT host FROM duec) "
         "OR h.host <> ALL($7::text[])) FOR UPDATE SKIP LOCKED), "
         "fresh AS (SELECT h.host, false AS paused FROM hosts h JOIN duec d ON d.host = h.host "
         "WHERE h.owner IS DISTINCT FROM $4 AND (h.lease_until IS NULL OR h.lease_until <= " +
         srv + ") AND NOT " + paused +
         " ORDER BY h.owner IS NULL, d.due, h.host LIMIT greatest(0, $9::bigint - (SELECT "
         "count(*) FROM hosts WHERE owner = $4 AND (host = ANY($7::text[]) OR host IN (SELECT "
         "host FROM duec)))) + (SELECT count(*) FROM hosts o JOIN duec USING (host) WHERE "
         "o.owner <> $4 AND o.lease_until <= " +
         srv +
         ") FOR UPDATE OF h SKIP LOCKED), "
         "free AS (SELECT host, paused FROM kept UNION ALL SELECT host, paused FROM fresh), "
         "due AS (SELECT f.id, c.host FROM feeds f JOIN cand c ON c.id = f.id "
         "LEFT JOIN free h ON h.host = c.host WHERE (c.host = '' OR (h.host IS NOT NULL AND NOT "
         "h.paused)) AND " +
         Claimable("f", "$10") +
         " ORDER BY f.next_due_at NULLS FIRST, f.id LIMIT $3 FOR UPDATE OF f SKIP LOCKED), "
         "took AS (UPDATE hosts SET owner = $4, lease_until = " +
         srv +
         " + $5 WHERE host IN (SELECT host FROM due)), "
         "gave AS (UPDATE hosts SET owner = NULL, lease_until = " +
         srv +
         " + $8 WHERE host IN (SELECT host FROM kept) AND host <> ALL($7::text[]) "
         "AND host NOT IN (SELECT host FROM due)) "
         "UPDATE feeds SET lease_owner = $4, lease_until = " +
         srv + " + $5 FROM due WHERE feeds.id = due.id RETURNING " + kLeasedColumns;
}

}  // namespace

Result<std::vector<LeasedFeed>> PostgresBackend::LeaseDueFeeds(
    const std::vector<std::int64_t>& feed_ids, UnixSeconds now, int limit, std::int64_t lease_ms,
    const HostClaim* hosts) {
  std::vector<LeasedFeed> out;
  if (feed_ids.empty() || limit <= 0) return out;
  if (hosts != nullptr && hosts->of_feed.size() != feed_ids.size()) {
    return Fail(ErrorCode::kInvalidArgument, "one host per feed");
  }
  VEILLE_TRY(Ready());
  // One statement, its own transaction: the rows it picks are locked from the scan to the
  // commit, and SKIP LOCKED passes over those another daemon's claim is taking at the same
  // moment; a row whose lease a claim that committed first has set fails the lease test when
  // re-checked (READ COMMITTED re-evaluates the WHERE on the newest row version).
  static const std::string plain =
      "WITH due AS (SELECT id FROM feeds WHERE id = ANY($1::bigint[]) AND " +
      Claimable("feeds", "$6") +
      " ORDER BY next_due_at NULLS FIRST, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "UPDATE feeds SET lease_owner = $4, lease_until = " +
      std::string(kServerMs) + " + $5 FROM due WHERE feeds.id = due.id RETURNING " + kLeasedColumns;
  static const std::string with_hosts = HostClaimSql();
  const pg::Param cycle = once_cycle_ms_ > 0 ? pg::Param(once_cycle_ms_) : pg::Param(nullptr);
  auto rows = hosts == nullptr
                  ? Query(plain, {IdArray(feed_ids), now, limit, lease_owner_, lease_ms, cycle})
                  : Query(with_hosts, {IdArray(feed_ids), now, limit, lease_owner_, lease_ms,
                                       TextArray(hosts->of_feed), TextArray(hosts->busy),
                                       hosts->spacing_ms, hosts->most, cycle});
  if (!rows) return tl::unexpected(rows.error());
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(LeasedFeed{ReadFeed(PgRow{*rows, i}), rows->OptInt(i, 25)});
  }
  // RETURNING follows no order: earliest due first, as the claim picked them.
  std::sort(out.begin(), out.end(), [](const LeasedFeed& a, const LeasedFeed& b) {
    const UnixSeconds da = a.feed.next_due_at.value_or(0);
    const UnixSeconds db = b.feed.next_due_at.value_or(0);
    return da != db ? da < db : a.feed.id < b.feed.id;
  });
  return out;
}

Result<void> PostgresBackend::BeginOnceRun(UnixSeconds now) {
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  // Under the lock, of two runs that start at once the second sees the first's start: each
  // run's claims come after its start is committed, so no poll of one run can fall between
  // the other's start and the cycle's.
  VEILLE_TRY(Query("SELECT pg_advisory_xact_lock($1)", {kOnceRunLock}));
  VEILLE_TRY(Query(
      std::string("UPDATE daemon_configs SET once_started_at = ") + kServerMs + " WHERE owner = $1",
      {lease_owner_}));
  auto rows = Query(std::string("SELECT least(") + kServerMs +
                        ", (SELECT min(once_started_at) FROM daemon_configs "
                        "WHERE once_started_at IS NOT NULL AND seen_at >= $1))",
                    {now - kDaemonConfigStaleSeconds});
  if (!rows) return tl::unexpected(rows.error());
  VEILLE_TRY(Lift(tx->Commit()));
  once_cycle_ms_ = rows->Int(0, 0);
  return {};
}

Result<void> PostgresBackend::RenewLeases(const std::vector<std::int64_t>& feed_ids,
                                          std::int64_t lease_ms,
                                          const std::vector<std::string>& hosts) {
  if (feed_ids.empty() && hosts.empty()) return {};
  VEILLE_TRY(Ready());
  if (!feed_ids.empty()) {
    VEILLE_TRY(Query(std::string("UPDATE feeds SET lease_until = ") + kServerMs +
                         " + $3 WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
                     {IdArray(feed_ids), lease_owner_, lease_ms}));
  }
  if (hosts.empty()) return {};
  // Waits only for a claim's lock on a host row; a claim never waits (SKIP LOCKED).
  return Query(std::string("UPDATE hosts SET lease_until = ") + kServerMs +
                   " + $3 WHERE host = ANY($1::text[]) AND owner = $2",
               {TextArray(hosts), lease_owner_, lease_ms})
      .map([](const pg::Rows&) {});
}

Result<void> PostgresBackend::ReleaseLeases(
    const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& feeds,
    std::int64_t hold_ms) {
  if (feeds.empty()) return {};
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  static const std::string sql =
      std::string(
          "UPDATE feeds SET lease_owner = NULL, lease_until = CASE WHEN $4::bigint > 0 THEN ") +
      kServerMs +
      " + $4 END, next_due_at = COALESCE($3::bigint, next_due_at) "
      "WHERE id = $1 AND lease_owner = $2";
  for (const auto& [id, due] : feeds) VEILLE_TRY(Query(sql, {id, lease_owner_, due, hold_ms}));
  return Lift(tx->Commit());
}

Result<void> PostgresBackend::EndLeases(const std::vector<std::int64_t>& feed_ids) {
  if (feed_ids.empty()) return {};
  // Only this store's: a lease that expired and was taken over is the new holder's. The time
  // the poll was stored is what a --once run's claims look at (BeginOnceRun).
  static const std::string sql =
      std::string("UPDATE feeds SET lease_owner = NULL, lease_until = NULL, poll_stored_at = ") +
      kServerMs + " WHERE id = ANY($1::bigint[]) AND lease_owner = $2";
  return Query(sql, {IdArray(feed_ids), lease_owner_}).map([](const pg::Rows&) {});
}

Result<bool> PostgresBackend::HoldMaintenance() {
  VEILLE_TRY(Ready());
  // A session lock lasts as long as its session: held while no reconnection happened since it
  // was taken. Otherwise try to take it (free when its holder stopped or lost its session).
  if (maintenance_session_ == session_count_ && !conn_->Lost()) return true;
  auto rows = Query("SELECT pg_try_advisory_lock($1)", {kMaintenanceLock});
  if (!rows) return tl::unexpected(rows.error());
  const bool held = rows->View(0, 0) == "t";
  maintenance_session_ = held ? session_count_ : -1;
  return held;
}

}  // namespace veille::store
