#include "store/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace veille::store {
namespace {

namespace fs = std::filesystem;

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("veille-ckpt-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    auto db = Database::Open(path_, OpenMode::kReadWrite, 1000);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)"));
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }
  // One transaction of `pages` 4 KiB pages of new rows.
  void Write(int pages) {
    auto tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx);
    auto stmt = db_->Prepare("INSERT INTO t (b) VALUES (zeroblob(4000))");
    ASSERT_TRUE(stmt);
    for (int i = 0; i < pages; ++i) ASSERT_TRUE(stmt->Run());
    ASSERT_TRUE(tx->Commit());
  }
  std::uintmax_t WalBytes() { return fs::file_size(path_ + "-wal"); }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(CheckpointerTest, TheThreadCheckpointsAndTheLogStartsOverSmall) {
  auto c = Checkpointer::Start(path_, *db_);
  ASSERT_TRUE(c) << c.error().message;
  // Commits of 100 pages until one takes the log past kWakePages and wakes the thread; each
  // waits for it, so that no commit runs during its checkpoint.
  for (int i = 0; i < 30 && (*c)->stats().runs == 0; ++i) {
    Write(100);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while ((*c)->stats().runs == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  const auto stats = (*c)->stats();
  EXPECT_GE(stats.runs, 1);
  EXPECT_EQ(stats.inline_runs, 0);
  EXPECT_EQ(stats.last_error, "");
  // The log was copied whole: the next transaction writes from its start, and the file is cut
  // back to journal_size_limit (4 MiB) instead of growing on.
  for (int i = 0; i < 5; ++i) Write(100);
  EXPECT_LE(WalBytes(), 4u * 1024 * 1024);
}

TEST_F(CheckpointerTest, NoCheckpointRunsOnTheWritersThreadBelowTheInlineBound) {
  auto c = Checkpointer::Start(path_, *db_);
  ASSERT_TRUE(c);
  // A reader pins the log: the thread's checkpoints cannot copy past its snapshot.
  auto reader = Database::Open(path_, OpenMode::kReadOnly, 1000, false);
  ASSERT_TRUE(reader);
  auto snapshot = (*reader)->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(snapshot && snapshot->Step());  // the read transaction stays open
  for (int i = 0; i < 20; ++i) Write(100);
  EXPECT_EQ((*c)->stats().inline_runs, 0);
  EXPECT_GE(WalBytes(), 2000u * 4096);  // SQLite's own hook would have tried at 1,000 pages
  snapshot->Reset();
}

TEST_F(CheckpointerTest, PastTheInlineBoundTheWriterCheckpointsItself) {
  auto c = Checkpointer::Start(path_, *db_);
  ASSERT_TRUE(c);
  for (int i = 0; i < Checkpointer::kInlinePages / 1000 + 1; ++i) {
    // Stop the thread from keeping up: a reader pins the log while each batch is written...
    auto reader = Database::Open(path_, OpenMode::kReadOnly, 1000, false);
    ASSERT_TRUE(reader);
    auto snapshot = (*reader)->Prepare("SELECT COUNT(*) FROM t");
    ASSERT_TRUE(snapshot && snapshot->Step());
    Write(1000);
    snapshot->Reset();
    if ((*c)->stats().inline_runs > 0) break;
  }
  // ...until the log passes kInlinePages and the commit checkpoints inline.
  EXPECT_GE((*c)->stats().inline_runs, 1);
}

TEST_F(CheckpointerTest, StoppingGivesTheWriterSqlitesOwnCheckpointBack) {
  {
    auto c = Checkpointer::Start(path_, *db_);
    ASSERT_TRUE(c);
  }
  for (int i = 0; i < 15; ++i) Write(100);  // SQLite's automatic checkpoint at 1,000 pages
  for (int i = 0; i < 3; ++i) Write(100);   // ...then the log starts over
  EXPECT_LE(WalBytes(), 4u * 1024 * 1024);
}

}  // namespace
}  // namespace veille::store
