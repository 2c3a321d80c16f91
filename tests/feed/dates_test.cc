#include "feed/dates.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace veille::feed {
namespace {

struct DateCase {
  std::string input;
  std::optional<std::string> expected;  // ISO 8601 UTC, nullopt = unparseable
};

void ExpectDates(const std::vector<DateCase>& cases) {
  for (const auto& c : cases) {
    auto parsed = ParseFeedDate(c.input);
    std::optional<std::string> got;
    if (parsed) got = FormatIso8601(*parsed);
    EXPECT_EQ(got, c.expected) << "input: \"" << c.input << "\"";
  }
}

TEST(ParseFeedDateTest, ReadsRfc822AndItsRealWorldVariants) {
  ExpectDates({
      {"Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
      {"07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
      {"Sat, 7 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 02 00:00:01 GMT", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 00:00 GMT", "2002-09-07T00:00:00Z"},
      {"Sat, 07 Sep 2002 00:00:01 UT", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 00:00:01 Z", "2002-09-07T00:00:01Z"},
      {"Fri, 06 Sep 2002 19:00:01 EST", "2002-09-07T00:00:01Z"},
      {"Fri, 06 Sep 2002 20:00:01 EDT", "2002-09-07T00:00:01Z"},
      {"Fri, 06 Sep 2002 17:00:01 PDT", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 02:00:01 CEST", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 01:00:01 BST", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 02:34:01 +0234", "2002-09-07T00:00:01Z"},
      {"Fri, 06 Sep 2002 21:26:01 -0234", "2002-09-07T00:00:01Z"},
      {"sAT, 07 sEP 2002 00:00:01 gmt", "2002-09-07T00:00:01Z"},
      {"Fri, 06 Sep 2002 23:00:01 A", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 04:00:01 Q", "2002-09-07T00:00:01Z"},
      {"Sep 07 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
  });
}

TEST(ParseFeedDateTest, ReadsTwoDigitYearsAroundTheCentury) {
  ExpectDates({
      {"Mon, 01 Jan 89 00:00:00 GMT", "2089-01-01T00:00:00Z"},
      {"Mon, 01 Jan 90 00:00:00 GMT", "1990-01-01T00:00:00Z"},
  });
}

TEST(ParseFeedDateTest, ReadsW3cAndIso8601Forms) {
  ExpectDates({
      {"2003-12-13T18:30:02Z", "2003-12-13T18:30:02Z"},
      {"2003-12-13T18:30:02.25Z", "2003-12-13T18:30:02Z"},
      {"2003-12-13T18:30:02+01:00", "2003-12-13T17:30:02Z"},
      {"2003-12-13T18:30-05:00", "2003-12-13T23:30:00Z"},
      {"2003-12-13T18:30:00+0530", "2003-12-13T13:00:00Z"},
      {"2003-12-13", "2003-12-13T00:00:00Z"},
      {"2003-12", "2003-12-01T00:00:00Z"},
      {"2003-12-13 18:30:02", "2003-12-13T18:30:02Z"},
  });
}

TEST(ParseFeedDateTest, RefusesW3cDatesWithTrailingGarbage) {
  // Fuzz finding (date_fuzz): the reference parser ignores what follows "date time zone", so
  // this read as 3600-01-01T03:00:00Z.
  EXPECT_FALSE(ParseW3cDate("3600 3---\n\n\n\xff"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13 18:30:02 +01:00 junk"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13 18:30:02 \xff"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13 18:30:02 nowhere"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13 18:30-05:00 gmt"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13T18:30:02+05x30"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13T18:30:02Z\xff"));
  EXPECT_FALSE(ParseW3cDate("2003-12-13 18:30:02z gmt"));
  // The forms that remain: a date, a date and a time, and the MSSQL-style zone after them.
  ExpectDates({
      {"2003-12-13 18:30:02 Z", "2003-12-13T18:30:02Z"},
      {"2003-12-13 18:30:02 +01:00", "2003-12-13T17:30:02Z"},
      {"2003-12-13 18:30:02 MSK", "2003-12-13T15:30:02Z"},
      {"2003-12-13T18:30:02", "2003-12-13T18:30:02Z"},
  });
}

TEST(ParseFeedDateTest, ReadsDatesFarFromNow) {
  ExpectDates({
      {"Mon, 01 Jan 1806 00:00:00 GMT", "1806-01-01T00:00:00Z"},
      {"Fri, 01 Jan 2106 00:00:00 GMT", "2106-01-01T00:00:00Z"},
      {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
  });
}

TEST(ParseFeedDateTest, ReturnsNothingForUnparseableText) {
  ExpectDates({
      {"", std::nullopt},
      {"yesterday", std::nullopt},
      {"Sat, 32 Sep 2002 00:00:01 GMT", std::nullopt},
      {"2003-13-01T00:00:00Z", std::nullopt},
      {"Sat, 07 Sep 2002 25:00:01 GMT", std::nullopt},
      {"99999999999999999999", std::nullopt},
      {std::string(500, '9'), std::nullopt},
  });
}

}  // namespace
}  // namespace veille::feed
