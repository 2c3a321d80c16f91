// The fixture of the store suites that run on both backends (store_backend.h): on SQLite in
// store_test, on PostgreSQL in store_pg_test (VEILLE_STORE_TEST_POSTGRES). store_test.cc holds
// the commit and open tests, store_mentions_test.cc the mention lists.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "store/fts_query.h"
#include "store/internal.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/stats.h"
#include "store/store.h"
#include "store/triage.h"
#include "store_backend.h"

namespace veille::store::testing {

// A migrated store with one feed, on the backend of the test's parameter.
class StoreTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = backend().Create(::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, 1000);
    ASSERT_TRUE(ids);
    feed_id_ = (*ids)[0];
  }
  void TearDown() override {
    store_.reset();
    backend().Remove(path_);
  }

  const testing::StoreBackend& backend() const { return *GetParam(); }

  DocumentCommit Document(std::vector<std::string> keys, UnixSeconds now) {
    DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    c.feed.store_validators = true;
    c.feed.etag = "\"v1\"";
    for (const auto& k : keys) {
      EntryRecord e;
      e.key = k;
      e.title = "Title " + k;
      e.link = "https://a.example/" + k;
      MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.terms = {"Orélia"};
      m.snippet = "about Orélia";
      m.highlights = {{6, 13}};
      m.channels = {"journal"};
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    return c;
  }

  // `sql` on the test's database (store_backend.h Run): a count, or 0 for a statement.
  std::int64_t Sql(const std::string& sql) {
    auto r = backend().Run(*store_, path_, sql);
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? *r : -1;
  }
  std::int64_t Count(const char* table) {
    return Sql(std::string("SELECT COUNT(*) FROM ") + table);
  }

  // A repository (search.h, stats.h...) with no PostgreSQL implementation yet refuses cleanly.
  template <typename T>
  void ExpectNotOnPostgresYet(const Result<T>& r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kStorageUnavailable);
    EXPECT_NE(r.error().message.find("not available on PostgreSQL yet"), std::string::npos)
        << r.error().message;
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::int64_t feed_id_ = 0;
};

}  // namespace veille::store::testing
