// Several daemons on one database (docs/scaling.md): feed leases and the maintenance lock, on
// both backends. On PostgreSQL two stores stand for two daemons (each Store is a lease owner of
// its own); on SQLite (one daemon) nothing is leased and maintenance is always here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>
#include <set>
#include <thread>

#include "store/daemon_configs.h"
#include "store_backend.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'000'000;
constexpr std::int64_t kLongLease = 60'000;
// Long enough for the checks made before it ends even on a loaded machine (the asan pass).
constexpr std::int64_t kShortLease = 1'200;

class LeaseTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("lease-") +
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
  // `n` feeds, never polled (due at once).
  std::vector<std::int64_t> Feeds(int n) {
    std::vector<std::pair<std::string, std::string>> wanted;
    for (int i = 0; i < n; ++i) {
      wanted.emplace_back("https://f.example/" + std::to_string(i), "F" + std::to_string(i));
    }
    auto ids = a_->SyncFeeds(wanted, kNow);
    EXPECT_TRUE(ids);
    return ids.value_or(std::vector<std::int64_t>());
  }
  static std::vector<std::int64_t> Ids(const Result<std::vector<LeasedFeed>>& leased) {
    std::vector<std::int64_t> ids;
    if (leased) {
      for (const auto& l : *leased) ids.push_back(l.feed.id);
    }
    return ids;
  }
  // Whether `store` holds the maintenance lock (a failed check fails the test).
  static bool Holds(Store& store) {
    auto held = store.HoldMaintenance();
    EXPECT_TRUE(held) << held.error().message;
    return held && *held;
  }
  // A poll's commit of feed `id`: due again at `next_due`.
  static void Commit(Store& store, std::int64_t id, UnixSeconds next_due) {
    FeedUpdate u;
    u.feed_id = id;
    u.fetched_at = kNow;
    u.next_due_at = next_due;
    ASSERT_TRUE(store.UpdateFeed(u));
  }

  std::string path_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
};

// The suites of one backend only: leases exist on a shared database (PostgreSQL), and on SQLite
// the calls are no-ops.
class SharedLeaseTest : public LeaseTest {};
class SqliteLeaseTest : public LeaseTest {};

TEST_P(LeaseTest, OnlyAPostgresDatabaseIsShared) { EXPECT_EQ(a_->Shared(), !GetParam()->sqlite()); }

TEST_P(SqliteLeaseTest, SqliteLeasesNothingAndEveryStoreMaintains) {
  const auto ids = Feeds(3);
  auto leased = a_->LeaseDueFeeds(ids, kNow, 10, kLongLease);
  ASSERT_TRUE(leased);
  EXPECT_TRUE(leased->empty());
  EXPECT_TRUE(a_->RenewLeases(ids, kLongLease));
  EXPECT_TRUE(a_->ReleaseLeases({{ids[0], kNow}}));
  EXPECT_TRUE(BeginOnceRun(*a_, kNow));
  EXPECT_TRUE(Holds(*a_));
  EXPECT_TRUE(Holds(*b_));
}

TEST_P(SharedLeaseTest, TwoDaemonsRacingForTheSameDueFeedsGetDisjointSets) {
  const auto ids = Feeds(300);
  // Both claim small batches as fast as they can, at the same time, until nothing is left.
  auto claim_all = [&](Store& store) {
    std::vector<std::int64_t> mine;
    for (;;) {
      auto leased = store.LeaseDueFeeds(ids, kNow, 7, kLongLease);
      EXPECT_TRUE(leased) << (leased ? "" : leased.error().message);
      if (!leased || leased->empty()) return mine;
      for (const auto& l : *leased) mine.push_back(l.feed.id);
    }
  };
  auto first = std::async(std::launch::async, [&] { return claim_all(*a_); });
  auto second = std::async(std::launch::async, [&] { return claim_all(*b_); });
  std::vector<std::int64_t> got_a = first.get();
  std::vector<std::int64_t> got_b = second.get();
  std::set<std::int64_t> seen;
  for (auto id : got_a) EXPECT_TRUE(seen.insert(id).second) << "feed " << id << " leased twice";
  for (auto id : got_b) EXPECT_TRUE(seen.insert(id).second) << "feed " << id << " leased twice";
  EXPECT_EQ(seen, std::set<std::int64_t>(ids.begin(), ids.end()));
  // Both took part (each claim is its own transaction, so they interleave).
  EXPECT_FALSE(got_a.empty());
  EXPECT_FALSE(got_b.empty());
}

