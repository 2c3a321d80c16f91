// The search over the stored archive gives the same hits on both backends (issue 18): one set of
// entries, one list of queries (accents, elisions, phrases, NEAR, NOT, OR, prefixes, scopes,
// hostile characters), run through the public search path (archive::SearchArchive: the store's
// full-text prefilter, FTS5 or tsquery, then the matcher). Each query's hits are checked
// against the same expected list in both binaries (store_search_test on SQLite, store_pg_test on
// PostgreSQL), and against the matcher run over every stored entry (no prefilter), so that a
// prefilter that loses a match fails on the backend that has it.
#include "archive/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "archive/document.h"
#include "match/matcher.h"
#include "store/search.h"
#include "store/store.h"
#include "store_backend.h"

namespace veille::store {
namespace {

constexpr UnixSeconds kNow = 1'795'000'000;

struct Stored {
  const char* key;
  std::optional<std::string> title;
  std::string text;
  std::string author = "";
};

// A long text: `filler` repeated `times`, then `tail`. Deep enough to pass PostgreSQL's caps on
// tsvector positions (16,383, and 255 positions per lexeme).
std::string Long(const std::string& filler, int times, const std::string& tail) {
  std::string out;
  for (int i = 0; i < times; ++i) out += filler;
  return out + tail;
}

std::vector<Stored> Corpus() {
  return {
      {"oreal", "L’Oréal rachète Æsop", "Le groupe annonce un rachat."},
      {"loreal", "Loreal sans apostrophe", "Une coquille fréquente."},
      {"oreal-text", "Beauté", "Publié par la rédaction de L'ORÉAL Paris."},
      {"lancome", std::nullopt, "Lancôme relance sa crème de nuit"},
      {"renault-recall", "Renault rappelle 10 000 véhicules",
       "Le constructeur annonce un rappel de la Zoé.", "Jeanne Dupont"},
      {"renault-jobs", "Renault supprime des emplois", "Le plan social touche l'emploi."},
      {"dacia", "Dacia Sandero", "La marque Dacia présente sa voiture à Paris."},
      {"near", "Actualité", "Renault a présenté hier à Paris son nouveau rappel"},
      {"soeur", "Ma sœur et l’œuvre", "Une œuvre d'art."},
      {"symbols", "C++ & Rust: a|b !c (d):* 'quoted' \\back",
       "Opérateurs: <-> & | ! ( ) : * \"guillemets\""},
      {"deep-phrase", "Archive", Long("l'autre ", 300, "et enfin l'Oréal")},
      {"deep-position", "Archive longue", Long("mot ", 17000, "Renault Zoé électrique")},
      {"prefix", "Lancement", "La lanterne et la lance."},
  };
}

struct Case {
  const char* query;
  std::vector<std::string> hits;  // entry keys, newest first (the order of veille search)
};

std::vector<Case> Cases() {
  return {
      {"L'Oréal", {"deep-phrase", "oreal-text", "oreal"}},
      {"l’oreal", {"deep-phrase", "oreal-text", "oreal"}},
      {"\"L'Oréal Paris\"", {"oreal-text"}},
      {"loreal", {"loreal"}},
      {"oréal", {"deep-phrase", "oreal-text", "oreal"}},
      {"Æsop", {"oreal"}},
      {"aesop", {"oreal"}},
      {"sœur", {"soeur"}},
      {"oeuvre", {"soeur"}},
      {"lancome", {"lancome"}},
      {"=Lancôme", {"lancome"}},
      {"^lancome", {}},
      {"lanc*", {"prefix", "lancome"}},
      {"lant*", {"prefix"}},
      {"l'Oré*", {"deep-phrase", "oreal-text", "oreal"}},
      {"title:lanc*", {"prefix"}},
      {"title:renault", {"renault-jobs", "renault-recall"}},
      {"text:renault", {"deep-position", "near"}},
      {"Renault", {"deep-position", "near", "renault-jobs", "renault-recall"}},
      {"Renault -emploi", {"deep-position", "near", "renault-recall"}},
      {"Renault OR Dacia", {"deep-position", "near", "dacia", "renault-jobs", "renault-recall"}},
      {"Renault Paris", {"near"}},
      {"Renault NEAR/3 Paris", {}},  // four words between them
      {"Renault NEAR/4 Paris", {"near"}},
      {"Renault NEAR/2 rappel", {}},
      {"Renault NEAR/10 rappel", {"near"}},  // not across the title and the text
      {"rappel ONEAR/8 Renault", {}},
      {"Renault ONEAR/8 rappel", {"near"}},
      {"\"Renault Zoé\"", {"deep-position"}},
      {"Zoé", {"deep-position", "renault-recall"}},
      {"(Renault OR Dacia) Paris", {"near", "dacia"}},
      {"Renault OR author:dupont", {"deep-position", "near", "renault-jobs", "renault-recall"}},
      {"author:dupont", {"renault-recall"}},
      {"Renault -author:dupont", {"deep-position", "near", "renault-jobs"}},
      {"\"10 000\"", {"renault-recall"}},
      // Hostile characters: quotes, backslashes, colons and the tsquery and FTS5 operators.
      {"\"C++\"", {"symbols"}},
      {"\"a|b\"", {"symbols"}},
      {"\"!c\"", {"symbols"}},
      {"\"(d):*\"", {"symbols", "soeur"}},  // the word d (d'art)
      {"\"'quoted'\"", {"symbols"}},
      {"\"\\\\back\"", {"symbols"}},
      {"\"<-> Renault\"", {"deep-position", "near", "renault-jobs", "renault-recall"}},
      {"\"guillemets\"", {"symbols"}},
      {"\"&|!():* Dacia\"", {"dacia"}},
      {"\"Dacia:*\"", {"dacia"}},
      {"title:\"Dacia\\\\\"", {"dacia"}},
      {"\"a & b\"", {"symbols"}},
      {"rust OR \"it's\"", {"symbols"}},
      {"absent", {}},
  };
}

class SearchTest : public ::testing::TestWithParam<const testing::StoreBackend*> {
 protected:
  void SetUp() override {
    location_ = GetParam()->Create(std::string("search-") +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(location_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, kNow);
    ASSERT_TRUE(ids);
    UnixSeconds at = kNow;
    for (const Stored& stored : Corpus()) {  // one commit each: ids in the corpus's order
      DocumentCommit c;
      c.feed.feed_id = (*ids)[0];
      c.feed.fetched_at = at;
      c.feed.next_due_at = at + 1800;
      EntryRecord e;
      e.key = stored.key;
      e.title = stored.title;
      e.summary = stored.text;
      e.link = std::string("https://a.example/") + stored.key;
      if (!stored.author.empty()) e.author = stored.author;
      c.entries.push_back(e);
      auto stats = store_->CommitDocument(c);
      ASSERT_TRUE(stats) << stats.error().message;
      at += 60;
    }
  }
  void TearDown() override {
    store_.reset();
    GetParam()->Remove(location_);
  }

  // The keys SearchArchive finds, in `order`.
  std::vector<std::string> Search(const std::string& query, EntryOrder order,
                                  archive::SearchStats* stats = nullptr) {
    EntryFilter filter;
    filter.order = order;
    std::vector<std::string> keys;
    auto r = archive::SearchArchive(*store_, query, filter, [&](const archive::SearchHit& hit) {
      keys.push_back(hit.entry.link->substr(std::string("https://a.example/").size()));
      return true;
    });
    EXPECT_TRUE(r) << query << ": " << r.error().message;
    if (r && stats) *stats = *r;
    return keys;
  }

  // The keys the matcher accepts among every stored entry, newest first: no prefilter.
  std::vector<std::string> Oracle(const std::string& query) {
    auto matcher = match::Matcher::Compile({match::RuleSpec{"search", "", query, ""}});
    EXPECT_TRUE(matcher) << query;
    std::vector<std::string> keys;
    if (!matcher) return keys;
    std::string text;
    auto r = ScanEntries(*store_, nullptr, {}, [&](const StoredEntry& e) {
      if (!(*matcher)->Match(archive::DocumentOf(e, text)).empty()) {
        keys.push_back(e.link->substr(std::string("https://a.example/").size()));
      }
      return true;
    });
    EXPECT_TRUE(r) << r.error().message;
    return keys;
  }

  std::string location_;
  std::unique_ptr<Store> store_;
};

TEST_P(SearchTest, EveryQueryFindsTheSameHitsOnEitherBackend) {
  for (const Case& c : Cases()) {
    const auto hits = Search(c.query, EntryOrder::kDetected);
    EXPECT_EQ(hits, c.hits) << "query: " << c.query;
    EXPECT_EQ(hits, Oracle(c.query)) << "the prefilter lost a match; query: " << c.query;
    // The other orders find the same entries (relevance orders them by the backend's rank).
    for (const EntryOrder order : {EntryOrder::kDate, EntryOrder::kRelevance}) {
      auto sorted = Search(c.query, order);
      auto expected = c.hits;
      std::sort(sorted.begin(), sorted.end());
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(sorted, expected) << "query: " << c.query << ", order " << static_cast<int>(order);
    }
  }
}

TEST_P(SearchTest, AQueryWithoutAWordIsRefusedAlike) {
  // Nothing reaches the database: the parser refuses it with its column, on either backend.
  for (const char* query : {"\"<->\"", "\"&|!():*\"", "\"'\"", "\"\\\\\""}) {
    auto r =
        archive::SearchArchive(*store_, query, {}, [](const archive::SearchHit&) { return true; });
    ASSERT_FALSE(r) << query;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << query;
    EXPECT_EQ(r.error().message, "column 1: empty phrase") << query;
  }
}

TEST_P(SearchTest, TheIndexNarrowsTheCandidates) {
  const std::int64_t total = static_cast<std::int64_t>(Corpus().size());
  archive::SearchStats stats;
  Search("Renault", EntryOrder::kDetected, &stats);
  EXPECT_EQ(stats.matches, 4);
  EXPECT_LT(stats.candidates, total);  // not every entry: the index answered
  Search("Renault -emploi", EntryOrder::kDetected, &stats);
  EXPECT_EQ(stats.matches, 3);
  EXPECT_EQ(stats.candidates, 4);  // NOT is the matcher's: the candidates are Renault's
  Search("author:dupont", EntryOrder::kDetected, &stats);
  EXPECT_EQ(stats.candidates, total);  // outside the index: every entry is a candidate
}

TEST_P(SearchTest, TheDateOrderAndTheFiltersAreTheSame) {
  EntryFilter filter;
  filter.since = kNow + 60 * 4;
  filter.until = kNow + 60 * 8;
  filter.order = EntryOrder::kDate;
  std::vector<std::string> keys;
  ASSERT_TRUE(archive::SearchArchive(*store_, "Renault OR Dacia OR Paris", filter,
                                     [&](const archive::SearchHit& hit) {
                                       keys.push_back(*hit.entry.title);
                                       return true;
                                     }));
  EXPECT_EQ(keys,
            (std::vector<std::string>{"Actualité", "Dacia Sandero", "Renault supprime des emplois",
                                      "Renault rappelle 10 000 véhicules"}));
  auto count = CountEntries(*store_, filter);
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 4);
  filter.language = "fr";
  count = CountEntries(*store_, filter);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);  // no language stored
}

TEST_P(SearchTest, AStorysEntriesAreReadOldestFirst) {
  std::vector<std::int64_t> story;
  ASSERT_TRUE(ScanEntries(*store_, nullptr, {}, [&](const StoredEntry& e) {
    if (e.title && *e.title == "Beauté") story.push_back(e.story_id);
    return true;
  }));
  ASSERT_EQ(story.size(), 1u);
  auto entries = StoryEntries(*store_, story[0]);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].summary, "Publié par la rédaction de L'ORÉAL Paris.");
  EXPECT_EQ((*entries)[0].feed_name, "A");
  auto none = StoryEntries(*store_, 987654);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(SearchTest, ManyCandidatesArePagedNewestFirstInEveryOrder) {
  DocumentCommit c;
  auto feeds = store_->ListFeeds();
  ASSERT_TRUE(feeds && !feeds->empty());
  c.feed.feed_id = (*feeds)[0].id;
  c.feed.fetched_at = kNow + 86400;
  c.feed.next_due_at = c.feed.fetched_at + 1800;
  for (int i = 0; i < 300; ++i) {  // more than the first pages (64, then 128)
    EntryRecord e;
    e.key = "paged" + std::to_string(i);
    e.title = "Entrée paginée " + std::to_string(i);
    e.summary = "des mots paginés";
    e.link = "https://a.example/paged/" + std::to_string(i);
    e.published_at = kNow + i;
    c.entries.push_back(e);
  }
  ASSERT_TRUE(store_->CommitDocument(c));
  auto query = match::ParseQuery("paginée");
  ASSERT_TRUE(query);
  for (const EntryOrder order : {EntryOrder::kDetected, EntryOrder::kDate}) {
    EntryFilter filter;
    filter.order = order;
    std::vector<std::int64_t> ids;
    ASSERT_TRUE(ScanEntries(*store_, &*query, filter, [&](const StoredEntry& e) {
      ids.push_back(e.id);
      return true;
    }));
    ASSERT_EQ(ids.size(), 300u) << static_cast<int>(order);
    // Newest first: by first sight (ids), or by date (published in the order of the ids).
    EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend())) << static_cast<int>(order);
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
    ids.clear();
    ASSERT_TRUE(ScanEntries(*store_, &*query, filter, [&](const StoredEntry& e) {
      ids.push_back(e.id);
      return ids.size() < 70;
    }));
    EXPECT_EQ(ids.size(), 70u);  // the visitor stops the scan, past the first page
  }
}

