// Entry dates (published, else updated, else first seen) in what the store reads back: the order
// of ScanEntries and the buckets of MentionVolume, on a real SQLite file with entries committed
// out of date order.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/entry_date.h"
#include "store/fts_query.h"
#include "store/search.h"
#include "store/stats.h"
#include "store/store.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'795'000'000;  // 2026-11-18 08:53 UTC
constexpr UnixSeconds kDay = 86400;

TEST(EntryDateTest, PublishedElseUpdatedElseDetected) {
  const auto published = DateOf(100, 200, 300);
  EXPECT_EQ(published.at, 100);
  EXPECT_EQ(DateSourceName(published.source), "published");
  const auto updated = DateOf(std::nullopt, 200, 300);
  EXPECT_EQ(updated.at, 200);
  EXPECT_EQ(DateSourceName(updated.source), "updated");
  const auto detected = DateOf(std::nullopt, std::nullopt, 300);
  EXPECT_EQ(detected.at, 300);
  EXPECT_EQ(DateSourceName(detected.source), "detected");
  EXPECT_EQ(FeedDate(std::nullopt, 200), std::optional<UnixSeconds>(200));
  EXPECT_EQ(FeedDate(100, 200), std::optional<UnixSeconds>(100));
  EXPECT_EQ(FeedDate(std::nullopt, std::nullopt), std::nullopt);
}

class DatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-dates-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = Store::Open((dir_ / "veille.db").string(), Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, kNow);
    ASSERT_TRUE(ids);
    feed_ = ids->front();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static EntryRecord Entry(const std::string& key, std::optional<UnixSeconds> published,
                           std::optional<UnixSeconds> updated, const std::string& text) {
    EntryRecord e;
    e.key = key;
    e.title = "Article " + key;
    e.link = "https://a.example/" + key;
    e.canonical_link = e.link;
    e.published_at = published;
    e.updated_at = updated;
    e.summary = text;
    MentionRecord m;
    m.rule = "marque";
    m.category = "brand";
    m.terms = {"alpea"};
    m.snippet = text;
    e.mentions.push_back(m);
    return e;
  }

  void Commit(std::vector<EntryRecord> entries, UnixSeconds now) {
    DocumentCommit c;
    c.feed.feed_id = feed_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    c.entries = std::move(entries);
    auto stats = store_->CommitDocument(c);
    ASSERT_TRUE(stats) << stats.error().message;
  }

  std::vector<std::string> Keys(const std::string& fts, EntryOrder order,
                                std::optional<UnixSeconds> since = std::nullopt) {
    EntryFilter filter;
    filter.order = order;
    filter.since = since;
    std::vector<std::string> keys;
    auto r = ScanEntriesFts(*store_, fts, filter, [&](const StoredEntry& e) {
      keys.push_back(e.title->substr(std::string("Article ").size()));
      return true;
    });
    EXPECT_TRUE(r) << r.error().message;
    return keys;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::int64_t feed_ = 0;
};

TEST_F(DatesTest, ScanEntriesSortsByTheEntryDateNewestFirst) {
  // One document listing the newest first (ids ascend from the newest), then a late backdated
  // one: the insertion order is far from the date order.
  Commit({Entry("d1", kNow - 1 * kDay, std::nullopt, "alpea un"),
          Entry("u3", std::nullopt, kNow - 3 * kDay, "alpea trois"),  // Atom: only <updated>
          Entry("d5", kNow - 5 * kDay, kNow - 0 * kDay, "alpea cinq")},
         kNow - 3600);
  Commit({Entry("d2", kNow - 2 * kDay, std::nullopt, "alpea deux"),
          Entry("none", std::nullopt, std::nullopt, "alpea sans date")},  // first seen: kNow
         kNow);
  using V = std::vector<std::string>;
  EXPECT_EQ(Keys("", EntryOrder::kDate), (V{"none", "d1", "d2", "u3", "d5"}));
  EXPECT_EQ(Keys("alpea", EntryOrder::kDate), (V{"none", "d1", "d2", "u3", "d5"}));
  EXPECT_EQ(Keys("alpea", EntryOrder::kDetected), (V{"none", "d2", "d5", "u3", "d1"}));
  // The period still filters on first sight (through the index), whatever the order.
  EXPECT_EQ(Keys("alpea", EntryOrder::kDate, kNow - 60), (V{"none", "d2"}));
}

TEST_F(DatesTest, RelevanceRanksByBm25WithTitleHitsAhead) {
  Commit({Entry("a", kNow - kDay, std::nullopt,
                "une phrase sur alpea parmi beaucoup d'autres "
                "mots sans rapport avec le sujet du jour"),
          Entry("b", kNow - 9 * kDay, std::nullopt, "alpea alpea alpea : alpea partout")},
         kNow);
  using V = std::vector<std::string>;
  EXPECT_EQ(Keys("alpea", EntryOrder::kDate), (V{"a", "b"}));
  EXPECT_EQ(Keys("alpea", EntryOrder::kRelevance), (V{"b", "a"}));
  // No full-text expression, no rank: by date.
  EXPECT_EQ(Keys("", EntryOrder::kRelevance), (V{"a", "b"}));
  EXPECT_EQ(ParseEntryOrder("relevance"), EntryOrder::kRelevance);
  EXPECT_EQ(ParseEntryOrder("newest"), std::nullopt);
}

