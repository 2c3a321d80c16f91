// The archive inside the store: full-text rows and stories written with the entries, alerts
// once per story, retention, volume statistics, backup.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/entry_text.h"
#include "store/fts_query.h"
#include "store/internal.h"
#include "store/retention.h"
#include "store/search.h"
#include "store/stats.h"
#include "store/store.h"
#include "store/stories.h"
#include "store_backend.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'795'000'000;  // 2026-11-18

// The stories and retention run on both backends (store_backend.h: SQLite in
// store_archive_test, PostgreSQL in store_pg_test); SqliteArchiveTest holds what runs on SQLite
// only (FTS5, statistics, backup, query plans).
class ArchiveTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("archive-") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = std::filesystem::path(path_).parent_path();
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"},
                                  {"https://b.example/feed", "B"},
                                  {"https://c.example/feed", "C"}},
                                 kNow);
    ASSERT_TRUE(ids);
    feeds_ = *ids;
  }
  void TearDown() override {
    store_.reset();
    GetParam()->Remove(path_);
  }

  static EntryRecord Entry(const std::string& key, const std::string& title,
                           const std::string& link, const std::string& text,
                           std::vector<std::string> rules = {}) {
    EntryRecord e;
    e.key = key;
    e.title = title;
    e.link = link;
    e.canonical_link = link;
    e.summary = text;
    for (const auto& rule : rules) {
      MentionRecord m;
      m.rule = rule;
      m.category = rule == "rival" ? "competitor" : "brand";
      m.terms = {rule};
      m.snippet = text;
      m.channels = {"journal"};
      e.mentions.push_back(m);
    }
    return e;
  }

  CommitStats Commit(std::size_t feed, std::vector<EntryRecord> entries, UnixSeconds now) {
    DocumentCommit c;
    c.feed.feed_id = feeds_[feed];
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    c.entries = std::move(entries);
    auto stats = store_->CommitDocument(c);
    EXPECT_TRUE(stats) << stats.error().message;
    return stats ? *stats : CommitStats{};
  }

  std::vector<std::int64_t> Search(const std::string& fts) {
    std::vector<std::int64_t> ids;
    auto r = ScanEntriesFts(*store_, fts, {}, [&](const StoredEntry& e) {
      ids.push_back(e.id);
      return true;
    });
    EXPECT_TRUE(r) << r.error().message;
    return ids;
  }

  // The entries the store's prefilter and nothing else gives for `query` (both backends).
  std::vector<std::int64_t> Candidates(const std::string& query) {
    auto parsed = match::ParseQuery(query);
    EXPECT_TRUE(parsed) << query;
    std::vector<std::int64_t> ids;
    if (!parsed) return ids;
    auto r = ScanEntries(*store_, &*parsed, {}, [&](const StoredEntry& e) {
      ids.push_back(e.id);
      return true;
    });
    EXPECT_TRUE(r) << r.error().message;
    return ids;
  }

  // The archive's invariants that pruning could break (RELIABILITY.md 3.6: no mention without
  // its entry, no outbox row without its mention, one entry per feed and key), and the
  // story's (no story left without an entry, no entry pointing at a missing story).
  void ExpectInvariants() {
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mentions m WHERE NOT EXISTS "
                     "(SELECT 1 FROM entries e WHERE e.id = m.entry_id)"),
              0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox o WHERE NOT EXISTS "
                     "(SELECT 1 FROM mentions m WHERE m.id = o.mention_id)"),
              0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM (SELECT feed_id, entry_key FROM entries "
                     "GROUP BY feed_id, entry_key HAVING COUNT(*) > 1) d"),
              0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories s WHERE NOT EXISTS "
                     "(SELECT 1 FROM entries e WHERE e.story_id = s.id)"),
              0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries e WHERE e.story_id IS NOT NULL AND NOT EXISTS "
                     "(SELECT 1 FROM stories s WHERE s.id = e.story_id)"),
              0);
  }

  std::int64_t Scalar(const std::string& sql) {
    auto r = GetParam()->Run(*store_, path_, sql);
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? *r : -1;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::vector<std::int64_t> feeds_;
};

class SqliteArchiveTest : public ArchiveTest {};

