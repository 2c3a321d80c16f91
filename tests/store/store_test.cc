#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "store/fts_query.h"
#include "store/internal.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/stats.h"
#include "store/triage.h"
#include "store_backend.h"

namespace veille::store {
namespace {

// The suite runs on both backends (store_backend.h): on SQLite in store_test, on PostgreSQL in
// store_pg_test. SqliteStoreTest holds what only SQLite has (PRAGMAs, FTS5 segments, a file).
class StoreTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = backend().Create(::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, 1000);
    ASSERT_TRUE(ids);
    feed_id_ = (*ids)[0];
  }
  void TearDown() override {
    store_.reset();
    backend().Remove(path_);
  }

  const testing::StoreBackend& backend() const { return *GetParam(); }

  DocumentCommit Document(std::vector<std::string> keys, UnixSeconds now) {
    DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    c.feed.store_validators = true;
    c.feed.etag = "\"v1\"";
    for (const auto& k : keys) {
      EntryRecord e;
      e.key = k;
      e.title = "Title " + k;
      e.link = "https://a.example/" + k;
      MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.terms = {"Orélia"};
      m.snippet = "about Orélia";
      m.highlights = {{6, 13}};
      m.channels = {"journal"};
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    return c;
  }

  // `sql` on the test's database (store_backend.h Run): a count, or 0 for a statement.
  std::int64_t Sql(const std::string& sql) {
    auto r = backend().Run(*store_, path_, sql);
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? *r : -1;
  }
  std::int64_t Count(const char* table) {
    return Sql(std::string("SELECT COUNT(*) FROM ") + table);
  }

  // A repository (search.h, stats.h...) with no PostgreSQL implementation yet refuses cleanly.
  template <typename T>
  void ExpectNotOnPostgresYet(const Result<T>& r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kStorageUnavailable);
    EXPECT_NE(r.error().message.find("not available on PostgreSQL yet"), std::string::npos)
        << r.error().message;
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::int64_t feed_id_ = 0;
};

class SqliteStoreTest : public StoreTest {};

TEST_P(SqliteStoreTest, MigratesAnEmptyFileToTheCurrentVersion) {
  auto stmt = DatabaseOf(*store_).Prepare("PRAGMA user_version");
  ASSERT_TRUE(stmt);
  ASSERT_TRUE(stmt->Step());
  EXPECT_EQ(stmt->Int(0), SchemaVersion());
  auto journal = DatabaseOf(*store_).Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(journal && journal->Step());
  EXPECT_EQ(journal->Text(0), "wal");
}

TEST_P(StoreTest, ReopeningAMigratedDatabaseKeepsItsData) {
  auto committed = store_->CommitDocument(Document({"a"}, 2000));
  ASSERT_TRUE(committed) << committed.error().message;
  store_.reset();
  auto s = Store::Open(path_, Access::kMigrate);
  ASSERT_TRUE(s) << s.error().message;
  store_ = std::move(*s);
  EXPECT_EQ(Count("entries"), 1);
}

// RELIABILITY.md E6: the daemon learns that its file was deleted or replaced under it.
TEST_P(SqliteStoreTest, NoticesTheDatabaseFileDeletedOrReplaced) {
  auto moved = DatabaseOf(*store_).FileHasMoved();
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_FALSE(*moved);
  std::filesystem::rename(path_, path_ + ".old");
  moved = DatabaseOf(*store_).FileHasMoved();
  ASSERT_TRUE(moved);
  EXPECT_TRUE(*moved) << "deleted";
  // Another database at the same path is still not ours.
  auto other = Store::Open(path_, Access::kMigrate);
  ASSERT_TRUE(other) << other.error().message;
  moved = DatabaseOf(*store_).FileHasMoved();
  ASSERT_TRUE(moved);
  EXPECT_TRUE(*moved) << "replaced";
  moved = DatabaseOf(**other).FileHasMoved();
  ASSERT_TRUE(moved);
  EXPECT_FALSE(*moved);
}

TEST_P(StoreTest, ARepeatedDocumentCreatesNoDuplicateEntriesMentionsOrAlerts) {
  auto first = store_->CommitDocument(Document({"a", "b"}, 2000));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->new_entries, 2);
  EXPECT_EQ(first->new_mentions, 2);
  auto second = store_->CommitDocument(Document({"a", "b", "c"}, 3000));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->new_entries, 1);
  EXPECT_EQ(second->new_mentions, 1);
  EXPECT_EQ(Count("entries"), 3);
  EXPECT_EQ(Count("mentions"), 3);
  EXPECT_EQ(Count("outbox"), 3);
}

