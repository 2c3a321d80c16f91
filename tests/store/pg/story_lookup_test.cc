// The PostgreSQL writer's new-entry statement (store/pg/story_lookup.h) finds the story
// through the indexes of migration 15 rather than reading the whole entries table, and a link
// longer than a btree key may be is stored and found.
#include "store/pg/story_lookup.h"

#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "store/pg/schema.h"

namespace veille::store::pg {
namespace {

using testing::TestServer;
using testing::WithConninfo;

class PgStoryLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = Connection::Open(
        WithConninfo(TestServer::Get().Conninfo(TestServer::Get().CreateDatabase())));
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = std::move(*conn);
    ASSERT_TRUE(Migrate(*conn_));
    // 5,000 entries of 50 feeds, a story each, 2,500 distinct links and title keys: the writer's
    // table after a few days.
    auto filled = conn_->ExecScript(R"sql(
INSERT INTO feeds (url, created_at) SELECT 'https://f' || i || '.example/feed', 1
  FROM generate_series(1, 50) i;
INSERT INTO stories (canonical_link, title_key, first_seen_at)
  SELECT 'https://news.example/' || i, 'titre ' || i, 1000 + i FROM generate_series(1, 2500) i;
INSERT INTO entries (feed_id, entry_key, canonical_link, title, title_key, first_seen_at, story_id)
  SELECT 1 + i % 50, 'k' || i, 'https://news.example/' || (1 + i % 2500), 'Titre',
         'titre ' || (1 + i % 2500), 1000 + i, 1 + i % 2500
  FROM generate_series(1, 5000) i;
ANALYZE entries;
)sql");
    ASSERT_TRUE(filled) << filled.error().message;
  }

  // The plan of the writer's statement for a new entry `key` with this canonical link and
  // title key, run (EXPLAIN ANALYZE) in a transaction rolled back.
  std::string Plan(const std::string& link, const std::string& title_key) {
    EXPECT_TRUE(conn_->ExecScript("BEGIN"));
    auto r = conn_->Exec(
        std::string("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ") + kInsertEntrySql,
        Params("new", link, title_key));
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_TRUE(conn_->ExecScript("ROLLBACK"));
    std::string out;
    for (int i = 0; r && i < r->size(); ++i) out += r->Text(i, 0) + "\n";
    return out;
  }

  // kInsertEntrySql's parameters for an entry of feed 1 first seen at 9000, published at
  // 1100, the story window open since 0 (the texts are kept in the fixture).
  std::vector<Param> Params(const std::string& key, const std::string& link,
                            const std::string& title_key) {
    texts_ = {key, link, title_key};
    return {1,         texts_[0], nullptr, nullptr, texts_[1], "Titre", nullptr,
            1100,      nullptr,   nullptr, nullptr, "",        nullptr, 9000,
            texts_[2], nullptr,   0,       0,       1100,      172800};
  }

  // The story of a new entry written by the writer's statement.
  std::optional<std::int64_t> Insert(const std::string& key, const std::string& link,
                                     const std::string& title_key) {
    auto r = conn_->Exec(kInsertEntrySql, Params(key, link, title_key));
    EXPECT_TRUE(r) << r.error().message;
    if (!r || r->empty() || r->IsNull(0, 0)) return std::nullopt;
    return r->Int(0, 1);
  }

  std::unique_ptr<Connection> conn_;
  std::vector<std::string> texts_;
};

TEST_F(PgStoryLookupTest, ByCanonicalLinkAndByTitleKeyThroughTheirIndexes) {
  // The link finds its story; an unknown link falls back to the title key.
  const std::string by_link = Plan("https://news.example/42", "titre 42");
  const std::string by_title = Plan("https://news.example/unknown", "titre 42");
  EXPECT_NE(by_link.find("entries_canonical"), std::string::npos) << by_link;
  EXPECT_EQ(by_link.find("Seq Scan"), std::string::npos) << by_link;
  EXPECT_NE(by_title.find("entries_title_key"), std::string::npos) << by_title;
  EXPECT_EQ(by_title.find("Seq Scan"), std::string::npos) << by_title;
  EXPECT_EQ(Insert("by-link", "https://news.example/42", "nothing like it"), 42);
  EXPECT_EQ(Insert("by-title", "https://news.example/unknown", "titre 43"), 43);
  // What the plans were before migration 15 (for the record: docs/storage.md).
  ASSERT_TRUE(conn_->ExecScript("DROP INDEX entries_canonical; DROP INDEX entries_title_key"));
  const std::string before = Plan("https://news.example/unknown", "titre 42");
  EXPECT_EQ(before.find("entries_canonical"), std::string::npos) << before;
  std::cout << "with the indexes:\n" << by_link << by_title << "without them:\n" << before;
}