TEST_P(SqliteArchiveTest, FullTextRowsAreWrittenInTheSameCommitAsTheEntries) {
  Commit(0,
         {Entry("1", "Lancôme ouvre une boutique", "https://a.example/1",
                "À Paris, rue Saint-Honoré."),
          Entry("2", "Météo", "https://a.example/2", "Il pleut sur Lyon.")},
         kNow);
  EXPECT_EQ(Search("lancome").size(), 1u);  // accents removed by the tokenizer
  EXPECT_EQ(Search("\"saint honore\"").size(), 1u);
  EXPECT_EQ(Search("title : lyon").size(), 0u);  // column filter: Lyon is in the text only
  EXPECT_EQ(Search("text : lyon").size(), 1u);
  EXPECT_EQ(Search("lanc*").size(), 1u);
  EXPECT_EQ(Search("").size(), 2u);
}

TEST_P(SqliteArchiveTest, AFailedCommitLeavesNoFullTextRowBehind) {
  DocumentCommit c;
  c.feed.feed_id = 999;  // no such feed: the commit fails before anything is kept
  c.feed.fetched_at = kNow;
  c.entries = {Entry("1", "Orphan title here", "https://x.example/1", "lost words")};
  EXPECT_FALSE(store_->CommitDocument(c));
  EXPECT_EQ(Search("lost").size(), 0u);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 0);
}

TEST_P(ArchiveTest, OneStoryPublishedByThreeFeedsIsOneStoryAlertedOncePerChannel) {
  // A by canonical link, B through the same link, C by the same title under a Google News link.
  Commit(0,
         {Entry("a1", "Renault rappelle 300 000 véhicules", "https://lemonde.example/renault",
                "Renault rappelle", {"marque"})},
         kNow);
  Commit(1,
         {Entry("b1", "Rappel massif chez Renault aujourd'hui", "https://lemonde.example/renault",
                "Renault rappelle", {"marque"})},
         kNow + 600);
  Commit(2,
         {Entry("c1", "Renault rappelle 300 000 véhicules - Le Monde",
                "https://news.example/articles/xyz", "Renault rappelle", {"marque", "rival"})},
         kNow + 1200);
  EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT story_id) FROM entries"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
  // Only a1's row is pending: c1 matched another rule too, but the story is already on the
  // channel (one alert per story and channel).
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE status = 'suppressed' AND "
                   "last_error = 'same story already alerted'"),
            3);
  auto mentions = store_->ListMentions({});
  ASSERT_TRUE(mentions);
  ASSERT_EQ(mentions->size(), 4u);
  std::set<std::int64_t> stories;
  for (const auto& m : *mentions) stories.insert(m.story_id);
  EXPECT_EQ(stories.size(), 1u);
}

TEST_P(ArchiveTest, TheSameTitleMoreThanTwoDaysApartIsANewStory) {
  Commit(0, {Entry("1", "Orange augmente ses prix en janvier", "https://a.example/1", "x")}, kNow);
  Commit(1, {Entry("2", "Orange augmente ses prix en janvier", "https://b.example/2", "x")},
         kNow + 3 * 86400);
  Commit(2, {Entry("3", "Orange augmente ses prix en janvier", "https://c.example/3", "x")},
         kNow + 3 * 86400 + 60);
  EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT story_id) FROM entries"), 2);
}

TEST_P(SqliteArchiveTest, CommitsLeaveTheFullTextMergingToIdleSteps) {
  EXPECT_EQ(Scalar("SELECT v FROM entries_fts_config WHERE k = 'automerge'"), 0);
  EXPECT_EQ(Scalar("SELECT v FROM entries_fts_config WHERE k = 'crisismerge'"), 32);
  EXPECT_EQ(Scalar("SELECT v FROM entries_fts_config WHERE k = 'usermerge'"), 8);
  // Twenty one-document commits: twenty segments, every entry searchable meanwhile.
  for (int i = 0; i < 20; ++i) {
    Commit(0,
           {Entry("m" + std::to_string(i), "Titre numéro " + std::to_string(i),
                  "https://a.example/m" + std::to_string(i), "fusion des segments")},
           kNow + i);
  }
  EXPECT_EQ(Search("fusion").size(), 20u);
  // The commits merged nothing: the first step has work, and the steps come to an end.
  auto first = MergeIndexStep(*store_, 256);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  int steps = 1;
  for (;;) {
    auto merged = MergeIndexStep(*store_, 256);
    ASSERT_TRUE(merged) << merged.error().message;
    if (!*merged) break;
    ASSERT_LT(++steps, 50) << "the merge steps never end";
  }
  EXPECT_EQ(Search("fusion").size(), 20u);
  EXPECT_EQ(Search("\"des segments\"").size(), 20u);
  auto again = MergeIndexStep(*store_, 256);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "nothing is left to merge until the next commits";
}

