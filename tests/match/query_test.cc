#include "match/query.h"

#include <gtest/gtest.h>

#include "match/matcher.h"

namespace veille::match {
namespace {

std::string Parsed(std::string_view query) {
  auto root = ParseQuery(query);
  if (!root) return "error: " + root.error().ToString();
  return DebugString(*root);
}

struct ParseCase {
  const char* query;
  const char* tree;
};

TEST(QueryTest, ParsesTheLanguageWithItsPrecedence) {
  const ParseCase cases[] = {
      {"Renault", R"("renault")"},
      {"L'Oréal", R"("l oreal")"},
      {"\"médias sociaux\"", R"("medias sociaux")"},
      {"e-réputation", R"("e reputation")"},
      {"a b", R"((AND "a" "b"))"},
      {"a AND b", R"((AND "a" "b"))"},
      {"a OR b", R"((OR "a" "b"))"},
      {"a OR b c", R"((OR "a" (AND "b" "c")))"},
      {"a b OR c", R"((OR (AND "a" "b") "c"))"},
      {"(a OR b) c", R"((AND (OR "a" "b") "c"))"},
      {"a NOT b", R"((AND "a" (NOT "b")))"},
      {"a -b", R"((AND "a" (NOT "b")))"},
      {"a -(b OR c)", R"((AND "a" (NOT (OR "b" "c"))))"},
      {"NOT b a OR c", R"((OR (AND (NOT "b") "a") "c"))"},
      {"a or b and c not d", R"((AND "a" "or" "b" "and" "c" "not" "d"))"},
      {"a NEAR/3 b", R"((NEAR/3 "a" "b"))"},
      {"a ONEAR/0 \"b c\"", R"((ONEAR/0 "a" "b c"))"},
      {"(Renault OR Dacia) NEAR/5 (rappel OR recall)",
       R"((NEAR/5 (OR "renault" "dacia") (OR "rappel" "recall")))"},
      {"x a NEAR/2 b OR c", R"((OR (AND "x" (NEAR/2 "a" "b")) "c"))"},
      {"NOT a NEAR/2 b c", R"((AND (NOT (NEAR/2 "a" "b")) "c"))"},
      {"lanc*", R"("lanc*")"},
      {"l'Ore*", R"("l ore*")"},
      {"title:Renault", R"(title:"renault")"},
      {"Title:Renault", R"(title:"renault")"},
      {"title:(a OR text:b)", R"((OR title:"a" text:"b"))"},
      {"author:\"Jean Dupont\"", R"(author:"jean dupont")"},
      {"a site:LeMonde.fr", R"((AND "a" site:lemonde.fr))"},
      {"a lang:fr_FR", R"((AND "a" lang:fr-fr))"},
      {"lang:fr", R"(lang:fr)"},
      {"a lang:(fr OR EN_us)", R"((AND "a" (OR lang:fr lang:en-us)))"},
      {"lang:(fr)", R"(lang:fr)"},
      {"=Orange", R"(="Orange")"},
      {"^pêche", R"(^"pêche")"},
      {"=^Pêche", R"(=^"Pêche")"},
      {"title:=\"Crédit Agricole\"", R"(title:="Credit Agricole")"},
      {"x=y", R"("x y")"},
      {"a -b-c", R"((AND "a" (NOT "b c")))"},
      {"12:30", R"("12 30")"},
      {"  a  \n\t b ", R"((AND "a" "b"))"},
  };
  for (const ParseCase& c : cases) {
    EXPECT_EQ(Parsed(c.query), c.tree) << "query: " << c.query;
  }
}

struct ErrorCase {
  const char* query;
  const char* error;
};

// Every message of docs/query-language.md, section "Error messages".
TEST(QueryTest, RejectsBadQueriesWithColumnAndWhatWasExpected) {
  const ErrorCase cases[] = {
      {"", "column 1: empty query"},
      {"   ", "column 1: empty query"},
      {"Renault NEAR/3", "column 9: expected a term after NEAR/3"},
      {"Renault NEAR/3 NOT x", "column 9: expected a term after NEAR/3"},
      {"Renault AND", "column 9: expected a term after AND"},
      {"Renault ONEAR/2", "column 9: expected a term after ONEAR/2"},
      {"^", "column 1: expected a term or phrase after ^"},
      {"author:", "column 1: expected a term after author:"},
      {"Renault OR", "column 9: expected a term after OR"},
      {"Renault OR OR Dacia", "column 9: expected a term after OR"},
      {"a NOT", "column 3: expected a term after NOT"},
      {"a - b", "column 3: expected a term after -"},
      {"a ()", "column 3: expected a term after ("},
      {"title:", "column 1: expected a term after title:"},
      {"title: AND x", "column 1: expected a term after title:"},
      {"=", "column 1: expected a term or phrase after ="},
      {"=(a OR b)", "column 1: expected a term or phrase after ="},
      {"AND Renault", "column 1: expected a term before AND"},
      {"OR Renault", "column 1: expected a term before OR"},
      {"NEAR/2 b", "column 1: expected a term before NEAR/2"},
      {"a)", "column 2: unexpected \")\""},
      {")", "column 1: unexpected \")\""},
      {"(a OR b", "column 1: \"(\" is never closed"},
      {"médias \"sociaux", "column 8: missing closing quote \""},
      {"a NEAR b", "column 3: NEAR needs a distance from 0 to 1000, as in NEAR/5"},
      {"a NEAR/x b", "column 3: NEAR needs a distance from 0 to 1000, as in NEAR/5"},
      {"a ONEAR/1001 b", "column 3: ONEAR needs a distance from 0 to 1000, as in ONEAR/5"},
      {"(a b) NEAR/3 c",
       "column 7: the operands of NEAR/3 must be terms, phrases or OR-groups of them"},
      {"a NEAR/3 (b -c)",
       "column 3: the operands of NEAR/3 must be terms, phrases or OR-groups of them"},
      {"a NEAR/3 b NEAR/3 c",
       "column 12: the operands of NEAR/3 must be terms, phrases or OR-groups of them"},
      {"lang:fr NEAR/3 c",
       "column 9: the operands of NEAR/3 must be terms, phrases or OR-groups of them"},
      {"la*", "column 1: a wildcard needs at least 3 letters before \"*\""},
      {"x l'ab*", "column 3: a wildcard needs at least 3 letters before \"*\""},
      {"*", "column 1: a wildcard needs at least 3 letters before \"*\""},
      {"la*nc", "column 1: \"*\" is only allowed at the end of a term"},
      {"\"\"", "column 1: empty phrase"},
      {"a \" ,; \"", "column 3: empty phrase"},
      {"a &&", "column 3: \"&&\" has no letters or digits"},
      {"Oréal foo:bar",
       "column 7: unknown field \"foo:\" (fields are title: text: author: link: feed: site: "
       "category: lang:; quote the term to search for it)"},
      {"site:", "column 1: expected a host name after site: (such as example.com)"},
      {"site:(a OR b)", "column 1: expected a host name after site: (such as example.com)"},
      {"site:a/b", "column 1: expected a host name after site: (such as example.com)"},
      {"lang:french", "column 1: expected a language code after lang: (such as fr or en-US)"},
      {"lang:f", "column 1: expected a language code after lang: (such as fr or en-US)"},
      {"lang:()", "column 1: expected a language code after lang: (such as fr or en-US)"},
      {"lang:(fr en)",
       "column 6: lang:(...) takes language codes separated by OR, as in lang:(fr OR en)"},
      {"lang:(fr OR en",
       "column 6: lang:(...) takes language codes separated by OR, as in "
       "lang:(fr OR en)"},
      {"NOT Renault", "column 1: the query only excludes: add a term that entries must contain"},
      {"-Renault -Dacia",
       "column 1: the query only excludes: add a term that entries must contain"},
      {"a OR -b", "column 1: the query only excludes: add a term that entries must contain"},
      {"NOT lang:fr", "column 1: the query only excludes: add a term that entries must contain"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(Parsed(c.query), std::string("error: ") + c.error) << "query: " << c.query;
    EXPECT_EQ(CheckQuery(c.query), c.error) << "query: " << c.query;
  }
}

TEST(QueryTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(CheckQuery("Lancôme éàü NEAR/3"), "column 13: expected a term after NEAR/3");
}

TEST(QueryTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(500, '(') + "a" + std::string(500, ')');
  EXPECT_NE(CheckQuery(deep).find("nests more than 100 levels"), std::string::npos)
      << CheckQuery(deep);
  const std::string nots = [] {
    std::string s;
    for (int i = 0; i < 500; ++i) s += "NOT ";
    return s + "a";
  }();
  EXPECT_NE(CheckQuery(nots).find("nests more than"), std::string::npos);
}

TEST(QueryTest, LongTermsAndQueriesAreRefused) {
  std::string phrase = "x \"";
  for (int i = 0; i < 1000; ++i) phrase += "mot" + std::to_string(i) + " ";
  phrase += "\"";
  EXPECT_EQ(CheckQuery(phrase), "column 3: a term or phrase can be at most 4096 bytes long");
  EXPECT_EQ(CheckQuery(std::string(70000, 'a')), "column 1: the query is longer than 65536 bytes");
  // Many short terms are fine, and compile.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "mot" + std::to_string(i) + " OR ";
  many += "fin";
  EXPECT_EQ(CheckQuery(many), "");
  EXPECT_TRUE(Matcher::Compile({RuleSpec{"r", "", many, ""}}).has_value());
}

TEST(QueryTest, ValidQueriesCheckAsEmpty) {
  EXPECT_EQ(CheckQuery("\"L'Oréal\" OR Lancôme OR Garnier"), "");
  EXPECT_EQ(CheckQuery("lang:fr"), "");
}

TEST(QueryTest, LintWarnsOnLowerCaseOperatorsBetweenTerms) {
  auto w = LintQuery("Renault or Dacia");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].column, 9u);
  EXPECT_NE(w[0].message.find("write OR for the operator"), std::string::npos) << w[0].message;
  EXPECT_NE(w[0].message.find("\"or\" (quoted)"), std::string::npos) << w[0].message;