TEST_P(SharedLeaseTest, AnExpiredLeaseIsTakenOver) {
  const auto ids = Feeds(2);
  EXPECT_EQ(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kShortLease)), ids);
  EXPECT_TRUE(Ids(b_->LeaseDueFeeds(ids, kNow, 10, kLongLease)).empty());
  // a_ died: its leases expire.
  std::this_thread::sleep_for(std::chrono::milliseconds(kShortLease + 300));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), ids);
  // The dead daemon's late commit leaves the new holder's lease alone.
  Commit(*a_, ids[0], kNow - 1);
  EXPECT_TRUE(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kLongLease)).empty());
}

TEST_P(SharedLeaseTest, TheCommitEndsTheLeaseWithTheNextDueTime) {
  const auto ids = Feeds(2);
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), ids);
  Commit(*a_, ids[0], kNow + 1800);  // polled: due again in 30 minutes
  Commit(*a_, ids[1], kNow);         // say, a `veille poll` again: due now
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), std::vector{ids[1]});
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow + 1800, 10, kLongLease)), std::vector{ids[0]});
}

// A document that could not be stored (its commit rolled it back alone: here a trigger refuses
// its entry, as a statement timeout or a constraint would) keeps its lease past the commit: the
// daemon gives it back itself, held a few seconds (Monitor::ReleaseUnstored). Ended by the commit
// with the stored ones, it was claimable at once while a `veille poll` request stood, and fetched
// again in a loop as long as the store refused it (found by system.pg_faults, 2026-12-07).
TEST_P(SharedLeaseTest, AFeedWhoseDocumentWasNotStoredKeepsItsLeasePastTheCommit) {
  const auto ids = Feeds(2);
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), ids);
  ASSERT_TRUE(GetParam()->Run(*a_, path_, GetParam()->PoisonSql()));
  std::vector<DocumentCommit> polls(2);
  for (std::size_t i = 0; i < polls.size(); ++i) {
    polls[i].feed.feed_id = ids[i];
    polls[i].feed.fetched_at = kNow;
    polls[i].feed.next_due_at = kNow + 1800;
    polls[i].feed.store_validators = true;
    EntryRecord e;
    e.key = i == 0 ? "stored" : "poison";
    e.title = "Title " + e.key;
    polls[i].entries.push_back(e);
  }
  auto results = a_->CommitBatch(polls);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_TRUE((*results)[0]);
  ASSERT_FALSE((*results)[1]);
  // Both due by then; the unstored one still a_'s, until a_ gives it back.
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow + 1800, 10, kLongLease)), std::vector{ids[0]});
  ASSERT_TRUE(a_->ReleaseLeases({{ids[1], kNow + kStorageRetrySeconds}}));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow + 1800, 10, kLongLease)), std::vector{ids[1]});
}

TEST_P(SharedLeaseTest, RenewedLeasesOutliveTheirFirstTerm) {
  const auto ids = Feeds(2);
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kShortLease)), ids);
  ASSERT_TRUE(a_->RenewLeases({ids[0]}, kLongLease));
  ASSERT_TRUE(b_->RenewLeases({ids[1]}, kLongLease));  // not b_'s: no effect
  std::this_thread::sleep_for(std::chrono::milliseconds(kShortLease + 300));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), std::vector{ids[1]});
}

TEST_P(SharedLeaseTest, AReleasedFeedIsDueWhenItsNewTimeComes) {
  const auto ids = Feeds(2);
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), ids);
  // A host's Retry-After: given back, due in a minute; the other given back as it was.
  ASSERT_TRUE(a_->ReleaseLeases({{ids[0], kNow + 60}, {ids[1], std::nullopt}}));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow, 10, kLongLease)), std::vector{ids[1]});
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kNow + 60, 10, kLongLease)), std::vector{ids[0]});
}

TEST_P(SharedLeaseTest, OnlyListedDueFeedsAndPollRequestsAreLeased) {
  const auto ids = Feeds(4);
  Commit(*a_, ids[0], kNow + 600);  // not due
  Commit(*a_, ids[1], kNow + 600);  // not due, but `veille poll` asks for it
  ASSERT_TRUE(GetParam()->Run(
      *a_, path_, "UPDATE feeds SET poll_requested_at = 5 WHERE id = " + std::to_string(ids[1])));
  ASSERT_TRUE(GetParam()->Run(
      *a_, path_, "UPDATE feeds SET state = 'gone' WHERE id = " + std::to_string(ids[2])));
  // ids[3] is due but not listed (another daemon's config has it, not this one's).
  auto leased = a_->LeaseDueFeeds({ids[0], ids[1], ids[2]}, kNow, 10, kLongLease);
  ASSERT_TRUE(leased);
  ASSERT_EQ(Ids(leased), std::vector{ids[1]});
  EXPECT_EQ(leased->front().poll_requested_at, std::optional<std::int64_t>(5));
  EXPECT_EQ(leased->front().feed.url, "https://f.example/1");
}