TEST_P(SqliteArchiveTest, TheWriterZeroesFreedContentOnlyOnPagesItWritesAnyway) {
  // 2 = FAST (Debian's SQLite defaults to 1, which writes every freed page back zeroed).
  EXPECT_EQ(Scalar("PRAGMA secure_delete"), 2);
}

TEST_P(ArchiveTest, TwoCopiesInsideOneDocumentAreOneStory) {
  Commit(0,
         {Entry("1", "Premier titre", "https://a.example/same", "x"),
          Entry("2", "Second titre", "https://a.example/same", "y")},
         kNow);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
}

TEST_P(ArchiveTest, StoryKeysAreReloadedAfterARestart) {
  Commit(0, {Entry("1", "Une annonce", "https://a.example/story", "x")}, kNow);
  Commit(0, {Entry("2", "Les prix baissent chez Orange", "https://a.example/other", "x")}, kNow);
  store_.reset();
  auto reopened = Store::Open(path_, Access::kMigrate);
  ASSERT_TRUE(reopened) << reopened.error().message;
  store_ = std::move(*reopened);
  Commit(1, {Entry("b", "Autre titre", "https://a.example/story", "x")}, kNow + 600);
  Commit(2, {Entry("c", "Les prix baissent chez Orange", "https://c.example/9", "x")}, kNow + 900);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 4);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 2);  // by link, then by title
}

TEST_P(ArchiveTest, APrunedEntryNoLongerGathersCopies) {
  Commit(0, {Entry("1", "Vieille nouvelle", "https://a.example/pruned", "x")}, kNow);
  auto pruned = PruneEntriesBatch(*store_, kNow + 1, 100);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1);
  // The in-memory candidate points at a deleted row: checked by primary key, then ignored.
  Commit(1, {Entry("b", "Vieille nouvelle", "https://a.example/pruned", "x")}, kNow + 60);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries e JOIN stories s ON s.id = e.story_id"), 1);
  ExpectInvariants();
}

TEST_P(ArchiveTest, ALinkSeenMoreThanThirtyDaysAgoStartsANewStory) {
  Commit(0, {Entry("1", "Un titre", "https://a.example/late", "x")}, kNow);
  Commit(1, {Entry("2", "Un autre", "https://a.example/late", "x")}, kNow + 29 * 86400);
  Commit(2, {Entry("3", "Encore un", "https://a.example/late", "x")}, kNow + 31 * 86400);
  // The second copy joins (29 days after the first); the third is 31 days after the first
  // but 2 days after the second, whose keys are still held: it joins too.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
  Commit(0, {Entry("4", "Plus tard", "https://a.example/late", "x")}, kNow + 70 * 86400);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 2);
}

TEST_P(ArchiveTest, RetentionPrunesOldEntriesWithoutMentionsInBatchesAndKeepsMentioned) {
  std::vector<EntryRecord> old_entries;
  for (int i = 0; i < 25; ++i) {
    old_entries.push_back(Entry("old" + std::to_string(i), "Old story number " + std::to_string(i),
                                "https://a.example/old" + std::to_string(i), "ancient words"));
  }
  old_entries.push_back(Entry("kept", "Old but mentioned story", "https://a.example/kept",
                              "ancient words", {"marque"}));
  Commit(0, old_entries, kNow - 100 * 86400);
  Commit(1, {Entry("new", "Fresh story of today", "https://b.example/new", "ancient words")}, kNow);
  const UnixSeconds cutoff = kNow - 90 * 86400;
  // The daemon's call (store::Maintain), one bounded batch at a time.
  MaintenanceRequest request = MaintenanceRequest::Prune(cutoff);
  request.prune_batch = 10;
  auto first = Maintain(*store_, request);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->pruned, 10);
  EXPECT_TRUE(first->more_to_prune);
  EXPECT_FALSE(first->more_index_work);  // not asked for
  int total = first->pruned;
  for (;;) {
    auto n = Maintain(*store_, request);
    ASSERT_TRUE(n);
    total += n->pruned;
    if (!n->more_to_prune) break;
    ASSERT_LT(total, 100) << "the batches never end";
  }
  EXPECT_EQ(total, 25);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 2);
  EXPECT_EQ(Candidates("ancient").size(), 2u);  // the full-text rows went with the entries
  EXPECT_EQ(Scalar(GetParam()->CountFullTextSql()), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mentions"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox"), 1);
  ExpectInvariants();
  if (GetParam()->sqlite()) {
    auto integrity = DatabaseOf(*store_).Exec(
        "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 0)");
    EXPECT_TRUE(integrity) << integrity.error().message;
  }
}

