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

}  // namespace
}  // namespace veille::store::pg
