#include "common/time.h"

#include <gtest/gtest.h>

namespace veille {
namespace {

TEST(TimeTest, FormatsEpochAndRoundTrips) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1764102805), "2025-11-25T20:33:25Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59Z");
  for (UnixSeconds t : {UnixSeconds{0}, UnixSeconds{951782400}, UnixSeconds{4102444800},
                        UnixSeconds{-2208988800}}) {
    EXPECT_EQ(ParseIso8601Utc(FormatIso8601(t)), t) << t;
  }
}

TEST(TimeTest, BreaksInstantsDownIntoCivilDateAndWeekday) {
  const CivilTime epoch = ToCivil(0);
  EXPECT_EQ(epoch.year, 1970);
  EXPECT_EQ(epoch.weekday, 4u);             // a Thursday
  const CivilTime c = ToCivil(1796480580);  // 2026-12-05T14:23:00Z, a Saturday
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(c.month, 12u);
  EXPECT_EQ(c.day, 5u);
  EXPECT_EQ(c.weekday, 6u);
  EXPECT_EQ(c.hour, 14u);
  EXPECT_EQ(c.minute, 23u);
  EXPECT_EQ(c.second, 0u);
  const CivilTime before = ToCivil(-1);  // 1969-12-31T23:59:59Z, a Wednesday
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.day, 31u);
  EXPECT_EQ(before.weekday, 3u);
  EXPECT_EQ(before.second, 59u);
}

TEST(TimeTest, RejectsMalformedIsoText) {
  EXPECT_FALSE(ParseIso8601Utc("2025-11-25 20:33:25Z"));
  EXPECT_FALSE(ParseIso8601Utc("2025-13-25T20:33:25Z"));
  EXPECT_FALSE(ParseIso8601Utc(""));
}

TEST(TimeTest, ParsesDurationsWithUnitsAndCombinations) {
  EXPECT_EQ(ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(ParseDurationSeconds("30m"), 1800);
  EXPECT_EQ(ParseDurationSeconds("24h"), 86400);
  EXPECT_EQ(ParseDurationSeconds("7d"), 7 * 86400);
  EXPECT_EQ(ParseDurationSeconds("2w"), 14 * 86400);
  EXPECT_EQ(ParseDurationSeconds("1h30m"), 5400);
  EXPECT_EQ(ParseDurationSeconds("45"), 45);
}

TEST(TimeTest, RejectsBadDurations) {
  for (const char* bad : {"", "m", "10x", "-5m", "0", "0s", "1h30", "1.5h"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad)) << bad;
  }
}

TEST(TimeTest, FormatsDurations) {
  EXPECT_EQ(FormatDuration(5400), "1h30m");
  EXPECT_EQ(FormatDuration(86400), "1d");
  EXPECT_EQ(FormatDuration(0), "0s");
}

}  // namespace
}  // namespace veille
