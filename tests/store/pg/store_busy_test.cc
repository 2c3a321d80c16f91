// The busy timeout on PostgreSQL: Store::Open's `busy_timeout_ms` becomes lock_timeout, where 0
// means "wait forever"; on SQLite 0 means "fail at once". A store opened with 0 must fail with
// kStorageBusy on a lock held elsewhere, not wait for it (found in review, 2026-12-07).
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "../store_backend.h"
#include "pg_fixture.h"
#include "store/pg/connection.h"
#include "store/store.h"

namespace veille::store {
namespace {

TEST(PgStoreBusyTest, AZeroBusyTimeoutFailsAtOnceInsteadOfWaitingForever) {
  const std::string url = testing::PostgresBackendForTests()->Create("busy");
  {
    auto writer = Store::Open(url, Access::kWrite);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE((*writer)->SyncFeeds({{"https://a.example/feed", "A"}}, 1000));
  }
  auto holder = pg::Connection::Open(pg::testing::WithConninfo(url));
  ASSERT_TRUE(holder) << holder.error().message;
  ASSERT_TRUE((*holder)->ExecScript("BEGIN; LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE"));
  auto store = Store::Open(url, Access::kWrite, 0);
  ASSERT_TRUE(store) << store.error().message;
  auto feeds = std::async(std::launch::async, [&] { return (*store)->ListFeeds(); });
  const bool answered = feeds.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  // Released either way, so that a store that waited returns and the test ends.
  EXPECT_TRUE((*holder)->ExecScript("ROLLBACK"));
  ASSERT_TRUE(answered) << "ListFeeds waited for the lock past 10 s (lock_timeout = 0)";
  auto result = feeds.get();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kStorageBusy) << result.error().message;
}

}  // namespace
}  // namespace veille::store
