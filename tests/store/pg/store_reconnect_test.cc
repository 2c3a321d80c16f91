// A store's repositories (the free functions of lib/store: info, outbox, search...) after the
// server restarted: the first call finds the connection lost, the next one reopens it, as the
// backend's own methods do (found in review, 2026-12-07: PostgresOf never reconnected, so every
// later call failed too).
#include <gtest/gtest.h>

#include "../store_backend.h"
#include "pg_fixture.h"
#include "store/info.h"
#include "store/store.h"

namespace veille::store {
namespace {

TEST(PgStoreReconnectTest, ARepositoryCalledAfterAServerRestartReconnects) {
  const std::string url = testing::PostgresBackendForTests()->Create("reconnect");
  auto store = Store::Open(url, Access::kWrite);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->SyncFeeds({{"https://a.example/feed", "A"}}, 1000));
  auto before = ReadDatabaseInfo(**store);
  ASSERT_TRUE(before) << before.error().message;

  ASSERT_TRUE(pg::testing::TestServer::Get().Restart());
  auto lost = ReadDatabaseInfo(**store);  // the loss is found by the statement that meets it
  if (!lost) {
    EXPECT_EQ(lost.error().code, ErrorCode::kStorageUnavailable) << lost.error().message;
  }
  auto after = ReadDatabaseInfo(**store);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->feeds, 1);
}

}  // namespace
}  // namespace veille::store
