// The writer's in-memory story candidates (pure logic; the store tests cover their use).
#include "store/story_keys.h"

#include <gtest/gtest.h>

#include <string>

namespace veille::store {
namespace {

// The multiplier story_keys.cc uses to pick a slot, and its inverse modulo 2^64: a hash of
// Mixed(p) lands where the product p points. If the mixer changes, these keys still work; they
// only stop colliding.
constexpr std::uint64_t kSlotMix = 0x9e3779b97f4a7c15ULL;

constexpr std::uint64_t InverseOfSlotMix() {
  std::uint64_t x = kSlotMix;  // Newton's iteration doubles the correct low bits each step
  for (int i = 0; i < 6; ++i) x *= 2 - kSlotMix * x;
  return x;
}

constexpr std::uint64_t Mixed(std::uint64_t product) { return product * InverseOfSlotMix(); }

static_assert(Mixed(12345) * kSlotMix == 12345);

std::uint64_t Key(std::int64_t i) { return StoryKeys::Hash("key " + std::to_string(i)); }

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

TEST(StoryKeysTest, ManyKeysSurviveSeveralGrowths) {
  StoryKeys keys;
  constexpr std::int64_t kKeys = 50'000;  // from 128 slots to 128k: ten growths
  for (std::int64_t i = 0; i < kKeys; ++i) {
    keys.AddLink(StoryKeys::Hash("https://a.example/" + std::to_string(i)), i, 1000 + i);
    keys.AddTitle(StoryKeys::Hash("title " + std::to_string(i)), i, 1000 + i);
  }
  EXPECT_EQ(keys.size(), 2u * kKeys);
  for (std::int64_t i = 0; i < kKeys; ++i) {
    ASSERT_EQ(keys.Links(StoryKeys::Hash("https://a.example/" + std::to_string(i))),
              std::vector<std::int64_t>{i});
    ASSERT_EQ(keys.Titles(StoryKeys::Hash("title " + std::to_string(i))),
              std::vector<std::int64_t>{i});
  }
  EXPECT_TRUE(keys.Links(StoryKeys::Hash("https://a.example/none")).empty());
  EXPECT_TRUE(keys.Titles(StoryKeys::Hash("https://a.example/1")).empty());
}

TEST(StoryKeysTest, KeysWhoseSlotsCollideAreKeptApart) {
  // All of these land on the last slot at any size up to 2^20 slots, so they form one probe
  // run that wraps around; they also share their low 32 bits, which the slots keep as a tag.
  auto colliding = [](std::int64_t i) {
    return Mixed(~std::uint64_t{0} - (static_cast<std::uint64_t>(i) << 32));
  };
  EXPECT_EQ(colliding(1) & 0xffffffffU, colliding(2) & 0xffffffffU);
  EXPECT_NE(colliding(1), colliding(2));
  StoryKeys keys;
  constexpr std::int64_t kKeys = 300;  // past 128 and 256 slots: two growths inside the run
  for (std::int64_t i = 0; i < kKeys; ++i) keys.AddLink(colliding(i), i, 1000);
  for (std::int64_t i = 0; i < kKeys; i += 3) keys.AddLink(colliding(i), kKeys + i, 2000);
  keys.AddLink(0, 7000, 3000);         // no hash value is reserved
  keys.AddLink(Mixed(1), 7001, 3000);  // the first slot, right after the run wraps
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kKeys) + 2);
  for (std::int64_t i = 0; i < kKeys; ++i) {
    const auto expected =
        i % 3 == 0 ? std::vector<std::int64_t>{kKeys + i, i} : std::vector<std::int64_t>{i};
    ASSERT_EQ(keys.Links(colliding(i)), expected) << i;
  }
  EXPECT_EQ(keys.Links(0), std::vector<std::int64_t>{7000});
  EXPECT_EQ(keys.Links(Mixed(1)), std::vector<std::int64_t>{7001});
  EXPECT_TRUE(keys.Links(colliding(kKeys)).empty());
}

