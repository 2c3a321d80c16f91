// RELIABILITY.md §3.6's invariants that the PostgreSQL schema holds by itself, as constraints:
// one entry per (feed, entry key), one mention per (entry, rule), one outbox row per (mention,
// channel) with a unique idempotency key, no outbox row without its mention.
#include <gtest/gtest.h>

#include "pg_fixture.h"
#include "store/pg/schema.h"

namespace veille::store::pg {
namespace {

using testing::TestServer;
using testing::WithConninfo;

class PgInvariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = Connection::Open(WithConninfo(TestServer::Get().Conninfo(database())));
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_->ExecScript(
        "TRUNCATE feeds, stories, entries, mentions, outbox, events, event_outbox, daemon_status "
        "RESTART IDENTITY CASCADE"));
  }

  static const std::string& database() {
    static const std::string name = [] {
      const std::string n = TestServer::Get().CreateDatabase();
      auto conn = Connection::Open(WithConninfo(TestServer::Get().Conninfo(n)));
      EXPECT_TRUE(conn && Migrate(**conn));
      return n;
    }();
    return name;
  }

  std::int64_t Insert(std::string_view sql, std::initializer_list<Param> params) {
    auto r = conn_->Exec(sql, params);
    EXPECT_TRUE(r) << r.error().message;
    return r && !r->empty() ? r->Int(0, 0) : -1;
  }

  std::int64_t Feed(std::string_view url) {
    return Insert("INSERT INTO feeds (url, state, created_at) VALUES ($1, 'ok', 1) RETURNING id",
                  {url});
  }
  std::int64_t Entry(std::int64_t feed, std::string_view key) {
    return Insert(
        "INSERT INTO entries (feed_id, entry_key, first_seen_at) VALUES ($1, $2, 1) "
        "RETURNING id",
        {feed, key});
  }
  std::int64_t Mention(std::int64_t entry, std::string_view rule) {
    return Insert(
        "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, "
        "created_at) VALUES ($1, $2, 'brand', '', '', '', 1) RETURNING id",
        {entry, rule});
  }
  PgResult<Rows> Outbox(std::int64_t mention, std::string_view channel, std::string_view key) {
    return conn_->Exec(
        "INSERT INTO outbox (mention_id, channel, idempotency_key, "
        "next_attempt_at, created_at) VALUES ($1, $2, $3, 1, 1) RETURNING id",
        {mention, channel, key});
  }

  std::string Count(std::string_view table) {
    auto r = conn_->Exec("SELECT count(*) FROM " + std::string(table));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->Text(0, 0) : "";
  }

  std::unique_ptr<Connection> conn_;
};

