// Triage: statuses, tags and notes on mentions, set in one transaction, read back through
// ListMentions and its filters, and written by a second writer next to the daemon's. On both
// backends (store_backend.h: SQLite in store_triage_test, PostgreSQL in store_pg_test).
#include "store/triage.h"

#include <gtest/gtest.h>

#include "store_backend.h"

namespace veille::store {
namespace {

class TriageTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    path_ = GetParam()->Create(std::string("triage-") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(path_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    daemon_ = std::move(*s);
    auto ids = daemon_->SyncFeeds({{"https://a.example/feed", "A"}}, 1000);
    ASSERT_TRUE(ids);
    DocumentCommit c;
    c.feed.feed_id = (*ids)[0];
    c.feed.fetched_at = 1000;
    c.feed.next_due_at = 2800;
    for (const char* key : {"a", "b", "c"}) {
      EntryRecord e;
      e.key = key;
      e.title = std::string("Title ") + key;
      e.link = std::string("https://a.example/") + key;
      for (const char* rule : {"marque", "crise"}) {
        MentionRecord m;
        m.rule = rule;
        m.category = "brand";
        m.terms = {"Orélia"};
        m.snippet = "about Orélia";
        m.highlights = {{6, 13}};
        e.mentions.push_back(m);
      }
      c.entries.push_back(e);
    }
    auto committed = daemon_->CommitDocument(c);
    ASSERT_TRUE(committed) << committed.error().message;
    for (const auto& m : committed->mentions) mention_ids_.push_back(m.mention_id);
    ASSERT_EQ(mention_ids_.size(), 6u);
    auto w = Store::Open(path_, Access::kWrite);
    ASSERT_TRUE(w) << w.error().message;
    web_ = std::move(*w);
  }
  void TearDown() override {
    web_.reset();
    daemon_.reset();
    GetParam()->Remove(path_);
  }

  std::vector<MentionRow> List(MentionFilter filter) {
    filter.limit = 0;
    auto rows = web_->ListMentions(filter);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? *rows : std::vector<MentionRow>{};
  }

  std::string path_;
  std::unique_ptr<Store> daemon_;
  std::unique_ptr<Store> web_;
  std::vector<std::int64_t> mention_ids_;
};

TEST_P(TriageTest, AMentionNobodyTouchedIsNew) {
  for (const auto& m : List({})) {
    EXPECT_EQ(m.status, TriageStatus::kNew);
    EXPECT_TRUE(m.tags.empty());
    EXPECT_EQ(m.note, "");
  }
  auto record = GetTriage(*web_, mention_ids_[0]);
  ASSERT_TRUE(record);
  EXPECT_FALSE(record->updated_at);
}

TEST_P(TriageTest, StatusTagsAndNoteAreReadBackWithTheMention) {
  TriageChange change;
  change.status = TriageStatus::kHandled;
  change.add_tags = {" presse ", "crise"};
  change.note = "Répondu par Claire";
  change.by = "claire";
  change.at = 5000;
  auto outcome = ApplyTriage(*web_, {mention_ids_[0]}, change);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->changed, 1);
  auto row = web_->GetMention(mention_ids_[0]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, TriageStatus::kHandled);
  EXPECT_EQ(row->tags, (std::vector<std::string>{"crise", "presse"})) << "trimmed and sorted";
  EXPECT_EQ(row->note, "Répondu par Claire");
  auto record = GetTriage(*web_, mention_ids_[0]);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->updated_by, "claire");
  EXPECT_EQ(record->updated_at, 5000);
}

TEST_P(TriageTest, AbsentFieldsAreLeftAsTheyWere) {
  TriageChange first;
  first.status = TriageStatus::kRead;
  first.add_tags = {"presse"};
  first.note = "à suivre";
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[1]}, first));
  TriageChange second;
  second.remove_tags = {"presse"};
  second.add_tags = {"client"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[1]}, second));
  auto row = web_->GetMention(mention_ids_[1]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, TriageStatus::kRead);
  EXPECT_EQ(row->note, "à suivre");
  EXPECT_EQ(row->tags, std::vector<std::string>{"client"});
}

TEST_P(TriageTest, FiltersSelectByStatusAndTag) {
  TriageChange handled;
  handled.status = TriageStatus::kHandled;
  handled.add_tags = {"presse"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[0], mention_ids_[1]}, handled));
  TriageChange ignored;
  ignored.status = TriageStatus::kIgnored;
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[2]}, ignored));

  MentionFilter only_new;
  only_new.statuses = {TriageStatus::kNew};
  EXPECT_EQ(List(only_new).size(), 3u);
  MentionFilter done;
  done.statuses = {TriageStatus::kHandled, TriageStatus::kIgnored};
  EXPECT_EQ(List(done).size(), 3u);
  MentionFilter tagged;
  tagged.tag = "presse";
  const auto rows = List(tagged);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) EXPECT_EQ(r.status, TriageStatus::kHandled);
  MentionFilter unknown_tag;
  unknown_tag.tag = "nope";
  EXPECT_TRUE(List(unknown_tag).empty());
}