TEST(StoryKeysTest, EachKeyKeepsItsEightNewestInTheOrderAdded) {
  StoryKeys keys;
  const std::uint64_t a = Mixed(~std::uint64_t{0});  // a and b share a probe run
  const std::uint64_t b = Mixed(~std::uint64_t{0} - 1);
  for (std::int64_t id = 1; id <= 20; ++id) {
    keys.AddTitle(a, id, 100 + id);
    keys.AddTitle(b, 100 + id, 100 + id);
  }
  EXPECT_EQ(keys.Titles(a), (std::vector<std::int64_t>{20, 19, 18, 17, 16, 15, 14, 13}));
  EXPECT_EQ(keys.Titles(b), (std::vector<std::int64_t>{120, 119, 118, 117, 116, 115, 114, 113}));
  // Newest is the last added, whatever its id or time.
  keys.AddLink(5, 50, 500);
  keys.AddLink(5, 30, 300);
  EXPECT_EQ(keys.Links(5), (std::vector<std::int64_t>{30, 50}));
  // A hot key pushes out far more entries than it keeps.
  keys.AddLink(6, 1, 1);
  for (std::int64_t id = 1; id <= 10'000; ++id) keys.AddTitle(a, 1000 + id, 1000 + id);
  EXPECT_EQ(keys.Titles(a),
            (std::vector<std::int64_t>{11000, 10999, 10998, 10997, 10996, 10995, 10994, 10993}));
  EXPECT_EQ(keys.Titles(b).size(), 8u);
  EXPECT_EQ(keys.Links(6), std::vector<std::int64_t>{1});
  EXPECT_EQ(keys.size(), 4u);
}

TEST(StoryKeysTest, EvictThenLookupsAndReAdds) {
  StoryKeys keys;
  constexpr std::int64_t kKeys = 5000;
  for (std::int64_t i = 0; i < kKeys; ++i) keys.AddLink(Key(i), i, i);
  keys.AddTitle(1, 1, 100);  // one old and one recent entry under one key
  keys.AddTitle(1, 2, 4000);
  for (std::int64_t id = 10; id < 20; ++id) keys.AddTitle(2, id, 1000 * id);  // capped
  keys.Evict(2500);
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kKeys - 2500) + 2);
  for (std::int64_t i = 0; i < kKeys; ++i) {
    const auto ids = keys.Links(Key(i));
    ASSERT_EQ(ids, i < 2500 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{i}) << i;
  }
  EXPECT_EQ(keys.Titles(1), std::vector<std::int64_t>{2});
  EXPECT_EQ(keys.Titles(2), (std::vector<std::int64_t>{19, 18, 17, 16, 15, 14, 13, 12}));
  for (std::int64_t i = 0; i < 2500; i += 2) keys.AddLink(Key(i), kKeys + i, 6000);
  keys.AddTitle(2, 20, 20'000);
  keys.AddTitle(1, 3, 6000);
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kKeys - 2500 + 1250) + 2);
  for (std::int64_t i = 0; i < 2500; ++i) {
    const auto ids = keys.Links(Key(i));
    ASSERT_EQ(ids, i % 2 == 0 ? std::vector<std::int64_t>{kKeys + i} : std::vector<std::int64_t>{})
        << i;
  }
  EXPECT_EQ(keys.Links(Key(4999)), std::vector<std::int64_t>{4999});
  EXPECT_EQ(keys.Titles(1), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(keys.Titles(2), (std::vector<std::int64_t>{20, 19, 18, 17, 16, 15, 14, 13}));
  keys.Evict(1'000'000);
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_TRUE(keys.Links(Key(4999)).empty());
  EXPECT_TRUE(keys.Titles(2).empty());
}

TEST(StoryKeysTest, MergeOfASmallTableIntoABigOne) {
  StoryKeys committed;
  constexpr std::int64_t kKeys = 20'000;
  for (std::int64_t i = 0; i < kKeys; ++i) committed.AddLink(Key(i), i, 1000);
  for (std::int64_t id = 1; id <= 8; ++id) committed.AddTitle(9, id, 1000);
  StoryKeys pending;
  for (std::int64_t i = 0; i < 50; ++i) {
    pending.AddLink(Key(i), kKeys + i, 2000);                // known keys
    pending.AddLink(Key(kKeys + i), kKeys + 100 + i, 2000);  // new keys
  }
  pending.AddTitle(9, kKeys + 200, 2000);
  pending.AddTitle(9, kKeys + 201, 2000);
  committed.Merge(pending);
  EXPECT_EQ(committed.size(), static_cast<std::size_t>(kKeys + 50 + 1));
  EXPECT_EQ(pending.size(), 101u);  // left as it was
  for (std::int64_t i = 0; i < 50; ++i) {
    ASSERT_EQ(committed.Links(Key(i)), (std::vector<std::int64_t>{kKeys + i, i}));
    ASSERT_EQ(committed.Links(Key(kKeys + i)), std::vector<std::int64_t>{kKeys + 100 + i});
  }
  EXPECT_EQ(committed.Links(Key(50)), std::vector<std::int64_t>{50});
  EXPECT_EQ(committed.Titles(9),
            (std::vector<std::int64_t>{kKeys + 201, kKeys + 200, 8, 7, 6, 5, 4, 3}));
  StoryKeys fresh;
  fresh.Merge(pending);
  EXPECT_EQ(fresh.size(), 101u);
  EXPECT_EQ(fresh.Titles(9), (std::vector<std::int64_t>{kKeys + 201, kKeys + 200}));
}

TEST(StoryKeysTest, ClearThenReuse) {
  StoryKeys keys;
  keys.Clear();  // never used
  EXPECT_EQ(keys.size(), 0u);
  for (std::int64_t i = 0; i < 1000; ++i) {
    keys.AddLink(Key(i), i, 100);
    keys.AddTitle(Key(i), i, 100);
  }
  keys.Clear();
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_TRUE(keys.Links(Key(0)).empty());
  EXPECT_TRUE(keys.Titles(Key(999)).empty());
  for (std::int64_t i = 0; i < 1000; i += 10) keys.AddLink(Key(i), 5000 + i, 200);
  keys.AddLink(Key(0), 6000, 300);
  EXPECT_EQ(keys.size(), 100u);
  EXPECT_EQ(keys.Links(Key(0)), (std::vector<std::int64_t>{6000, 5000}));
  EXPECT_EQ(keys.Links(Key(990)), std::vector<std::int64_t>{5990});
  EXPECT_TRUE(keys.Links(Key(991)).empty());
  EXPECT_TRUE(keys.Titles(Key(0)).empty());
}

}  // namespace
}  // namespace veille::store