TEST_F(PgInvariantsTest, IdsComeBackThroughReturning) {
  EXPECT_EQ(Feed("https://a.example/feed"), 1);
  EXPECT_EQ(Feed("https://b.example/feed"), 2);
  auto dup =
      conn_->Exec("INSERT INTO feeds (url, created_at) VALUES ($1, 1)", {"https://a.example/feed"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::kUniqueViolation);
}

TEST_F(PgInvariantsTest, AnEntryKeyIsUniquePerFeedOnly) {
  const auto a = Feed("https://a.example/feed");
  const auto b = Feed("https://b.example/feed");
  ASSERT_GT(Entry(a, "guid-1"), 0);
  ASSERT_GT(Entry(b, "guid-1"), 0);  // the same key in another feed is another entry
  auto dup = conn_->Exec(
      "INSERT INTO entries (feed_id, entry_key, first_seen_at) "
      "VALUES ($1, $2, 2)",
      {a, "guid-1"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::kUniqueViolation);
  EXPECT_NE(dup.error().message.find("(feed_id, entry_key)"), std::string::npos)
      << dup.error().message;
}

TEST_F(PgInvariantsTest, AMentionIsUniquePerEntryAndRule) {
  const auto entry = Entry(Feed("https://a.example/feed"), "k");
  ASSERT_GT(Mention(entry, "marque"), 0);
  ASSERT_GT(Mention(entry, "concurrent"), 0);
  auto dup = conn_->Exec(
      "INSERT INTO mentions (entry_id, rule, category, terms, snippet, "
      "highlights, created_at) VALUES ($1, 'marque', 'x', '', '', '', 2)",
      {entry});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::kUniqueViolation);
}

TEST_F(PgInvariantsTest, AnOutboxRowIsUniquePerMentionAndChannelAndItsKeyIsUnique) {
  const auto entry = Entry(Feed("https://a.example/feed"), "k");
  const auto m1 = Mention(entry, "marque");
  const auto m2 = Mention(entry, "concurrent");
  ASSERT_TRUE(Outbox(m1, "equipe", "key-1"));
  ASSERT_TRUE(Outbox(m1, "journal", "key-2"));
  auto same_pair = Outbox(m1, "equipe", "key-3");
  ASSERT_FALSE(same_pair);
  EXPECT_EQ(same_pair.error().kind, ErrorKind::kUniqueViolation);
  EXPECT_NE(same_pair.error().message.find("(mention_id, channel)"), std::string::npos);
  auto same_key = Outbox(m2, "equipe", "key-1");
  ASSERT_FALSE(same_key);
  EXPECT_EQ(same_key.error().kind, ErrorKind::kUniqueViolation);
  EXPECT_NE(same_key.error().message.find("(idempotency_key)"), std::string::npos);
}

TEST_F(PgInvariantsTest, NoOutboxRowWithoutItsMention) {
  auto orphan = Outbox(12345, "equipe", "key-orphan");
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().sqlstate, "23503");  // foreign_key_violation
  // Deleting a feed takes its entries, their mentions and their outbox rows with it.
  const auto feed = Feed("https://a.example/feed");
  const auto mention = Mention(Entry(feed, "k"), "marque");
  ASSERT_TRUE(Outbox(mention, "equipe", "key-1"));
  ASSERT_TRUE(conn_->Exec("INSERT INTO triage (mention_id, updated_at) VALUES ($1, 1)", {mention}));
  ASSERT_TRUE(conn_->Exec("DELETE FROM feeds WHERE id = $1", {feed}));
  EXPECT_EQ(Count("entries"), "0");
  EXPECT_EQ(Count("mentions"), "0");
  EXPECT_EQ(Count("outbox"), "0");
  EXPECT_EQ(Count("triage"), "0");
}

TEST_F(PgInvariantsTest, ADeletedStoryLeavesItsEntriesWithoutOne) {
  const auto story = Insert("INSERT INTO stories (first_seen_at) VALUES (1) RETURNING id", {});
  const auto entry = Entry(Feed("https://a.example/feed"), "k");
  ASSERT_TRUE(conn_->Exec("UPDATE entries SET story_id = $1 WHERE id = $2", {story, entry}));
  ASSERT_TRUE(conn_->Exec("DELETE FROM stories WHERE id = $1", {story}));
  auto r = conn_->Exec("SELECT story_id FROM entries WHERE id = $1", {entry});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->IsNull(0, 0));
}

TEST_F(PgInvariantsTest, OneEventPerKindSubjectAndWindowAndOneHeartbeatRow) {
  const char* sql =
      "INSERT INTO events (kind, subject, window_key, title, text, payload, "
      "created_at) VALUES ('spike', 'marque', $1, '', '', '{}', 1)";
  ASSERT_TRUE(conn_->Exec(sql, {"2026-12-07T10"}));
  auto dup = conn_->Exec(sql, {"2026-12-07T10"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::kUniqueViolation);
  const char* heartbeat =
      "INSERT INTO daemon_status (id, pid, version, started_at, heartbeat_at) "
      "VALUES ($1, 1, 'v', 1, 1)";
  ASSERT_TRUE(conn_->Exec(heartbeat, {1}));
  auto second = conn_->Exec(heartbeat, {2});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().sqlstate, "23514");  // check_violation: id = 1
}

}  // namespace
}  // namespace veille::store::pg
