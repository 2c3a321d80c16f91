// The configuration each daemon runs (store/daemon_configs.h, docs/scaling.md "Configurations
// that differ"), on both backends. On PostgreSQL two stores stand for two daemons; on SQLite
// one daemon runs per file, so a new row replaces the previous one.
#include "store/daemon_configs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "store_backend.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'000'000;

class DaemonConfigsTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("configs-") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    a_ = Open();
    b_ = Open();
    ASSERT_TRUE(a_ && b_);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    GetParam()->Remove(path_);
  }
  std::unique_ptr<Store> Open() {
    auto s = Store::Open(path_, Access::kMigrate);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  static std::vector<DaemonConfigRow> Publish(Store& store, const std::string& fingerprint,
                                              UnixSeconds now) {
    auto others = PublishDaemonConfig(store, fingerprint, "summary of " + fingerprint, now);
    EXPECT_TRUE(others) << others.error().message;
    return others.value_or(std::vector<DaemonConfigRow>());
  }
  static std::vector<DaemonConfigRow> Rows(Store& store) {
    auto rows = ReadDaemonConfigs(store);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows.value_or(std::vector<DaemonConfigRow>());
  }

  std::string path_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
};

class SharedDaemonConfigsTest : public DaemonConfigsTest {};
class SqliteDaemonConfigsTest : public DaemonConfigsTest {};

TEST_P(DaemonConfigsTest, TheFirstDaemonFindsNoOtherAndItsRowIsReadBack) {
  EXPECT_TRUE(Publish(*a_, "00112233aabbccdd", kNow).empty());
  const auto rows = Rows(*a_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fingerprint, "00112233aabbccdd");
  EXPECT_EQ(rows[0].description, "summary of 00112233aabbccdd");
  EXPECT_EQ(rows[0].pid, ::getpid());
  EXPECT_FALSE(rows[0].hostname.empty());
  EXPECT_TRUE(rows[0].owner.starts_with(rows[0].hostname + ":" + std::to_string(::getpid())));
  EXPECT_EQ(rows[0].written_at, kNow);
  EXPECT_EQ(rows[0].seen_at, kNow);
  EXPECT_TRUE(rows[0].self);
}

TEST_P(DaemonConfigsTest, AReloadRewritesTheDaemonsRow) {
  Publish(*a_, "1111111111111111", kNow);
  Publish(*a_, "2222222222222222", kNow + 60);
  const auto rows = Rows(*a_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fingerprint, "2222222222222222");
  EXPECT_EQ(rows[0].written_at, kNow + 60);
}

TEST_P(SqliteDaemonConfigsTest, OneDaemonPerFileSoANewRowReplacesTheLast) {
  // The row of a daemon that ran on this file before (killed: it never removed it).
  ASSERT_TRUE(
      GetParam()->Run(*a_, path_,
                      "INSERT INTO daemon_configs (owner, hostname, pid, fingerprint, description, "
                      "written_at, seen_at) VALUES ('old-host:1', 'old-host', 1, "
                      "'1111111111111111', 'x', 1, 1)"));
  // b_ stands for the next daemon on the file: no comparison, and the old row goes.
  EXPECT_TRUE(Publish(*b_, "2222222222222222", kNow + 1).empty());
  const auto rows = Rows(*a_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fingerprint, "2222222222222222");
  // Heartbeats and stops leave the SQLite row alone (veille status still shows it).
  ASSERT_TRUE(TouchDaemonConfig(*b_, kNow + 100));
  ASSERT_TRUE(RemoveDaemonConfig(*b_));
  ASSERT_EQ(Rows(*a_).size(), 1u);
  EXPECT_EQ(Rows(*a_)[0].seen_at, kNow + 1);
}

TEST_P(SharedDaemonConfigsTest, EachDaemonSeesTheOthersRows) {
  EXPECT_TRUE(Publish(*a_, "aaaaaaaaaaaaaaaa", kNow).empty());
  const auto seen_by_b = Publish(*b_, "bbbbbbbbbbbbbbbb", kNow + 5);
  ASSERT_EQ(seen_by_b.size(), 1u);
  EXPECT_EQ(seen_by_b[0].fingerprint, "aaaaaaaaaaaaaaaa");
  EXPECT_EQ(seen_by_b[0].description, "summary of aaaaaaaaaaaaaaaa");
  EXPECT_FALSE(seen_by_b[0].self);
  // a_ reloads: it sees b_'s row, never its own.
  const auto seen_by_a = Publish(*a_, "aaaaaaaaaaaaaaaa", kNow + 10);
  ASSERT_EQ(seen_by_a.size(), 1u);
  EXPECT_EQ(seen_by_a[0].fingerprint, "bbbbbbbbbbbbbbbb");
  EXPECT_NE(seen_by_a[0].owner, seen_by_b[0].owner);
  // The CLI reads both, most recently written first.
  const auto rows = Rows(*a_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fingerprint, "aaaaaaaaaaaaaaaa");
  EXPECT_TRUE(rows[0].self);
  EXPECT_FALSE(rows[1].self);
}

TEST_P(SharedDaemonConfigsTest, ARowIsNamedAfterTheDaemonsLeases) {
  Publish(*a_, "aaaaaaaaaaaaaaaa", kNow);
  auto ids = a_->SyncFeeds({{"https://f.example/1", "F1"}}, kNow);
  ASSERT_TRUE(ids);
  auto leased = a_->LeaseDueFeeds(*ids, kNow, 1, 60'000);
  ASSERT_TRUE(leased);
  ASSERT_EQ(leased->size(), 1u);
  auto joined = GetParam()->Run(
      *a_, path_, "SELECT count(*) FROM feeds f JOIN daemon_configs d ON d.owner = f.lease_owner");
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(*joined, 1);
}

TEST_P(SharedDaemonConfigsTest, ADaemonNotSeenForThreeMinutesIsGone) {
  Publish(*a_, "aaaaaaaaaaaaaaaa", kNow);
  // Its heartbeat keeps a_ in: b_ sees it kDaemonConfigStaleSeconds later.
  ASSERT_TRUE(TouchDaemonConfig(*a_, kNow + 60));
  EXPECT_EQ(Publish(*b_, "bbbbbbbbbbbbbbbb", kNow + 60 + kDaemonConfigStaleSeconds).size(), 1u);
  // Without heartbeats, a_ (killed) is left out, and its row deleted.
  EXPECT_TRUE(Publish(*b_, "bbbbbbbbbbbbbbbb", kNow + 61 + kDaemonConfigStaleSeconds).empty());
  const auto rows = Rows(*b_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].self);
}

TEST_P(SharedDaemonConfigsTest, AStoppedDaemonRemovesItsRow) {
  Publish(*a_, "aaaaaaaaaaaaaaaa", kNow);
  Publish(*b_, "bbbbbbbbbbbbbbbb", kNow);
  ASSERT_TRUE(RemoveDaemonConfig(*a_));
  const auto rows = Rows(*b_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fingerprint, "bbbbbbbbbbbbbbbb");
  EXPECT_TRUE(Publish(*b_, "bbbbbbbbbbbbbbbb", kNow + 1).empty());
}

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, DaemonConfigsTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SqliteDaemonConfigsTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedDaemonConfigsTest);
#else
INSTANTIATE_TEST_SUITE_P(Backend, DaemonConfigsTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SharedDaemonConfigsTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqliteDaemonConfigsTest);
#endif

}  // namespace
}  // namespace veille::store