TEST_P(StoreTest, CommitWritesTheFeedStateWithTheEntries) {
  ASSERT_TRUE(store_->CommitDocument(Document({"a"}, 2000)));
  auto feed = store_->GetFeed(feed_id_);
  ASSERT_TRUE(feed && *feed);
  EXPECT_EQ((*feed)->etag, "\"v1\"");
  EXPECT_EQ((*feed)->last_fetch_at, 2000);
  EXPECT_EQ((*feed)->first_polled_at, 2000);
  EXPECT_EQ((*feed)->last_new_entry_at, 2000);
  EXPECT_EQ((*feed)->next_due_at, 3800);
  EXPECT_EQ((*feed)->last_outcome, "ok");
}

TEST_P(SqliteStoreTest, AFeedStateUpdateLeavesDocumentCommitsFullySynced) {
  auto synchronous = [&] {
    auto stmt = DatabaseOf(*store_).Prepare("PRAGMA synchronous");
    EXPECT_TRUE(stmt);
    auto row = stmt->Step();
    EXPECT_TRUE(row && *row);
    return stmt->Int(0);
  };
  EXPECT_EQ(synchronous(), 2);  // FULL
  FeedUpdate u;
  u.feed_id = feed_id_;
  u.fetched_at = 2000;
  u.outcome = Outcome::kNotModified;
  u.next_due_at = 3800;
  ASSERT_TRUE(store_->UpdateFeed(u));
  EXPECT_EQ(synchronous(), 2);  // back to FULL for the next document and delivery marks
  auto feed = store_->GetFeed(feed_id_);
  ASSERT_TRUE(feed && *feed);
  EXPECT_EQ((*feed)->last_outcome, "not_modified");
  EXPECT_EQ((*feed)->next_due_at, 3800);
  u.feed_id = 999;  // no such feed: nothing is written, and FULL is restored all the same
  (void)store_->UpdateFeed(u);
  EXPECT_EQ(synchronous(), 2);
}

TEST_P(StoreTest, ARecoveredParseDoesNotStoreValidators) {
  auto doc = Document({"a"}, 2000);
  doc.feed.store_validators = false;
  ASSERT_TRUE(store_->CommitDocument(doc));
  auto feed = store_->GetFeed(feed_id_);
  ASSERT_TRUE(feed && *feed);
  EXPECT_FALSE((*feed)->etag);
  EXPECT_FALSE((*feed)->first_polled_at);
}

TEST_P(StoreTest, AFailedCommitLeavesNothingBehind) {
  auto doc = Document({"a"}, 2000);
  doc.feed.feed_id = 999;  // no such feed
  ASSERT_FALSE(store_->CommitDocument(doc));
  EXPECT_EQ(Count("entries"), 0);
  EXPECT_EQ(Count("mentions"), 0);
}

TEST_P(SqliteStoreTest, DiskFullRollsTheWholeDocumentBack) {
  ASSERT_TRUE(store_->CommitDocument(Document({"seed"}, 1500)));
  auto pages = DatabaseOf(*store_).Prepare("PRAGMA page_count");
  ASSERT_TRUE(pages && pages->Step());
  const auto count = pages->Int(0);
  ASSERT_TRUE(DatabaseOf(*store_).Exec("PRAGMA max_page_count = " + std::to_string(count)));
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back("k" + std::to_string(i));
  auto big = Document(keys, 2000);
  for (auto& e : big.entries) e.content = std::string(4000, 'x');
  auto r = store_->CommitDocument(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStorageFull);
  EXPECT_EQ(Count("entries"), 1);
  auto check = DatabaseOf(*store_).Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check && check->Step());
  EXPECT_EQ(check->Text(0), "ok");
}

