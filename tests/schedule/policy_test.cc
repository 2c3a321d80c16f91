#include "schedule/policy.h"

#include <gtest/gtest.h>

#include "schedule/spread.h"

namespace veille::schedule {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;
constexpr std::int64_t kMin = 5 * 60;
constexpr std::int64_t kMax = 24 * 3600;

PollResult Ok() { return PollResult{Outcome::kOk, std::nullopt, std::nullopt}; }
PollResult Failed(Outcome outcome) { return PollResult{outcome, std::nullopt, std::nullopt}; }

TEST(PolicyTest, TheSameSeedGivesTheSameDecision) {
  std::mt19937_64 a(7), b(7);
  for (int failures = 0; failures < 12; ++failures) {
    const FeedHistory h{failures, std::nullopt};
    EXPECT_EQ(NextPoll({}, h, Failed(Outcome::kHttp5xx), kNow, a).next_due,
              NextPoll({}, h, Failed(Outcome::kHttp5xx), kNow, b).next_due);
  }
}

TEST(PolicyTest, ASuccessPollsAgainWithinTheConfiguredIntervalAndResetsFailures) {
  std::mt19937_64 rng(1);
  const Bounds bounds{1800, kMin, kMax, false};
  std::int64_t earliest = kMax, latest = 0;
  for (int i = 0; i < 200; ++i) {
    const Decision d = NextPoll(bounds, {4, std::nullopt}, Ok(), kNow, rng);
    EXPECT_EQ(d.consecutive_failures, 0);
    EXPECT_FALSE(d.stop);
    earliest = std::min(earliest, d.next_due - kNow);
    latest = std::max(latest, d.next_due - kNow);
  }
  EXPECT_GE(earliest, 1620);  // 30 min - 10 %: the jitter only ever brings a poll forward
  EXPECT_LE(latest, 1800);    // never later than asked
  EXPECT_LT(earliest, 1700);  // and it does spread
  EXPECT_EQ(NextPoll(bounds, {4, std::nullopt}, Failed(Outcome::kNotModified), kNow, rng)
                .consecutive_failures,
            0);
}

// Issue 15: a feed configured at 30 min was polled once a day once its cadence was known.
TEST(PolicyTest, AQuietFeedIsNeverPolledLessOftenThanItsConfiguredInterval) {
  const Bounds bounds{1800, kMin, kMax, false};
  constexpr std::int64_t kWeek = 7 * 86400;
  EXPECT_EQ(SuccessInterval(bounds, {0, 0, kWeek}, std::nullopt), 1800);  // a silent week
  EXPECT_EQ(SuccessInterval(bounds, {0, 1, kWeek}, std::nullopt), 1800);  // one entry a week
  EXPECT_EQ(SuccessInterval(bounds, {0, 7, kWeek}, std::nullopt), 1800);  // one a day
  std::mt19937_64 rng(4);
  for (int i = 0; i < 200; ++i) {
    EXPECT_LE(NextPoll(bounds, {0, 1, kWeek}, Ok(), kNow, rng).next_due - kNow, 1800);
  }
}

TEST(PolicyTest, ABusyFeedIsPolledFasterDownToTheFloor) {
  const Bounds bounds{2 * 3600, kMin, kMax, false};
  constexpr std::int64_t kWeek = 7 * 86400;
  EXPECT_EQ(SuccessInterval(bounds, {0, 168, kWeek}, std::nullopt), 3600);      // 1 h cadence
  EXPECT_EQ(SuccessInterval(bounds, {0, 100000, kWeek}, std::nullopt), kMin);   // the floor
  EXPECT_EQ(SuccessInterval(bounds, {0, 48, 2 * 86400}, std::nullopt), 3600);   // 2 days watched
  EXPECT_EQ(SuccessInterval(bounds, {0, 96, 30 * 86400}, std::nullopt), 6300);  // window <= 7 d
  // Under a day of watching, the cadence is not trusted yet; unknown means configured.
  EXPECT_EQ(SuccessInterval(bounds, {0, 100, 3600}, std::nullopt), 7200);
  EXPECT_EQ(SuccessInterval(bounds, {0, std::nullopt, 0}, std::nullopt), 7200);
}

TEST(PolicyTest, TheConfiguredIntervalIsHonouredAboveTheMaximumAndRaisedToTheFloor) {
  EXPECT_EQ(SuccessInterval(Bounds{2 * 86400, kMin, kMax, false}, {}, std::nullopt), 2 * 86400);
  EXPECT_EQ(SuccessInterval(Bounds{60, kMin, kMax, false}, {}, std::nullopt), kMin);
}

TEST(PolicyTest, PublisherHintsAreIgnoredUnlessTheUserOptsIn) {
  const Bounds bounds{1800, kMin, kMax, false};
  EXPECT_EQ(SuccessInterval(bounds, {}, 7200), 1800);
  std::mt19937_64 rng(6);
  for (int i = 0; i < 100; ++i) {
    const Decision d =
        NextPoll(bounds, {}, PollResult{Outcome::kOk, std::nullopt, 86400}, kNow, rng);
    EXPECT_LE(d.next_due - kNow, 1800);
  }
}

TEST(PolicyTest, OptedInPublisherHintsMayOnlyLengthenTheIntervalUpToTheMaximum) {
  Bounds bounds{1800, kMin, kMax, false};
  bounds.honor_publisher_interval = true;
  EXPECT_EQ(SuccessInterval(bounds, {}, 7200), 7200);        // ttl of 2 h: obeyed
  EXPECT_EQ(SuccessInterval(bounds, {}, 60), 1800);          // max-age=60: ignored
  EXPECT_EQ(SuccessInterval(bounds, {}, 30 * 86400), kMax);  // never past the ceiling
}

TEST(PolicyTest, AHighPriorityFeedKeepsTheFloorWhateverTheHints) {
  Bounds crisis{1800, kMin, kMax, true};
  crisis.honor_publisher_interval = true;
  EXPECT_EQ(SuccessInterval(crisis, {0, 0, 7 * 86400}, 86400), kMin);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    const Decision d =
        NextPoll(crisis, {}, PollResult{Outcome::kOk, std::nullopt, 7200}, kNow, rng);
    EXPECT_EQ(d.next_due - kNow, kMin);  // jitter never goes under the floor
  }
}

