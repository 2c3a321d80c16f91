// Several daemons on one PostgreSQL database (docs/scaling.md): feed leases taken with
// FOR UPDATE SKIP LOCKED, renewed while polls run, ended by the poll's commit; and the
// maintenance lock, a session advisory lock held by one daemon at a time.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// The advisory lock key of maintenance ("veille" in ASCII, then 2; the migration lock is 1).
constexpr std::int64_t kMaintenanceLock = 0x7665696c6c650002;

// The server's clock in Unix milliseconds: leases are judged by one clock whatever the daemons'.
constexpr const char* kServerMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

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

std::string LeaseOwnerName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  char suffix[9] = {};
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

Result<std::vector<LeasedFeed>> PostgresBackend::LeaseDueFeeds(
    const std::vector<std::int64_t>& feed_ids, UnixSeconds now, int limit, std::int64_t lease_ms) {
  std::vector<LeasedFeed> out;
  if (feed_ids.empty() || limit <= 0) return out;
  VEILLE_TRY(Ready());
  // One statement, its own transaction: the rows it picks are locked from the scan to the
  // commit, and SKIP LOCKED passes over those another daemon's claim is taking at the same
  // moment; a row whose lease a claim that committed first has set fails the lease test when
  // re-checked (READ COMMITTED re-evaluates the WHERE on the newest row version).
  const std::string sql =
      std::string(
          "WITH due AS (SELECT id FROM feeds WHERE id = ANY($1::bigint[]) "
          "AND state <> 'gone' "
          "AND (next_due_at IS NULL OR next_due_at <= $2 "
          "OR (poll_requested_at IS NOT NULL "
          "AND last_outcome IS DISTINCT FROM 'rate_limited')) "
          "AND (lease_until IS NULL OR lease_until <= ") +
      kServerMs +
      ") ORDER BY next_due_at NULLS FIRST, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "UPDATE feeds SET lease_owner = $4, lease_until = " +
      kServerMs + " + $5 FROM due WHERE feeds.id = due.id RETURNING " +
      "feeds.id, feeds.url, feeds.name, feeds.title, feeds.site_link, feeds.state, "
      "feeds.etag, feeds.last_modified, feeds.body_fingerprint, feeds.last_fetch_at, "
      "feeds.last_outcome, feeds.last_status, feeds.last_error, feeds.last_success_at, "
      "feeds.last_new_entry_at, feeds.consecutive_failures, feeds.next_due_at, "
      "feeds.first_polled_at, feeds.fetch_url, feeds.previous_url, feeds.redirect_target, "
      "feeds.redirect_count, feeds.failing_since, feeds.last_unconditional_at, "
      "feeds.encoding_suspect, feeds.poll_requested_at";
  auto rows = Query(sql, {IdArray(feed_ids), now, limit, lease_owner_, lease_ms});
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

Result<void> PostgresBackend::RenewLeases(const std::vector<std::int64_t>& feed_ids,
                                          std::int64_t lease_ms) {
  if (feed_ids.empty()) return {};
  VEILLE_TRY(Ready());
  return Query(std::string("UPDATE feeds SET lease_until = ") + kServerMs +
                   " + $3 WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
               {IdArray(feed_ids), lease_owner_, lease_ms})
      .map([](const pg::Rows&) {});
}

Result<void> PostgresBackend::ReleaseLeases(
    const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& feeds) {
  if (feeds.empty()) return {};
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  for (const auto& [id, due] : feeds) {
    VEILLE_TRY(
        Query("UPDATE feeds SET lease_owner = NULL, lease_until = NULL, "
              "next_due_at = COALESCE($3::bigint, next_due_at) WHERE id = $1 AND lease_owner = $2",
              {id, lease_owner_, due}));
  }
  return Lift(tx->Commit());
}

Result<void> PostgresBackend::EndLeases(const std::vector<DocumentCommit>& writes) {
  std::vector<std::int64_t> ids;
  ids.reserve(writes.size());
  for (const DocumentCommit& w : writes) ids.push_back(w.feed.feed_id);
  // Only this store's: a lease that expired and was taken over is the new holder's.
  return Query(
             "UPDATE feeds SET lease_owner = NULL, lease_until = NULL "
             "WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
             {IdArray(ids), lease_owner_})
      .map([](const pg::Rows&) {});
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