TEST_P(StoreTest, ABatchCommitsEveryDocumentInOneTransaction) {
  auto ids =
      store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, 1000);
  ASSERT_TRUE(ids);
  auto a = Document({"a1", "a2"}, 2000);
  auto b = Document({"b1"}, 2000);
  b.feed.feed_id = (*ids)[1];
  FeedUpdate not_modified;  // a 304 in the same batch: its state alone
  not_modified.feed_id = feed_id_;
  not_modified.fetched_at = 2001;
  not_modified.outcome = Outcome::kNotModified;
  DocumentCommit state_only;
  state_only.feed = not_modified;
  auto results = store_->CommitBatch({a, b});
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 2U);
  ASSERT_TRUE((*results)[0]);
  ASSERT_TRUE((*results)[1]);
  EXPECT_EQ((*results)[0]->new_entries, 2);
  EXPECT_EQ((*results)[1]->new_entries, 1);
  EXPECT_EQ(Count("entries"), 3);
  EXPECT_EQ(Count("outbox"), 3);
  auto feed_b = store_->GetFeed((*ids)[1]);
  ASSERT_TRUE(feed_b && *feed_b);
  EXPECT_EQ((*feed_b)->etag, "\"v1\"");
  auto states = store_->CommitBatch({state_only});
  ASSERT_TRUE(states && (*states)[0]);
  auto feed_a = store_->GetFeed(feed_id_);
  ASSERT_TRUE(feed_a && *feed_a);
  EXPECT_EQ((*feed_a)->last_outcome, "not_modified");
  EXPECT_EQ((*feed_a)->etag, "\"v1\"");  // kept from the document
}

TEST_P(StoreTest, AFailingDocumentRollsBackAloneAndTheOthersCommit) {
  auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"},
                                {"https://b.example/feed", "B"},
                                {"https://c.example/feed", "C"}},
                               1000);
  ASSERT_TRUE(ids);
  // A real database failure in the middle of one document: its second entry is refused.
  ASSERT_EQ(Sql(backend().PoisonSql()), 0);
  auto a = Document({"a1"}, 2000);
  auto b = Document({"b1", "poison"}, 2000);  // b1 is written, then the document fails
  b.feed.feed_id = (*ids)[1];
  b.feed.etag = "\"b-new\"";
  auto c = Document({"c1"}, 2000);
  c.feed.feed_id = (*ids)[2];
  auto results = store_->CommitBatch({a, b, c});
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_TRUE((*results)[0]);
  ASSERT_FALSE((*results)[1]);
  EXPECT_NE((*results)[1].error().message.find("poisoned entry"), std::string::npos);
  ASSERT_TRUE((*results)[2]);
  EXPECT_EQ(Count("entries"), 2);  // a1 and c1; nothing of b, not even b1
  EXPECT_EQ(Count("mentions"), 2);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_EQ(Sql(backend().CountFullTextSql()), 2);
  auto feed_b = store_->GetFeed((*ids)[1]);
  ASSERT_TRUE(feed_b && *feed_b);
  EXPECT_FALSE((*feed_b)->etag);  // no validator without its document: refetched in full
  EXPECT_FALSE((*feed_b)->first_polled_at);
  EXPECT_EQ((*feed_b)->last_outcome, "storage");
  EXPECT_NE((*feed_b)->last_error.value_or("").find("poisoned entry"), std::string::npos);
  EXPECT_EQ((*feed_b)->next_due_at, 2000 + kStorageRetrySeconds);
  auto feed_c = store_->GetFeed((*ids)[2]);
  ASSERT_TRUE(feed_c && *feed_c);
  EXPECT_EQ((*feed_c)->etag, "\"v1\"");
  // The document goes in whole on its retry.
  ASSERT_EQ(Sql(backend().UnpoisonSql()), 0);
  auto retried = store_->CommitBatch({b});
  ASSERT_TRUE(retried && (*retried)[0]);
  EXPECT_EQ((*retried)[0]->new_entries, 2);
}

