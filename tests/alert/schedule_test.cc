#include "alert/schedule.h"

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace veille::alert {
namespace {

// 2026-11-25 00:00:00 UTC.
constexpr UnixSeconds kDay = 1795564800;

UtcOffsetFn Fixed(std::int64_t seconds) {
  return [seconds](UnixSeconds) { return seconds; };
}

TEST(LatestDigestSlot, DailyAtALocalTimeInAZoneAheadOfUtc) {
  const DigestSchedule daily{DigestSchedule::Every::kDaily, 8 * 60};
  // 08:00 in UTC+1 is 07:00 UTC.
  EXPECT_EQ(LatestDigestSlot(daily, kDay + 7 * 3600, Fixed(3600)), kDay + 7 * 3600);
  EXPECT_EQ(LatestDigestSlot(daily, kDay + 7 * 3600 - 1, Fixed(3600)), kDay + 7 * 3600 - 86400);
  EXPECT_EQ(NextDigestSlot(daily, kDay + 7 * 3600, Fixed(3600)), kDay + 7 * 3600 + 86400);
}

TEST(LatestDigestSlot, HourlyInAHalfHourZoneFallsOnTheLocalHour) {
  const DigestSchedule hourly{DigestSchedule::Every::kHourly, 0};
  // UTC+5:30: local hours start at hh:30 UTC.
  EXPECT_EQ(LatestDigestSlot(hourly, kDay + 3600 + 45 * 60, Fixed(5 * 3600 + 1800)),
            kDay + 3600 + 30 * 60);
  EXPECT_EQ(NextDigestSlot(hourly, kDay + 3600 + 30 * 60, Fixed(5 * 3600 + 1800)),
            kDay + 2 * 3600 + 30 * 60);
}

TEST(QuietUntil, HoldsAlertsUntilTheEndOfAWindowAcrossMidnight) {
  const QuietHours quiet{22 * 60, 7 * 60};
  EXPECT_EQ(QuietUntil(quiet, kDay + 23 * 3600, Fixed(0)), kDay + 86400 + 7 * 3600);
  EXPECT_EQ(QuietUntil(quiet, kDay + 3 * 3600, Fixed(0)), kDay + 7 * 3600);
  EXPECT_FALSE(QuietUntil(quiet, kDay + 12 * 3600, Fixed(0)));
  EXPECT_FALSE(QuietUntil(quiet, kDay + 7 * 3600, Fixed(0))) << "the end is exclusive";
}

TEST(ZoneOffset, ReadsTheTzDatabaseIncludingDaylightSavingTime) {
  auto paris = ZoneOffset("Europe/Paris");
  ASSERT_TRUE(paris) << paris.error().message;
  EXPECT_EQ((*paris)(kDay), 3600) << "winter: UTC+1";
  EXPECT_EQ((*paris)(kDay - 150 * 86400), 7200) << "summer: UTC+2";
  EXPECT_FALSE(ZoneOffset("Mars/Olympus_Mons"));
  EXPECT_FALSE(ZoneOffset("../../etc/passwd"));
}

// The parse pool runs beside the dispatcher: zone lookups must neither race each other nor touch
// the process environment that other threads read (the old code swapped TZ with setenv).
TEST(ZoneOffset, IsSafeOnSeveralThreadsAndLeavesTheEnvironmentAlone) {
  const char* saved = std::getenv("TZ");
  const std::string previous = saved ? saved : "";
  ::setenv("TZ", "UTC0", 1);
  ::tzset();
  const std::vector<std::string> zones = {"Europe/Paris", "America/New_York", "Australia/Sydney",
                                          "Asia/Kolkata"};
  std::vector<UtcOffsetFn> fns;
  std::vector<std::vector<std::int64_t>> expected(zones.size());
  constexpr int kInstants = 2000;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    auto fn = ZoneOffset(zones[z]);
    ASSERT_TRUE(fn) << fn.error().message;
    fns.push_back(*fn);
    for (int i = 0; i < kInstants; ++i) expected[z].push_back((*fn)(kDay + i * 7919));
  }
  EXPECT_EQ(expected[1][0], -5 * 3600) << "New York in winter";
  EXPECT_EQ(expected[3][0], 5 * 3600 + 1800) << "Kolkata";
  std::atomic<bool> done{false};
  std::atomic<int> wrong_offsets{0};
  std::atomic<int> environment_changes{0};
  std::thread observer([&] {
    while (!done.load()) {
      const char* tz = std::getenv("TZ");
      const time_t now = static_cast<time_t>(kDay);
      struct tm local = {};
      ::localtime_r(&now, &local);
      if (tz == nullptr || std::string(tz) != "UTC0" || local.tm_gmtoff != 0) ++environment_changes;
    }
  });
  std::vector<std::thread> workers;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    workers.emplace_back([&, z] {
      for (int round = 0; round < 20; ++round) {
        auto fn = ZoneOffset(zones[z]);  // lookups race with each other's loads too
        for (int i = 0; i < kInstants; ++i) {
          if (!fn || (*fn)(kDay + i * 7919) != expected[z][static_cast<std::size_t>(i)]) {
            ++wrong_offsets;
          }
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  done.store(true);
  observer.join();
  if (saved) {
    ::setenv("TZ", previous.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  EXPECT_EQ(wrong_offsets.load(), 0);
  EXPECT_EQ(environment_changes.load(), 0) << "another thread saw TZ or local time change";
}

TEST(ParseClockTime, AcceptsOnlyHhMm) {
  EXPECT_EQ(ParseClockTime("08:30"), 8 * 60 + 30);
  EXPECT_FALSE(ParseClockTime("8:30"));
  EXPECT_FALSE(ParseClockTime("24:00"));
  EXPECT_FALSE(ParseClockTime("12:60"));
}

}  // namespace
}  // namespace veille::alert
