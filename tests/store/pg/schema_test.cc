// The PostgreSQL schema: applied to an empty database, applied again without change, the same
// tables, columns, constraints and indexes as the SQLite schema, RELIABILITY.md §3.6's
// invariants held by constraints.
#include "store/pg/schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "store/schema.h"

namespace veille::store::pg {
namespace {

using testing::TestServer;
using testing::WithConninfo;

std::unique_ptr<Connection> OpenDatabase(const std::string& name) {
  auto conn = Connection::Open(WithConninfo(TestServer::Get().Conninfo(name)));
  EXPECT_TRUE(conn) << conn.error().message;
  return conn ? std::move(*conn) : nullptr;
}

std::unique_ptr<Connection> MigratedDatabase() {
  auto conn = OpenDatabase(TestServer::Get().CreateDatabase());
  if (!conn) return nullptr;
  auto r = Migrate(*conn);
  EXPECT_TRUE(r) << r.error().message;
  return conn;
}

std::vector<std::string> Strings(Connection& conn, std::string_view sql) {
  std::vector<std::string> out;
  auto r = conn.Exec(sql);
  EXPECT_TRUE(r) << r.error().message;
  if (!r) return out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->Text(i, 0));
  return out;
}

// Everything the schema defines, one line per object, to compare two states of a database.
constexpr std::string_view kCatalog = R"sql(
SELECT x FROM (
  SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' ||
         is_nullable || ' ' || coalesce(column_default, '') || ' ' ||
         coalesce(generation_expression, '') || ' ' || is_identity
    FROM information_schema.columns WHERE table_schema = current_schema()
  UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
  UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' ||
                   pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
  UNION ALL SELECT 'function ' || oid::regprocedure || ' ' || md5(pg_get_functiondef(oid))
    FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
  UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL SELECT 'version ' || version FROM veille_schema
) catalog(x) ORDER BY x)sql";

TEST(PgSchemaTest, HasTheSqliteSchemasVersion) {
  EXPECT_EQ(SchemaVersion(), store::SchemaVersion())
      << "a migration was added to store/schema.cc without its twin in store/pg/schema.cc";
  EXPECT_EQ(Migrations().front().version, 13);
  for (std::size_t i = 1; i < Migrations().size(); ++i) {
    EXPECT_EQ(Migrations()[i].version, Migrations()[i - 1].version + 1);
  }
}

TEST(PgSchemaTest, AppliesToAnEmptyDatabaseThenAgainWithoutAnyChange) {
  auto conn = OpenDatabase(TestServer::Get().CreateDatabase());
  ASSERT_TRUE(conn);
  EXPECT_EQ(StoredVersion(*conn), 0);
  auto unmigrated = CheckSchema(*conn, "the test database");
  ASSERT_FALSE(unmigrated);
  EXPECT_NE(unmigrated.error().message.find("is not a veille database"), std::string::npos);

  ASSERT_TRUE(Migrate(*conn));
  EXPECT_EQ(StoredVersion(*conn), SchemaVersion());
  EXPECT_TRUE(CheckSchema(*conn, "the test database"));
  const auto first = Strings(*conn, kCatalog);
  EXPECT_GT(first.size(), 100u);

  ASSERT_TRUE(Migrate(*conn));
  EXPECT_EQ(Strings(*conn, kCatalog), first);
}

