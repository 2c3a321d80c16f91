// The PostgreSQL side of store_backend.h: a new database of the throwaway server per test
// (pg_fixture.h), and the parameterised store suites instantiated on it.
#include <gtest/gtest.h>

#include "../store_backend.h"
#include "pg_fixture.h"
#include "store/internal.h"
#include "store/pg/connection.h"

namespace veille::store::testing {
namespace {

using pg::testing::TestServer;

class Postgres final : public StoreBackend {
 public:
  std::string name() const override { return "postgresql"; }
  // One database migrated once per process, emptied for each test: TRUNCATE of every table
  // but veille_schema (ids restart at 1, as in a new database), the schema version restored and
  // the poison trigger dropped. A new database per test (CREATE DATABASE ... TEMPLATE) cost
  // 0.3-0.7 s each under load; this costs a few tens of milliseconds.
  std::string Create(const std::string&) const override {
    static const std::string kUrl = [] {
      const std::string url = TestServer::Get().Url(TestServer::Get().CreateDatabase());
      auto migrated = Store::Open(url, Access::kMigrate);
      EXPECT_TRUE(migrated) << migrated.error().message;
      return url;
    }();
    auto conn = pg::Connection::Open(pg::testing::WithConninfo(kUrl));
    EXPECT_TRUE(conn) << conn.error().message;
    if (conn) {
      auto emptied = (*conn)->ExecScript(
          "DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I', tablename), ', ') "
          "|| ' RESTART IDENTITY CASCADE' FROM pg_tables WHERE schemaname = current_schema() "
          "AND tablename <> 'veille_schema'); END $$; "
          "UPDATE veille_schema SET version = " +
          std::to_string(SchemaVersion()) +
          "; DROP TRIGGER IF EXISTS poison ON entries; DROP FUNCTION IF EXISTS poison()");
      EXPECT_TRUE(emptied) << emptied.error().message;
    }
    return kUrl;
  }
  std::string CreateEmpty(const std::string&) const override {
    return TestServer::Get().Url(TestServer::Get().CreateDatabase());
  }
  void Remove(const std::string&) const override {}  // the server goes with the process
  Result<std::int64_t> Run(Store&, const std::string& location,
                           const std::string& sql) const override {
    auto conn = pg::Connection::Open(pg::testing::WithConninfo(location));
    if (!conn) return tl::unexpected(conn.error().ToError());
    if (sql.rfind("SELECT", 0) != 0) {
      auto done = (*conn)->ExecScript(sql);  // several statements allowed (PoisonSql)
      if (!done) return tl::unexpected(done.error().ToError());
      return 0;
    }
    auto query = (*conn)->Exec(sql);
    if (!query) return tl::unexpected(query.error().ToError());
    return query->empty() ? 0 : query->Int(0, 0);
  }
  std::string PoisonSql() const override {
    return "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
           "IF NEW.entry_key = 'poison' THEN RAISE EXCEPTION 'poisoned entry'; END IF; "
           "RETURN NEW; END $$; "
           "CREATE TRIGGER poison BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION poison()";
  }
  std::string UnpoisonSql() const override { return "DROP TRIGGER poison ON entries"; }
  std::string SetSchemaVersionSql(int version) const override {
    return "UPDATE veille_schema SET version = " + std::to_string(version);
  }
  std::string CountFullTextSql() const override {
    return "SELECT COUNT(*) FROM entries WHERE fts <> ''::tsvector";
  }
};

}  // namespace

const StoreBackend* PostgresBackendForTests() {
  static const Postgres backend;
  return &backend;
}

namespace {

// PostgreSQL only: a server restart (a failover, an upgrade) costs the call that finds the
// connection gone, and the next call reconnects, with its prepared statements prepared again.
TEST(PostgresStoreTest, TheCallAfterALostConnectionReconnects) {
  const std::string url = PostgresBackendForTests()->Create("reconnect");
  auto store = Store::Open(url, Access::kWrite);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->SyncFeeds({{"https://a.example/feed", "A"}}, 1000));
  ASSERT_TRUE((*store)->ListFeeds());  // its statement prepared on this session
  ASSERT_TRUE(TestServer::Get().Restart());
  auto lost = (*store)->ListFeeds();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kStorageUnavailable) << lost.error().message;
  auto again = (*store)->ListFeeds();
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].name, "A");
  // The reader's session settings come back too: a kRead store still refuses writes.
  auto reader = Store::Open(url, Access::kRead);
  ASSERT_TRUE(reader) << reader.error().message;
  ASSERT_TRUE(TestServer::Get().Restart());
  EXPECT_FALSE((*reader)->ListFeeds());
  ASSERT_TRUE((*reader)->ListFeeds());
  EXPECT_FALSE((*reader)->SyncFeeds({{"https://b.example/feed", "B"}}, 2000));
}

// A reader's session compiles no query (JIT off: docs/performance.md, 2026-12-08); a writer's
// keeps the server's setting.
TEST(PostgresStoreTest, AReadersSessionHasNoJit) {
  const std::string url = PostgresBackendForTests()->Create("jit");
  const auto jit = [&](Access access) -> std::string {
    auto store = Store::Open(url, access);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return "";
    auto conn = ReadyPostgres(**store);
    EXPECT_TRUE(conn) << conn.error().message;
    if (!conn) return "";
    auto rows = (*conn)->Exec("SHOW jit");
    EXPECT_TRUE(rows) << rows.error().message;
    return rows && !rows->empty() ? rows->Text(0, 0) : "";
  };
  ASSERT_TRUE(Store::Open(url, Access::kMigrate));
  EXPECT_EQ(jit(Access::kRead), "off");
  EXPECT_EQ(jit(Access::kWrite), "on");
}

}  // namespace

}  // namespace veille::store::testing