TEST_P(SqliteStoreTest, ABatchMakesOneFullTextSegmentWhateverItsDocuments) {
  auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"},
                                {"https://b.example/feed", "B"},
                                {"https://c.example/feed", "C"}},
                               1000);
  ASSERT_TRUE(ids);
  auto segments = [&] {
    auto stmt = DatabaseOf(*store_).Prepare("SELECT COUNT(DISTINCT segid) FROM entries_fts_idx");
    EXPECT_TRUE(stmt && stmt->Step());
    return stmt ? stmt->Int(0) : -1;
  };
  const std::int64_t before = segments();
  std::vector<DocumentCommit> batch;
  for (std::size_t i = 0; i < 3; ++i) {
    batch.push_back(Document({"k" + std::to_string(i) + "a", "k" + std::to_string(i) + "b"}, 2000));
    batch.back().feed.feed_id = (*ids)[i];
  }
  auto results = store_->CommitBatch(batch);
  ASSERT_TRUE(results);
  for (const auto& r : *results) ASSERT_TRUE(r);
  EXPECT_EQ(Count("entries_fts"), 6);
  // FTS5 flushes its pending terms at every savepoint: rows written inside each document's
  // savepoint made one segment per document.
  EXPECT_EQ(segments(), before + 1);
}

TEST_P(StoreTest, AStoryAcrossTwoDocumentsOfOneBatchIsOneStory) {
  auto ids =
      store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, 1000);
  ASSERT_TRUE(ids);
  auto a = Document({"a1"}, 2000);
  auto b = Document({"b1"}, 2000);
  b.feed.feed_id = (*ids)[1];
  b.entries[0].title = a.entries[0].title;  // the same story syndicated by a second feed
  b.entries[0].canonical_link = a.entries[0].canonical_link = "https://news.example/story";
  auto results = store_->CommitBatch({a, b});
  ASSERT_TRUE(results && (*results)[0] && (*results)[1]);
  EXPECT_EQ(Count("stories"), 1);
  // One alert per story and channel: the copy from the second feed is recorded as suppressed.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"), 1);
}

TEST_P(SqliteStoreTest, DiskFullDuringABatchRollsEveryDocumentBack) {
  auto ids =
      store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, 1000);
  ASSERT_TRUE(ids);
  ASSERT_TRUE(store_->CommitDocument(Document({"seed"}, 1500)));
  auto pages = DatabaseOf(*store_).Prepare("PRAGMA page_count");
  ASSERT_TRUE(pages && pages->Step());
  ASSERT_TRUE(DatabaseOf(*store_).Exec("PRAGMA max_page_count = " + std::to_string(pages->Int(0))));
  auto small = Document({"s1"}, 2000);  // would fit alone, first in the batch
  small.feed.etag = "\"small\"";
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back("k" + std::to_string(i));
  auto big = Document(keys, 2000);
  big.feed.feed_id = (*ids)[1];
  for (auto& e : big.entries) e.content = std::string(4000, 'x');
  auto r = store_->CommitBatch({small, big});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStorageFull);
  EXPECT_EQ(Count("entries"), 1);  // the seed only: the small document went back too
  auto feed = store_->GetFeed(feed_id_);
  ASSERT_TRUE(feed && *feed);
  EXPECT_EQ((*feed)->etag, "\"v1\"");  // the seed's validators, not the batch's
  EXPECT_FALSE(DatabaseOf(*store_).InTransaction());
  auto check = DatabaseOf(*store_).Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check && check->Step());
  EXPECT_EQ(check->Text(0), "ok");
}

