// Entries edited by their publisher (RELIABILITY.md C4) and the "encoding suspect" mark (B6), as
// the commit writes them: an edit rewrites the stored text, hash and full-text row in the
// document's transaction, counts the edit, keeps the mentions and alerts the entry had, and
// makes a mention (and an alert) only of a rule the new text matches for the first time.
#include "store/entry_versions.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/fts_query.h"
#include "store/internal.h"
#include "store/search.h"
#include "store/store.h"
#include "store_backend.h"

namespace veille::store {
namespace {

// Runs on both backends (store_backend.h: SQLite in store_entry_versions_test, PostgreSQL in
// store_pg_test).
class EntryVersionsTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("versions-") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, 1000);
    ASSERT_TRUE(ids);
    feed_id_ = (*ids)[0];
  }
  void TearDown() override {
    store_.reset();
    GetParam()->Remove(path_);
  }

  static MentionRecord Mention(const std::string& rule) {
    MentionRecord m;
    m.rule = rule;
    m.category = "brand";
    m.terms = {rule};
    m.snippet = "about " + rule;
    m.channels = {"journal"};
    return m;
  }

  // One entry "k" with this title and the mentions of `rules`, as a poll of the feed at `now`.
  DocumentCommit Poll(const std::string& title, std::vector<std::string> rules, UnixSeconds now,
                      EntryRecord::Change change = EntryRecord::Change::kNew) {
    DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 60;
    c.feed.store_validators = true;
    EntryRecord e;
    e.key = "id:k";
    e.link = e.canonical_link = "https://a.example/k";
    e.title = title;
    e.summary = "summary of " + title;
    e.change = change;
    for (const auto& r : rules) e.mentions.push_back(Mention(r));
    c.entries.push_back(e);
    return c;
  }

  std::int64_t Int(const std::string& sql) {
    auto r = GetParam()->Run(*store_, path_, sql);
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? *r : -2;
  }

  // Entries whose full-text row holds `word`.
  std::size_t Found(const std::string& word) {
    if (!GetParam()->sqlite()) {  // search.h is SQLite only so far: the tsvector column itself
      return static_cast<std::size_t>(
          Int("SELECT COUNT(*) FROM entries WHERE fts @@ to_tsquery('simple', '" + word + "')"));
    }
    const std::string& fts = word;
    std::size_t n = 0;
    auto r = ScanEntriesFts(*store_, fts, {}, [&](const StoredEntry&) {
      ++n;
      return true;
    });
    EXPECT_TRUE(r) << r.error().message;
    return n;
  }

  std::optional<std::int64_t> StoredHash() {
    auto hashes = StoredEntryHashes(*store_, feed_id_, {"id:k", "id:absent"});
    EXPECT_TRUE(hashes) << hashes.error().message;
    EXPECT_EQ(hashes->count("id:absent"), 0u);
    EXPECT_EQ(hashes->count("id:k"), 1u);
    return hashes->count("id:k") ? hashes->at("id:k") : std::nullopt;
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::int64_t feed_id_ = 0;
};

#ifndef VEILLE_STORE_TEST_POSTGRES  // backend-independent: in the SQLite binary only
TEST(EntryContentHashTest, IsStableVersionedAndSeesEveryField) {
  const std::int64_t h = EntryContentHash("t", "s", "c");
  EXPECT_EQ(h, EntryContentHash("t", "s", "c"));
  EXPECT_TRUE(IsCurrentContentHash(h));
  EXPECT_GT(h, 0);  // the version byte is the top byte of a positive SQLite integer
  EXPECT_NE(h, EntryContentHash("T", "s", "c"));
  EXPECT_NE(h, EntryContentHash("t", "S", "c"));
  EXPECT_NE(h, EntryContentHash("t", "s", "C"));
  // The same bytes split otherwise between the fields are another text.
  EXPECT_NE(EntryContentHash("ab", "", ""), EntryContentHash("a", "b", ""));
  EXPECT_NE(EntryContentHash("", "ab", ""), EntryContentHash("", "a", "b"));
  EXPECT_FALSE(IsCurrentContentHash(h & ((std::int64_t{1} << 56) - 1)));  // version 0
}
#endif

TEST_P(EntryVersionsTest, ANewEntryStoresTheHashOfItsStoredText) {
  ASSERT_TRUE(store_->CommitDocument(Poll("First title", {"marque"}, 2000)));
  const DocumentCommit c = Poll("First title", {}, 0);
  const EntryRecord& e = c.entries[0];
  EXPECT_EQ(StoredHash(), EntryContentHash(*e.title, *e.summary, ""));
  EXPECT_EQ(Int("SELECT edits FROM entries"), 0);
  EXPECT_EQ(Int("SELECT COALESCE(edited_at, -1) FROM entries"), -1);
}