TEST_F(DatesTest, ManyPagesComeOutInDateOrderWithoutLossOrRepeat) {
  // 700 entries over 3 documents, dates shuffled against ids: more than one 64-512 page.
  for (int doc = 0; doc < 3; ++doc) {
    std::vector<EntryRecord> entries;
    for (int i = 0; i < 240; ++i) {
      const int n = doc * 240 + i;
      if (n >= 700) break;
      entries.push_back(Entry(std::to_string(n), kNow - ((n * 7919) % 700) * 600, std::nullopt,
                              "alpea " + std::to_string(n)));
    }
    Commit(std::move(entries), kNow + doc);
  }
  const auto keys = Keys("alpea", EntryOrder::kDate);
  ASSERT_EQ(keys.size(), 700u);
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const int prev = std::stoi(keys[i - 1]), cur = std::stoi(keys[i]);
    ASSERT_LT((prev * 7919) % 700, (cur * 7919) % 700) << "at " << i;  // older and older
  }
}

TEST_F(DatesTest, VolumeCountsABackfillOnTheEntriesDates) {
  // Nine days of history arrive in one first poll today, in scrambled order.
  const UnixSeconds today = BucketStart(kNow, Bucket::kDay);
  std::vector<EntryRecord> backfill;
  for (int ago : {4, 0, 7, 2, 8, 1, 5, 3, 6}) {
    const UnixSeconds noon = today - ago * kDay + 12 * 3600 - (ago == 0 ? 12 * 3600 : 0);
    // Every third one is an Atom entry with only <updated>.
    backfill.push_back(ago % 3 == 0 ? Entry("a" + std::to_string(ago), std::nullopt, noon, "x")
                                    : Entry("a" + std::to_string(ago), noon, std::nullopt, "x"));
  }
  backfill.push_back(Entry("old", today - 40 * kDay, std::nullopt, "x"));  // before the period
  Commit(std::move(backfill), kNow);
  StatsQuery q;
  q.since = today - 13 * kDay;
  q.now = kNow;
  auto by_date = MentionVolume(*store_, q);
  ASSERT_TRUE(by_date) << by_date.error().message;
  ASSERT_EQ(by_date->buckets.size(), 14u);
  ASSERT_EQ(by_date->rules.size(), 1u);
  EXPECT_EQ(by_date->rules[0].counts,
            (std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(by_date->total, 9);
  auto reach = MentionReach(*store_, q);
  ASSERT_TRUE(reach);
  EXPECT_EQ(reach->stories, 9);
  auto stories = TopStories(*store_, q, 20);
  ASSERT_TRUE(stories);
  EXPECT_EQ(stories->size(), 9u);

  q.count_by = CountBy::kDetected;  // the old view: everything on today's bar
  auto detected = MentionVolume(*store_, q);
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected->rules[0].counts.back(), 10);
  EXPECT_EQ(detected->total, 10);

  // --until bounds the entries' dates: the last three days are left out.
  q.count_by = CountBy::kEntryDate;
  q.until = today - 2 * kDay;
  auto until = MentionVolume(*store_, q);
  ASSERT_TRUE(until);
  EXPECT_EQ(until->total, 6);
}

TEST_F(DatesTest, AnEntryWithoutTitleIsReadWithOneDerivedFromItsText) {
  EntryRecord toot = Entry("toot", kNow - 60, std::nullopt,
                           "Ce matin au marché de Rennes, les bouteilles consignées d'Alpéa ont "
                           "disparu en une heure ! Bravo @alpea #consigne");
  toot.title.reset();
  Commit({toot, Entry("titled", kNow - 120, std::nullopt, "alpea")}, kNow);
  MentionFilter filter;
  auto mentions = store_->ListMentions(filter);
  ASSERT_TRUE(mentions);
  ASSERT_EQ(mentions->size(), 2u);
  const MentionRow& derived = (*mentions)[0].entry_id == 1 ? (*mentions)[0] : (*mentions)[1];
  const MentionRow& titled = (*mentions)[0].entry_id == 1 ? (*mentions)[1] : (*mentions)[0];
  ASSERT_TRUE(derived.title);
  EXPECT_TRUE(derived.title_derived);
  EXPECT_EQ(*derived.title,
            "Ce matin au marché de Rennes, les bouteilles consignées d'Alpéa ont disparu en\u2026");
  EXPECT_FALSE(titled.title_derived);
  EXPECT_EQ(titled.title, "Article titled");
  auto one = store_->GetMention(derived.id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->title, derived.title);
  std::vector<StoredEntry> entries;
  ASSERT_TRUE(ScanEntriesFts(*store_, "", {}, [&](const StoredEntry& e) {
    entries.push_back(e);
    return true;
  }));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].title, derived.title);
  EXPECT_TRUE(entries[1].title_derived);
  EXPECT_FALSE(entries[0].title_derived);
}

}  // namespace
}  // namespace veille::store
