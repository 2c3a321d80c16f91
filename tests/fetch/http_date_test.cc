#include "fetch/http_date.h"

#include <gtest/gtest.h>

#include "fetch/retry_after.h"

namespace veille::fetch {
namespace {

constexpr UnixSeconds k1994 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDateTest, ParsesAllThreeFormsOfTheSameInstant) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), k1994);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), k1994);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), k1994);
  EXPECT_EQ(ParseHttpDate("  Sun, 06 Nov 1994 08:49:37 GMT "), k1994);
}

TEST(HttpDateTest, RejectsMalformedDates) {
  for (const char* bad :
       {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT trailing", "1994-11-06T08:49:37Z"}) {
    EXPECT_FALSE(ParseHttpDate(bad).has_value()) << bad;
  }
}

TEST(HttpDateTest, FormatsImfFixdateAndRoundTrips) {
  EXPECT_EQ(FormatHttpDate(k1994), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  for (UnixSeconds t : {UnixSeconds{0}, k1994, UnixSeconds{1764102805}, UnixSeconds{4102444800}}) {
    EXPECT_EQ(ParseHttpDate(FormatHttpDate(t)), t) << t;
  }
}

TEST(RetryAfterTest, ReadsSecondsAndClampsThemToOneMinuteAndSevenDays) {
  EXPECT_EQ(ParseRetryAfter("120", 0), 120);
  EXPECT_EQ(ParseRetryAfter(" 3600 ", 0), 3600);
  EXPECT_EQ(ParseRetryAfter("0", 0), 60);
  EXPECT_EQ(ParseRetryAfter("5", 0), 60);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", 0), 7 * 86400);
}

TEST(RetryAfterTest, ReadsADateRelativeToTheReference) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:54:37 GMT", k1994), 300);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", k1994 + 1000), 60);  // past
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", k1994 - 30 * 86400), 7 * 86400);
}

TEST(RetryAfterTest, RejectsGarbage) {
  for (const char* bad : {"", "-5", "soon", "1.5", "12s"}) {
    EXPECT_FALSE(ParseRetryAfter(bad, 0).has_value()) << bad;
  }
}

TEST(CacheHintTest, ReadsMaxAgeAndTreatsNoCacheAsZero) {
  EXPECT_EQ(ParseCacheControlMaxAge("max-age=3600"), 3600);
  EXPECT_EQ(ParseCacheControlMaxAge("public, MAX-AGE=\"600\", must-revalidate"), 600);
  EXPECT_EQ(ParseCacheControlMaxAge("s-maxage=100"), std::nullopt);
  EXPECT_EQ(ParseCacheControlMaxAge("no-cache"), 0);
  EXPECT_EQ(ParseCacheControlMaxAge("max-age=3600, no-store"), 0);
  EXPECT_EQ(ParseCacheControlMaxAge("max-age=abc"), std::nullopt);
  EXPECT_EQ(ParseCacheControlMaxAge(""), std::nullopt);
}

TEST(CacheHintTest, ReadsExpiresRelativeToTheReference) {
  EXPECT_EQ(ParseExpires("Sun, 06 Nov 1994 09:49:37 GMT", k1994), 3600);
  EXPECT_EQ(ParseExpires("Sun, 06 Nov 1994 07:49:37 GMT", k1994), 0);
  EXPECT_EQ(ParseExpires("0", k1994), std::nullopt);
}

}  // namespace
}  // namespace veille::fetch
