// The PostgreSQL schema of the store and its ordered migrations (docs/storage.md, "PostgreSQL").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/pg/connection.h"

namespace veille::store::pg {

// One migration: the DDL that takes a database to `version`. Versions are those of the SQLite
// schema (store/schema.h), so that `veille db info` shows one number for both backends: the
// first PostgreSQL migration is version 13, the whole SQLite schema at its version 13 (no
// PostgreSQL database was ever older); each later SQLite migration gets its twin here.
struct Migration {
  int version;
  std::string_view sql;
};

const std::vector<Migration>& Migrations();

// The version this binary migrates to (the last migration's).
int SchemaVersion();

// The database's version: 0 when it has no veille schema (no `veille_schema` table).
[[nodiscard]] PgResult<int> StoredVersion(Connection& conn);

// Applies every migration above the stored version, each in its own transaction together with
// the new version, under a transaction-scoped advisory lock: daemons that start together
// migrate one after the other, and the later ones find nothing left to do. First checks what the
// schema needs of the database (UTF-8, the ICU collation "und-x-icu", the unaccent extension
// available) and says what is missing. Fails when the database is newer than this binary.
[[nodiscard]] PgResult<void> Migrate(Connection& conn);

// Succeeds when the database has exactly this binary's schema version; otherwise says why not
// and what to do (like store::CheckSchema).
[[nodiscard]] PgResult<void> CheckSchema(Connection& conn, const std::string& location);

// CheckSchema's verdict on a version already read.
[[nodiscard]] PgResult<void> CheckVersion(int version, const std::string& location);

// What opening a store for reading or writing does on a new connection, in one round trip:
// runs `session` (the session's SET statements, without a trailing semicolon) and reads the
// stored version, as StoredVersion (0: no veille schema). A CLI command pays this once per run:
// one round trip instead of one for the settings and two to four for the version
// (docs/performance.md).
[[nodiscard]] PgResult<int> StartSession(Connection& conn, std::string_view session);

// The advisory lock key Migrate holds ("veille" in ASCII, then 1).
inline constexpr std::int64_t kMigrationLock = 0x7665696c6c650001;

}  // namespace veille::store::pg
