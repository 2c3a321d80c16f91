// The store suite on both backends: opening, migrating, commits and batches, the outbox, readers
// (store_fixture.h; the mention lists are in store_mentions_test.cc). SqliteStoreTest holds what
// only SQLite has (PRAGMAs, FTS5 segments, a file).
#include "store_fixture.h"

namespace veille::store {
namespace {

using testing::StoreTest;

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

TEST_P(SqliteStoreTest, TheFullTextIndexBuffersABatchOfTermsBeforeWritingASegment) {
  // Migration 21: FTS5 flushes its pending terms to a new segment past `hashsize` (1 MiB by
  // default), which split a 64-document batch into several segments.
  EXPECT_EQ(Sql("SELECT v FROM entries_fts_config WHERE k = 'hashsize'"), 8388608);
}

TEST_P(SqliteStoreTest, ADocumentWhoseSavepointJournalSpillsToAFileStillRollsBackAlone) {
  // SQLite keeps a savepoint's journal (the stored pages a document changes) in memory up to
  // 1 MiB (sqlite.cc), then in a temporary file. This document edits 1,200 stored entries of
  // 2 KB (about 700 pages, 2.8 MB of journal) before it fails: both parts must roll back.
  auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"},
                                {"https://b.example/feed", "B"},
                                {"https://c.example/feed", "C"}},
                               1000);
  ASSERT_TRUE(ids);
  std::vector<std::string> keys;
  for (int i = 0; i < 1200; ++i) keys.push_back("e" + std::to_string(i));
  auto stored = Document(keys, 2000);
  stored.feed.feed_id = (*ids)[1];
  for (EntryRecord& e : stored.entries) e.summary = std::string(2000, 'o');
  auto first = store_->CommitBatch({stored});
  ASSERT_TRUE(first && (*first)[0]);
  ASSERT_EQ(Sql(backend().PoisonSql()), 0);
  auto a = Document({"a1"}, 3000);
  auto b = Document(keys, 3000);
  b.feed.feed_id = (*ids)[1];
  for (EntryRecord& e : b.entries) {
    e.summary = std::string(2000, 'x');
    e.change = EntryRecord::Change::kEdited;
  }
  b.entries.push_back(Document({"poison"}, 3000).entries[0]);  // refused after every edit
  auto c = Document({"c1"}, 3000);
  c.feed.feed_id = (*ids)[2];
  auto results = store_->CommitBatch({a, b, c});
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_TRUE((*results)[0]);
  ASSERT_FALSE((*results)[1]);
  EXPECT_NE((*results)[1].error().message.find("poisoned entry"), std::string::npos);
  ASSERT_TRUE((*results)[2]);
  EXPECT_EQ(Count("entries"), 1202);  // the stored ones, a1 and c1
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM entries WHERE summary = printf('%.*c', 2000, 'o') "
                "AND edits = 0 AND edited_at IS NULL"),
            1200);
  EXPECT_EQ(Sql(backend().CountFullTextSql()), 1202);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH 'ooo'"), 0);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
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