TEST_P(ArchiveTest, PruningKeepsAStoryWhileOneOfItsEntriesIsLeft) {
  // One story from two feeds: the old copy goes, the story stays with the new one.
  Commit(0, {Entry("1", "Une histoire partagée", "https://a.example/shared", "x")},
         kNow - 100 * 86400);
  Commit(1, {Entry("2", "Une histoire partagée", "https://a.example/shared", "x")},
         kNow - 100 * 86400 + 3600);
  Commit(2, {Entry("3", "Une histoire partagée", "https://a.example/shared", "x")},
         kNow - 80 * 86400);  // the same link within 30 days: the same story
  ASSERT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
  auto pruned = PruneEntriesBatch(*store_, kNow - 90 * 86400, 1);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1);  // the batch bounds the work: the oldest first
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries WHERE entry_key = '1'"), 0);
  pruned = PruneEntriesBatch(*store_, kNow - 90 * 86400, 10);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 1);
  ExpectInvariants();
  pruned = PruneEntriesBatch(*store_, kNow + 1, 10);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM stories"), 0);  // the last entry took the story along
  EXPECT_TRUE(Candidates("histoire").empty());
  ExpectInvariants();
}

TEST_P(ArchiveTest, TheIndexStepOfMaintenanceIsTheBackendsBusiness) {
  Commit(0, {Entry("1", "Une entrée", "https://a.example/1", "mots")}, kNow);
  auto done = Maintain(*store_, MaintenanceRequest::Index());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->pruned, 0);
  // PostgreSQL: nothing to do (autovacuum keeps the GIN index), so never more work. SQLite:
  // one merge step; a single small commit leaves nothing to merge either.
  EXPECT_FALSE(done->more_index_work);
  EXPECT_EQ(Candidates("mots").size(), 1u);
}

TEST_P(ArchiveTest, VacuumKeepsEveryRowAndBackupNamesTheBackendsTool) {
  Commit(0, {Entry("1", "Une entrée gardée", "https://a.example/1", "mots", {"marque"})}, kNow);
  Commit(0, {Entry("2", "Une entrée supprimée", "https://a.example/2", "mots")},
         kNow - 100 * 86400);
  ASSERT_TRUE(PruneEntriesBatch(*store_, kNow - 90 * 86400, 10));
  auto vacuumed = Vacuum(*store_);
  ASSERT_TRUE(vacuumed) << vacuumed.error().message;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries"), 1);
  EXPECT_EQ(Candidates("mots").size(), 1u);
  ExpectInvariants();
  const std::string copy = (std::filesystem::temp_directory_path() /
                            ("veille-backup-" + std::to_string(::getpid()) + ".db"))
                               .string();
  auto backup = BackupTo(*store_, copy);
  if (GetParam()->sqlite()) {
    EXPECT_TRUE(backup) << backup.error().message;
    std::filesystem::remove(copy);
  } else {
    // `veille db backup` on PostgreSQL: one clear line naming pg_dump, and no file written.
    ASSERT_FALSE(backup);
    EXPECT_EQ(backup.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(backup.error().message.find("pg_dump"), std::string::npos) << backup.error().message;
    EXPECT_EQ(backup.error().message.find('\n'), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(copy));
  }
}

// entries_fts is contentless: retention deletes a row by giving the text it was indexed with.
// An entry whose summary is a teaser of its content is indexed with both (IndexedEntryText),
// while the matcher sees only the content (EntryText). Were retention to delete with another text
// than the commit indexed, the teaser's own words would stay in the index, pointing at nothing.
TEST_P(SqliteArchiveTest, RetentionDeletesTheFullTextRowWithTheTextItWasIndexedWith) {
  EntryRecord e = Entry("t", "Alpéa et la consigne", "https://a.example/t", "");
  e.summary =
      "La marque Alpéa lance la consigne [\xE2\x80\xA6] The post Consigne appeared first "
      "on Lefil.";
  e.content = "La marque Alpéa lance la consigne de ses bouteilles en verre dans trois régions.";
  ASSERT_NE(IndexedEntryText(e.summary, e.content), EntryText(e.summary, e.content));
  Commit(0, {e}, kNow - 100 * 86400);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH 'lefil'"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH 'bouteilles'"), 1);
  auto pruned = PruneEntriesBatch(*store_, kNow - 90 * 86400, 10);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1);
  for (const char* word : {"lefil", "appeared", "bouteilles", "alpéa", "consigne"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH '") +
                     word + "'"),
              0)
        << word;
  }
}

