#include "store/daemon_configs.h"

#include <unistd.h>

#include "store/internal.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

constexpr const char* kColumns =
    "owner, hostname, pid, fingerprint, description, written_at, seen_at";

// This store's name on its row: its leases' owner on PostgreSQL (one per Store), "host:pid"
// on SQLite.
std::string OwnerOf(Store& store) {
  if (OnPostgres(store)) {
    return static_cast<PostgresBackend&>(BackendOf(store)).lease_owner();
  }
  return HostName() + ":" + std::to_string(::getpid());
}

template <typename Row>
DaemonConfigRow ReadRow(const Row& r, const std::string& me) {
  DaemonConfigRow d;
  d.owner = r.Text(0);
  d.hostname = r.Text(1);
  d.pid = r.Int(2);
  d.fingerprint = r.Text(3);
  d.description = r.Text(4);
  d.written_at = r.Int(5);
  d.seen_at = r.Int(6);
  d.self = d.owner == me;
  return d;
}

Result<std::vector<DaemonConfigRow>> PublishPg(PostgresBackend& pg, const std::string& me,
                                               const std::string& fingerprint,
                                               const std::string& description, UnixSeconds now) {
  VEILLE_TRY(pg.Ready());
  auto tx = pg::Transaction::Begin(*pg.postgres());
  if (!tx) return tl::unexpected(tx.error().ToError());
  const UnixSeconds stale = now - kDaemonConfigStaleSeconds;
  VEILLE_TRY(
      pg.Query("DELETE FROM daemon_configs WHERE seen_at < $1 AND owner <> $2", {stale, me}));
  VEILLE_TRY(pg.Query(
      "INSERT INTO daemon_configs (owner, hostname, pid, fingerprint, description, written_at, "
      "seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (owner) DO UPDATE SET "
      "fingerprint = EXCLUDED.fingerprint, description = EXCLUDED.description, "
      "written_at = EXCLUDED.written_at, seen_at = EXCLUDED.seen_at",
      {me, HostName(), static_cast<std::int64_t>(::getpid()), fingerprint, description, now}));
  auto rows = pg.Query(std::string("SELECT ") + kColumns +
                           " FROM daemon_configs WHERE owner <> $1 AND seen_at >= $2 "
                           "ORDER BY written_at, owner",
                       {me, stale});
  if (!rows) return tl::unexpected(rows.error());
  VEILLE_TRY(Lift(tx->Commit()));
  std::vector<DaemonConfigRow> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadRow(PgRow{*rows, i}, me));
  return out;
}

}  // namespace

Result<std::vector<DaemonConfigRow>> PublishDaemonConfig(Store& store,
                                                         const std::string& fingerprint,
                                                         const std::string& description,
                                                         UnixSeconds now) {
  const std::string me = OwnerOf(store);
  if (OnPostgres(store)) {
    return PublishPg(static_cast<PostgresBackend&>(BackendOf(store)), me, fingerprint, description,
                     now);
  }
  // SQLite: one daemon per file (its lock file), so this row replaces any other.
  Database& db = DatabaseOf(store);
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  auto del = db.Prepare("DELETE FROM daemon_configs WHERE owner <> ?1");
  if (!del) return tl::unexpected(del.error());
  VEILLE_TRY(del->Bind(1, me).Run());
  auto put = db.Prepare(
      "INSERT INTO daemon_configs (owner, hostname, pid, fingerprint, description, written_at, "
      "seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (owner) DO UPDATE SET "
      "fingerprint = excluded.fingerprint, description = excluded.description, "
      "written_at = excluded.written_at, seen_at = excluded.seen_at");
  if (!put) return tl::unexpected(put.error());
  VEILLE_TRY(put->Bind(1, me)
                 .Bind(2, HostName())
                 .Bind(3, static_cast<std::int64_t>(::getpid()))
                 .Bind(4, fingerprint)
                 .Bind(5, description)
                 .Bind(6, now)
                 .Run());
  VEILLE_TRY(tx->Commit());
  return std::vector<DaemonConfigRow>();
}

Result<void> TouchDaemonConfig(Store& store, UnixSeconds now) {
  if (!OnPostgres(store)) return {};
  auto& pg = static_cast<PostgresBackend&>(BackendOf(store));
  VEILLE_TRY(pg.Ready());
  return pg
      .Query("UPDATE daemon_configs SET seen_at = $2 WHERE owner = $1", {pg.lease_owner(), now})
      .map([](const pg::Rows&) {});
}

Result<void> BeginOnceRun(Store& store, UnixSeconds now) {
  if (!OnPostgres(store)) return {};
  return static_cast<PostgresBackend&>(BackendOf(store)).BeginOnceRun(now);
}

Result<void> RemoveDaemonConfig(Store& store) {
  if (!OnPostgres(store)) return {};
  auto& pg = static_cast<PostgresBackend&>(BackendOf(store));
  VEILLE_TRY(pg.Ready());
  return pg.Query("DELETE FROM daemon_configs WHERE owner = $1", {pg.lease_owner()})
      .map([](const pg::Rows&) {});
}

Result<std::vector<DaemonConfigRow>> ReadDaemonConfigs(Store& store) {
  const std::string me = OwnerOf(store);
  const std::string sql =
      std::string("SELECT ") + kColumns + " FROM daemon_configs ORDER BY written_at DESC, owner";
  std::vector<DaemonConfigRow> out;
  if (OnPostgres(store)) {
    auto& pg = static_cast<PostgresBackend&>(BackendOf(store));
    VEILLE_TRY(pg.Ready());
    auto rows = pg.Query(sql);
    if (!rows) return tl::unexpected(rows.error());
    for (int i = 0; i < rows->size(); ++i) out.push_back(ReadRow(PgRow{*rows, i}, me));
    return out;
  }
  auto stmt = DatabaseOf(store).Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadRow(*stmt, me));
  }
  return out;
}

}  // namespace veille::store