TEST_P(StoreTest, PreloadedStoryKeysJoinTheFirstCommitToItsStory) {
  const std::string title = "Rappel massif de crèmes solaires";  // a title key: 3+ words
  auto a = Document({"a1"}, 2000);
  a.entries[0].title = title;
  ASSERT_TRUE(store_->CommitDocument(a));
  store_.reset();  // a restart: the keys are loaded again, here off the writer's thread
  auto reopened = Store::Open(path_, Access::kMigrate);
  ASSERT_TRUE(reopened);
  store_ = std::move(*reopened);
  store_->PreloadStoryKeys(2100);
  auto ids =
      store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, 2100);
  ASSERT_TRUE(ids);
  auto b = Document({"b1"}, 2100);
  b.feed.feed_id = (*ids)[1];
  b.entries[0].title = title;  // the stored entry's title: the same story
  auto r = store_->CommitDocument(b);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Count("stories"), 1);
}

TEST_P(StoreTest, SuppressedAlertsAreRecordedButNeverDue) {
  auto doc = Document({"a"}, 2000);
  doc.alerts_enabled = false;
  ASSERT_TRUE(store_->CommitDocument(doc));
  EXPECT_EQ(Count("outbox"), 1);
  auto due = store_->DueOutbox(5000, 10);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty());
}

TEST_P(StoreTest, OutboxRowsAreDueThenDeliveredOnce) {
  ASSERT_TRUE(store_->CommitDocument(Document({"a"}, 2000)));
  auto due = store_->DueOutbox(2000, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].channel, "journal");
  EXPECT_EQ((*due)[0].idempotency_key.size(), 35u);
  ASSERT_TRUE(store_->MarkDelivered((*due)[0].id, 2001));
  auto again = store_->DueOutbox(9999, 10);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreTest, ListsMentionsNewestFirstWithFilters) {
  ASSERT_TRUE(store_->CommitDocument(Document({"a"}, 2000)));
  ASSERT_TRUE(store_->CommitDocument(Document({"b"}, 3000)));
  MentionFilter all;
  auto rows = store_->ListMentions(all);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].title, "Title b");
  EXPECT_EQ((*rows)[0].terms, std::vector<std::string>{"Orélia"});
  EXPECT_EQ((*rows)[0].highlights.size(), 1u);
  EXPECT_EQ((*rows)[0].feed_name, "A");
  MentionFilter since;
  since.since = 2500;
  auto recent = store_->ListMentions(since);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 1u);
  MentionFilter other_rule;
  other_rule.rule = "concurrents";
  auto none = store_->ListMentions(other_rule);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreTest, AnOffsetSkipsMentionsInTheListsOrderUpToAndPastTheEnd) {
  // Five mentions, two of them at one time (the id breaks the tie).
  ASSERT_TRUE(store_->CommitDocument(Document({"a"}, 2000)));
  ASSERT_TRUE(store_->CommitDocument(Document({"b", "c"}, 3000)));
  ASSERT_TRUE(store_->CommitDocument(Document({"d", "e"}, 4000)));
  MentionFilter all;
  all.limit = 0;
  auto every = store_->ListMentions(all);
  ASSERT_TRUE(every);
  ASSERT_EQ(every->size(), 5u);
  auto titles = [&](int offset, int limit) {
    MentionFilter f;
    f.offset = offset;
    f.limit = limit;
    auto rows = store_->ListMentions(f);
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<std::string> out;
    for (const auto& m : *rows) out.push_back(m.title.value_or(""));
    return out;
  };
  auto expected = [&](std::size_t from, std::size_t to) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < std::min(to, every->size()); ++i)
      out.push_back((*every)[i].title.value_or(""));
    return out;
  };
  EXPECT_EQ(titles(0, 2), expected(0, 2));
  EXPECT_EQ(titles(2, 2), expected(2, 4)) << "a page between the two mentions of one time";
  EXPECT_EQ(titles(4, 2), expected(4, 5)) << "the last page, short";
  EXPECT_TRUE(titles(5, 2).empty()) << "a page just past the end";
  EXPECT_TRUE(titles(500, 2).empty()) << "a page far past the end";
  EXPECT_EQ(titles(3, 0), expected(3, 5)) << "an offset without a limit";
  EXPECT_EQ(titles(-4, 2), expected(0, 2)) << "a negative offset is none";
  MentionFilter filtered;
  filtered.since = 2500;
  filtered.offset = 3;
  auto rows = store_->ListMentions(filtered);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u) << "the offset counts within the filter";
  EXPECT_EQ((*rows)[0].title, (*every)[3].title);
}

