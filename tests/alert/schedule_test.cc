#include "alert/schedule.h"

#include <gtest/gtest.h>

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

TEST(ParseClockTime, AcceptsOnlyHhMm) {
  EXPECT_EQ(ParseClockTime("08:30"), 8 * 60 + 30);
  EXPECT_FALSE(ParseClockTime("8:30"));
  EXPECT_FALSE(ParseClockTime("24:00"));
  EXPECT_FALSE(ParseClockTime("12:60"));
}

}  // namespace
}  // namespace veille::alert
