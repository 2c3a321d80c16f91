// Host leases on a shared database (docs/scaling.md, "Per-host politeness"): a feed is leased
// only with its host, one store (daemon) at a time holds a host, gives it back when it has no
// leased feed of it left, holds at most `most` hosts, and a paused host is leased by nobody.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "../store_backend.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'000'000;
constexpr std::int64_t kLease = 60'000;

class HostLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = testing::PostgresBackendForTests();
    path_ = backend_->Create(std::string("hosts-") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    a_ = Open();
    b_ = Open();
    ASSERT_TRUE(a_ && b_);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    backend_->Remove(path_);
  }
  std::unique_ptr<Store> Open() {
    auto s = Store::Open(path_, Access::kMigrate);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  // Feeds never polled (due at once), `per_host` on each of `hosts`: h0:80, h1:80...
  void Feeds(int hosts, int per_host) {
    std::vector<std::pair<std::string, std::string>> wanted;
    std::vector<std::string> of;
    for (int h = 0; h < hosts; ++h) {
      for (int i = 0; i < per_host; ++i) {
        wanted.emplace_back("http://h" + std::to_string(h) + "/" + std::to_string(i), "F");
        of.push_back("h" + std::to_string(h) + ":80");
      }
    }
    auto ids = a_->SyncFeeds(wanted, kNow);
    ASSERT_TRUE(ids);
    ids_ = *ids;
    host_of_ = of;
    ASSERT_TRUE(a_->AddHosts(of));
    ASSERT_TRUE(b_->AddHosts(of));  // again: nothing changes
  }
  HostClaim Claim(std::vector<std::string> busy = {}, int most = 32) const {
    HostClaim c;
    c.of_feed = host_of_;
    c.busy = std::move(busy);
    c.most = most;
    return c;
  }
  // The hosts of the feeds `store` leases now, in order, one entry per host.
  std::vector<std::string> Lease(Store& store, const HostClaim& claim, int limit = 100) {
    auto leased = store.LeaseDueFeeds(ids_, kNow, limit, kLease, &claim);
    EXPECT_TRUE(leased) << leased.error().message;
    std::vector<std::string> hosts;
    if (!leased) return hosts;
    for (const LeasedFeed& l : *leased) {
      auto at = std::find(ids_.begin(), ids_.end(), l.feed.id) - ids_.begin();
      hosts.push_back(host_of_[static_cast<std::size_t>(at)]);
    }
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    return hosts;
  }
  std::int64_t Sql(const std::string& sql) {
    auto r = backend_->Run(*a_, path_, sql);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(-1);
  }
  // A poll's commit of every feed of `host`: due again in an hour, the lease ended.
  void CommitHost(Store& store, const std::string& host) {
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (host_of_[i] != host) continue;
      FeedUpdate u;
      u.feed_id = ids_[i];
      u.fetched_at = kNow;
      u.next_due_at = kNow + 3600;
      ASSERT_TRUE(store.UpdateFeed(u));
      ASSERT_TRUE(backend_->Run(store, path_,
                                "UPDATE feeds SET lease_owner = NULL, lease_until = NULL "
                                "WHERE id = " +
                                    std::to_string(ids_[i])));
    }
  }

  const testing::StoreBackend* backend_ = nullptr;
  std::string path_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
  std::vector<std::int64_t> ids_;
  std::vector<std::string> host_of_;
};

TEST_F(HostLeaseTest, OneStoreAtATimeLeasesTheFeedsOfAHost) {
  Feeds(1, 6);
  // a_ may take 4 now (its room), and holds the host: b_ gets none of the other 2.
  const HostClaim first = Claim();
  auto leased = a_->LeaseDueFeeds(ids_, kNow, 4, kLease, &first);
  ASSERT_TRUE(leased);
  EXPECT_EQ(leased->size(), 4u);
  EXPECT_TRUE(Lease(*b_, Claim()).empty());
  // a_ itself takes the other 2 (its host), while polling the first 4.
  EXPECT_EQ(Lease(*a_, Claim({"h0:80"})), std::vector<std::string>{"h0:80"});
  EXPECT_EQ(Sql("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL"), 6);
}

TEST_F(HostLeaseTest, AHostIsGivenBackWhenItsLastLeasedFeedIsDone) {
  Feeds(2, 2);
  ASSERT_EQ(Lease(*a_, Claim(), 2), std::vector<std::string>{"h0:80"});
  CommitHost(*a_, "h0:80");
  // h0's feeds are done (not due): a_'s next claim (h0 not busy) gives the host back ...
  EXPECT_EQ(Lease(*a_, Claim(), 2), std::vector<std::string>{"h1:80"});
  EXPECT_EQ(Sql("SELECT count(*) FROM hosts WHERE owner IS NOT NULL"), 1);
  // ... so b_ may have it when its feeds are due again; h1 is still a_'s.
  ASSERT_EQ(Sql("UPDATE feeds SET next_due_at = 0 WHERE url LIKE 'http://h0/%'"), 0);
  EXPECT_EQ(Lease(*b_, Claim()), std::vector<std::string>{"h0:80"});
}

