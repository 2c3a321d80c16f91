// The CLI's small lookups moved into the store (store/info.h, CountEntries): database counts,
// feed identities and stored mention labels, on both backends.
#include "store/info.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/schema.h"
#include "store/search.h"
#include "store_backend.h"

namespace veille::store {
namespace {

// Runs on both backends (store_backend.h: SQLite in store_info_test, PostgreSQL in
// store_pg_test).
class InfoTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("info-") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds(
        {{"https://a.example/feed", "Alpha"}, {"https://b.example/feed", "Beta"}}, 1000);
    ASSERT_TRUE(ids);
    feeds_ = *ids;
  }
  void TearDown() override {
    store_.reset();
    GetParam()->Remove(path_);
  }

  // One entry per key in feed `feed`, first seen at `now`, each with a mention of rule "marque".
  void Commit(std::int64_t feed, std::vector<std::string> keys, UnixSeconds now) {
    DocumentCommit c;
    c.feed.feed_id = feed;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    for (const auto& k : keys) {
      EntryRecord e;
      e.key = k;
      e.title = "Title " + k;
      MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.snippet = "about it";
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    ASSERT_TRUE(store_->CommitDocument(c));
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::vector<std::int64_t> feeds_;
};

TEST_P(InfoTest, DatabaseInfoCountsWhatIsStored) {
  Commit(feeds_[0], {"a1", "a2"}, 2000);
  Commit(feeds_[1], {"b1"}, 2000);
  auto info = ReadDatabaseInfo(*store_);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->schema_version, SchemaVersion());
  EXPECT_EQ(info->feeds, 2);
  EXPECT_EQ(info->entries, 3);
  EXPECT_EQ(info->stories, 3);
  EXPECT_EQ(info->mentions, 3);
  EXPECT_EQ(info->outbox, 0);  // no channel
  EXPECT_EQ(info->backend, GetParam()->name());
  if (GetParam()->sqlite()) {
    ASSERT_TRUE(info->pages && info->free_pages);
    EXPECT_GT(*info->pages, 0);
  } else {
    EXPECT_FALSE(info->pages);
  }
}

TEST_P(InfoTest, FeedIdentitiesInIdOrder) {
  auto feeds = FeedIdentities(*store_);
  ASSERT_TRUE(feeds);
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].id, feeds_[0]);
  EXPECT_EQ((*feeds)[0].name, "Alpha");
  EXPECT_EQ((*feeds)[1].url, "https://b.example/feed");
  EXPECT_FALSE((*feeds)[1].fetch_url);
}

TEST_P(InfoTest, MentionLabelsStored) {
  Commit(feeds_[0], {"a1"}, 2000);
  EXPECT_TRUE(*MentionLabelStored(*store_, MentionLabel::kRule, "marque"));
  EXPECT_FALSE(*MentionLabelStored(*store_, MentionLabel::kRule, "brand"));
  EXPECT_TRUE(*MentionLabelStored(*store_, MentionLabel::kCategory, "brand"));
  EXPECT_FALSE(*MentionLabelStored(*store_, MentionLabel::kCategory, "marque"));
}

TEST_P(InfoTest, CountEntriesHonoursThePeriodAndTheFeeds) {
  Commit(feeds_[0], {"a1", "a2"}, 2000);
  Commit(feeds_[1], {"b1"}, 3000);
  EntryFilter filter;
  EXPECT_EQ(*CountEntries(*store_, filter), 3);
  filter.since = 2500;
  EXPECT_EQ(*CountEntries(*store_, filter), 1);
  filter.since.reset();
  filter.feed_ids = {feeds_[0]};
  EXPECT_EQ(*CountEntries(*store_, filter), 2);
  filter.until = 2000;
  EXPECT_EQ(*CountEntries(*store_, filter), 0);
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, InfoTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, InfoTest, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif
}  // namespace veille::store
