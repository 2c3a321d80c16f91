// Private to lib/store: the PostgreSQL backend of Store (issue 18). One pg::Connection per
// Store, like one SQLite connection per Store. Its methods are split by concern:
// store_backend.cc (open, feeds, schedule, status), store_commit.cc (the writer's commits),
// store_mentions.cc (mentions and the outbox).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>

#include "store/backend.h"
#include "store/pg/connection.h"
#include "store/sqlite.h"

namespace veille::store {

// Reads a row of pg::Rows as ReadFeed / ReadMention (backend.h) read a row.
struct PgRow {
  const pg::Rows& rows;
  int row = 0;
  [[nodiscard]] std::int64_t Int(int c) const { return rows.Int(row, c); }
  [[nodiscard]] std::optional<std::int64_t> OptInt(int c) const { return rows.OptInt(row, c); }
  [[nodiscard]] std::string Text(int c) const { return rows.Text(row, c); }
  [[nodiscard]] std::optional<std::string> OptText(int c) const { return rows.OptText(row, c); }
};

// pg::PgResult as the store's Result (PgError::ToError).
template <typename T>
Result<T> Lift(pg::PgResult<T> r) {
  if (!r) return tl::unexpected(r.error().ToError());
  if constexpr (std::is_void_v<T>) {
    return {};
  } else {
    return std::move(*r);
  }
}

// This machine's name (gethostname), empty when it cannot be read (lease.cc).
std::string HostName();
// A name for the leases of one Store: "host:pid:8 hex digits" (lease.cc).
std::string LeaseOwnerName();
// The server's clock in Unix milliseconds: leases are judged by one clock whatever the daemons'.
inline constexpr const char* kServerMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
// `{"a","b"}`: a text[] parameter in text format, every element quoted and escaped (hosts.cc).
std::string TextArray(const std::vector<std::string>& values);

class PostgresBackend final : public Backend {
 public:
  // `session` is run on every new session (lock_timeout, read-only for Access::kRead).
  PostgresBackend(std::unique_ptr<pg::Connection> conn, std::string session);

  std::string_view kind() const override { return "postgresql"; }
  Database& sqlite() override { return *unavailable_; }
  pg::Connection* postgres() override { return conn_.get(); }

  Result<std::vector<std::int64_t>> SyncFeeds(
      const std::vector<std::pair<std::string, std::string>>& url_and_name,
      UnixSeconds now) override;
  Result<std::vector<FeedRow>> ListFeeds() override;
  Result<std::optional<FeedRow>> GetFeed(std::int64_t feed_id) override;
  Result<int> CountEntriesSince(std::int64_t feed_id, UnixSeconds since) override;
  Result<std::vector<Result<CommitStats>>> CommitBatch(
      const std::vector<DocumentCommit>& writes) override;
  // Story candidates are looked up with SQL in the writer's transaction: nothing to preload.
  void PreloadStoryKeys(UnixSeconds /*now*/) override {}
  // The server checkpoints: nothing to start.
  Result<void> StartCheckpointer() override { return {}; }
  // Always true: PostgreSQL has no cheap "another session committed" counter like SQLite's
  // data_version; the caller's check (pending poll requests) is one indexed query.
  Result<bool> ChangedByOthers() override { return true; }
  // A server database cannot be replaced under the connection like a file can.
  Result<bool> DatabaseReplaced() const override { return false; }
  Result<void> WriteSchedule(
      const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) override;
  Result<std::vector<MentionRow>> ListMentions(const MentionFilter& filter) override;
  Result<std::vector<OutboxRow>> DueOutbox(UnixSeconds now, int limit) override;
  Result<MentionRow> GetMention(std::int64_t mention_id) override;
  Result<void> MarkDelivered(std::int64_t outbox_id, UnixSeconds now) override;
  Result<void> MarkFailed(std::int64_t outbox_id, const std::string& error,
                          UnixSeconds next_attempt_at, bool dead) override;
  Result<void> WriteStatus(const DaemonStatus& status) override;
  Result<std::optional<DaemonStatus>> ReadStatus() override;
  Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> OutboxCounts() override;

  // Feed leases and the maintenance lock (lease.cc; docs/scaling.md).
  bool Shared() const override { return true; }
  Result<std::vector<LeasedFeed>> LeaseDueFeeds(const std::vector<std::int64_t>& feed_ids,
                                                UnixSeconds now, int limit, std::int64_t lease_ms,
                                                const HostClaim* hosts) override;
  Result<void> RenewLeases(const std::vector<std::int64_t>& feed_ids, std::int64_t lease_ms,
                           const std::vector<std::string>& hosts) override;
  // Host leases and pauses (hosts.cc; docs/scaling.md, "Per-host politeness").
  Result<void> AddHosts(const std::vector<std::string>& hosts) override;
  Result<void> ReleaseHosts(std::int64_t spacing_ms) override;
  Result<void> PauseHost(const std::string& host, std::int64_t seconds) override;
  Result<void> ReleaseLeases(
      const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& feeds,
      std::int64_t hold_ms) override;
  Result<bool> HoldMaintenance() override;
  // This store's name on its leases (feeds, alert claims: pg/outbox.cc) and on its
  // daemon_configs row (daemon_configs.h).
  [[nodiscard]] const std::string& lease_owner() const { return lease_owner_; }
  // Inside CommitBatch's transaction: this store's leases on `feed_ids` (the polls it stored)
  // end with it.
  [[nodiscard]] Result<void> EndLeases(const std::vector<std::int64_t>& feed_ids);
  // store::BeginOnceRun (daemon_configs.h): this store's claims from now on are those of a
  // --once run, whose cycle began at the earliest start of the runs going on.
  [[nodiscard]] Result<void> BeginOnceRun(UnixSeconds now);

  // Reconnects a lost connection (with the connection's backoff), and makes a read-only
  // store's new session read-only again. Every method starts with it.
  [[nodiscard]] Result<void> Ready();
  // One statement through the connection's prepared-statement cache.
  [[nodiscard]] Result<pg::Rows> Query(std::string_view sql,
                                       std::initializer_list<pg::Param> params = {}) {
    return Lift(conn_->ExecCached(sql, params));
  }

 private:
  std::unique_ptr<pg::Connection> conn_;
  std::string session_;
  // This store's name on the leases it takes: "host:pid:random", unique per Store.
  std::string lease_owner_;
  // Sessions so far (Ready() counts each reconnection); the one that took the maintenance lock
  // (a session lock ends with its session), or -1.
  std::int64_t session_count_ = 0;
  std::int64_t maintenance_session_ = -1;
  // In a --once run (BeginOnceRun): feeds whose last poll was stored at or after this (Unix
  // ms, the server's clock) are not leased; 0 outside one.
  std::int64_t once_cycle_ms_ = 0;
  std::unique_ptr<Database> unavailable_;  // what DatabaseOf gives (backend.h)
};

}  // namespace veille::store