TEST(PolicyTest, FailuresBackOffExponentiallyWithFullJitterCappedAtTheMax) {
  const Bounds bounds{1800, kMin, kMax, false};
  EXPECT_EQ(BackoffCeiling(bounds, 1), 1800);  // the first retry comes within one interval
  EXPECT_EQ(BackoffCeiling(bounds, 2), 3600);
  EXPECT_EQ(BackoffCeiling(bounds, 6), 57600);
  EXPECT_EQ(BackoffCeiling(bounds, 7), kMax);
  EXPECT_EQ(BackoffCeiling(bounds, 1000), kMax);                       // no overflow
  EXPECT_EQ(BackoffCeiling(Bounds{1800, kMin, kMax, true}, 1), kMin);  // crisis feeds retry fast
  EXPECT_EQ(BackoffCeiling(Bounds{1800, kMin, kMax, true}, 2), 2 * kMin);
  EXPECT_EQ(BackoffCeiling(Bounds{7 * 86400, kMin, kMax, false}, 1), kMax);  // clamped base
  std::mt19937_64 rng(11);
  for (int failures = 0; failures < 20; ++failures) {
    std::int64_t lowest = kMax, highest = 0;
    for (int i = 0; i < 300; ++i) {
      const Decision d =
          NextPoll(bounds, {failures, std::nullopt}, Failed(Outcome::kConnect), kNow, rng);
      EXPECT_EQ(d.consecutive_failures, failures + 1);
      lowest = std::min(lowest, d.next_due - kNow);
      highest = std::max(highest, d.next_due - kNow);
    }
    const std::int64_t ceiling = BackoffCeiling(bounds, failures + 1);
    EXPECT_GE(lowest, kMin) << failures;
    EXPECT_LE(highest, ceiling) << failures;
    // Full jitter really spreads: the draws cover most of the range.
    EXPECT_LT(lowest, kMin + (ceiling - kMin) / 4 + 1) << failures;
    EXPECT_GT(highest, ceiling - (ceiling - kMin) / 4 - 1) << failures;
  }
}