// `veilled --once` runs that overlap are one cycle (docs/scaling.md, "veilled --once"): a run
// leases only the feeds no run of the cycle has polled, a failed poll counting as a poll. Until
// 2026-12-07 every feed counted as due in a --once run, so a run leased again, and fetched again,
// a feed another run had polled and committed (its lease ended with the commit).
TEST_P(SharedLeaseTest, OnceRunsThatOverlapLeaseEachFeedOnceBetweenThem) {
  const auto ids = Feeds(4);
  constexpr UnixSeconds kAlways = std::numeric_limits<UnixSeconds>::max();
  for (Store* s : {a_.get(), b_.get()}) {
    ASSERT_TRUE(PublishDaemonConfig(*s, "f", "", kNow));
    ASSERT_TRUE(BeginOnceRun(*s, kNow));
  }
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kAlways, 3, kLongLease)),
            (std::vector{ids[0], ids[1], ids[2]}));
  Commit(*a_, ids[0], kNow + 1800);  // polled
  FeedUpdate failed;                 // polled, and failed: its poll of the cycle all the same
  failed.feed_id = ids[1];
  failed.fetched_at = kNow;
  failed.outcome = Outcome::kHttp5xx;
  failed.next_due_at = kNow + 60;
  ASSERT_TRUE(a_->UpdateFeed(failed));
  // Not polled (given back at a stop, or its outcome could not be stored): still to poll.
  ASSERT_TRUE(a_->ReleaseLeases({{ids[2], std::nullopt}}));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kAlways, 10, kLongLease)), (std::vector{ids[2], ids[3]}));
  // A store in no --once run (a running daemon) leases what is due, as before.
  auto daemon = Open();
  ASSERT_TRUE(daemon);
  EXPECT_EQ(Ids(daemon->LeaseDueFeeds(ids, kNow + 60, 10, kLongLease)), std::vector{ids[1]});
  // Once both runs have ended (their rows removed), the next run is a new cycle.
  Commit(*b_, ids[2], kNow + 1800);
  ASSERT_TRUE(RemoveDaemonConfig(*a_));
  ASSERT_TRUE(RemoveDaemonConfig(*b_));
  auto next = Open();
  ASSERT_TRUE(next);
  ASSERT_TRUE(PublishDaemonConfig(*next, "f", "", kNow));
  ASSERT_TRUE(BeginOnceRun(*next, kNow));
  EXPECT_EQ(Ids(next->LeaseDueFeeds(ids, kAlways, 10, kLongLease)), (std::vector{ids[0], ids[2]}));
}

// The start of a run that began earlier and still goes on opens the cycle of a run that starts
// later: what the first polled before the second started is not polled again by the second.
TEST_P(SharedLeaseTest, ARunStartedLaterJoinsTheCycleOfARunStillGoingOn) {
  const auto ids = Feeds(2);
  constexpr UnixSeconds kAlways = std::numeric_limits<UnixSeconds>::max();
  ASSERT_TRUE(PublishDaemonConfig(*a_, "f", "", kNow));
  ASSERT_TRUE(BeginOnceRun(*a_, kNow));
  ASSERT_EQ(Ids(a_->LeaseDueFeeds(ids, kAlways, 1, kLongLease)), std::vector{ids[0]});
  Commit(*a_, ids[0], kNow + 1800);
  ASSERT_TRUE(PublishDaemonConfig(*b_, "f", "", kNow));
  ASSERT_TRUE(BeginOnceRun(*b_, kNow));
  EXPECT_EQ(Ids(b_->LeaseDueFeeds(ids, kAlways, 10, kLongLease)), std::vector{ids[1]});
}

TEST_P(SharedLeaseTest, MaintenanceIsHeldByOneStoreAndMovesWhenItCloses) {
  EXPECT_TRUE(Holds(*a_));
  EXPECT_TRUE(Holds(*a_));  // still held
  EXPECT_FALSE(Holds(*b_));
  a_.reset();  // the daemon stops: its session ends, and the lock with it
  // The server ends the closed session a moment after the client has gone (a loaded machine:
  // hundreds of milliseconds); the other daemon takes the lock at one of its next turns.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool moved = false;
  while (!moved && std::chrono::steady_clock::now() < deadline) {
    moved = Holds(*b_);
    if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(moved) << "the lock never moved to the other store";
}

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, LeaseTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SqliteLeaseTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedLeaseTest);
#else
INSTANTIATE_TEST_SUITE_P(Backend, LeaseTest, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SharedLeaseTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqliteLeaseTest);
#endif

}  // namespace
}  // namespace veille::store