TEST(PgSchemaTest, DaemonsMigratingAtOnceMigrateOnceUnderTheAdvisoryLock) {
  const std::string name = TestServer::Get().CreateDatabase();
  std::vector<std::thread> threads;
  std::vector<std::string> errors(3);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    threads.emplace_back([&, i] {
      auto conn = Connection::Open(WithConninfo(TestServer::Get().Conninfo(name)));
      if (!conn) {
        errors[i] = conn.error().message;
        return;
      }
      if (auto r = Migrate(**conn); !r) errors[i] = r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  auto conn = OpenDatabase(name);
  ASSERT_TRUE(conn);
  EXPECT_EQ(StoredVersion(*conn), SchemaVersion());
}

TEST(PgSchemaTest, ADatabaseOwnerWithoutSuperuserRightsCanMigrate) {
  // unaccent is a trusted extension: the owner of the database may create it.
  auto admin = OpenDatabase("veille");
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->ExecScript("CREATE ROLE veille_owner LOGIN NOSUPERUSER NOCREATEDB"));
  const std::string name = TestServer::Get().CreateDatabase("OWNER veille_owner");
  auto conn = Connection::Open(WithConninfo(TestServer::Get().Conninfo(name, "veille_owner")));
  ASSERT_TRUE(conn) << conn.error().message;
  auto migrated = Migrate(**conn);
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(StoredVersion(**conn), SchemaVersion());
}

TEST(PgSchemaTest, AFailedMigrationLeavesNothingBehind) {
  auto conn = OpenDatabase(TestServer::Get().CreateDatabase());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecScript("CREATE TABLE mentions (id bigint)"));  // in the way
  auto migrated = Migrate(*conn);
  ASSERT_FALSE(migrated);
  EXPECT_NE(migrated.error().message.find("migration 13 failed"), std::string::npos);
  EXPECT_NE(migrated.error().message.find("relation \"mentions\" already exists"),
            std::string::npos)
      << migrated.error().message;
  EXPECT_FALSE(conn->InTransaction());
  EXPECT_EQ(StoredVersion(*conn), 0);
  // The tables created before the failing statement, the extension, the function: rolled back.
  EXPECT_EQ(Strings(*conn,
                    "SELECT count(*) FROM pg_class WHERE relname IN "
                    "('veille_schema', 'feeds', 'entries')"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(Strings(*conn, "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'"),
            std::vector<std::string>{"0"});
}

TEST(PgSchemaTest, ANewerDatabaseIsRefused) {
  auto conn = MigratedDatabase();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Exec("UPDATE veille_schema SET version = $1", {SchemaVersion() + 1}));
  auto migrated = Migrate(*conn);
  ASSERT_FALSE(migrated);
  EXPECT_NE(migrated.error().message.find("newer than this veille"), std::string::npos);
  auto checked = CheckSchema(*conn, "db");
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("upgrade veille"), std::string::npos);
}

TEST(PgSchemaTest, ADatabaseThatIsNotUtf8IsRefusedBeforeAnyChange) {
  auto conn = OpenDatabase(TestServer::Get().CreateDatabase(
      "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"));
  ASSERT_TRUE(conn);
  auto r = Migrate(*conn);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("encoding is LATIN1"), std::string::npos) << r.error().message;
  EXPECT_EQ(StoredVersion(*conn), 0);
}

// The SQLite schema at its current version, described like the PostgreSQL one below.
struct Described {
  std::vector<std::string> columns;  // "table.column NOT NULL default", in column order
  std::set<std::string> indexes;     // "name(columns)", those created by CREATE INDEX
  std::set<std::string> uniques;     // "table(columns)", UNIQUE and composite primary keys
  std::set<std::string> foreign;     // "table.column -> table.column ON DELETE action"
};