TEST_F(PgStoryLookupTest, ALinkLongerThanABtreeKeyIsStoredAndFound) {
  const std::string link = "https://news.example/" + std::string(8000, 'a');
  auto first = Insert("long", link, std::string(8000, 't'));
  ASSERT_TRUE(first);
  EXPECT_GT(*first, 2500);  // a new story
  EXPECT_EQ(Insert("long again", link, "another title"), first);
}

TEST_F(PgStoryLookupTest, AKeyAlreadyStoredInsertsNothingAndCreatesNoStory) {
  // k50 is feed 1's (the fill gives entry i to feed 1 + i % 50).
  auto r = conn_->Exec(kInsertEntrySql, Params("k50", "https://news.example/new", "new title"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1);
  EXPECT_TRUE(r->IsNull(0, 0));
  EXPECT_TRUE(r->IsNull(0, 2));
  auto stories = conn_->Exec("SELECT count(*) FROM stories");
  ASSERT_TRUE(stories);
  EXPECT_EQ(stories->Int(0, 0), 2500);
  // A new key with an unknown link and title: a new story, returned as created.
  r = conn_->Exec(kInsertEntrySql, Params("fresh", "https://news.example/new", "new title"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(r->IsNull(0, 2));
  EXPECT_EQ(r->Int(0, 1), r->Int(0, 2));
}

TEST_F(PgStoryLookupTest, TheAlertCheckReadsTheStoryNotEveryAlertOfTheChannel) {
  // 2,000 mentions with an outbox row each on one channel, no statistics on those tables yet
  // (a new database), and the generic plan the writer's prepared statement ends up with.
  ASSERT_TRUE(conn_->ExecScript(R"sql(
INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, created_at)
  SELECT id, 'r', 'c', '', '', '', 1 FROM entries WHERE id <= 2000;
INSERT INTO outbox (mention_id, channel, idempotency_key, next_attempt_at, created_at)
  SELECT id, 'journal', 'key ' || id, 1, 1 FROM mentions;
)sql"));
  ASSERT_TRUE(conn_->ExecScript("SET plan_cache_mode = force_generic_plan"));
  ASSERT_TRUE(conn_->ExecScript("BEGIN"));  // the EXPLAIN ANALYZE's row is rolled back
  const std::string sql = std::string("PREPARE alert AS ") + kInsertOutboxSql;
  ASSERT_TRUE(conn_->ExecScript(sql));
  auto r = conn_->Exec(
      "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
      "EXECUTE alert(1, 'journal', 'new key', NULL, 9000, 42, 2541)");
  ASSERT_TRUE(r) << r.error().message;
  std::string plan;
  for (int i = 0; i < r->size(); ++i) plan += r->Text(i, 0) + "\n";
  ASSERT_TRUE(conn_->ExecScript("ROLLBACK; RESET plan_cache_mode"));
  EXPECT_NE(plan.find("entries_story"), std::string::npos) << plan;
  EXPECT_NE(plan.find("outbox_mention_id_channel_key"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("outbox_channel_due"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;
  // What it decides: entry 2541 shares story 42 with entry 41, alerted on the channel; entry
  // 2100's story (2101) has no other alert; the first poll suppresses whatever the story.
  auto status = [&](std::int64_t entry, std::int64_t story, const char* first_poll) {
    auto mention = conn_->Exec(
        "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, "
        "created_at) VALUES ($1, $2, 'c', '', '', '', 1) RETURNING id",
        {entry, std::string("r ") + (first_poll ? "first" : "")});
    EXPECT_TRUE(mention) << mention.error().message;
    if (!mention) return std::string();
    const std::int64_t id = mention->Int(0, 0);
    auto done = conn_->Exec(kInsertOutboxSql,
                            {id, "journal", "key of " + std::to_string(id),
                             first_poll ? Param(first_poll) : Param(nullptr), 9000, story, entry});
    EXPECT_TRUE(done) << done.error().message;
    auto row = conn_->Exec(
        "SELECT status || ' ' || COALESCE(last_error, '-') FROM outbox WHERE mention_id = $1",
        {id});
    return row && !row->empty() ? row->Text(0, 0) : std::string("no row");
  };
  EXPECT_EQ(status(2541, 42, nullptr), "suppressed same story already alerted");
  EXPECT_EQ(status(2100, 2101, nullptr), "pending -");
  EXPECT_EQ(status(2100, 2101, "first poll"), "suppressed first poll");
}

}  // namespace
}  // namespace veille::store::pg
