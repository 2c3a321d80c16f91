// The parse pool: documents parsed and matched on worker threads, the entries already stored
// (read through the worker's own read-only connection to a real SQLite file) left out.
#include "pipeline/parse_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "store/internal.h"

namespace veille::pipeline {
namespace {

std::string Rss(const std::vector<std::string>& guids) {
  std::string xml = "<rss version=\"2.0\"><channel><title>T</title><link>https://t.example/</link>";
  for (const auto& g : guids) {
    xml += "<item><title>Orélia " + g + "</title><link>https://t.example/" + g + "</link><guid>" +
           g + "</guid></item>";
  }
  return xml + "</channel></rss>";
}

class ParsePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-parse-pool-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "veille.db").string();
    auto store = store::Store::Open(db_, store::Access::kMigrate);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto ids = store_->SyncFeeds({{"https://t.example/feed", "T"}}, 1000);
    ASSERT_TRUE(ids) << ids.error().message;
    feed_id_ = (*ids)[0];
    auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
    ASSERT_TRUE(matcher) << matcher.error().message;
    matcher_ = std::move(*matcher);
    auto routing = std::make_shared<RuleRouting>();
    routing->channels = {{"journal"}};
    routing_ = routing;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ParseJob Job(const std::string& body, std::uint64_t tag) {
    ParseJob job;
    job.feed_id = feed_id_;
    job.result.tag = tag;
    job.result.outcome = Outcome::kOk;
    job.result.body = body;
    job.feed.name = "T";
    job.feed.url = "https://t.example/feed";
    job.matcher = matcher_;
    job.routing = routing_;
    return job;
  }

  // Stores entries "a" and "b" the way the monitor does, in one document commit.
  void StoreAB() {
    auto reader = store::Store::Open(db_, store::Access::kRead);
    ASSERT_TRUE(reader);
    ParsedDocument doc = ParseAndMatch(Job(Rss({"a", "b"}), 1), **reader);
    ASSERT_TRUE(doc.feed && doc.records);
    store::DocumentCommit commit;
    commit.feed.feed_id = feed_id_;
    commit.feed.fetched_at = 1000;
    commit.entries = std::move(*doc.records);
    ASSERT_TRUE(store_->CommitDocument(commit));
  }

  std::filesystem::path dir_;
  std::string db_;
  std::unique_ptr<store::Store> store_;
  std::int64_t feed_id_ = 0;
  std::shared_ptr<const match::Matcher> matcher_;
  std::shared_ptr<const RuleRouting> routing_;
};

TEST_F(ParsePoolTest, StoredEntriesAreLeftOutAndTheRestMatched) {
  StoreAB();
  auto reader = store::Store::Open(db_, store::Access::kRead);
  ASSERT_TRUE(reader);
  ParsedDocument doc = ParseAndMatch(Job(Rss({"a", "b", "c"}), 7), **reader);
  ASSERT_TRUE(doc.feed) << doc.feed.error().message;
  ASSERT_TRUE(doc.records) << doc.records.error().message;
  EXPECT_EQ(doc.result.tag, 7u);
  EXPECT_TRUE(doc.result.body.empty());  // released once parsed
  EXPECT_EQ(doc.entry_count, 3u);
  EXPECT_TRUE(doc.feed->entries.empty());
  EXPECT_EQ(doc.feed->title, "T");
  ASSERT_EQ(doc.records->size(), 1u);
  EXPECT_EQ((*doc.records)[0].key, "id:c");
  ASSERT_EQ((*doc.records)[0].mentions.size(), 1u);
  EXPECT_EQ((*doc.records)[0].mentions[0].channels, std::vector<std::string>{"journal"});
}

