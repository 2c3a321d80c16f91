// The PostgreSQL writer's story lookups (store/pg/story_lookup.h) go through the indexes of
// migration 15 rather than reading the whole entries table, and a link longer than a btree key
// may be is stored and found.
#include "store/pg/story_lookup.h"

#include <gtest/gtest.h>

#include <iostream>

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

  // The plan of `sql` with its parameters, one line per node.
  std::string Plan(const char* sql, std::initializer_list<Param> params) {
    auto r = conn_->Exec(std::string("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ") + sql,
                         params);
    EXPECT_TRUE(r) << r.error().message;
    std::string out;
    for (int i = 0; r && i < r->size(); ++i) out += r->Text(i, 0) + "\n";
    return out;
  }

  std::unique_ptr<Connection> conn_;
};

TEST_F(PgStoryLookupTest, ByCanonicalLinkAndByTitleKeyThroughTheirIndexes) {
  const std::string by_link = Plan(kStoryByCanonicalLinkSql, {"https://news.example/42", 0});
  const std::string by_title = Plan(kStoryByTitleKeySql, {"titre 42", 0, 1100, 172800});
  EXPECT_NE(by_link.find("entries_canonical"), std::string::npos) << by_link;
  EXPECT_EQ(by_link.find("Seq Scan"), std::string::npos) << by_link;
  EXPECT_NE(by_title.find("entries_title_key"), std::string::npos) << by_title;
  EXPECT_EQ(by_title.find("Seq Scan"), std::string::npos) << by_title;
  // What the plans were before migration 15 (for the record: docs/storage.md).
  ASSERT_TRUE(
      conn_->ExecScript("BEGIN; DROP INDEX entries_canonical; DROP INDEX entries_title_key"));
  const std::string before_link = Plan(kStoryByCanonicalLinkSql, {"https://news.example/42", 0});
  const std::string before_title = Plan(kStoryByTitleKeySql, {"titre 42", 0, 1100, 172800});
  ASSERT_TRUE(conn_->ExecScript("ROLLBACK"));
  EXPECT_EQ(before_link.find("entries_canonical"), std::string::npos) << before_link;
  std::cout << "with the indexes:\n"
            << by_link << by_title << "without them:\n"
            << before_link << before_title;
}

TEST_F(PgStoryLookupTest, ALinkLongerThanABtreeKeyIsStoredAndFound) {
  const std::string link = "https://news.example/" + std::string(8000, 'a');
  auto stored = conn_->Exec(
      "INSERT INTO entries (feed_id, entry_key, canonical_link, title_key, first_seen_at, "
      "story_id) VALUES (1, 'long', $1, $2, 9000, 7) RETURNING id",
      {link, std::string(8000, 't')});
  ASSERT_TRUE(stored) << stored.error().message;
  auto found = conn_->Exec(kStoryByCanonicalLinkSql, {link, 0});
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1);
  EXPECT_EQ(found->Int(0, 0), 7);
}

}  // namespace
}  // namespace veille::store::pg