TEST_P(ArchiveTest, PruningMentionsExplicitlyRemovesTheirOutboxRows) {
  Commit(0, {Entry("1", "Story one about the brand", "https://a.example/1", "x", {"marque"})},
         kNow - 400 * 86400);
  Commit(0, {Entry("2", "Story two about the brand", "https://a.example/2", "x", {"marque"})},
         kNow);
  auto n = PruneMentions(*store_, kNow - 365 * 86400, 1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mentions"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox"), 1);
  ExpectInvariants();
  // Batches: three more old mentions go in batches of two (two transactions), the new stays.
  for (const char* key : {"3", "4", "5"}) {
    Commit(1,
           {Entry(key, std::string("Story ") + key + " about the brand",
                  std::string("https://b.example/") + key, "x", {"marque"})},
           kNow - 400 * 86400);
  }
  n = PruneMentions(*store_, kNow - 365 * 86400, 2);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mentions"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox"), 1);
  ExpectInvariants();
}

TEST_P(ArchiveTest, VolumeCountsMentionsPerRuleAndCategoryPerBucket) {
  const UnixSeconds day0 = BucketStart(kNow, Bucket::kDay);
  Commit(0,
         {Entry("1", "t1 about brand and rival", "https://a.example/1", "x", {"marque", "rival"})},
         day0 + 10);
  EntryRecord dated = Entry("2", "t2 about brand only", "https://a.example/2", "x", {"marque"});
  dated.published_at = day0 + 86400 + 5;  // the same day's bucket
  Commit(0, {dated}, day0 + 86400 + 10);
  Commit(0, {Entry("3", "t3 about brand again", "https://a.example/3", "x", {"marque"})},
         day0 + 86400 + 20);
  StatsQuery q;
  q.since = day0;
  q.now = day0 + 2 * 86400 + 5;
  auto volume = MentionVolume(*store_, q);
  ASSERT_TRUE(volume) << volume.error().message;
  ASSERT_EQ(volume->buckets.size(), 3u);
  ASSERT_EQ(volume->rules.size(), 2u);
  EXPECT_EQ(volume->rules[0].name, "marque");
  EXPECT_EQ(volume->rules[0].counts, (std::vector<std::int64_t>{1, 2, 0}));
  EXPECT_EQ(volume->rules[1].counts, (std::vector<std::int64_t>{1, 0, 0}));
  EXPECT_EQ(volume->total, 4);
  const auto voice = ShareOfVoice(*store_, q, {});
  ASSERT_TRUE(voice) << voice.error().message;
  ASSERT_EQ(voice->size(), 2u);
  EXPECT_EQ((*voice)[0].entity, "marque");  // rules no longer configured: their own entity
  EXPECT_DOUBLE_EQ((*voice)[0].share, 0.75);
  EXPECT_DOUBLE_EQ((*voice)[1].share, 0.25);
  q.bucket = Bucket::kWeek;
  auto weekly = MentionVolume(*store_, q);
  ASSERT_TRUE(weekly);
  std::int64_t sum = 0;
  for (auto c : weekly->rules[0].counts) sum += c;
  EXPECT_EQ(sum, 3);
  auto sources = TopSources(*store_, q, 5);
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].mentions, 4);
  auto stories = TopStories(*store_, q, 5);
  ASSERT_TRUE(stories) << stories.error().message;
  ASSERT_EQ(stories->size(), 3u);
  EXPECT_EQ((*stories)[0].rules, (std::vector<std::string>{"marque", "rival"})) << "most mentions";
  EXPECT_EQ((*stories)[0].feeds, std::vector<std::string>{"A"});
  EXPECT_EQ((*stories)[0].sources, 1);
  EXPECT_EQ((*stories)[0].mentions, 2);
  EXPECT_EQ((*stories)[1].latest.title, "t3 about brand again") << "then the newest first";
  EXPECT_EQ((*stories)[2].latest.title, "t2 about brand only");
  EXPECT_EQ((*stories)[2].first_published, day0 + 86400 + 5) << "its entry's publication";
  EXPECT_EQ((*stories)[1].first_published, std::nullopt) << "an undated entry";

  // The dashboard's single pass gives what the five calls give.
  auto reach = MentionReach(*store_, q);
  ASSERT_TRUE(reach) << reach.error().message;
  EXPECT_EQ(reach->stories, 3);
  EXPECT_EQ(reach->sources, 1);
  auto languages = MentionLanguages(*store_, q);
  ASSERT_TRUE(languages);
  const std::vector<RuleEntity> rules = {{"marque", "Alpéa", "brand"},
                                         {"rival", "Rival", "competitor"}};
  auto voice_of_rules = ShareOfVoice(*store_, q, rules);
  ASSERT_TRUE(voice_of_rules);
  auto all = ReadPeriodStats(*store_, q, rules, 5);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->volume.buckets, weekly->buckets);
  ASSERT_EQ(all->volume.rules.size(), weekly->rules.size());
  for (std::size_t i = 0; i < weekly->rules.size(); ++i) {
    EXPECT_EQ(all->volume.rules[i].name, weekly->rules[i].name);
    EXPECT_EQ(all->volume.rules[i].counts, weekly->rules[i].counts);
  }
  EXPECT_EQ(all->volume.total, weekly->total);
  ASSERT_EQ(all->sources.size(), 1u);
  EXPECT_EQ(all->sources[0].feed_name, "A");
  EXPECT_EQ(all->sources[0].mentions, 4);
  ASSERT_EQ(all->voice.size(), voice_of_rules->size());
  EXPECT_EQ(all->voice[0].entity, "Alpéa");
  EXPECT_EQ(all->voice[0].stories, (*voice_of_rules)[0].stories);
  EXPECT_EQ(all->reach.stories, reach->stories);
  EXPECT_EQ(all->reach.sources, reach->sources);
  ASSERT_EQ(all->languages.size(), 1u);
  EXPECT_EQ(all->languages[0].language, "");
  EXPECT_EQ(all->languages[0].mentions, 4);
  EXPECT_EQ(all->languages[0].stories, 3);
  EXPECT_EQ(languages->size(), 1u);

  q.category = "competitor";  // the volume, sources and languages keep one category
  all = ReadPeriodStats(*store_, q, rules, 5);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->volume.total, 1);
  EXPECT_EQ(all->sources[0].mentions, 1);
  EXPECT_EQ(all->languages[0].mentions, 1);
  EXPECT_EQ(all->reach.stories, 3) << "the reach is the period's, every category";
}