// The inbox's search (archive::FindMatchingMentions) verifies only the candidates it needs for
// its page and its count: whatever the page and the cap, its rows are those of the full search
// (the mentions of the entries SearchArchive finds, as `veille search` lists them), and its
// count is exact below the cap, else "more than" the number it counted. Both ways of reading
// the candidates' mentions (their ids in the statement, or the filter's mentions newest first
// kept when a candidate's: past archive::kEntryIdsInStatement candidates) give those rows.
TEST_P(SearchTest, TheInboxSearchPagesAreTheFullSearchsWhereverItsCountStops) {
  DocumentCommit c;
  auto feeds = store_->ListFeeds();
  ASSERT_TRUE(feeds && !feeds->empty());
  c.feed.feed_id = (*feeds)[0].id;
  c.feed.fetched_at = kNow + 86400;
  c.feed.next_due_at = c.feed.fetched_at + 1800;
  for (int i = 0; i < 300; ++i) {
    EntryRecord e;
    e.key = "commun" + std::to_string(i);
    e.title = "Sujet commun " + std::to_string(i);
    // A fifth are candidates the matcher refuses ("-rejet" is the matcher's, not the index's).
    e.summary = i % 5 == 0 ? "un texte commun, rejet" : "un texte commun";
    e.link = "https://a.example/commun/" + std::to_string(i);
    if (i % 3 == 0) {  // a third are mentioned, by one rule or two
      for (const char* rule : {"r1", "r2"}) {
        if (rule[1] == '2' && i % 2 == 0) continue;
        MentionRecord m;
        m.rule = rule;
        m.category = "brand";
        m.terms = {"commun"};
        m.snippet = *e.summary;
        e.mentions.push_back(m);
      }
    }
    c.entries.push_back(e);
  }
  ASSERT_TRUE(store_->CommitDocument(c));
  const std::string query = "commun -rejet";
  std::vector<std::int64_t> found;
  ASSERT_TRUE(archive::SearchArchive(*store_, query, {}, [&](const archive::SearchHit& hit) {
    found.push_back(hit.entry.id);
    return true;
  }));
  ASSERT_EQ(found.size(), 240u);
  MentionFilter all;
  all.entry_ids = found;
  all.limit = 0;
  auto expected_rows = store_->ListMentions(all);
  ASSERT_TRUE(expected_rows) << expected_rows.error().message;
  std::vector<std::int64_t> expected;
  for (const auto& m : *expected_rows) expected.push_back(m.id);
  ASSERT_EQ(expected.size(), 120u);  // 80 entries, half of them mentioned twice

  auto ids = [](const std::vector<MentionRow>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& m : rows) out.push_back(m.id);
    return out;
  };
  // 300 candidates: in the statement by default, read the other way past 10.
  for (const std::size_t ids_in_statement : {archive::kEntryIdsInStatement, std::size_t{10}}) {
    for (const int offset : {0, 10, 110, 120}) {
      for (const std::int64_t cap : {0, 20, 119, 120, 1000}) {
        SCOPED_TRACE("offset " + std::to_string(offset) + ", cap " + std::to_string(cap) +
                     ", ids in the statement up to " + std::to_string(ids_in_statement));
        MentionFilter page;
        page.offset = offset;
        page.limit = 11;
        auto r = archive::FindMatchingMentions(*store_, page, query, cap, ids_in_statement);
        ASSERT_TRUE(r) << r.error().message;
        const auto end = std::min<std::size_t>(expected.size(), offset + 11);
        EXPECT_EQ(ids(r->rows),
                  std::vector<std::int64_t>(expected.begin() + std::min<std::size_t>(offset, end),
                                            expected.begin() + end));
        const std::int64_t seen = static_cast<std::int64_t>(end);
        if (std::max(seen, cap) >= 120) {
          EXPECT_FALSE(r->more);
          EXPECT_EQ(r->count, 120);
        } else {
          EXPECT_TRUE(r->more);
          EXPECT_EQ(r->count, std::max(seen, cap)) << "counted to the cap, or to the page";
        }
      }
    }
  }
  // A filter on the mentions applies as in the list; limit 0 lists every match.
  MentionFilter r2;
  r2.rule = "r2";
  r2.limit = 0;
  for (const std::size_t ids_in_statement : {archive::kEntryIdsInStatement, std::size_t{10}}) {
    auto only = archive::FindMatchingMentions(*store_, r2, query, 0, ids_in_statement);
    ASSERT_TRUE(only);
    EXPECT_EQ(only->rows.size(), 40u);
    EXPECT_EQ(only->count, 40);
    EXPECT_FALSE(only->more);
  }
  auto listed = archive::ListMatchingMentions(*store_, MentionFilter{}, query);
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(*listed), std::vector<std::int64_t>(expected.begin(), expected.begin() + 50));
  // A query the index cannot narrow: every mentioned entry is verified, with the same result.
  auto unnarrowed = archive::FindMatchingMentions(*store_, r2, "author:nobody OR commun", 0);
  ASSERT_TRUE(unnarrowed) << unnarrowed.error().message;
  EXPECT_EQ(unnarrowed->rows.size(), 50u);
  auto bad = archive::FindMatchingMentions(*store_, MentionFilter{}, "commun NEAR/3", 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(SearchTest, AVisitorThatStopsEndsTheScan) {
  int seen = 0;
  ASSERT_TRUE(ScanEntries(*store_, nullptr, {}, [&](const StoredEntry&) { return ++seen < 3; }));
  EXPECT_EQ(seen, 3);
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, SearchTest, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, SearchTest, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif

}  // namespace veille::store
