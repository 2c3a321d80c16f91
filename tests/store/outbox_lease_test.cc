// Alert delivery on a database several daemons share (docs/scaling.md, "Alert delivery"): the
// claims of outbox_repo.h on alert groups, digests and operator events. Two stores stand for two
// daemons (each Store is a lease owner of its own); on SQLite (one daemon) nothing is claimed.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "outbox_fixture.h"
#include "store/outbox_repo.h"

namespace veille::store {
namespace {

constexpr std::int64_t kShortClaimMs = 1'200;  // outlives the checks made before it ends

using Groups = std::vector<std::vector<OutboxRow>>;

class OutboxLease : public testing::OutboxFixture {
 protected:
  void SetUp() override {
    OutboxFixture::SetUp();
    auto s = Store::Open(location_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    other_ = std::move(*s);
  }
  void TearDown() override {
    other_.reset();
    OutboxFixture::TearDown();
  }
  // The second daemon.
  Store& other() { return *other_; }

  // `n` entries each matched by two rules, routed to "mail": n alerts of two rows each.
  void AddAlerts(int n, UnixSeconds now) {
    for (int i = 0; i < n; ++i) {
      AddEntryMatching("Rappel " + std::to_string(i), {"marque", "crise"}, {"mail"}, now);
    }
  }
  static Groups Claim(Store& store, UnixSeconds now, std::int64_t lease_ms = testing::kClaimMs,
                      int limit = 0) {
    auto groups = DueAlertGroups(store, "mail", now, limit, lease_ms);
    EXPECT_TRUE(groups) << groups.error().message;
    return groups ? *groups : Groups();
  }
  static std::vector<std::int64_t> Ids(const Groups& groups) {
    std::vector<std::int64_t> ids;
    for (const auto& g : groups) {
      for (const auto& row : g) ids.push_back(row.id);
    }
    return ids;
  }
  static std::vector<std::int64_t> EventIds(const Result<std::vector<EventOutboxRow>>& rows) {
    std::vector<std::int64_t> ids;
    if (rows) {
      for (const auto& r : *rows) ids.push_back(r.id);
    }
    return ids;
  }

 private:
  std::unique_ptr<Store> other_;
};

class SharedOutboxLease : public OutboxLease {};
class SqliteOutboxLease : public OutboxLease {};

TEST_P(SqliteOutboxLease, OneDaemonClaimsNothingAndEveryCallSeesEveryDueRow) {
  AddAlerts(2, 2000);
  EXPECT_EQ(Ids(Claim(store(), 3000)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Ids(Claim(other(), 3000)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(ReleaseClaims(store(), {1, 2}, {}));
  EXPECT_TRUE(RenewClaims(store(), {1, 2}, {}, testing::kClaimMs));
  auto digest = DueDigestGroups(other(), "mail", 3000, 2500, testing::kClaimMs);
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(Ids(*digest), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL"), 0);
}

TEST_P(SharedOutboxLease, TwoDaemonsClaimingAtOnceGetDisjointWholeAlerts) {
  constexpr int kAlerts = 60;
  AddAlerts(kAlerts, 2000);
  // Each claims small batches and records them sent, as fast as it can, at the same time as
  // the other, until nothing is left for it.
  auto deliver_all = [&](Store& store) {
    Groups mine;
    for (;;) {
      Groups got = Claim(store, 3000, testing::kClaimMs, 3);
      if (got.empty()) return mine;
      for (auto& g : got) {
        std::vector<std::int64_t> ids;
        for (const auto& row : g) ids.push_back(row.id);
        EXPECT_TRUE(
            MarkDigestDelivered(store, ids, "mail", g.front().idempotency_key, 3001, false));
        mine.push_back(std::move(g));
      }
    }
  };
  auto first = std::async(std::launch::async, [&] { return deliver_all(store()); });
  auto second = std::async(std::launch::async, [&] { return deliver_all(other()); });
  const Groups got_a = first.get();
  const Groups got_b = second.get();
  std::set<std::int64_t> seen;
  for (const Groups* got : {&got_a, &got_b}) {
    for (const auto& g : *got) {
      EXPECT_EQ(g.size(), 2u) << "an alert's rows go to one daemon, together";
      for (const auto& row : g) {
        EXPECT_TRUE(seen.insert(row.id).second) << "row " << row.id << " claimed twice";
      }
    }
  }
  EXPECT_EQ(seen.size(), 2u * kAlerts) << "every row was claimed";
  EXPECT_FALSE(got_a.empty());
  EXPECT_FALSE(got_b.empty());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE status = 'delivered' AND attempts = 1"),
            2 * kAlerts)
      << "each delivered once";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL"), 0)
      << "the outcome ended every claim";
}

TEST_P(SharedOutboxLease, AClaimPassesOverTheOtherDaemonsAndReturnsItsOwn) {
  AddAlerts(3, 2000);
  const Groups mine = Claim(store(), 3000, testing::kClaimMs, 2);
  ASSERT_EQ(Ids(mine), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Ids(Claim(other(), 3000)), (std::vector<std::int64_t>{5, 6}));
  // Its own claims come back to it (renewed): the dispatcher skips those it is sending.
  EXPECT_EQ(Ids(Claim(store(), 3000)), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_P(SharedOutboxLease, AnExpiredClaimIsTakenOverWithTheSameKey) {
  AddAlerts(1, 2000);
  const Groups first = Claim(store(), 3000, kShortClaimMs);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Claim(other(), 3000).empty()) << "claimed by the first daemon";
  std::this_thread::sleep_for(std::chrono::milliseconds(kShortClaimMs + 300));  // it died mid-send
  const Groups taken = Claim(other(), 3000);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(Ids(taken), Ids(first));
  EXPECT_EQ(taken.front().front().idempotency_key, first.front().front().idempotency_key);
  // The dead daemon's late outcome (a failure) leaves the new holder's claim alone.
  ASSERT_TRUE(MarkDigestFailed(store(), Ids(first), "timeout", 3000, false));
  EXPECT_TRUE(Claim(store(), 3000).empty());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL"), 2);
}

TEST_P(SharedOutboxLease, EveryOutcomeEndsTheClaim) {
  AddMentions({"Un", "Deux", "Trois", "Quatre"}, {"mail"}, 2000);
  ASSERT_EQ(Ids(Claim(store(), 3000)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  ASSERT_TRUE(store().MarkDelivered(1, 3001));
  ASSERT_TRUE(store().MarkFailed(2, "503", 3000, false));  // due again at once
  ASSERT_TRUE(ReleaseClaims(store(), {3}, {}));
  ASSERT_TRUE(MarkDigestDelivered(store(), {4}, "mail", "k", 3001, false));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL "
                   "OR lease_until IS NOT NULL"),
            0);
  // Row 3 due since 2000, row 2 since its failure at 3000: oldest first.
  EXPECT_EQ(Ids(Claim(other(), 3000)), (std::vector<std::int64_t>{3, 2}));
  ASSERT_TRUE(store().MarkFailed(2, "gone", 3000, true));  // not its claim any more: kept
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL"), 2);
}

TEST_P(SharedOutboxLease, RenewedClaimsOutliveTheirFirstTerm) {
  AddAlerts(2, 2000);
  ASSERT_EQ(Ids(Claim(store(), 3000, kShortClaimMs)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  ASSERT_TRUE(RenewClaims(store(), {1, 2}, {}, testing::kClaimMs));  // the send in flight
  ASSERT_TRUE(RenewClaims(other(), {3, 4}, {}, testing::kClaimMs));  // not its own: no effect
  std::this_thread::sleep_for(std::chrono::milliseconds(kShortClaimMs + 300));
  EXPECT_EQ(Ids(Claim(other(), 3000)), (std::vector<std::int64_t>{3, 4}));
}

TEST_P(SharedOutboxLease, ADigestSlotIsClaimedWholeByOneDaemonAndSentOnce) {
  AddAlerts(2, 2000);
  auto a = DueDigestGroups(store(), "mail", 3000, 2500, testing::kClaimMs);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(Ids(*a), (std::vector<std::int64_t>{1, 2, 3, 4}));
  AddAlerts(1, 2900);  // arrives while the digest is on its way
  auto b = DueDigestGroups(other(), "mail", 3000, 2500, testing::kClaimMs);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE(b->empty()) << "never a second, partial digest under the same key";
  ASSERT_TRUE(MarkDigestDelivered(store(), Ids(*a), "mail", "digest-slot", 3000, true));
  auto after = DueDigestGroups(other(), "mail", 3000, 2500, testing::kClaimMs);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty()) << "the slot's digest went out";
  auto next = DueDigestGroups(other(), "mail", 4000, 3500, testing::kClaimMs);
  ASSERT_TRUE(next);
  EXPECT_EQ(Ids(*next), (std::vector<std::int64_t>{5, 6})) << "the next slot's";
}

TEST_P(SharedOutboxLease, EventRowsAreClaimedLikeAlerts) {
  ASSERT_TRUE(RecordEvent(store(), Spike("w1", 5000), {"ops"}));
  ASSERT_TRUE(RecordEvent(store(), Spike("w2", 5000), {"ops"}));
  auto mine = DueEvents(store(), "ops", 5000, 1, kShortClaimMs);
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(EventIds(mine), std::vector<std::int64_t>{1});
  EXPECT_EQ(EventIds(DueEvents(other(), "ops", 5000, 10, testing::kClaimMs)),
            std::vector<std::int64_t>{2});
  ASSERT_TRUE(MarkEventFailed(store(), 1, "503", 5000, false));  // the outcome ends it
  EXPECT_EQ(EventIds(DueEvents(other(), "ops", 5000, 10, testing::kClaimMs)),
            (std::vector<std::int64_t>{1, 2}));
  ASSERT_TRUE(ReleaseClaims(other(), {}, {2}));
  ASSERT_TRUE(MarkEventDelivered(other(), 1, 5001));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM event_outbox WHERE lease_owner IS NOT NULL"), 0);
  EXPECT_EQ(EventIds(DueEvents(store(), "ops", 5000, 10, testing::kClaimMs)),
            std::vector<std::int64_t>{2});
}

// "Send now" in the web inbox (RetryEvent, and RetryOutbox for an alert row) on a row another
// daemon has claimed: that claim is a send in flight (claims not started are given back at once,
// every outcome ends one) or a dead daemon's (it expires). It is left alone, so that no second
// daemon sends the row while the first still does; the row is due now, and the claimant's
// outcome (or the claim's expiry) hands it on (docs/scaling.md, "Alert delivery").
TEST_P(SharedOutboxLease, SendNowLeavesAnotherDaemonsClaimToItsOutcome) {
  ASSERT_TRUE(RecordEvent(store(), Spike("w1", 5000), {"ops"}));
  ASSERT_EQ(EventIds(DueEvents(store(), "ops", 5000, 10, testing::kClaimMs)),
            std::vector<std::int64_t>{1});
  auto retried = RetryEvent(other(), 1, 6000);
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_TRUE(*retried);
  EXPECT_TRUE(EventIds(DueEvents(other(), "ops", 6000, 10, testing::kClaimMs)).empty())
      << "never sent by a second daemon while the first sends it";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM event_outbox WHERE lease_owner IS NOT NULL"), 1);
  // The send in flight fails: its outcome ends the claim and sets the next attempt.
  ASSERT_TRUE(MarkEventFailed(store(), 1, "503", 6000, false));
  EXPECT_EQ(EventIds(DueEvents(other(), "ops", 6000, 10, testing::kClaimMs)),
            std::vector<std::int64_t>{1});
  // The same for an alert row.
  AddAlerts(1, 2000);
  ASSERT_EQ(Ids(Claim(store(), 3000)), (std::vector<std::int64_t>{1, 2}));
  auto again = RetryOutbox(other(), 1, 3500);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*again);
  EXPECT_TRUE(Claim(other(), 3500).empty());
  ASSERT_TRUE(store().MarkDelivered(1, 3501));
  ASSERT_TRUE(store().MarkDelivered(2, 3501));
  EXPECT_TRUE(Claim(other(), 3500).empty()) << "delivered by the claimant: nothing left to send";
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, SqliteOutboxLease,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedOutboxLease);
#else
INSTANTIATE_TEST_SUITE_P(Backend, SharedOutboxLease,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqliteOutboxLease);
#endif
}  // namespace veille::store