TEST_P(TriageTest, AWholeStoryIsEveryMentionOfItsEntries) {
  auto first = web_->GetMention(mention_ids_[0]);
  ASSERT_TRUE(first);
  auto ids = MentionsOfStories(*web_, {first->story_id});
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 2u) << "two rules matched the story's one entry";
}

TEST_P(TriageTest, UnknownMentionsAreReportedAndTheOthersChanged) {
  TriageChange change;
  change.status = TriageStatus::kRead;
  auto outcome = ApplyTriage(*web_, {mention_ids_[0], 999999}, change);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->changed, 1);
  EXPECT_EQ(outcome->missing, std::vector<std::int64_t>{999999});
}

TEST_P(TriageTest, BadTagsAndNotesAreRefusedBeforeAnythingIsWritten) {
  for (const std::string& bad :
       std::vector<std::string>{"", "   ", "a,b", std::string(65, 'x'), "tab\x01"}) {
    TriageChange change;
    change.status = TriageStatus::kHandled;
    change.add_tags = {bad};
    auto outcome = ApplyTriage(*web_, {mention_ids_[0]}, change);
    ASSERT_FALSE(outcome) << "tag \"" << bad << "\"";
    EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
  }
  TriageChange long_note;
  long_note.note = std::string(kMaxNoteBytes + 1, 'x');
  EXPECT_FALSE(ApplyTriage(*web_, {mention_ids_[0]}, long_note));
  TriageChange escape_note;
  escape_note.note = "\x1b[31mred";
  EXPECT_FALSE(ApplyTriage(*web_, {mention_ids_[0]}, escape_note));
  auto row = web_->GetMention(mention_ids_[0]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, TriageStatus::kNew) << "nothing was written";
}

TEST_P(TriageTest, TooManyTagsOnOneMentionRollsTheBatchBack) {
  TriageChange many;
  for (std::size_t i = 0; i < kMaxTagsPerMention; ++i)
    many.add_tags.push_back("t" + std::to_string(i));
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[0]}, many));
  TriageChange one_more;
  one_more.status = TriageStatus::kRead;
  one_more.add_tags = {"extra"};
  EXPECT_FALSE(ApplyTriage(*web_, {mention_ids_[1], mention_ids_[0]}, one_more));
  auto other = web_->GetMention(mention_ids_[1]);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, TriageStatus::kNew) << "all or nothing";
}

TEST_P(TriageTest, TagsAreCountedForTheFilterMenu) {
  TriageChange a;
  a.add_tags = {"presse", "client"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[0], mention_ids_[1]}, a));
  TriageChange b;
  b.add_tags = {"presse"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[2]}, b));
  auto tags = TriageTags(*web_, 10);
  ASSERT_TRUE(tags);
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0], (std::pair<std::string, std::int64_t>{"presse", 3}));
  EXPECT_EQ((*tags)[1], (std::pair<std::string, std::int64_t>{"client", 2}));
}

TEST_P(TriageTest, TriageRowsGoWithTheirMention) {
  TriageChange change;
  change.status = TriageStatus::kHandled;
  change.add_tags = {"presse"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[0]}, change));
  ASSERT_TRUE(GetParam()->Run(
      *daemon_, path_, "DELETE FROM mentions WHERE id = " + std::to_string(mention_ids_[0])));
  auto count = GetParam()->Run(
      *web_, path_, "SELECT (SELECT COUNT(*) FROM triage) + (SELECT COUNT(*) FROM triage_tags)");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 0);
}

TEST_P(TriageTest, TagsSortByCodePointOnEveryBackend) {
  TriageChange change;
  change.add_tags = {"été", "Zoo", "apple", "Été"};
  ASSERT_TRUE(ApplyTriage(*web_, {mention_ids_[0], mention_ids_[0]}, change));
  auto record = GetTriage(*web_, mention_ids_[0]);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->tags, (std::vector<std::string>{"Zoo", "apple", "Été", "été"}));
  auto tags = TriageTags(*web_, 2);
  ASSERT_TRUE(tags) << tags.error().message;
  ASSERT_EQ(tags->size(), 2u) << "the limit";
  EXPECT_EQ((*tags)[0].first, "Zoo");
  EXPECT_EQ((*tags)[1].first, "apple");
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, TriageTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, TriageTest, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif
}  // namespace veille::store
