// A store's repositories (the free functions of lib/store: info, outbox, search...) after the
// server restarted: the first call finds the connection lost, the next one reopens it, as the
// backend's own methods do (found in review, 2026-12-07: PostgresOf never reconnected, so every
// later call failed too).
#include <gtest/gtest.h>

#include "../store_backend.h"
#include "pg_fixture.h"
#include "store/info.h"
#include "store/outbox_repo.h"
#include "store/search.h"
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

// While the server is down, a repository's call after the one that found the loss says why the
// reconnection failed ("cannot connect to ..."): one attempt, its own error (found in review,
// 2026-12-07: ReadyPostgres tried twice and reported the backoff of the first attempt, "next
// attempt in ... ms"; PostgresOf ignored the failure and the statement said "no connection").
TEST(PgStoreReconnectTest, ARepositoryCalledWhileTheServerIsDownSaysWhyItCannotConnect) {
  const std::string url = testing::PostgresBackendForTests()->Create("down");
  // Two stores: each reconnection failed starts its connection's backoff.
  auto outbox = Store::Open(url, Access::kWrite);
  ASSERT_TRUE(outbox) << outbox.error().message;
  auto search = Store::Open(url, Access::kWrite);
  ASSERT_TRUE(search) << search.error().message;

  ASSERT_TRUE(pg::testing::TestServer::Get().Stop());
  (void)CountOutbox(**outbox);  // finds the connection lost
  auto counted = CountOutbox(**outbox);
  (void)CountEntries(**search, EntryFilter{});
  auto entries = CountEntries(**search, EntryFilter{});
  ASSERT_TRUE(pg::testing::TestServer::Get().Start());

  ASSERT_FALSE(counted);
  EXPECT_EQ(counted.error().code, ErrorCode::kStorageUnavailable) << counted.error().message;
  EXPECT_NE(counted.error().message.find("cannot connect to"), std::string::npos)
      << counted.error().message;
  ASSERT_FALSE(entries);
  EXPECT_NE(entries.error().message.find("cannot connect to"), std::string::npos)
      << entries.error().message;
}

}  // namespace
}  // namespace veille::store