TEST(PolicyTest, RateLimitingHonoursRetryAfterEvenPastTheMaximum) {
  const Bounds bounds{1800, kMin, kMax, false};
  std::mt19937_64 rng(5);
  for (std::int64_t retry_after : {std::int64_t{120}, std::int64_t{3 * 86400}}) {
    for (int i = 0; i < 100; ++i) {
      const Decision d =
          NextPoll(bounds, {0, std::nullopt},
                   PollResult{Outcome::kRateLimited, retry_after, std::nullopt}, kNow, rng);
      EXPECT_GE(d.next_due - kNow, retry_after);
      EXPECT_LE(d.next_due - kNow, retry_after + retry_after / 10 + 1);
      EXPECT_EQ(d.consecutive_failures, 1);
    }
  }
  // Out-of-range values are clamped to [1 min, 7 d].
  EXPECT_GE(
      NextPoll(bounds, {}, PollResult{Outcome::kRateLimited, 1, std::nullopt}, kNow, rng).next_due -
          kNow,
      60);
  EXPECT_LE(
      NextPoll(bounds, {}, PollResult{Outcome::kRateLimited, 90 * 86400, std::nullopt}, kNow, rng)
              .next_due -
          kNow,
      7 * 86400 + 3600);
}

TEST(PolicyTest, RateLimitingWithoutRetryAfterBacksOff) {
  const Bounds bounds{1800, kMin, kMax, false};
  std::mt19937_64 rng(9);
  const Decision d = NextPoll(bounds, {3, std::nullopt}, Failed(Outcome::kRateLimited), kNow, rng);
  EXPECT_GE(d.next_due - kNow, kMin);
  EXPECT_LE(d.next_due - kNow, BackoffCeiling(bounds, 4));
}

TEST(PolicyTest, GoneStopsPolling) {
  std::mt19937_64 rng(2);
  const Decision d = NextPoll({}, {}, Failed(Outcome::kGone), kNow, rng);
  EXPECT_TRUE(d.stop);
  EXPECT_EQ(d.consecutive_failures, 1);
  EXPECT_FALSE(NextPoll({}, {}, Failed(Outcome::kHttp4xx), kNow, rng).stop);
}

TEST(SpreadTest, OverdueFeedsAreSpreadOverTheWindowMostOverdueFirst) {
  const std::vector<UnixSeconds> due = {kNow - 10, kNow + 500, kNow - 1000, kNow, kNow - 10};
  const std::vector<UnixSeconds> out = SpreadOverdue(due, kNow, 400);
  EXPECT_EQ(out[2], kNow);        // most overdue goes first
  EXPECT_EQ(out[0], kNow + 100);  // then ties in input order
  EXPECT_EQ(out[4], kNow + 200);
  EXPECT_EQ(out[3], kNow + 300);
  EXPECT_EQ(out[1], kNow + 500);  // not overdue: untouched
}

TEST(SpreadTest, AZeroWindowChangesNothing) {
  const std::vector<UnixSeconds> due = {kNow - 10, kNow - 20};
  EXPECT_EQ(SpreadOverdue(due, kNow, 0), due);
  EXPECT_TRUE(SpreadOverdue({}, kNow, 600).empty());
}

TEST(SpreadTest, TenThousandOverdueFeedsStayInsideTheWindow) {
  std::vector<UnixSeconds> due(10000, kNow - 3600);
  const std::vector<UnixSeconds> out = SpreadOverdue(due, kNow, 900);
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_GE(out[i], out[i - 1]);
    EXPECT_LT(out[i], kNow + 900);
  }
  EXPECT_EQ(out.front(), kNow);
}

}  // namespace
}  // namespace veille::schedule
