// The CLI's small lookups moved into the store (store/info.h, CountEntries): database counts,
// feed identities and stored mention labels, on a real SQLite file.
#include "store/info.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/schema.h"
#include "store/search.h"

namespace veille::store {
namespace {

class InfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-info-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = Store::Open((dir_ / "veille.db").string(), Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds(
        {{"https://a.example/feed", "Alpha"}, {"https://b.example/feed", "Beta"}}, 1000);
    ASSERT_TRUE(ids);
    feeds_ = *ids;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
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

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::vector<std::int64_t> feeds_;
};

TEST_F(InfoTest, DatabaseInfoCountsWhatIsStored) {
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
  ASSERT_TRUE(info->pages && info->free_pages);
  EXPECT_GT(*info->pages, 0);
}

TEST_F(InfoTest, FeedIdentitiesInIdOrder) {
  auto feeds = FeedIdentities(*store_);
  ASSERT_TRUE(feeds);
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].id, feeds_[0]);
  EXPECT_EQ((*feeds)[0].name, "Alpha");
  EXPECT_EQ((*feeds)[1].url, "https://b.example/feed");
  EXPECT_FALSE((*feeds)[1].fetch_url);
}

TEST_F(InfoTest, MentionLabelsStored) {
  Commit(feeds_[0], {"a1"}, 2000);
  EXPECT_TRUE(*MentionLabelStored(*store_, MentionLabel::kRule, "marque"));
  EXPECT_FALSE(*MentionLabelStored(*store_, MentionLabel::kRule, "brand"));
  EXPECT_TRUE(*MentionLabelStored(*store_, MentionLabel::kCategory, "brand"));
  EXPECT_FALSE(*MentionLabelStored(*store_, MentionLabel::kCategory, "marque"));
}

TEST_F(InfoTest, CountEntriesHonoursThePeriodAndTheFeeds) {
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
}  // namespace veille::store