  w = LintQuery("(Alpéa OR Evian) and \"eau minérale\" not -plastique Alpéa near/5 rappel");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].column, 18u);  // columns count characters: é is one
  EXPECT_NE(w[0].message.find("write AND"), std::string::npos);
  EXPECT_NE(w[1].message.find("write NOT"), std::string::npos);
  EXPECT_NE(w[2].message.find("write NEAR/5"), std::string::npos);
  EXPECT_EQ(LintQuery("Renault Or Dacia").size(), 1u);
  EXPECT_EQ(LintQuery("a onear/3 b").at(0).message.find("write ONEAR/3") != std::string::npos,
            true);
  EXPECT_NE(LintQuery("Alpéa near rappel").at(0).message.find("write NEAR/n"), std::string::npos);
}

TEST(QueryTest, LintLeavesOperatorsQuotedWordsAndEdgesAlone) {
  for (const char* q : {"Renault OR Dacia", "Renault \"or\" Dacia", "\"rock and roll\"", "or Alpéa",
                        "Alpéa or", "prix de l'or", "Alpéa -or", "Alpéa =or", "Alpéa title:or",
                        "Alpéa NEAR/5 rappel", "Alpéa OR (", "orange and"}) {
    EXPECT_TRUE(LintQuery(q).empty()) << q;
  }
}

}  // namespace
}  // namespace veille::match
