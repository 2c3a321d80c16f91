// The writer's in-memory story candidates (pure logic; the store tests cover their use).
#include "store/story_keys.h"

#include <gtest/gtest.h>

namespace veille::store {
namespace {

TEST(StoryKeysTest, CandidatesComeNewestFirstAndEachKeyKeepsOnlyItsLatest) {
  StoryKeys keys;
  const auto h = StoryKeys::Hash("https://a.example/1");
  EXPECT_NE(h, StoryKeys::Hash("https://a.example/2"));
  EXPECT_TRUE(keys.Links(h).empty());
  for (std::int64_t id = 1; id <= 12; ++id) keys.AddLink(h, id, 100 + id);
  const auto ids = keys.Links(h);
  ASSERT_EQ(ids.size(), 8u);  // the 4 oldest were dropped
  EXPECT_EQ(ids.front(), 12);
  EXPECT_EQ(ids.back(), 5);
  EXPECT_TRUE(keys.Titles(h).empty());  // links and titles are separate maps
}

TEST(StoryKeysTest, EvictForgetsEntriesSeenBeforeTheCutoff) {
  StoryKeys keys;
  keys.AddLink(1, 10, 1000);
  keys.AddLink(1, 11, 2000);
  keys.AddTitle(2, 12, 1500);
  keys.Evict(1600);
  EXPECT_EQ(keys.Links(1), std::vector<std::int64_t>{11});
  EXPECT_TRUE(keys.Titles(2).empty());
  EXPECT_EQ(keys.size(), 1u);  // the emptied title key is gone too
}

TEST(StoryKeysTest, MergeAppendsACommittedDocumentsKeysAfterTheOlderOnes) {
  StoryKeys committed;
  committed.AddTitle(7, 1, 100);
  StoryKeys pending;
  pending.AddTitle(7, 2, 200);
  pending.AddLink(8, 2, 200);
  committed.Merge(pending);
  EXPECT_EQ(committed.Titles(7), (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(committed.Links(8), std::vector<std::int64_t>{2});
  committed.Clear();
  EXPECT_EQ(committed.size(), 0u);
}

}  // namespace
}  // namespace veille::store