TEST_P(StoreTest, AnOffsetPageIsTheSliceOfTheFilteredListWhateverTheFilterJoins) {
  // A page past the first is chosen from the tables its filter needs (a status needs triage, a
  // language or a feed the entries, on PostgreSQL): each must give the slice of the whole list.
  DocumentCommit c = Document({"a", "b", "c", "d", "e", "f", "g"}, 2000);
  for (std::size_t i = 0; i < c.entries.size(); ++i) {
    c.entries[i].language = i % 3 == 0 ? "en" : "fr";
    c.entries[i].language_source = "declared";
  }
  ASSERT_TRUE(store_->CommitDocument(c));
  ASSERT_TRUE(store_->CommitDocument(Document({"h", "i"}, 3000)));
  MentionFilter all;
  all.limit = 0;
  auto every = store_->ListMentions(all);
  ASSERT_TRUE(every);
  ASSERT_EQ(every->size(), 9u);
  TriageChange handled;
  handled.status = TriageStatus::kHandled;
  handled.add_tags = {"presse"};
  handled.at = 4000;
  ASSERT_TRUE(ApplyTriage(*store_, {(*every)[1].id, (*every)[3].id, (*every)[4].id}, handled));
  auto ids = [](const std::vector<MentionRow>& rows, std::size_t from, std::size_t to) {
    std::vector<std::int64_t> out;
    for (std::size_t i = from; i < std::min(to, rows.size()); ++i) out.push_back(rows[i].id);
    return out;
  };
  // Some entries' ids, one twice: their mentions in the list's order, each once.
  std::vector<std::int64_t> some_entries = {(*every)[7].entry_id, (*every)[0].entry_id,
                                            (*every)[3].entry_id, (*every)[4].entry_id,
                                            (*every)[0].entry_id};
  std::vector<std::int64_t> of_some_entries;
  for (const auto& m : *every) {
    if (std::find(some_entries.begin(), some_entries.end(), m.entry_id) != some_entries.end())
      of_some_entries.push_back(m.id);
  }
  std::vector<std::pair<std::string, MentionFilter>> filters(8);
  filters[0].first = "none";
  filters[1].first = "status new";
  filters[1].second.statuses = {TriageStatus::kNew};
  filters[2].first = "status handled, language fr";
  filters[2].second.statuses = {TriageStatus::kHandled};
  filters[2].second.language = "fr";
  filters[3].first = "language fr";
  filters[3].second.language = "fr";
  filters[4].first = "feed, since";
  filters[4].second.feed_ids = {feed_id_};
  filters[4].second.since = 2000;
  filters[5].first = "tag";
  filters[5].second.tag = "presse";
  filters[6].first = "entry ids";
  filters[6].second.entry_ids = some_entries;
  filters[7].first = "entry ids, status new";
  filters[7].second.entry_ids = some_entries;
  filters[7].second.statuses = {TriageStatus::kNew};
  for (auto& [name, filter] : filters) {
    filter.limit = 0;
    auto whole = store_->ListMentions(filter);
    ASSERT_TRUE(whole) << name << ": " << whole.error().message;
    ASSERT_FALSE(whole->empty()) << name;
    for (int offset = 1; offset <= static_cast<int>(whole->size()); ++offset) {
      MentionFilter page = filter;
      page.offset = offset;
      page.limit = 2;
      auto rows = store_->ListMentions(page);
      ASSERT_TRUE(rows) << name << ": " << rows.error().message;
      EXPECT_EQ(ids(*rows, 0, rows->size()),
                ids(*whole, static_cast<std::size_t>(offset), static_cast<std::size_t>(offset) + 2))
          << name << ", offset " << offset;
    }
  }
  MentionFilter by_entries = filters[6].second;
  auto listed = store_->ListMentions(by_entries);
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(ids(*listed, 0, listed->size()), of_some_entries)
      << "an entry id list gives their mentions, each once, newest first";
  MentionFilter handled_fr = filters[2].second;
  auto rows = store_->ListMentions(handled_fr);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u) << "two of the three handled are in French";
}

