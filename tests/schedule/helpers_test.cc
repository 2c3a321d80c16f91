#include <gtest/gtest.h>

#include "schedule/due_queue.h"
#include "schedule/health.h"
#include "schedule/host_limits.h"
#include "schedule/redirect_streak.h"

namespace veille::schedule {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86400;

TEST(HealthTest, AFeedIsBrokenOnlyAfterFailingForTheWholePeriod) {
  EXPECT_EQ(Health(Outcome::kOk, std::nullopt, kNow), FeedState::kOk);
  EXPECT_EQ(Health(Outcome::kNotModified, std::nullopt, kNow), FeedState::kOk);
  EXPECT_EQ(Health(Outcome::kHttp4xx, kNow - 13 * kDay, kNow), FeedState::kFailing);
  EXPECT_EQ(Health(Outcome::kHttp4xx, kNow - 14 * kDay, kNow), FeedState::kBroken);
  EXPECT_EQ(Health(Outcome::kDns, kNow - 2 * kDay, kNow, 2 * kDay), FeedState::kBroken);
  EXPECT_EQ(Health(Outcome::kGone, kNow, kNow), FeedState::kGone);
  EXPECT_EQ(FeedStateName(FeedState::kBroken), "broken");
}

TEST(HealthTest, ValidatorsAreLeftOutOncePerDay) {
  EXPECT_FALSE(SendValidators(std::nullopt, kNow));  // never fetched in full
  EXPECT_TRUE(SendValidators(kNow - 23 * 3600, kNow));
  EXPECT_FALSE(SendValidators(kNow - kDay, kNow));
  EXPECT_TRUE(SendValidators(kNow - 50, kNow, 60));
}

TEST(HostRateLimitsTest, OneRateLimitedFeedDoesNotPauseItsHost) {
  HostRateLimits limits;
  limits.RecordRateLimited("news.example:443", 1, kNow, 600);
  limits.RecordRateLimited("news.example:443", 1, kNow + 60, 600);  // same feed again
  EXPECT_EQ(limits.PausedUntil("news.example:443", kNow + 60), std::nullopt);
}

TEST(HostRateLimitsTest, SeveralRateLimitedFeedsPauseTheWholeHost) {
  HostRateLimits limits;
  limits.RecordRateLimited("news.example:443", 1, kNow, 600);
  limits.RecordRateLimited("news.example:443", 2, kNow + 10, 1200);
  EXPECT_EQ(limits.PausedUntil("news.example:443", kNow + 10), std::nullopt);
  limits.RecordRateLimited("news.example:443", 3, kNow + 20, std::nullopt);  // default 1 h
  EXPECT_EQ(limits.PausedUntil("news.example:443", kNow + 20), kNow + 20 + 3600);
  EXPECT_EQ(limits.PausedUntil("other.example:443", kNow + 20), std::nullopt);
  EXPECT_EQ(limits.PausedUntil("news.example:443", kNow + 20 + 3600), std::nullopt);
}

TEST(HostRateLimitsTest, OldOrRecoveredFeedsDoNotCountTowardsEscalation) {
  HostRateLimits limits;
  limits.RecordRateLimited("h:80", 1, kNow, 600);
  limits.RecordRateLimited("h:80", 2, kNow + 10, 600);
  limits.RecordOther("h:80", 2);  // feed 2 recovered
  limits.RecordRateLimited("h:80", 3, kNow + 20, 600);
  EXPECT_EQ(limits.PausedUntil("h:80", kNow + 20), std::nullopt);
  limits.RecordRateLimited("h:80", 4, kNow + 2 * 3600, 600);  // feed 1's hit is out of window
  EXPECT_EQ(limits.PausedUntil("h:80", kNow + 2 * 3600), std::nullopt);
  limits.Prune(kNow + 5 * 3600);
  limits.RecordRateLimited("h:80", 5, kNow + 5 * 3600, 600);
  EXPECT_EQ(limits.PausedUntil("h:80", kNow + 5 * 3600), std::nullopt);
}

TEST(RedirectStreakTest, ThreeConsecutiveIdenticalPermanentRedirectsMoveTheFeed) {
  RedirectStreak streak;
  for (int poll = 1; poll <= 2; ++poll) {
    const RedirectDecision d = ObserveRedirect(streak, "https://new.example/feed");
    EXPECT_FALSE(d.adopt) << poll;
    EXPECT_EQ(d.streak.count, poll);
    streak = d.streak;
  }
  const RedirectDecision third = ObserveRedirect(streak, "https://new.example/feed");
  EXPECT_TRUE(third.adopt);
  EXPECT_EQ(third.adopted, "https://new.example/feed")
      << "the adopted URL survives the reset streak";
  EXPECT_EQ(third.streak.count, 0);
}

TEST(RedirectStreakTest, AnInterruptionOrADifferentTargetRestartsTheCount) {
  RedirectStreak streak{"https://new.example/feed", 2};
  EXPECT_EQ(ObserveRedirect(streak, std::nullopt).streak.count, 0);
  const RedirectDecision other = ObserveRedirect(streak, "https://other.example/feed");
  EXPECT_FALSE(other.adopt);
  EXPECT_EQ(other.streak.count, 1);
  EXPECT_EQ(other.streak.target, "https://other.example/feed");
}

TEST(DueQueueTest, PopsDueFeedsEarliestFirstAndHonoursReschedules) {
  DueQueue q;
  q.Schedule(1, kNow + 30);
  q.Schedule(2, kNow - 10);
  q.Schedule(3, kNow);
  q.Schedule(4, kNow + 5);
  q.Schedule(1, kNow - 20);  // moved earlier
  q.Remove(4);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.NextDue(), kNow - 20);
  EXPECT_EQ(q.PopDue(kNow, 10), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.NextDue(), std::nullopt);
}

TEST(DueQueueTest, PopDueRespectsTheLimitAndLeavesFutureFeeds) {
  DueQueue q;
  for (std::uint64_t id = 0; id < 10; ++id)
    q.Schedule(id, kNow - 100 + static_cast<UnixSeconds>(id));
  q.Schedule(99, kNow + 100);
  EXPECT_EQ(q.PopDue(kNow, 4).size(), 4u);
  EXPECT_EQ(q.PopDue(kNow, 100).size(), 6u);
  EXPECT_TRUE(q.PopDue(kNow, 100).empty());
  EXPECT_TRUE(q.contains(99));
  EXPECT_EQ(q.NextDue(), kNow + 100);
}

TEST(DueQueueTest, ManyReschedulesKeepTheQueueCorrect) {
  DueQueue q;
  for (int round = 0; round < 1000; ++round) {
    for (std::uint64_t id = 0; id < 10; ++id)
      q.Schedule(id, kNow + round * 10 + static_cast<UnixSeconds>(id));
  }
  EXPECT_EQ(q.size(), 10u);
  EXPECT_EQ(q.NextDue(), kNow + 9990);
  EXPECT_EQ(q.PopDue(kNow + 9995, 100), (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace veille::schedule