TEST_F(HostLeaseTest, AHostGivenBackWaitsHostSpacingForTheNextStore) {
  Feeds(1, 2);
  ASSERT_EQ(Lease(*a_, Claim(), 1), std::vector<std::string>{"h0:80"});
  CommitHost(*a_, "h0:80");
  ASSERT_EQ(Sql("UPDATE feeds SET next_due_at = 0"), 0);
  // a_ stops: its last request may have started just now, so b_ waits host_spacing.
  ASSERT_TRUE(a_->ReleaseHosts(1500));
  EXPECT_TRUE(Lease(*b_, Claim()).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(Lease(*b_, Claim()), std::vector<std::string>{"h0:80"});
}

TEST_F(HostLeaseTest, AStoreHoldsAtMostItsShareOfHosts) {
  Feeds(5, 1);
  EXPECT_EQ(Lease(*a_, Claim({}, 2)), (std::vector<std::string>{"h0:80", "h1:80"}));
  EXPECT_EQ(Lease(*b_, Claim({}, 2)), (std::vector<std::string>{"h2:80", "h3:80"}));
  // a_ holds 2 (both busy): nothing more for it until it gives one back.
  EXPECT_TRUE(Lease(*a_, Claim({"h0:80", "h1:80"}, 2)).empty());
  EXPECT_EQ(Lease(*a_, Claim({"h0:80", "h1:80"}, 3)), std::vector<std::string>{"h4:80"});
}

TEST_F(HostLeaseTest, APausedHostIsLeasedByNobodyUntilThePauseEnds) {
  Feeds(2, 2);
  ASSERT_TRUE(a_->PauseHost("h0:80", 120));
  EXPECT_EQ(Lease(*b_, Claim()), std::vector<std::string>{"h1:80"});
  EXPECT_TRUE(Lease(*a_, Claim()).empty());
  const std::int64_t left =
      Sql("SELECT paused_until - extract(epoch FROM clock_timestamp())::bigint FROM hosts "
          "WHERE host = 'h0:80'");
  EXPECT_GE(left, 118);
  EXPECT_LE(left, 120);
  ASSERT_TRUE(a_->PauseHost("h0:80", 1));  // a shorter pause never shortens a longer one
  EXPECT_GE(Sql("SELECT paused_until - extract(epoch FROM clock_timestamp())::bigint FROM "
                "hosts WHERE host = 'h0:80'"),
            118);
  ASSERT_EQ(Sql("UPDATE hosts SET paused_until = 5 WHERE host = 'h0:80'"), 0);  // ended
  EXPECT_EQ(Lease(*a_, Claim()), std::vector<std::string>{"h0:80"});
}

TEST_F(HostLeaseTest, AnExpiredHostLeaseIsTakenOverAndAStoppedStoreGivesItsBack) {
  Feeds(2, 1);
  ASSERT_EQ(Lease(*a_, Claim()), (std::vector<std::string>{"h0:80", "h1:80"}));
  // a_ dies: its feed and host leases expire.
  ASSERT_EQ(Sql("UPDATE feeds SET lease_until = 1 WHERE url LIKE 'http://h0/%'"), 0);
  ASSERT_EQ(Sql("UPDATE hosts SET lease_until = 1 WHERE host = 'h0:80'"), 0);
  // b_ takes it over at once, even with no room for a host of its own (most = 0).
  EXPECT_EQ(Lease(*b_, Claim({}, 0)), std::vector<std::string>{"h0:80"});
  // A renewal keeps a_'s other host; a stop gives it back.
  ASSERT_TRUE(a_->RenewLeases({}, kLease, {"h1:80"}));
  EXPECT_EQ(Sql("SELECT count(*) FROM hosts WHERE owner IS NOT NULL"), 2);
  ASSERT_TRUE(a_->ReleaseHosts(0));
  EXPECT_EQ(Sql("SELECT count(*) FROM hosts WHERE owner IS NOT NULL"), 1);
}

TEST_F(HostLeaseTest, FilesNeedNoHostAndAHostWithoutItsRowIsNotLeased) {
  Feeds(1, 1);
  HostClaim claim = Claim();
  claim.of_feed = {""};  // a local file
  EXPECT_EQ(Lease(*a_, claim).size(), 1u);
  EXPECT_EQ(Sql("SELECT count(*) FROM hosts WHERE owner IS NOT NULL"), 0);
  ASSERT_EQ(Sql("UPDATE feeds SET lease_owner = NULL, lease_until = NULL"), 0);
  claim.of_feed = {"never-added:80"};
  EXPECT_TRUE(Lease(*b_, claim).empty());
}

}  // namespace
}  // namespace veille::store