// RELIABILITY.md C4 through the worker's read connection: the unchanged entries of a poll yield
// nothing, the one whose title changed under the same GUID is an edit, stored as such without a
// second mention or alert, and the next identical poll yields nothing again.
TEST_F(ParsePoolTest, AnEntryEditedUnderItsGuidIsOneEditAndNoNewAlert) {
  StoreAB();
  auto reader = store::Store::Open(db_, store::Access::kRead);
  ASSERT_TRUE(reader);
  std::string edited = Rss({"a", "b"});
  const std::string old_title = "<title>Orélia a</title>";
  edited.replace(edited.find(old_title), old_title.size(), "<title>Orélia a, rewritten</title>");
  ParsedDocument doc = ParseAndMatch(Job(edited, 8), **reader);
  ASSERT_TRUE(doc.feed && doc.records);
  ASSERT_EQ(doc.records->size(), 1u);
  EXPECT_EQ((*doc.records)[0].key, "id:a");
  EXPECT_EQ((*doc.records)[0].change, store::EntryRecord::Change::kEdited);
  store::DocumentCommit commit;
  commit.feed.feed_id = feed_id_;
  commit.feed.fetched_at = 2000;
  commit.entries = std::move(*doc.records);
  auto stats = store_->CommitDocument(commit);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->edited.size(), 1u);
  EXPECT_EQ(stats->new_entries, 0);
  EXPECT_EQ(stats->new_mentions, 0);
  auto stmt = store::DatabaseOf(*store_).Prepare(
      "SELECT title, edits, (SELECT COUNT(*) FROM outbox) FROM entries WHERE entry_key = 'id:a'");
  ASSERT_TRUE(stmt && *stmt->Step());
  EXPECT_EQ(stmt->Text(0), "Orélia a, rewritten");
  EXPECT_EQ(stmt->Int(1), 1);
  EXPECT_EQ(stmt->Int(2), 2);  // the alerts of a and b, no other

  doc = ParseAndMatch(Job(edited, 9), **reader);
  ASSERT_TRUE(doc.feed && doc.records);
  EXPECT_TRUE(doc.records->empty()) << "the edit is stored: the same document is unchanged";
}

TEST_F(ParsePoolTest, ANonFeedComesBackAsAParseError) {
  auto reader = store::Store::Open(db_, store::Access::kRead);
  ASSERT_TRUE(reader);
  ParsedDocument doc = ParseAndMatch(Job("<html><body>hello</body></html>", 3), **reader);
  ASSERT_FALSE(doc.feed);
  EXPECT_NE(doc.feed.error().message.find("not a feed"), std::string::npos)
      << doc.feed.error().message;
}

TEST_F(ParsePoolTest, EveryJobComesBackOnceAndWakesTheLoop) {
  std::atomic<int> wakeups{0};
  auto owned = std::make_unique<ParsePool>(db_, 2, [&] { ++wakeups; });
  ParsePool& pool = *owned;
  EXPECT_EQ(pool.threads(), 2u);
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) pool.Submit(Job(Rss({"x" + std::to_string(i)}), i));
  std::vector<int> seen(kJobs, 0);
  int received = 0;
  for (int round = 0; round < 1000 && received < kJobs; ++round) {
    pool.WaitDone(std::chrono::milliseconds(50));
    for (auto& doc : pool.TakeDone()) {
      ASSERT_TRUE(doc.records) << doc.records.error().message;
      ASSERT_EQ(doc.records->size(), 1u);
      EXPECT_EQ((*doc.records)[0].key, "id:x" + std::to_string(doc.result.tag));
      ++seen[doc.result.tag];
      ++received;
    }
  }
  EXPECT_EQ(received, kJobs);
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(seen[i], 1) << "job " << i;
  EXPECT_EQ(pool.outstanding(), 0u);
  owned.reset();  // joins: the last wake-up may run just after its document was taken
  EXPECT_EQ(wakeups.load(), kJobs);
}

TEST_F(ParsePoolTest, ClearForgetsQueuedWorkAndTheCountFollows) {
  ParsePool pool(db_, 1, nullptr);
  for (int i = 0; i < 200; ++i) pool.Submit(Job(Rss({"y" + std::to_string(i)}), i));
  pool.Clear();
  // Only the document a worker had already taken may still come back.
  for (int round = 0; round < 100 && pool.outstanding() > 0; ++round) {
    pool.WaitDone(std::chrono::milliseconds(20));
    (void)pool.TakeDone();
  }
  EXPECT_EQ(pool.outstanding(), 0u);
}

TEST_F(ParsePoolTest, AMissingDatabaseIsAStorageErrorNotACrash) {
  ParsePool pool((dir_ / "absent.db").string(), 1, nullptr);
  pool.Submit(Job(Rss({"z"}), 1));
  std::vector<ParsedDocument> done;
  for (int round = 0; round < 200 && done.empty(); ++round) {
    pool.WaitDone(std::chrono::milliseconds(20));
    done = pool.TakeDone();
  }
  ASSERT_EQ(done.size(), 1u);
  ASSERT_FALSE(done[0].records);
  EXPECT_NE(done[0].records.error().message.find("no database"), std::string::npos)
      << done[0].records.error().message;
}

}  // namespace
}  // namespace veille::pipeline
