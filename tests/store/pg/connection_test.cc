// The libpq connection wrapper against the throwaway server (pg_fixture.h).
#include "store/pg/connection.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <vector>

#include "pg_fixture.h"

namespace veille::store::pg {
namespace {

using testing::TestServer;
using testing::WithConninfo;
using namespace std::chrono_literals;

std::unique_ptr<Connection> MustOpen(ConnectOptions options) {
  auto conn = Connection::Open(std::move(options));
  EXPECT_TRUE(conn) << conn.error().message;
  return conn ? std::move(*conn) : nullptr;
}

std::unique_ptr<Connection> MustOpen() {
  return MustOpen(WithConninfo(TestServer::Get().Conninfo()));
}

std::string One(Connection& conn, std::string_view sql, std::initializer_list<Param> params = {}) {
  auto r = conn.Exec(sql, params);
  EXPECT_TRUE(r) << r.error().message;
  if (!r || r->empty()) return "<no row>";
  return r->IsNull(0, 0) ? "<null>" : r->Text(0, 0);
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No ~/.pgpass of the machine interferes: the tests say where passwords come from.
    setenv("PGPASSFILE", "/nonexistent/veille-test-pgpass", 1);
  }
  void TearDown() override { unsetenv("PGPASSFILE"); }
};

TEST_F(PgConnectionTest, ConnectsFromKeyValuePairsAndFromAUrl) {
  for (const std::string& conninfo : {TestServer::Get().Conninfo(), TestServer::Get().Url()}) {
    auto conn = MustOpen(WithConninfo(conninfo));
    ASSERT_TRUE(conn);
    EXPECT_EQ(One(*conn, "SELECT current_database() || ' ' || current_user"), "veille veille")
        << conninfo;
    EXPECT_EQ(One(*conn, "SHOW client_encoding"), "UTF8");
    EXPECT_EQ(One(*conn,
                  "SELECT application_name FROM pg_stat_activity "
                  "WHERE pid = pg_backend_pid()"),
              "veille");
    EXPECT_GE(conn->server_version(), 150000);
  }
}

TEST_F(PgConnectionTest, AnUnreachableServerIsAConnectionLostErrorWithoutThePassword) {
  auto conn = Connection::Open(WithConninfo("host=/nonexistent/veille port=5432 dbname=veille"));
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind, ErrorKind::kConnectionLost);
  EXPECT_EQ(conn.error().ToError().code, ErrorCode::kStorageUnavailable);
  EXPECT_NE(conn.error().message.find("cannot connect to host=/nonexistent/veille"),
            std::string::npos)
      << conn.error().message;
  EXPECT_EQ(conn.error().message.find('\n'), std::string::npos) << conn.error().message;
}

TEST_F(PgConnectionTest, AnEmptyConnectionStringNeverReachesADefaultServer) {
  for (const char* empty : {"", "  "}) {
    auto conn = Connection::Open(WithConninfo(empty));
    ASSERT_FALSE(conn);
    EXPECT_EQ(conn.error().message, "no PostgreSQL connection string");
  }
}

TEST_F(PgConnectionTest, APasswordInTheConnectionStringIsRefusedAndNeverShown) {
  const std::string socket = TestServer::Get().socket_dir();
  for (const std::string& conninfo : {TestServer::Get().Conninfo() + " password=hunter2",
                                      "postgresql://veille:hunter2@localhost/veille?host=" + socket,
                                      TestServer::Get().Url() + "?password=hunter2"}) {
    auto conn = Connection::Open(WithConninfo(conninfo));
    ASSERT_FALSE(conn) << conninfo;
    EXPECT_EQ(conn.error().kind, ErrorKind::kOther);
    EXPECT_NE(conn.error().message.find("holds a password"), std::string::npos);
    EXPECT_NE(conn.error().message.find("***"), std::string::npos) << conn.error().message;
    EXPECT_EQ(conn.error().message.find("hunter2"), std::string::npos) << conn.error().message;
  }
}