// Issue 15: share of voice per rule let a crisis rule inflate the brand's share and could not
// compare competitors; it counts distinct stories per entity now.
TEST_P(ArchiveTest, ShareOfVoiceCountsDistinctStoriesPerEntity) {
  const auto entry = [](const std::string& key, const std::string& link,
                        std::vector<std::pair<std::string, std::string>> rules) {
    EntryRecord e = Entry(key, "title " + key, link, "text");
    for (const auto& [rule, category] : rules) {
      MentionRecord m;
      m.rule = rule;
      m.category = category;
      m.terms = {rule};
      m.snippet = "text";
      e.mentions.push_back(m);
    }
    return e;
  };
  // The recall story is published by feeds A and B (one canonical link: one story) and matches
  // both Alpéa rules; another story compares Alpéa and Evian.
  Commit(0,
         {entry("1", "https://x.example/rappel", {{"marque", "brand"}, {"crise", "risque"}}),
          entry("2", "https://x.example/evian", {{"evian", "competitor"}}),
          entry("3", "https://x.example/duel", {{"marque", "brand"}, {"evian", "competitor"}}),
          entry("4", "https://x.example/volvic", {{"volvic", "competitor"}}),
          entry("5", "https://x.example/ancien", {{"ancien", "competitor"}}),
          entry("6", "https://x.example/eau", {{"eau", "sector"}})},
         kNow);
  Commit(1, {entry("1b", "https://x.example/rappel", {{"marque", "brand"}})}, kNow);
  ASSERT_EQ(Scalar("SELECT COUNT(DISTINCT story_id) FROM entries"), 6);

  const std::vector<RuleEntity> rules = {{"marque", "Alpéa", "brand"},
                                         {"crise", "Alpéa", "risque"},
                                         {"evian", "Evian", "competitor"},
                                         {"volvic", "volvic", "competitor"},
                                         {"eau", "eau", "sector"}};
  StatsQuery q;
  q.since = kNow - 86400;
  q.now = kNow + 10;
  auto voice = ShareOfVoice(*store_, q, rules);
  ASSERT_TRUE(voice) << voice.error().message;
  ASSERT_EQ(voice->size(), 4u);  // Alpéa, Evian, ancien (a removed rule), volvic; not eau
  const VoiceShare& alpea = (*voice)[0];
  EXPECT_EQ(alpea.entity, "Alpéa");
  EXPECT_EQ(alpea.category, "brand");
  EXPECT_EQ(alpea.rules, (std::vector<std::string>{"crise", "marque"}));
  EXPECT_EQ(alpea.stories, 2);  // the recall (three mentions, two feeds) and the duel
  EXPECT_EQ(alpea.mentions, 4);
  EXPECT_EQ((*voice)[1].entity, "Evian");
  EXPECT_EQ((*voice)[1].stories, 2);
  EXPECT_EQ((*voice)[2].entity, "ancien");
  EXPECT_EQ((*voice)[2].category, "competitor");  // as stored
  EXPECT_EQ((*voice)[3].entity, "volvic");
  EXPECT_DOUBLE_EQ(alpea.share, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ((*voice)[3].share, 1.0 / 6.0);

  q.category = "competitor";
  voice = ShareOfVoice(*store_, q, rules);
  ASSERT_TRUE(voice);
  ASSERT_EQ(voice->size(), 3u);
  EXPECT_DOUBLE_EQ((*voice)[0].share, 0.5);

  q.since = kNow + 5;  // nothing in the period
  q.category.clear();
  voice = ShareOfVoice(*store_, q, rules);
  ASSERT_TRUE(voice);
  EXPECT_TRUE(voice->empty());
}

#ifndef VEILLE_STORE_TEST_POSTGRES  // backend-independent: in the SQLite binary only
TEST(BucketTest, WeeksStartOnMondayAndMonthsOnTheFirst) {
  const UnixSeconds wed = 1'795'000'000;  // Wednesday 2026-11-18 08:53 UTC
  EXPECT_EQ(FormatIso8601(BucketStart(wed, Bucket::kDay)), "2026-11-18T00:00:00Z");
  EXPECT_EQ(FormatIso8601(BucketStart(wed, Bucket::kWeek)), "2026-11-16T00:00:00Z");
  EXPECT_EQ(FormatIso8601(BucketStart(wed, Bucket::kMonth)), "2026-11-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(NextBucket(BucketStart(wed, Bucket::kMonth), Bucket::kMonth)),
            "2026-12-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(NextBucket(1'798'761'600, Bucket::kMonth)),  // 2027-01-01
            "2027-02-01T00:00:00Z");
}
#endif

TEST_P(SqliteArchiveTest, BackupWritesAConsistentCopyReadableAsAStore) {
  Commit(0, {Entry("1", "Backed up story title", "https://a.example/1", "kept words", {"marque"})},
         kNow);
  auto reader = Store::Open(path_, Access::kRead);
  ASSERT_TRUE(reader);
  const std::string copy = (dir_ / "copy.db").string();
  auto r = BackupTo(**reader, copy);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(BackupTo(**reader, copy));  // never overwrites
  auto restored = Store::Open(copy, Access::kRead);
  ASSERT_TRUE(restored) << restored.error().message;
  std::vector<std::int64_t> ids;
  ASSERT_TRUE(ScanEntriesFts(**restored, "kept", {}, [&](const StoredEntry& e) {
    ids.push_back(e.id);
    return true;
  }));
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_TRUE(Vacuum(*store_));
}

TEST_P(SqliteArchiveTest, OneAlertPerStoryIsCheckedFromTheStoryNotTheChannelsWholeOutbox) {
  // Regression: the planner started from outbox_channel_due and read every outbox row of the
  // channel for each new mention (quadratic in the history). The plan must start from the
  // story's entries and reach mentions and outbox by index, whatever the statistics.
  auto plan = DatabaseOf(*store_).Prepare(std::string("EXPLAIN QUERY PLAN ") + kStoryAlertedSql);
  ASSERT_TRUE(plan) << plan.error().message;
  plan->Bind(1, std::int64_t{1}).Bind(2, std::string("mail")).Bind(3, std::int64_t{2});
  std::vector<std::string> steps;
  for (;;) {
    auto row = plan->Step();
    ASSERT_TRUE(row);
    if (!*row) break;
    steps.push_back(plan->Text(3));
  }
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_NE(steps[0].find("SEARCH e USING COVERING INDEX entries_story (story_id=?)"),
            std::string::npos)
      << steps[0];
  EXPECT_NE(steps[1].find("(entry_id=?)"), std::string::npos) << steps[1];
  EXPECT_NE(steps[2].find("(mention_id=? AND channel=?)"), std::string::npos) << steps[2];
}

TEST_P(SqliteArchiveTest, TheWalIsCheckpointedWhileDocumentsAreCommitted) {
  // One statement left open across COMMIT pins a read snapshot and the WAL grows without end
  // (the 1M-entry benchmark reached 12 GB of WAL over a 4 KB database before the fix).
  for (int d = 0; d < 150; ++d) {
    std::vector<EntryRecord> entries;
    for (int i = 0; i < 40; ++i) {
      const std::string key = std::to_string(d) + "-" + std::to_string(i);
      entries.push_back(Entry(key, "Entry title number " + key, "https://a.example/" + key,
                              std::string(600, 'x') + " words " + key, {"marque"}));
    }
    Commit(static_cast<std::size_t>(d % 3), entries, kNow + d);
  }
  const auto wal = std::filesystem::file_size(path_ + "-wal");
  const auto main_file = std::filesystem::file_size(path_);
  EXPECT_LT(wal, 16u * 1024 * 1024) << "main file " << main_file;
  EXPECT_GT(main_file, 1024u * 1024) << "nothing was checkpointed into the main file";
}

TEST_P(SqliteArchiveTest, ScanningPagesThroughEveryEntryWithoutHoldingASnapshotWhileVisiting) {
  for (int d = 0; d < 3; ++d) {
    std::vector<EntryRecord> entries;
    for (int i = 0; i < 400; ++i) {
      const std::string key = std::to_string(d) + "-" + std::to_string(i);
      entries.push_back(
          Entry(key, "Paged entry " + key, "https://a.example/p/" + key, "paged words"));
    }
    Commit(0, entries, kNow + d);
  }
  auto reader = Store::Open(path_, Access::kRead);
  ASSERT_TRUE(reader);
  std::vector<std::int64_t> ids;
  int busy = -1;
  for (const std::string fts : {"paged", ""}) {
    ids.clear();
    ASSERT_TRUE(ScanEntriesFts(**reader, fts, {}, [&](const StoredEntry& e) {
      ids.push_back(e.id);
      if (ids.size() == 700) {
        // The writer can checkpoint the whole WAL and truncate it: no reader snapshot is open.
        auto cp = DatabaseOf(*store_).Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
        EXPECT_TRUE(cp && cp->Step());
        busy = static_cast<int>(cp->Int(0));
      }
      return true;
    }));
    EXPECT_EQ(ids.size(), 1200u) << "fts: " << fts;
    EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend())) << "newest first";
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
    EXPECT_EQ(busy, 0) << "fts: " << fts;
  }
  ids.clear();
  ASSERT_TRUE(ScanEntriesFts(**reader, "paged", {}, [&](const StoredEntry& e) {
    ids.push_back(e.id);
    return ids.size() < 3;
  }));
  EXPECT_EQ(ids.size(), 3u);  // the visitor stops the scan
}

TEST_P(SqliteArchiveTest, AMalformedFullTextExpressionIsAnInvalidArgument) {
  auto r = ScanEntriesFts(*store_, "\"unterminated", {}, [](const StoredEntry&) { return true; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, ArchiveTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SqliteArchiveTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, ArchiveTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqliteArchiveTest);
#endif
}  // namespace veille::store
