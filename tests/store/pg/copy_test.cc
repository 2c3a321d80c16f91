// veille db copy (store/copy.h): an archive from SQLite to PostgreSQL and back, all or nothing,
// into an empty database only. Both backends in one binary (store_pg_test).
#include "store/copy.h"

#include <gtest/gtest.h>

#include "../store_backend.h"
#include "store/fts_query.h"
#include "store/info.h"
#include "store/store.h"
#include "store/triage.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'795'000'000;  // 2026-11-18

const testing::StoreBackend* Sqlite() { return testing::SqliteBackendForTests(); }
const testing::StoreBackend* Postgres() { return testing::PostgresBackendForTests(); }

std::unique_ptr<Store> Open(const std::string& location) {
  auto store = Store::Open(location, Access::kMigrate);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

EntryRecord Entry(const std::string& key, const std::string& title, const std::string& text,
                  bool mention) {
  EntryRecord e;
  e.key = key;
  e.title = title;
  e.link = "https://a.example/" + key;
  e.canonical_link = e.link;
  e.summary = text;
  e.published_at = kNow - 3600;
  e.language = "fr";
  if (mention) {
    MentionRecord m;
    m.rule = "marque";
    m.category = "brand";
    m.terms = {"Orange"};
    m.snippet = text;
    m.channels = {"journal", "equipe"};
    e.mentions.push_back(m);
  }
  return e;
}

// Two feeds, five entries (three with a mention, each alerted on two channels), a triage row
// with tags, on `store`.
void Fill(Store& store) {
  auto feeds =
      store.SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}}, kNow);
  ASSERT_TRUE(feeds) << feeds.error().message;
  for (int i = 0; i < 5; ++i) {
    DocumentCommit c;
    c.feed.feed_id = (*feeds)[i % 2];
    c.feed.fetched_at = kNow + i;
    c.feed.next_due_at = kNow + 1800;
    c.feed.store_validators = true;
    c.feed.etag = "\"v" + std::to_string(i) + "\"";
    c.entries = {Entry("e" + std::to_string(i), "Titre " + std::to_string(i) + " de l'Oréal",
                       "Orange et les médias sociaux, numéro " + std::to_string(i), i % 2 == 0)};
    auto stats = store.CommitDocument(c);
    ASSERT_TRUE(stats) << stats.error().message;
  }
}

std::vector<std::string> Mentions(Store& store) {
  MentionFilter filter;
  filter.limit = 100;
  auto rows = store.ListMentions(filter);
  EXPECT_TRUE(rows) << rows.error().message;
  std::vector<std::string> out;
  if (!rows) return out;
  for (const MentionRow& m : *rows) {
    out.push_back(std::to_string(m.id) + "|" + std::to_string(m.entry_id) + "|" +
                  std::to_string(m.story_id) + "|" + m.rule + "|" + m.feed_name + "|" +
                  m.title.value_or("") + "|" + m.snippet + "|" + m.language.value_or("") + "|" +
                  std::to_string(static_cast<int>(m.status)) + "|" + m.note);
    for (const std::string& tag : m.tags) out.back() += "|" + tag;
  }
  return out;
}

class CopyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& [backend, location] : created_) backend->Remove(location);
  }
  std::string Create(const testing::StoreBackend* backend, const std::string& name) {
    created_.emplace_back(
        backend, backend->Create(name + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    return created_.back().second;
  }
  std::int64_t Count(const testing::StoreBackend* backend, Store& store, const std::string& where,
                     const std::string& sql) {
    auto r = backend->Run(store, where, sql);
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? *r : -1;
  }
  std::vector<std::pair<const testing::StoreBackend*, std::string>> created_;
};

TEST_F(CopyTest, AnArchiveGoesToPostgresqlAndBackUnchanged) {
  const std::string first = Create(Sqlite(), "first");
  auto source = Open(first);
  ASSERT_TRUE(source);
  Fill(*source);
  TriageChange change;
  change.status = TriageStatus::kHandled;
  change.add_tags = {"presse"};
  change.note = "vu";
  change.by = "alice";
  change.at = kNow + 100;
  auto triaged = ApplyTriage(*source, {1}, change);
  ASSERT_TRUE(triaged) << triaged.error().message;
  const std::vector<std::string> expected = Mentions(*source);
  ASSERT_EQ(expected.size(), 3U);

  const std::string server = Create(Postgres(), "server");
  auto pg = Open(server);
  ASSERT_TRUE(pg);
  auto there = CopyArchive(*source, *pg);
  ASSERT_TRUE(there) << there.error().message;
  EXPECT_EQ(Mentions(*pg), expected);
  auto info = ReadDatabaseInfo(*pg);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->feeds, 2);
  EXPECT_EQ(info->entries, 5);
  EXPECT_EQ(info->mentions, 3);
  EXPECT_EQ(info->outbox, 6);
  EXPECT_EQ(Count(Postgres(), *pg, server, "SELECT COUNT(*) FROM triage_tags"), 1);
  EXPECT_EQ(Count(Postgres(), *pg, server, Postgres()->CountFullTextSql()), 5)
      << "PostgreSQL computes the full-text column of every copied entry";
  std::int64_t entries_copied = 0;
  for (const CopiedTable& t : there->tables) {
    if (t.table == "entries") entries_copied = t.rows;
  }
  EXPECT_EQ(entries_copied, 5);
  // The ids go on after the copied ones: a new feed is the third.
  auto more = pg->SyncFeeds({{"https://c.example/feed", "C"}}, kNow);
  ASSERT_TRUE(more) << more.error().message;
  EXPECT_EQ(more->at(0), 3);

  const std::string back = Create(Sqlite(), "back");
  auto again = Open(back);
  ASSERT_TRUE(again);
  auto home = CopyArchive(*pg, *again);
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ(Mentions(*again), expected);
  // SQLite's full-text index is rebuilt from the entries: an accent-free word finds them.
  std::int64_t found = 0;
  auto scanned = ScanEntriesFts(*again, "medias", {}, [&](const StoredEntry&) {
    ++found;
    return true;
  });
  ASSERT_TRUE(scanned) << scanned.error().message;
  EXPECT_EQ(found, 5);
  auto feeds = again->ListFeeds();
  ASSERT_TRUE(feeds);
  ASSERT_EQ(feeds->size(), 3U);
  EXPECT_EQ(feeds->at(0).etag.value_or(""), "\"v4\"") << "validators are copied";
}

TEST_F(CopyTest, ATargetThatHoldsRowsIsRefusedAndLeftAsItWas) {
  const std::string from = Create(Sqlite(), "from");
  auto source = Open(from);
  ASSERT_TRUE(source);
  Fill(*source);
  const std::string to = Create(Postgres(), "to");
  auto target = Open(to);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->SyncFeeds({{"https://z.example/feed", "Z"}}, kNow));
  auto copied = CopyArchive(*source, *target);
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(copied.error().message.find("not empty"), std::string::npos) << copied.error().message;
  EXPECT_EQ(Count(Postgres(), *target, to, "SELECT COUNT(*) FROM feeds"), 1);
  EXPECT_EQ(Count(Postgres(), *target, to, "SELECT COUNT(*) FROM entries"), 0);
}

TEST_F(CopyTest, ARowTheTargetRefusesLeavesTheTargetEmpty) {
  const std::string from = Create(Sqlite(), "from");
  auto source = Open(from);
  ASSERT_TRUE(source);
  Fill(*source);
  // PostgreSQL's text cannot hold a NUL byte; SQLite's can. The last entry carries one.
  ASSERT_TRUE(Sqlite()->Run(*source, from,
                            "UPDATE entries SET title = 'a' || char(0) || 'b' WHERE id = 5"));
  const std::string to = Create(Postgres(), "to");
  auto target = Open(to);
  ASSERT_TRUE(target);
  auto copied = CopyArchive(*source, *target);
  ASSERT_FALSE(copied);
  EXPECT_NE(copied.error().message.find("entries"), std::string::npos) << copied.error().message;
  EXPECT_EQ(copied.error().message.find('\n'), std::string::npos) << copied.error().message;
  for (const char* table : {"feeds", "stories", "entries", "mentions", "outbox"}) {
    EXPECT_EQ(Count(Postgres(), *target, to, std::string("SELECT COUNT(*) FROM ") + table), 0)
        << table << ": nothing is kept of a copy that failed";
  }
  // And once the row is mended, the same target takes the copy.
  ASSERT_TRUE(Sqlite()->Run(*source, from, "UPDATE entries SET title = 'ab' WHERE id = 5"));
  auto retried = CopyArchive(*source, *target);
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(Count(Postgres(), *target, to, "SELECT COUNT(*) FROM entries"), 5);
}

}  // namespace
}  // namespace veille::store