TEST_F(PgConnectionTest, AMalformedConnectionStringIsRefusedWithoutItsPassword) {
  // libpq quotes the faulty token, here the password itself.
  auto conn = Connection::Open(WithConninfo("postgresql://veille:hun%zzter2@localhost/veille"));
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind, ErrorKind::kOther);
  EXPECT_EQ(conn.error().message,
            "invalid PostgreSQL connection string postgresql://veille:***@localhost/veille: "
            "invalid percent-encoded token: \"***\"");
}

TEST_F(PgConnectionTest, ThePasswordComesFromAPasswordFileOrLibpqsOwnPassFile) {
  auto admin = MustOpen();
  ASSERT_TRUE(admin);
  ASSERT_TRUE(
      admin->ExecScript("DROP ROLE IF EXISTS app_pw; "
                        "CREATE ROLE app_pw LOGIN PASSWORD 'S3cr3t''pw' IN ROLE password_login"));
  const std::string conninfo = TestServer::Get().Conninfo("veille", "app_pw");
  struct TempDir {  // removed however the test ends
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("veille-pgpass-test-" + std::to_string(getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
  } temp;
  const std::filesystem::path& dir = temp.path;

  auto without = Connection::Open(WithConninfo(conninfo));
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().kind, ErrorKind::kConnectionLost);

  std::ofstream(dir / "wrong") << "nope\n";
  auto options = WithConninfo(conninfo);
  options.password_file = dir / "wrong";
  auto wrong = Connection::Open(options);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("password authentication failed"), std::string::npos)
      << wrong.error().message;

  std::ofstream(dir / "right") << "S3cr3t'pw\n";
  options.password_file = dir / "right";
  auto right = MustOpen(options);
  ASSERT_TRUE(right);
  EXPECT_EQ(One(*right, "SELECT current_user"), "app_pw");

  // libpq's own mechanism: a pgpass file named by PGPASSFILE (mode 0600, or libpq ignores it).
  const auto pgpass = dir / "pgpass";
  std::ofstream(pgpass) << TestServer::Get().socket_dir() << ":5432:*:app_pw:S3cr3t'pw\n";
  ASSERT_EQ(chmod(pgpass.c_str(), 0600), 0);
  setenv("PGPASSFILE", pgpass.c_str(), 1);
  auto from_pgpass = MustOpen(WithConninfo(conninfo));
  ASSERT_TRUE(from_pgpass);
  EXPECT_EQ(One(*from_pgpass, "SELECT current_user"), "app_pw");
}

TEST_F(PgConnectionTest, HostileStringsTravelAsParametersUnchanged) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecScript("CREATE TEMP TABLE hostile (id bigint, v text)"));
  const std::string values[] = {"O'Reilly",
                                "'); DROP TABLE hostile; --",
                                "\"double\" and `back` quotes",
                                "back\\slash \\x00 \\' $1 $$ E'\\n'",
                                "L’Oréal œuvre 🙂 \xE2\x80\xAF",
                                "",
                                std::string(100000, 'x')};
  std::int64_t id = 0;
  for (const std::string& v : values) {
    ASSERT_TRUE(conn->Exec("INSERT INTO hostile (id, v) VALUES ($1, $2)", {++id, v}));
    auto back = conn->Exec("SELECT v, length(v) FROM hostile WHERE id = $1", {id});
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), 1);
    EXPECT_EQ(back->Text(0, 0), v);
  }
  EXPECT_EQ(One(*conn, "SELECT count(*) FROM hostile"), "7");
  auto null = conn->Exec("SELECT $1::text IS NULL, $2::bigint", {nullptr, std::nullopt});
  ASSERT_TRUE(null) << null.error().message;
  EXPECT_EQ(null->View(0, 0), "t");
  EXPECT_TRUE(null->IsNull(0, 1));
  EXPECT_EQ(null->OptInt(0, 1), std::nullopt);
  EXPECT_EQ(null->OptText(0, 1), std::nullopt);
  EXPECT_EQ(null->Int(0, 1), 0);
}

