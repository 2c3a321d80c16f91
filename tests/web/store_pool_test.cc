// `veille serve`'s pool of read connections (web/store_pool.h), through App as the server's
// threads call it: requests reuse one store; a store whose connection was lost (SQLite: its file
// replaced; PostgreSQL: pg_terminate_backend) is replaced without a failed page; a schema that
// `veille db migrate` changed is noticed as when every request opened its store; a store given
// back inside a transaction is closed; at most `capacity` stores wait idle. Built twice: on
// SQLite (web_pool_test) and on a throwaway PostgreSQL server (web_pool_pg_test,
// VEILLE_WEB_TEST_POSTGRES).
#include "web/store_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/internal.h"
#include "store/pg/connection.h"
#include "web/app.h"
#ifdef VEILLE_WEB_TEST_POSTGRES
#include "tests/store/pg/pg_fixture.h"
#endif

namespace veille::web {
namespace {

constexpr UnixSeconds kNow = 1'796'480'580;  // 2026-12-05T14:23:00Z

class StorePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef VEILLE_WEB_TEST_POSTGRES
    auto& server = store::pg::testing::TestServer::Get();
    location_ = server.Url(server.CreateDatabase());
#else
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-web-pool-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    location_ = (dir_ / "veille.db").string();
#endif
    auto s = store::Store::Open(location_, store::Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    writer_ = std::move(*s);
    ASSERT_TRUE(writer_->SyncFeeds({{"https://a.example/feed", "A"}}, kNow));

    AppOptions options;
    options.version = "1.0";
    options.archive = ArchiveAccess{[location = location_](store::Access access) {
                                      return store::Store::Open(location, access, 5000);
                                    },
                                    {}};
    options.archive->pool = std::make_shared<StorePool>(
        [location = location_] { return store::Store::Open(location, store::Access::kRead); }, 2);
    pool_ = options.archive->pool;
    app_ = std::make_unique<App>(std::move(options), std::map<std::string, i18n::Translator>{},
                                 [] { return kNow * 1000; });
  }
  void TearDown() override {
    app_.reset();
    writer_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Response Get(const std::string& path) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.peer = "127.0.0.1";
    request.headers = {{"host", "127.0.0.1:8080"}};
    if (!cookie_.empty()) request.cookies["veille_session"] = cookie_;
    Response r = app_->Handle(request);
    for (const auto& [name, value] : r.headers) {
      if (name == "Set-Cookie" && value.starts_with("veille_session=")) {
        cookie_ = value.substr(15, value.find(';') - 15);
      }
    }
    return r;
  }

  // The schema version as `veille db migrate` of another veille would leave it.
  void SetSchemaVersion(int version) {
    auto conn = store::ReadyPostgres(*writer_);
    ASSERT_TRUE(conn) << conn.error().message;
    if (*conn != nullptr) {
      ASSERT_TRUE((*conn)->Exec("UPDATE veille_schema SET version = $1 WHERE id = 1", {version}));
    } else {
      ASSERT_TRUE(
          store::DatabaseOf(*writer_).Exec("PRAGMA user_version = " + std::to_string(version)));
    }
  }

  std::filesystem::path dir_;
  std::string location_;
  std::unique_ptr<store::Store> writer_;
  std::shared_ptr<StorePool> pool_;
  std::unique_ptr<App> app_;
  std::string cookie_;
};

TEST_F(StorePoolTest, RequestsReuseOneStore) {
  for (const char* page : {"/dashboard", "/inbox", "/feeds", "/dashboard"}) {
    ASSERT_EQ(Get(page).status, 200) << page;
  }
  const StorePool::Counts counts = pool_->counts();
  EXPECT_EQ(counts.opened, 1);
  EXPECT_EQ(counts.reused, 3);
  EXPECT_EQ(counts.dropped, 0);
  EXPECT_EQ(counts.idle, 1);

  // The same store, handed out again once given back.
  store::Store* first = nullptr;
  {
    auto lease = pool_->Acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    first = &**lease;
  }
  auto again = pool_->Acquire();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(&**again, first);
}

TEST_F(StorePoolTest, ASchemaChangedSinceIsNoticedAsAnOpenWouldNoticeIt) {
  ASSERT_EQ(Get("/dashboard").status, 200);
  SetSchemaVersion(store::SchemaVersion() + 1);
  const Response refused = Get("/dashboard");
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("newer than this veille"), std::string::npos) << refused.body;
  EXPECT_EQ(pool_->counts().idle, 0) << "the store that saw the old schema is closed";

