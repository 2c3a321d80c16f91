// The query language translated into an FTS5 prefilter that never loses a match (the SQLite
// backend's side of ScanEntries).
#include "store/fts_query.h"

#include <gtest/gtest.h>

namespace veille::store {
namespace {

std::string Prefilter(const std::string& query) {
  auto parsed = match::ParseQuery(query);
  EXPECT_TRUE(parsed) << query;
  return parsed ? FtsPrefilter(*parsed) : "<parse error>";
}

TEST(FtsPrefilterTest, TranslatesTermsPhrasesAndBooleans) {
  struct Case {
    const char* query;
    const char* fts;
  };
  const Case cases[] = {
      {"Renault", "\"renault\""},
      {"\"L'Oréal Paris\"", "\"l oreal paris\""},
      {"Renault OR Dacia", "(\"renault\" OR \"dacia\")"},
      {"Renault Dacia", "(\"renault\" AND \"dacia\")"},
      {"lanc*", "\"lanc\" *"},
      {"title:rappel", "title : \"rappel\""},
      {"text:rappel", "text : \"rappel\""},
      {"Renault -emploi", "(\"renault\")"},
      {"Renault NEAR/5 rappel", "(\"renault\" AND \"rappel\")"},
      {"(Renault OR Dacia) ONEAR/3 (rappel OR recall)",
       "((\"renault\" OR \"dacia\") AND (\"rappel\" OR \"recall\"))"},
      {"sœur", "(\"soeur\" OR \"sœur\")"},
  };
  for (const Case& c : cases) EXPECT_EQ(Prefilter(c.query), c.fts) << "query: " << c.query;
}

TEST(FtsPrefilterTest, LeavesToTheMatcherWhatTheIndexDoesNotHold) {
  // Scopes outside the index, and an OR with such a branch, constrain nothing.
  EXPECT_EQ(Prefilter("site:lemonde.fr"), "");
  EXPECT_EQ(Prefilter("author:dupont"), "");
  EXPECT_EQ(Prefilter("Renault OR site:renault.com"), "");
  EXPECT_EQ(Prefilter("Renault site:lemonde.fr"), "(\"renault\")");
}

}  // namespace
}  // namespace veille::store