TEST_P(EntryVersionsTest, AnEditRewritesTheTextAndCountsItWithoutANewMentionOrAlert) {
  ASSERT_TRUE(store_->CommitDocument(Poll("Original zorblax title", {"marque"}, 2000)));
  const std::optional<std::int64_t> before = StoredHash();
  auto stats = store_->CommitDocument(
      Poll("Rewritten quintaro headline", {"marque"}, 3000, EntryRecord::Change::kEdited));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->new_entries, 0);
  EXPECT_EQ(stats->new_mentions, 0);
  ASSERT_EQ(stats->edited.size(), 1u);
  EXPECT_EQ(stats->edited[0].key, "id:k");
  EXPECT_EQ(stats->edited[0].title, "Rewritten quintaro headline");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM entries"), 1);
  EXPECT_EQ(Int("SELECT edits FROM entries"), 1);
  EXPECT_EQ(Int("SELECT COALESCE(edited_at, -1) FROM entries"), 3000);
  EXPECT_EQ(Int("SELECT first_seen_at FROM entries"), 2000);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM entries WHERE title = 'Rewritten quintaro headline' AND "
                "summary = 'summary of Rewritten quintaro headline'"),
            1);
  EXPECT_NE(StoredHash(), before);
  EXPECT_EQ(StoredHash(), EntryContentHash("Rewritten quintaro headline",
                                           "summary of Rewritten quintaro headline", ""));
  // One mention, one alert: the first ones.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM mentions"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox"), 1);
  // The full-text row follows the text: the new words are found, the old ones no longer.
  EXPECT_EQ(Found("quintaro"), 1u);
  EXPECT_EQ(Found("zorblax"), 0u);
  EXPECT_EQ(Found("original"), 0u);

  // The same edit again (a poll that read the hash before the commit) writes nothing.
  stats = store_->CommitDocument(
      Poll("Rewritten quintaro headline", {"marque"}, 4000, EntryRecord::Change::kEdited));
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->edited.empty());
  EXPECT_EQ(Int("SELECT edits FROM entries"), 1);
  EXPECT_EQ(Int("SELECT COALESCE(edited_at, -1) FROM entries"), 3000);
}

TEST_P(EntryVersionsTest, AnEditThatMatchesANewRuleIsANewMentionAndAlertsOnce) {
  ASSERT_TRUE(store_->CommitDocument(Poll("About marque only", {"marque"}, 2000)));
  auto stats = store_->CommitDocument(
      Poll("About marque and rival", {"marque", "rival"}, 3000, EntryRecord::Change::kEdited));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->edited.size(), 1u);
  EXPECT_EQ(stats->new_mentions, 1);
  ASSERT_EQ(stats->mentions.size(), 1u);
  EXPECT_EQ(stats->mentions[0].rule, "rival");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM mentions"), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox o JOIN mentions m ON m.id = o.mention_id "
                "WHERE m.rule = 'rival' AND o.status = 'pending'"),
            1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox o JOIN mentions m ON m.id = o.mention_id "
                "WHERE m.rule = 'marque'"),
            1);
}

TEST_P(EntryVersionsTest, AnEntryStoredWithoutAHashGetsOneQuietly) {
  ASSERT_TRUE(store_->CommitDocument(Poll("Old entry", {"marque"}, 2000)));
  Int("UPDATE entries SET content_hash = NULL");  // as before migration 14
  EXPECT_EQ(StoredHash(), std::nullopt);
  DocumentCommit c = Poll("Old entry", {}, 3000, EntryRecord::Change::kRehash);
  c.entries[0].content_hash = 12345;
  auto stats = store_->CommitDocument(c);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(stats->edited.empty());
  EXPECT_EQ(stats->new_entries, 0);
  EXPECT_EQ(StoredHash(), 12345);
  EXPECT_EQ(Int("SELECT edits FROM entries"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox"), 1);
}

TEST_P(EntryVersionsTest, AnEditOfAnEntryPrunedMeanwhileWritesNothing) {
  auto stats = store_->CommitDocument(Poll("Gone", {"marque"}, 3000, EntryRecord::Change::kEdited));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(stats->edited.empty());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM entries"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM mentions"), 0);
}

TEST_P(EntryVersionsTest, TheEncodingSuspectMarkIsSetKeptAndClearedByTheFeedState) {
  auto mark = [&]() -> std::optional<std::string> {
    auto feed = store_->GetFeed(feed_id_);
    EXPECT_TRUE(feed && *feed);
    return (*feed)->encoding_suspect;
  };
  EXPECT_EQ(mark(), std::nullopt);
  DocumentCommit c = Poll("T", {}, 2000);
  c.feed.encoding_suspect = "bytes that are not UTF-8 were read as windows-1252";
  ASSERT_TRUE(store_->CommitDocument(c));
  EXPECT_EQ(mark(), "bytes that are not UTF-8 were read as windows-1252");
  auto listed = store_->ListFeeds();
  ASSERT_TRUE(listed && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].encoding_suspect, mark());
  EXPECT_EQ((*listed)[0].entry_count, 1);  // the columns after it still read right
  FeedUpdate failed;                       // a poll without a document keeps it
  failed.feed_id = feed_id_;
  failed.fetched_at = 2100;
  failed.outcome = Outcome::kHttp5xx;
  ASSERT_TRUE(store_->UpdateFeed(failed));
  EXPECT_EQ(mark(), "bytes that are not UTF-8 were read as windows-1252");
  c.feed.fetched_at = 2200;
  c.feed.encoding_suspect = "";  // a document that decodes as it declares clears it
  ASSERT_TRUE(store_->CommitDocument(c));
  EXPECT_EQ(mark(), std::nullopt);
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, EntryVersionsTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, EntryVersionsTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif
}  // namespace veille::store
