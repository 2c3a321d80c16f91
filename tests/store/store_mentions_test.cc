// The mention lists of the store (ListMentions: filters, offsets, languages) on both backends:
// on SQLite in store_test, on PostgreSQL in store_pg_test.
#include "store_fixture.h"

namespace veille::store {
namespace {

class StoreMentionsTest : public testing::StoreTest {};

TEST_P(StoreMentionsTest, ListsMentionsNewestFirstWithFilters) {
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

TEST_P(StoreMentionsTest, AnOffsetSkipsMentionsInTheListsOrderUpToAndPastTheEnd) {
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

TEST_P(StoreMentionsTest, AnOffsetPageIsTheSliceOfTheFilteredListWhateverTheFilterJoins) {
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

TEST_P(StoreMentionsTest, TheLanguageFilterKeepsEntriesInTheLanguageDeclaredOrDetected) {
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

TEST_P(StoreMentionsTest, MentionsByLanguageGroupOnThePrimarySubtagAndPutTheUnknownLast) {
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

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, StoreMentionsTest,
                         ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, StoreMentionsTest,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif

}  // namespace veille::store
