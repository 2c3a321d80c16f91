// The query language translated into a PostgreSQL tsquery prefilter that never loses a match
// (the PostgreSQL backend's side of ScanEntries; fts_query_test.cc is the FTS5 side). Pure: no
// server (search_test.cc runs the translations on one).
#include "store/pg/tsquery.h"

#include <gtest/gtest.h>

namespace veille::store::pg {
namespace {

std::string Prefilter(const std::string& query) {
  auto parsed = match::ParseQuery(query);
  EXPECT_TRUE(parsed) << query;
  return parsed ? TsQueryPrefilter(*parsed) : "<parse error>";
}

TEST(TsQueryPrefilterTest, TranslatesTermsPhrasesAndBooleans) {
  struct Case {
    const char* query;
    const char* tsquery;
  };
  const Case cases[] = {
      {"Renault", "'renault'"},
      // Phrases and elisions: the matcher's words, ANDed (positions are capped in a tsvector).
      {"L'Oréal", "( 'l' & 'oreal' )"},
      {"\"L’Oréal Paris\"", "( 'l' & 'oreal' & 'paris' )"},
      {"Renault OR Dacia", "( 'renault' | 'dacia' )"},
      {"Renault Dacia", "( 'renault' & 'dacia' )"},
      {"lanc*", "'lanc':*"},
      {"l'Oré*",
       "( 'l' & 'ore':* )"},  // a punctuated prefix term: a phrase, its last word a prefix
      {"title:rappel", "'rappel':A"},
      {"text:rappel", "'rappel':B"},
      {"title:lanc*", "'lanc':*A"},
      {"Renault -emploi", "'renault'"},
      {"Renault NEAR/5 rappel", "( 'renault' & 'rappel' )"},
      {"(Renault OR Dacia) ONEAR/3 (rappel OR recall)",
       "( ( 'renault' | 'dacia' ) & ( 'rappel' | 'recall' ) )"},
      {"sœur Æsop", "( 'soeur' & 'aesop' )"},  // unaccent spells the ligatures out too
      {"=Orange", "'orange'"},                 // case and accents: the matcher's business
      {"^pêche", "'peche'"},
  };
  for (const Case& c : cases) EXPECT_EQ(Prefilter(c.query), c.tsquery) << "query: " << c.query;
}

TEST(TsQueryPrefilterTest, LeavesToTheMatcherWhatTheIndexDoesNotHold) {
  EXPECT_EQ(Prefilter("site:lemonde.fr"), "");
  EXPECT_EQ(Prefilter("author:dupont"), "");
  EXPECT_EQ(Prefilter("lang:fr"), "");
  EXPECT_EQ(Prefilter("Renault OR site:renault.com"), "");
  EXPECT_EQ(Prefilter("Renault site:lemonde.fr"), "'renault'");
  EXPECT_EQ(Prefilter("feed:lemonde (Renault OR Dacia)"), "( 'renault' | 'dacia' )");
}

TEST(TsQueryPrefilterTest, HostileTermsNeverReachTheSyntax) {
  // Operators of the tsquery syntax inside a term are separators for the matcher: only its
  // folded words (letters and digits) become lexemes, each quoted.
  EXPECT_EQ(Prefilter("\"a & b | !c <-> (d):*\""), "( 'a' & 'b' & 'c' & 'd' )");
  EXPECT_EQ(Prefilter("\"it's \\\\ ok\""), "( 'it' & 's' & 'ok' )");
  // A word longer than a lexeme may be is not indexed: left out rather than never found.
  const std::string long_word(3000, 'z');
  EXPECT_EQ(Prefilter(long_word), "");
  EXPECT_EQ(Prefilter("Renault " + long_word), "'renault'");
}

TEST(TsQueryPrefilterTest, QuotesLexemesForTheInputSyntax) {
  EXPECT_EQ(TsQuote("oreal"), "'oreal'");
  EXPECT_EQ(TsQuote("it's"), "'it''s'");
  EXPECT_EQ(TsQuote("a\\b"), "'a\\\\b'");
  EXPECT_EQ(TsQuote("a & b"), "'a & b'");
}

}  // namespace
}  // namespace veille::store::pg