TEST_P(StoreTest, TheLanguageFilterKeepsEntriesInTheLanguageDeclaredOrDetected) {
  DocumentCommit c = Document({"fr", "frca", "en", "none", "fra"}, 2000);
  const std::pair<const char*, const char*> languages[] = {
      {"fr", "detected"},
      {"fr-CA", "declared"},
      {"en", "detected"},
      {nullptr, nullptr},
      {"fra", "declared"}};  // fra is not fr: a tag prefix ends at a subtag
  for (std::size_t i = 0; i < c.entries.size(); ++i) {
    if (languages[i].first) {
      c.entries[i].language = languages[i].first;
      c.entries[i].language_source = languages[i].second;
    }
  }
  ASSERT_TRUE(store_->CommitDocument(c));
  MentionFilter filter;
  filter.language = "FR";
  auto rows = store_->ListMentions(filter);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].title, "Title frca");
  EXPECT_EQ((*rows)[0].language, "fr-CA");
  EXPECT_EQ((*rows)[0].language_source, "declared");
  EXPECT_EQ((*rows)[1].title, "Title fr");
  EXPECT_EQ((*rows)[1].language_source, "detected");
  filter.language = "fr_ca";
  rows = store_->ListMentions(filter);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  filter.language = "";
  rows = store_->ListMentions(filter);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 5u);

  for (CountBy by : {CountBy::kEntryDate, CountBy::kDetected}) {
    StatsQuery query;
    query.since = 0;
    query.now = 3000;
    query.count_by = by;
    query.language = "fr";
    auto volume = MentionVolume(*store_, query);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->total, 2);
    auto sources = TopSources(*store_, query, 10);
    ASSERT_TRUE(sources) << sources.error().message;
    ASSERT_EQ(sources->size(), 1u);
    EXPECT_EQ((*sources)[0].mentions, 2);
    auto reach = MentionReach(*store_, query);
    ASSERT_TRUE(reach) << reach.error().message;
    EXPECT_EQ(reach->sources, 1);
    query.language = "de";
    volume = MentionVolume(*store_, query);
    ASSERT_TRUE(volume);
    EXPECT_EQ(volume->total, 0);
  }

  if (!backend().sqlite()) {  // ScanEntriesFts takes an FTS5 expression: SQLite only
    ExpectNotOnPostgresYet(
        ScanEntriesFts(*store_, "", EntryFilter{}, [](const StoredEntry&) { return true; }));
    return;
  }
  for (EntryOrder order : {EntryOrder::kDetected, EntryOrder::kDate, EntryOrder::kRelevance}) {
    EntryFilter entries;
    entries.language = "en";
    entries.order = order;
    std::vector<std::string> titles;
    ASSERT_TRUE(ScanEntriesFts(*store_, order == EntryOrder::kRelevance ? "title" : "", entries,
                               [&](const StoredEntry& e) {
                                 titles.push_back(e.title.value_or(""));
                                 EXPECT_EQ(e.language_source, "detected");
                                 return true;
                               }));
    EXPECT_EQ(titles, std::vector<std::string>{"Title en"});
  }
}

TEST_P(StoreTest, MentionsByLanguageGroupOnThePrimarySubtagAndPutTheUnknownLast) {
  DocumentCommit c = Document({"fr", "frca", "en", "none", "fra", "FR-be"}, 2000);
  const char* languages[] = {"fr", "fr-CA", "en", nullptr, "fra", "FR-be"};
  for (std::size_t i = 0; i < c.entries.size(); ++i) {
    if (languages[i]) {
      c.entries[i].language = languages[i];
      c.entries[i].language_source = "declared";
    }
  }
  ASSERT_TRUE(store_->CommitDocument(c));
  StatsQuery query;
  query.since = 0;
  query.now = 3000;
  auto counts = MentionLanguages(*store_, query);
  ASSERT_TRUE(counts) << counts.error().message;
  ASSERT_EQ(counts->size(), 4u);
  EXPECT_EQ((*counts)[0].language, "fr");  // fr, fr-CA and FR-be
  EXPECT_EQ((*counts)[0].mentions, 3);
  EXPECT_EQ((*counts)[0].stories, 3);
  EXPECT_EQ((*counts)[1].language, "en");  // then one mention each, by tag
  EXPECT_EQ((*counts)[2].language, "fra");
  EXPECT_EQ((*counts)[3].language, "");  // no known language: last
  EXPECT_EQ((*counts)[3].mentions, 1);

  query.language = "fr";  // the filters apply: only French entries
  counts = MentionLanguages(*store_, query);
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].mentions, 3);
  query.language = "";
  query.since = 2500;  // nothing detected since
  counts = MentionLanguages(*store_, query);
  ASSERT_TRUE(counts);
  EXPECT_TRUE(counts->empty());
}

