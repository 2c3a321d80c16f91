// The writer thread (pipeline/commit_writer.h): a batch commits off the caller's thread, its
// results are only handed over once the commit returned, a failed commit fails every document
// of the batch, and destroying the writer waits for the commit under way.
#include "pipeline/commit_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/internal.h"

namespace veille::pipeline {
namespace {

class CommitWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-commit-writer-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "veille.db").string();
    auto store = store::Store::Open(db_, store::Access::kMigrate);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto ids =
        store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, 1000);
    ASSERT_TRUE(ids) << ids.error().message;
    ids_ = *ids;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::DocumentCommit Document(std::int64_t feed_id, const std::string& key) {
    store::DocumentCommit c;
    c.feed.feed_id = feed_id;
    c.feed.fetched_at = 2000;
    c.feed.next_due_at = 3800;
    c.feed.store_validators = true;
    c.feed.etag = "\"v1\"";
    store::EntryRecord e;
    e.key = key;
    e.title = "Title " + key;
    e.link = "https://a.example/" + key;
    store::MentionRecord m;
    m.rule = "marque";
    m.category = "brand";
    m.terms = {"Orélia"};
    m.snippet = "about Orélia";
    m.channels = {"journal"};
    e.mentions.push_back(m);
    c.entries.push_back(e);
    return c;
  }

  // Counted through a connection of its own, as another process would see the database.
  std::int64_t Stored(const char* table) {
    auto db = store::Database::Open(db_, store::OpenMode::kReadOnly, 1000, /*create=*/false);
    EXPECT_TRUE(db);
    auto stmt = (*db)->Prepare(std::string("SELECT COUNT(*) FROM ") + table);
    EXPECT_TRUE(stmt && stmt->Step());
    return stmt->Int(0);
  }

  // Another connection holding the write lock: the writer's BEGIN IMMEDIATE waits for it.
  std::unique_ptr<store::Database> HoldWriteLock() {
    auto db = store::Database::Open(db_, store::OpenMode::kReadWrite, 0, /*create=*/false);
    EXPECT_TRUE(db);
    EXPECT_TRUE((*db)->Exec("BEGIN IMMEDIATE"));
    return std::move(*db);
  }

  std::filesystem::path dir_;
  std::string db_;
  std::unique_ptr<store::Store> store_;
  std::vector<std::int64_t> ids_;
};

TEST_F(CommitWriterTest, ABatchCommitsOnTheThreadAndItsResultsComeOnlyAfterTheCommit) {
  std::atomic<int> done{0};
  CommitWriter writer([&] { ++done; });
  EXPECT_FALSE(writer.busy());
  const std::vector<store::DocumentCommit> writes = {Document(ids_[0], "a1"),
                                                     Document(ids_[1], "b1")};
  auto lock = HoldWriteLock();  // the commit cannot begin while another writer holds the lock
  writer.Start(*store_, writes);
  EXPECT_TRUE(writer.busy());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(writer.TryTake());  // still waiting for the lock: nothing to hand over
  EXPECT_TRUE(writer.busy());
  EXPECT_EQ(done.load(), 0);
  ASSERT_TRUE(lock->Exec("ROLLBACK"));
  auto results = writer.Wait();
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 2U);
  ASSERT_TRUE((*results)[0]);
  ASSERT_TRUE((*results)[1]);
  EXPECT_EQ((*results)[0]->new_entries, 1);
  EXPECT_EQ((*results)[1]->new_mentions, 1);
  EXPECT_FALSE(writer.busy());
  EXPECT_EQ(done.load(), 1);
  EXPECT_EQ(Stored("entries"), 2);  // committed, visible to other connections
  EXPECT_EQ(Stored("outbox"), 2);
}

TEST_F(CommitWriterTest, AFailedCommitFailsTheWholeBatchAndStoresNothing) {
  store_.reset();  // a short busy timeout: a commit blocked by another writer fails quickly
  auto store = store::Store::Open(db_, store::Access::kMigrate, 200);
  ASSERT_TRUE(store) << store.error().message;
  store_ = std::move(*store);
  CommitWriter writer(nullptr);
  const std::vector<store::DocumentCommit> writes = {Document(ids_[0], "a1"),
                                                     Document(ids_[1], "b1")};
  auto lock = HoldWriteLock();  // held past the store's busy timeout: the commit fails
  writer.Start(*store_, writes);
  auto results = writer.Wait();
  EXPECT_FALSE(results);  // the monitor retries every feed of the batch
  EXPECT_FALSE(writer.busy());
  ASSERT_TRUE(lock->Exec("ROLLBACK"));
  EXPECT_EQ(Stored("entries"), 0);
  auto feed = store_->GetFeed(ids_[0]);
  ASSERT_TRUE(feed && *feed);
  EXPECT_FALSE((*feed)->etag);  // no validator without its document
  // The writer goes on: the same batch commits once the lock is free.
  writer.Start(*store_, writes);
  auto again = writer.Wait();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(Stored("entries"), 2);
}

TEST_F(CommitWriterTest, DestroyingTheWriterWaitsForTheCommitUnderWay) {
  const std::vector<store::DocumentCommit> writes = {Document(ids_[0], "a1")};
  auto lock = HoldWriteLock();
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(lock->Exec("ROLLBACK"));
  });
  {
    CommitWriter writer(nullptr);
    writer.Start(*store_, writes);
  }  // joins after the commit, never in the middle of it
  release.join();
  EXPECT_EQ(Stored("entries"), 1);
}

}  // namespace
}  // namespace veille::pipeline