  SetSchemaVersion(store::SchemaVersion());
  EXPECT_EQ(Get("/dashboard").status, 200);
}

TEST_F(StorePoolTest, AStoreGivenBackInsideATransactionIsClosed) {
  {
    auto lease = pool_->Acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    auto conn = store::ReadyPostgres(**lease);
    ASSERT_TRUE(conn);
    if (*conn != nullptr) {
      ASSERT_TRUE((*conn)->Exec("BEGIN"));
    } else {
      ASSERT_TRUE(store::DatabaseOf(**lease).Exec("BEGIN"));
    }
    ASSERT_TRUE((*lease)->InTransaction());
  }
  EXPECT_EQ(pool_->counts().dropped, 1);
  EXPECT_EQ(pool_->counts().idle, 0);
  EXPECT_EQ(Get("/dashboard").status, 200);
  EXPECT_EQ(pool_->counts().opened, 2);
}

TEST_F(StorePoolTest, AtMostCapacityStoresWaitIdle) {
  {
    auto a = pool_->Acquire();
    auto b = pool_->Acquire();
    auto c = pool_->Acquire();
    ASSERT_TRUE(a && b && c);
    EXPECT_NE(&**a, &**b);
    EXPECT_NE(&**b, &**c);
  }
  const StorePool::Counts counts = pool_->counts();
  EXPECT_EQ(counts.opened, 3);
  EXPECT_EQ(counts.idle, 2);
  EXPECT_EQ(counts.dropped, 1);
}

TEST_F(StorePoolTest, AStoreWhoseConnectionWasLostIsReplacedWithoutAFailedPage) {
  ASSERT_EQ(Get("/dashboard").status, 200);
#ifdef VEILLE_WEB_TEST_POSTGRES
  std::string pid;
  {
    auto lease = pool_->Acquire();
    ASSERT_TRUE(lease);
    auto conn = store::ReadyPostgres(**lease);
    ASSERT_TRUE(conn && *conn);
    auto rows = (*conn)->Exec("SELECT pg_backend_pid()");
    ASSERT_TRUE(rows);
    pid = rows->Text(0, 0);
  }
  auto admin = store::ReadyPostgres(*writer_);
  ASSERT_TRUE(admin && *admin);
  auto killed = (*admin)->Exec("SELECT pg_terminate_backend($1::int)", {pid});
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_EQ(killed->Text(0, 0), "t");
  // pg_terminate_backend only signals: wait (bounded) until the backend is gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto left = (*admin)->Exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", {pid});
    ASSERT_TRUE(left);
    if (left->Int(0, 0) == 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "backend " << pid << " still there";
    std::this_thread::yield();
  }
#else
  // The file replaced under the idle connection (a restore): the next request reads the new one.
  const std::string copy = location_ + ".copy";
  writer_.reset();
  std::filesystem::copy_file(location_, copy);
  std::filesystem::rename(copy, location_);
#endif
  const Response page = Get("/dashboard");
  EXPECT_EQ(page.status, 200) << page.body;
  const StorePool::Counts counts = pool_->counts();
  EXPECT_EQ(counts.dropped, 1);
  EXPECT_EQ(counts.opened, 2);
}

}  // namespace
}  // namespace veille::web