std::vector<std::vector<std::string>> SqliteRows(sqlite3* db, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* text = sqlite3_column_text(stmt, c);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

Described DescribeSqlite() {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  for (std::string_view migration : store::Migrations()) {
    EXPECT_EQ(sqlite3_exec(db, std::string(migration).c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
  }
  Described d;
  for (const auto& table : SqliteRows(db,
                                      "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                      "name NOT LIKE 'sqlite%' AND name NOT LIKE 'entries_fts%' "
                                      "ORDER BY name")) {
    const std::string& t = table[0];
    std::vector<std::string> pk;
    for (const auto& c : SqliteRows(db, "PRAGMA table_info(" + t + ")")) {
      // cid, name, type, notnull, dflt_value, pk
      const bool not_null = c[3] == "1" || c[5] != "0";
      d.columns.push_back(t + "." + c[1] + (not_null ? " NOT NULL" : "") + " " + c[4]);
      if (c[5] != "0") pk.push_back(c[1]);
    }
    if (pk.size() > 1) {
      std::string cols;
      for (const auto& p : pk) cols += (cols.empty() ? "" : ",") + p;
      d.uniques.insert(t + "(" + cols + ")");
    }
    for (const auto& index : SqliteRows(db, "PRAGMA index_list(" + t + ")")) {
      // seq, name, unique, origin, partial
      std::string cols;
      for (const auto& c : SqliteRows(db, "PRAGMA index_info(" + index[1] + ")")) {
        cols += (cols.empty() ? "" : ",") + c[2];
      }
      if (index[3] == "c") d.indexes.insert(index[1] + "(" + cols + ")");
      if (index[3] == "u") d.uniques.insert(t + "(" + cols + ")");
    }
    for (const auto& fk : SqliteRows(db, "PRAGMA foreign_key_list(" + t + ")")) {
      // id, seq, table, from, to, on_update, on_delete, match
      d.foreign.insert(t + "." + fk[3] + " -> " + fk[2] + "." + fk[4] + " ON DELETE " + fk[6]);
    }
  }
  sqlite3_close(db);
  return d;
}

Described DescribePostgres(Connection& conn) {
  Described d;
  // Defaults without their casts ('' rather than ''::text), as SQLite writes them.
  d.columns = Strings(conn, R"sql(
SELECT table_name || '.' || column_name || CASE is_nullable WHEN 'NO' THEN ' NOT NULL' ELSE '' END
       || ' ' || coalesce(regexp_replace(column_default, '::[a-z ]+$', ''), '')
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name <> 'veille_schema'
  AND NOT (table_name = 'entries' AND column_name = 'fts')
ORDER BY table_name, ordinal_position)sql");
  for (const auto& s : Strings(conn, R"sql(
SELECT i.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                            FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
       || ')'
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid))sql")) {
    d.indexes.insert(s);
  }
  const std::string columns_of = R"sql(
(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.%s) WITH ORDINALITY k(attnum, n)
 JOIN pg_attribute a ON a.attrelid = c.%s AND a.attnum = k.attnum))sql";
  auto columns = [&](const char* key, const char* rel) {
    std::string s = columns_of;
    s.replace(s.find("%s"), 2, key);
    s.replace(s.find("%s"), 2, rel);
    return s;
  };
  for (const auto& s :
       Strings(conn, "SELECT c.conrelid::regclass || '(' || " + columns("conkey", "conrelid") +
                         " || ')' FROM pg_constraint c WHERE c.connamespace = "
                         "current_schema()::regnamespace AND (c.contype = 'u' OR "
                         "(c.contype = 'p' AND array_length(c.conkey, 1) > 1))")) {
    d.uniques.insert(s);
  }
  for (const auto& s :
       Strings(conn, "SELECT c.conrelid::regclass || '.' || " + columns("conkey", "conrelid") +
                         " || ' -> ' || c.confrelid::regclass || '.' || " +
                         columns("confkey", "confrelid") +
                         " || ' ON DELETE ' || CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' "
                         "THEN 'SET NULL' ELSE 'NO ACTION' END FROM pg_constraint c WHERE "
                         "c.connamespace = current_schema()::regnamespace AND c.contype = 'f'")) {
    d.foreign.insert(s);
  }
  return d;
}

TEST(PgSchemaTest, HasTheSqliteSchemasTablesColumnsConstraintsAndIndexes) {
  auto conn = MigratedDatabase();
  ASSERT_TRUE(conn);
  const Described sqlite = DescribeSqlite();
  Described pg = DescribePostgres(*conn);
  // The differences: FTS5's entries_fts table is the entries.fts column and its GIN index, and
  EXPECT_EQ(pg.indexes.erase("entries_fts(fts)"), 1u);
  // PostgreSQL's migration 15: the writer's story lookups are SQL there (in memory on SQLite).
  EXPECT_EQ(pg.indexes.erase("entries_canonical(canonical_link)"), 1u);
  EXPECT_EQ(pg.indexes.erase("entries_title_key(title_key)"), 1u);
  // Columns in the same order, table by table (`db copy` and SELECT * line up).
  EXPECT_EQ(pg.columns, sqlite.columns);
  EXPECT_GT(pg.columns.size(), 80u);
  EXPECT_EQ(pg.indexes, sqlite.indexes);
  EXPECT_EQ(pg.uniques, sqlite.uniques);
  EXPECT_EQ(pg.foreign, sqlite.foreign);
}

}  // namespace
}  // namespace veille::store::pg