TEST_F(PgConnectionTest, ANulByteIsRefusedBeforeSendingAndTheConnectionGoesOn) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  auto r = conn->Exec("SELECT $1::text, $2::text", {"fine", std::string("a\0b", 3)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidData);
  EXPECT_EQ(r.error().message, "parameter $2 holds a NUL byte, which PostgreSQL text cannot store");
  EXPECT_EQ(One(*conn, "SELECT 1"), "1");
}

TEST_F(PgConnectionTest, InvalidUtf8IsInvalidDataOnOneLineAndTheConnectionGoesOn) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  auto r = conn->Exec("SELECT $1::text", {"caf\xE9 \xFF\xFE"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidData);
  EXPECT_EQ(r.error().sqlstate, "22021");
  EXPECT_NE(r.error().message.find("invalid byte sequence for encoding \"UTF8\""),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(One(*conn, "SELECT 1"), "1");
}

TEST_F(PgConnectionTest, IntegersRoundTripAtTheirLimits) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  for (std::int64_t v : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1},
                         std::int64_t{0}, std::numeric_limits<std::int64_t>::max()}) {
    auto r = conn->Exec("SELECT $1, $1 + 0", {v});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->Int(0, 0), v);
    EXPECT_EQ(r->OptInt(0, 1), v);
  }
  auto r = conn->Exec("SELECT 'abc'::text");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Int(0, 0), 0);  // not an integer reads 0, like SQLite's column_int64
}

TEST_F(PgConnectionTest, AUniqueViolationIsItsOwnKindWithTheServersMessageOnOneLine) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecScript("CREATE TEMP TABLE u (k text CONSTRAINT u_k_unique UNIQUE)"));
  ASSERT_TRUE(conn->Exec("INSERT INTO u VALUES ($1)", {"a"}));
  auto r = conn->Exec("INSERT INTO u VALUES ($1)", {"a"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUniqueViolation);
  EXPECT_EQ(r.error().message,
            "INSERT INTO u VALUES ($1): duplicate key value violates unique constraint "
            "\"u_k_unique\" (Key (k)=(a) already exists.) [SQLSTATE 23505]");
  auto rows = conn->Exec("INSERT INTO u VALUES ($1), ($2) RETURNING k", {"b", "c"});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2);
  EXPECT_EQ(rows->Affected(), 2);
  EXPECT_EQ(rows->Command(), "INSERT 0 2");
}

TEST_F(PgConnectionTest, AStatementPastTheTimeoutIsCancelledAndTheConnectionGoesOn) {
  auto options = WithConninfo(TestServer::Get().Conninfo());
  options.statement_timeout = 200ms;
  auto conn = MustOpen(options);
  ASSERT_TRUE(conn);
  EXPECT_EQ(One(*conn, "SHOW statement_timeout"), "200ms");
  const auto began = std::chrono::steady_clock::now();
  auto r = conn->Exec("SELECT pg_sleep(10)");
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kStorageBusy);
  EXPECT_NE(r.error().message.find("canceling statement due to statement timeout"),
            std::string::npos)
      << r.error().message;
  EXPECT_LT(took, 5s);
  EXPECT_EQ(One(*conn, "SELECT 1"), "1");
  ASSERT_TRUE(conn->SetStatementTimeout(0ms));
  EXPECT_EQ(One(*conn, "SHOW statement_timeout"), "0");
}

