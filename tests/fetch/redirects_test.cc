#include "fetch/redirects.h"

#include <gtest/gtest.h>

namespace veille::fetch {
namespace {

TEST(PermanentTargetTest, FollowsTheLeadingRunOfPermanentHops) {
  EXPECT_EQ(PermanentTarget({{301, "https://a/1"}, {308, "https://a/2"}}), "https://a/2");
  EXPECT_EQ(PermanentTarget({{301, "https://a/1"}, {302, "https://a/tmp"}}), "https://a/1");
}

TEST(PermanentTargetTest, ATemporaryFirstHopOrNoRedirectMovesNothing) {
  EXPECT_EQ(PermanentTarget({}), std::nullopt);
  EXPECT_EQ(PermanentTarget({{302, "https://a/1"}, {301, "https://a/2"}}), std::nullopt);
  EXPECT_EQ(PermanentTarget({{307, "https://a/1"}}), std::nullopt);
  EXPECT_EQ(PermanentTarget({{303, "https://a/1"}}), std::nullopt);
}

// Security review finding 1: a 301 to file:///root/private.xml became the feed's URL.
TEST(PermanentTargetTest, OnlyAnHttpUrlCanBeAFeedsNewHome) {
  EXPECT_EQ(PermanentTarget({{301, "file:///root/private.xml"}}), std::nullopt);
  EXPECT_EQ(PermanentTarget({{301, "https://a/1"}, {301, "file:///root/private.xml"}}),
            "https://a/1");
  EXPECT_EQ(PermanentTarget({{308, "ftp://a/feed"}}), std::nullopt);
  EXPECT_EQ(PermanentTarget({{301, "not a url"}}), std::nullopt);
}

}  // namespace
}  // namespace veille::fetch
