#include "feed/identity.h"

#include <gtest/gtest.h>

namespace veille::feed {
namespace {

Entry MakeEntry(std::optional<std::string> id, std::optional<std::string> link,
                std::optional<std::string> title = std::nullopt,
                std::optional<UnixSeconds> published = std::nullopt) {
  Entry e;
  e.id = std::move(id);
  e.link = std::move(link);
  e.title = std::move(title);
  e.published = published;
  return e;
}

TEST(IdentityTest, UsesTheGuidWhenGuidsAreUnique) {
  Feed feed;
  feed.entries = {MakeEntry("a", "http://x/1"), MakeEntry("b", "http://x/2")};
  AssignEntryKeys(&feed);
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].key, "id:a");
  EXPECT_EQ(feed.entries[1].key, "id:b");
  EXPECT_TRUE(feed.warnings.empty());
}

TEST(IdentityTest, FallsBackToTheLinkForAnEntryWithoutGuid) {
  EXPECT_EQ(EntryKey(MakeEntry(std::nullopt, "http://x/1"), IdentityRung::kGuid),
            "link:http://x/1");
}

TEST(IdentityTest, HashesLinkAndDateThenTitleWhenNothingElseIdentifies) {
  std::string with_date =
      EntryKey(MakeEntry(std::nullopt, std::nullopt, "T", 100), IdentityRung::kGuid);
  std::string without = EntryKey(MakeEntry(std::nullopt, std::nullopt, "T"), IdentityRung::kGuid);
  EXPECT_EQ(with_date.rfind("hash:", 0), 0u);
  EXPECT_EQ(with_date.size(), 5u + 16u);
  EXPECT_NE(with_date, without);
  // Keys are stored: the value must never change between releases.
  EXPECT_EQ(
      EntryKey(MakeEntry(std::nullopt, "http://x/1", std::nullopt, 0), IdentityRung::kLinkDate),
      "hash:ce92c06ec75f8439");
}

TEST(IdentityTest, Fnv1aMatchesTheReferenceVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(IdentityTest, DowngradesAFeedWhoseGuidsRepeatToTheLinkWithAWarning) {
  Feed feed;
  for (int i = 0; i < 10; ++i) {
    feed.entries.push_back(MakeEntry("same", "http://x/" + std::to_string(i)));
  }
  AssignEntryKeys(&feed);
  EXPECT_EQ(feed.entries.size(), 10u);
  EXPECT_EQ(feed.entries[3].key, "link:http://x/3");
  ASSERT_FALSE(feed.warnings.empty());
  EXPECT_NE(feed.warnings[0].find("guid"), std::string::npos);
}

TEST(IdentityTest, KeepsTheGuidRungWhenFewGuidsAreBlank) {
  Feed feed;
  for (int i = 0; i < 40; ++i) {
    feed.entries.push_back(MakeEntry("g" + std::to_string(i), "http://x/" + std::to_string(i)));
  }
  feed.entries.push_back(MakeEntry(std::nullopt, "http://x/40"));  // 1 of 41 < 5%
  EXPECT_EQ(ChooseRung(feed), IdentityRung::kGuid);
}

TEST(IdentityTest, MergesEntriesWithTheSameKey) {
  Feed feed;
  feed.entries = {MakeEntry("a", "http://x/1", "first"), MakeEntry("b", "http://x/2"),
                  MakeEntry("c", "http://x/3"),          MakeEntry("d", "http://x/4"),
                  MakeEntry("e", "http://x/5"),          MakeEntry("f", "http://x/6"),
                  MakeEntry("g", "http://x/7"),          MakeEntry("h", "http://x/8"),
                  MakeEntry("i", "http://x/9"),          MakeEntry("j", "http://x/10"),
                  MakeEntry("k", "http://x/11"),         MakeEntry("l", "http://x/12"),
                  MakeEntry("m", "http://x/13"),         MakeEntry("n", "http://x/14"),
                  MakeEntry("o", "http://x/15"),         MakeEntry("p", "http://x/16"),
                  MakeEntry("q", "http://x/17"),         MakeEntry("r", "http://x/18"),
                  MakeEntry("s", "http://x/19"),         MakeEntry("t", "http://x/20"),
                  MakeEntry("a", "http://x/1", "again")};
  AssignEntryKeys(&feed);
  ASSERT_EQ(feed.entries.size(), 20u);
  EXPECT_EQ(feed.entries[0].title, "first");
}

}  // namespace
}  // namespace veille::feed