TEST_F(PgConnectionTest, TransactionsCommitOrRollBackAndSavepointsUndoOnlyTheirPart) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecScript("DROP TABLE IF EXISTS tx; CREATE TABLE tx (k text UNIQUE)"));
  {
    auto tx = Transaction::Begin(*conn);
    ASSERT_TRUE(tx);
    EXPECT_TRUE(conn->InTransaction());
    ASSERT_TRUE(conn->Exec("INSERT INTO tx VALUES ($1)", {"rolled back"}));
  }  // destroyed without Commit
  EXPECT_FALSE(conn->InTransaction());
  {
    auto tx = Transaction::Begin(*conn, Transaction::Isolation::kSerializable);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(conn->Exec("INSERT INTO tx VALUES ($1)", {"kept"}));
    {
      auto sp = Savepoint::Open(*conn);
      ASSERT_TRUE(sp);
      auto dup = conn->Exec("INSERT INTO tx VALUES ($1)", {"kept"});  // fails inside
      ASSERT_FALSE(dup);
      EXPECT_EQ(dup.error().kind, ErrorKind::kUniqueViolation);
      ASSERT_TRUE(sp->Rollback());
    }
    {
      auto sp = Savepoint::Open(*conn);
      ASSERT_TRUE(sp);
      ASSERT_TRUE(conn->Exec("INSERT INTO tx VALUES ($1)", {"undone"}));
    }  // destroyed without Release: rolled back to
    {
      auto sp = Savepoint::Open(*conn);
      ASSERT_TRUE(sp);
      ASSERT_TRUE(conn->Exec("INSERT INTO tx VALUES ($1)", {"released"}));
      ASSERT_TRUE(sp->Release());
    }
    ASSERT_TRUE(tx->Commit());
  }
  EXPECT_EQ(One(*conn, "SELECT string_agg(k, ',' ORDER BY k) FROM tx"), "kept,released");

  // A statement that fails outside a savepoint aborts the transaction: COMMIT stores nothing.
  auto tx = Transaction::Begin(*conn);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(conn->Exec("INSERT INTO tx VALUES ($1)", {"lost"}));
  ASSERT_FALSE(conn->Exec("INSERT INTO tx VALUES ($1)", {"kept"}));
  auto commit = tx->Commit();
  ASSERT_FALSE(commit);
  EXPECT_NE(commit.error().message.find("rolled back"), std::string::npos)
      << commit.error().message;
  EXPECT_FALSE(conn->InTransaction());
  EXPECT_EQ(One(*conn, "SELECT count(*) FROM tx WHERE k = 'lost'"), "0");
}

TEST_F(PgConnectionTest, CachedStatementsArePreparedOnce) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  for (int i = 0; i < 3; ++i) {
    auto r = conn->ExecCached("SELECT $1::bigint * 2", {i});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->Int(0, 0), i * 2);
  }
  EXPECT_EQ(One(*conn, "SELECT count(*) FROM pg_prepared_statements"), "1");
}

TEST_F(PgConnectionTest, APipelineRunsInOrderAndStopsAtItsFirstFailure) {
  auto conn = MustOpen();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecScript(
      "DROP TABLE IF EXISTS pipe; "
      "CREATE TABLE pipe (id bigint GENERATED ALWAYS AS IDENTITY, k text UNIQUE)"));
  constexpr const char* kInsert = "INSERT INTO pipe (k) VALUES ($1) RETURNING id";
  // Each statement sees what the ones before it wrote; the rows come back in order.
  const std::vector<Statement> ordered = {
      {kInsert, {"a"}}, {kInsert, {"b"}}, {"SELECT string_agg(k, ',' ORDER BY k) FROM pipe", {}}};
  auto rows = conn->ExecPipeline(ordered);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3U);
  EXPECT_EQ((*rows)[0].Int(0, 0), 1);
  EXPECT_EQ((*rows)[1].Int(0, 0), 2);
  EXPECT_EQ((*rows)[2].Text(0, 0), "a,b");
  // More statements than one chunk: every result, in order.
  std::vector<Statement> many;
  for (int i = 0; i < static_cast<int>(Connection::kPipelineChunk) * 2 + 3; ++i) {
    many.push_back({"SELECT $1::bigint + 1", {i}});
  }
  rows = conn->ExecPipeline(many);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), many.size());
  for (std::size_t i = 0; i < many.size(); ++i) {
    ASSERT_EQ((*rows)[i].Int(0, 0), static_cast<std::int64_t>(i) + 1);
  }
  {
    // In a transaction: the failing statement's error, nothing after it runs, the transaction
    // goes on after a rollback to its savepoint, and the session is out of pipeline mode.
    auto tx = Transaction::Begin(*conn);
    ASSERT_TRUE(tx);
    auto sp = Savepoint::Open(*conn);
    ASSERT_TRUE(sp);
    const std::vector<Statement> failing = {{kInsert, {"c"}}, {kInsert, {"a"}}, {kInsert, {"d"}}};
    auto failed = conn->ExecPipeline(failing);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().kind, ErrorKind::kUniqueViolation) << failed.error().message;
    EXPECT_NE(failed.error().message.find("INSERT INTO pipe"), std::string::npos);
    ASSERT_TRUE(sp->Rollback());
    ASSERT_TRUE(conn->Exec("INSERT INTO pipe (k) VALUES ($1)", {"e"}));
    ASSERT_TRUE(tx->Commit());
  }
  EXPECT_EQ(One(*conn, "SELECT string_agg(k, ',' ORDER BY k) FROM pipe"), "a,b,e");
  // A NUL byte in any statement: nothing is sent.
  const std::string nul("x\0y", 3);
  const std::vector<Statement> refused = {{kInsert, {"f"}}, {kInsert, {nul}}};
  auto r = conn->ExecPipeline(refused);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidData);
  EXPECT_EQ(One(*conn, "SELECT count(*) FROM pipe WHERE k = 'f'"), "0");
}