TEST_P(StoreTest, AReadOnlyReaderSeesCommittedDataAndCannotWrite) {
  ASSERT_TRUE(store_->CommitDocument(Document({"a"}, 2000)));
  auto reader = Store::Open(path_, Access::kRead);
  ASSERT_TRUE(reader) << reader.error().message;
  auto rows = (*reader)->ListMentions(MentionFilter{});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 1u);
  DaemonStatus status;
  status.pid = 1;
  status.version = "test";
  EXPECT_FALSE((*reader)->WriteStatus(status));
  EXPECT_EQ(Count("daemon_status"), 0);
}

// Only the daemon and `veille db migrate` change the schema: a reader or a short writer refuses
// a database of another version, with the same words on both backends.
TEST_P(StoreTest, ReadersAndWritersRefuseAnOlderOrNewerSchemaAndSayWhatToDo) {
  auto set_version = [&](int version) { Sql(backend().SetSchemaVersionSql(version)); };
  set_version(SchemaVersion() + 1);
  for (Access access : {Access::kRead, Access::kWrite}) {
    auto newer = Store::Open(path_, access);
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("newer than this veille"), std::string::npos)
        << newer.error().message;
  }
  auto migrating = Store::Open(path_, Access::kMigrate);
  ASSERT_FALSE(migrating);
  EXPECT_NE(migrating.error().message.find("upgrade veille"), std::string::npos);
  set_version(SchemaVersion() - 1);
  auto older = Store::Open(path_, Access::kRead);
  ASSERT_FALSE(older);
  EXPECT_NE(older.error().message.find("run `veille db migrate`"), std::string::npos)
      << older.error().message;
}

TEST_P(StoreTest, AReaderOfADatabaseWithoutItsSchemaSaysHowToCreateIt) {
  const std::string empty = backend().CreateEmpty("empty-" + std::to_string(feed_id_));
  auto r = Store::Open(empty, Access::kRead);
  backend().Remove(empty);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("has veilled run yet"), std::string::npos) << r.error().message;
}

#ifndef VEILLE_STORE_TEST_POSTGRES  // backend-independent: in the SQLite binary only
TEST(StoreOpenTest, ReadOnlyOpenOfAMissingFileSaysSo) {
  auto r = Store::Open("/nonexistent/dir/veille.db", Access::kRead);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("has veilled run yet"), std::string::npos);
}
#endif

#ifndef VEILLE_STORE_TEST_POSTGRES  // backend-independent: in the SQLite binary only
TEST(StoreCodecTest, HighlightsAndLinesRoundTrip) {
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> h = {{0, 5}, {17, 30}};
  EXPECT_EQ(DecodeHighlights(EncodeHighlights(h)), h);
  EXPECT_EQ(SplitLines(JoinLines({"a b", "c\nd"})), (std::vector<std::string>{"a b", "c d"}));
  EXPECT_TRUE(SplitLines("").empty());
}
#endif

}  // namespace

// The SQLite instantiation; store_pg_test instantiates StoreTest on PostgreSQL
// (pg/store_backend_pg.cc).
#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, StoreTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
INSTANTIATE_TEST_SUITE_P(Backend, SqliteStoreTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, StoreTest, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqliteStoreTest);
#endif
}  // namespace veille::store