TEST_F(PgConnectionTest, AServerRestartIsAConnectionLostErrorAndAReconnectWorks) {
  auto options = WithConninfo(TestServer::Get().Url());
  options.statement_timeout = 5s;
  auto conn = MustOpen(options);
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->ExecCached("SELECT $1::bigint + 1", {1}));
  ASSERT_TRUE(TestServer::Get().Restart());

  auto r = conn->Exec("SELECT 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kConnectionLost) << r.error().message;
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kStorageUnavailable);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  EXPECT_TRUE(conn->Lost());
  auto again = conn->Exec("SELECT 1");  // no reconnection behind the caller's back
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kConnectionLost);

  ASSERT_TRUE(conn->Reconnect()) << "first attempt after a loss is immediate";
  EXPECT_FALSE(conn->Lost());
  EXPECT_EQ(One(*conn, "SELECT 1"), "1");
  EXPECT_EQ(One(*conn, "SHOW statement_timeout"), "5s");
  auto cached = conn->ExecCached("SELECT $1::bigint + 1", {41});  // prepared again
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(cached->Int(0, 0), 42);
}

TEST_F(PgConnectionTest, ReconnectionWaitsTheBackoffBetweenFailedAttempts) {
  auto options = WithConninfo(TestServer::Get().Conninfo());
  options.reconnect_initial = 300ms;
  options.reconnect_max = 400ms;
  auto conn = MustOpen(options);
  ASSERT_TRUE(conn);
  ASSERT_TRUE(TestServer::Get().Stop());
  EXPECT_FALSE(conn->Exec("SELECT 1"));
  auto first = conn->Reconnect();
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().message.find("cannot connect to"), std::string::npos)
      << first.error().message;
  auto early = conn->Reconnect();  // within the backoff: refused without trying
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().kind, ErrorKind::kConnectionLost);
  EXPECT_NE(early.error().message.find("next attempt in"), std::string::npos)
      << early.error().message;
  EXPECT_GT(conn->ReconnectDelay(), 0ms);
  EXPECT_LE(conn->ReconnectDelay(), 300ms);
  std::this_thread::sleep_for(conn->ReconnectDelay() + 20ms);
  auto second = conn->Reconnect();  // tried and failed: the wait doubles, up to the maximum
  ASSERT_FALSE(second);
  EXPECT_GT(conn->ReconnectDelay(), 300ms);
  EXPECT_LE(conn->ReconnectDelay(), 400ms);

  ASSERT_TRUE(TestServer::Get().Start());
  std::this_thread::sleep_for(conn->ReconnectDelay() + 20ms);
  ASSERT_TRUE(conn->Reconnect());
  EXPECT_EQ(One(*conn, "SELECT 1"), "1");
  EXPECT_EQ(conn->ReconnectDelay(), 0ms);
}

}  // namespace
}  // namespace veille::store::pg
