#include "match/matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace veille::match {
namespace {

std::shared_ptr<const Matcher> CompileOne(const std::string& query,
                                          const std::string& exclude = "") {
  auto m = Matcher::Compile({RuleSpec{"rule", "brand", query, exclude}});
  EXPECT_TRUE(m.has_value()) << query << ": " << (m ? "" : m.error().message);
  return m ? *m : nullptr;
}

bool Matches(const std::string& query, const Document& doc, const std::string& exclude = "") {
  auto m = CompileOne(query, exclude);
  return m != nullptr && !m->Match(doc).empty();
}

Document TextDoc(std::string_view text) {
  Document d;
  d.text = text;
  return d;
}

struct MatchCase {
  const char* query;
  const char* text;
  bool expected;
};

void RunTable(const std::vector<MatchCase>& cases) {
  for (const MatchCase& c : cases) {
    EXPECT_EQ(Matches(c.query, TextDoc(c.text)), c.expected)
        << "query: " << c.query << "\ntext: " << c.text;
  }
}

TEST(MatcherTest, IgnoresAccentsCaseAndLigatures) {
  RunTable({
      {"Lancôme", "LANCOME lance un parfum", true},
      {"lancome", "Le nouveau Lancôme", true},
      {"\"médias sociaux\"", "Stratégie Medias Sociaux 2025", true},
      {"élève", "ELEVE", true},
      {"cœur", "au coeur de Paris", true},
      {"coeur", "au CŒUR de Paris", true},
      {"Æsop", "aesop ouvre", true},
      {"straße", "Strasse", true},
      {"Crédit", "cre\u0301dit agricole", true},
  });
}

TEST(MatcherTest, MatchesWholeWordsOnly) {
  RunTable({
      {"Orange", "Une orangeade fraîche", false},
      {"Orange", "Orange annonce", true},
      {"Total", "totalement faux", false},
      {"Total", "TotalEnergies rachète", false},
      {"Total", "chez Total, on", true},
      {"Apple", "pineapple", false},
      {"2024", "en 2024.", true},
      {"2024", "A2024", false},
      {"A380", "l'A380 vole", true},
  });
}

TEST(MatcherTest, SplitsFrenchElisions) {
  RunTable({
      {"Oréal", "chez L'Oréal Paris", true},
      {"\"L'Oréal\"", "chez l’oréal", true},
      {"L'Oréal", "chez l oreal", true},
      {"Apple", "le rachat d’Apple", true},
      {"Apple", "Apple's new phone", true},
      {"\"aujourd'hui\"", "c'est aujourd’hui", true},
      {"hui", "aujourd'hui", true},
  });
}

TEST(MatcherTest, PhrasesMatchAcrossPunctuationHyphensAndLineBreaks) {
  RunTable({
      {"\"médias sociaux\"", "les médias,\nsociaux", true},
      {"\"e-réputation\"", "son e réputation", true},
      {"\"e réputation\"", "son e-réputation", true},
      {"e-réputation", "son eréputation", false},
      {"\"social media strategy\"", "Social-media strategy!", true},
      {"\"social media\"", "social networks and media", false},
      {"\"le prix\"", "le\u00a0prix", true},
      {"\"Total Energies\"", "« Total » Energies", true},
  });
}

TEST(MatcherTest, EvaluatesBooleanOperatorsWithPrecedence) {
  RunTable({
      {"Renault Dacia", "Renault et Dacia", true},
      {"Renault Dacia", "Renault seul", false},
      {"Renault OR Dacia", "Dacia seul", true},
      {"Renault -emploi", "Renault recrute: emploi", false},
      {"Renault NOT emploi", "Renault lance", true},
      {"a OR b c", "a", true},
      {"a OR b c", "b", false},
      {"a OR b c", "b c", true},
      {"(a OR b) c", "a", false},
      {"(a OR b) c", "a c", true},
      {"NOT x y", "y", true},
      {"NOT x y", "x y", false},
      {"Renault AND NOT (emploi OR recrute)", "Renault recrute", false},
      {"Renault or Dacia", "Renault or Dacia", true},
      {"Renault or Dacia", "Renault Dacia", false},
  });
}

TEST(MatcherTest, MeasuresNearAndOnearInWordsBetween) {
  RunTable({
      {"Renault NEAR/0 rappel", "Renault rappel", true},
      {"Renault NEAR/0 rappel", "rappel Renault", true},
      {"Renault NEAR/0 rappel", "Renault, le rappel", false},
      {"Renault NEAR/1 rappel", "Renault, le rappel", true},
      {"Renault NEAR/3 rappel", "rappel de plus de Renault", true},
      {"Renault NEAR/3 rappel", "rappel de plus de mille Renault", false},
      {"Renault ONEAR/3 rappel", "rappel chez Renault", false},
      {"Renault ONEAR/3 rappel", "Renault fait un rappel", true},
      {"\"Renault Clio\" NEAR/2 rappel", "la Renault Clio fait rappel", true},
      {"rappel NEAR/2 \"Renault Clio\"", "rappel de la Renault Clio", true},
      {"(Renault OR Dacia) NEAR/5 (rappel OR recall)", "Dacia announces a recall", true},
      {"(Renault OR Dacia) NEAR/5 (rappel OR recall)",
       "Dacia. Plus tard, beaucoup plus tard, un rappel", false},
      {"Renault NEAR/3 Renault", "Renault", false},
      {"Renault NEAR/3 Renault", "Renault et Renault", true},
      {"Renault NEAR/50 rappel", "Renault", false},
      {"lanc* NEAR/1 parfum", "Lancôme parfum", true},
  });
}

TEST(MatcherTest, NearDoesNotReachAcrossFields) {
  Document d;
  d.title = "Renault";
  d.text = "rappel massif";
  EXPECT_FALSE(Matches("Renault NEAR/5 rappel", d));
  EXPECT_TRUE(Matches("Renault rappel", d));
}

TEST(MatcherTest, ExpandsSuffixWildcards) {
  RunTable({
      {"lanc*", "Lancôme", true},
      {"lanc*", "on lance", true},
      {"lanc*", "élan", false},
      {"lanc*", "lanc", true},
      {"\"l'Oré*\"", "l'Oréal", false},  // inside quotes * is punctuation: "l ore"
      {"l'Oré*", "chez l'Oréal", true},
      {"recrut*", "Il recrute", true},
  });
}

TEST(MatcherTest, HonoursCaseAndAccentExactTerms) {
  RunTable({
      {"=Orange", "Orange annonce", true},
      {"=Orange", "une orange pressée", false},
      {"=Orange", "ORANGE", false},
      {"=Lancôme", "Lancome", true},
      {"^pêche", "la PÊCHE", true},
      {"^pêche", "le péché", false},
      {"^pêche", "la peche", false},
      {"=^Pêche", "Pêche", true},
      {"=^Pêche", "pêche", false},
      {"=\"Crédit Agricole\"", "le Credit Agricole", true},
      {"=\"Crédit Agricole\"", "le crédit agricole", false},
      {"=Lanc*", "Lancôme", true},
      {"=Lanc*", "lancôme", false},
      {"=Orange OR =Free", "free et orange", false},
      {"=Orange", "Orangé", true},
      {"=Œuvre", "OEuvre", true},
      {"=Œuvre", "OEUVRE", false},
      {"title: Renault OR Renault", "Renault", true},
  });
}

TEST(MatcherTest, ScopesTermsToFields) {
  Document d;
  d.title = "Renault rappelle";
  d.text = "Le constructeur Dacia";
  d.author = "Jean Dupont";
  d.link = "https://www.LeMonde.fr/economie/article/renault-clio";
  d.feed_name = "Le Monde — Économie";
  d.feed_url = "https://lemonde.fr/rss/economie.xml";
  d.language = "fr-FR";
  d.categories = {"Automobile", "Industrie lourde"};
  const MatchCase cases[] = {
      {"title:Renault", "", true},
      {"text:Renault", "", false},
      {"title:Dacia", "", false},
      {"text:Dacia", "", true},
      {"Dacia", "", true},
      {"Dupont", "", false},
      {"author:Dupont", "", true},
      {"author:\"jean dupont\"", "", true},
      {"link:clio", "", true},
      {"link:\"renault clio\"", "", true},
      {"feed:économie", "", true},
      {"feed:rss", "", true},
      {"category:automobile", "", true},
      {"category:\"industrie lourde\"", "", true},
      {"category:\"automobile industrie\"", "", false},
      {"Renault site:lemonde.fr", "", true},
      {"Renault site:www.lemonde.fr", "", true},
      {"Renault site:monde.fr", "", false},
      {"Renault site:lefigaro.fr", "", false},
      {"Renault lang:fr", "", true},
      {"Renault lang:fr-fr", "", true},
      {"Renault lang:en", "", false},
      {"lang:fr", "", true},
      {"Renault lang:(en OR fr)", "", true},
      {"lang:(de OR en)", "", false},
      {"site:lemonde.fr", "", true},
      {"title:(Renault OR Peugeot) text:Dacia", "", true},
      {"title:(Renault text:Renault)", "", false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(Matches(c.query, d), c.expected) << "query: " << c.query;
  }
}

TEST(MatcherTest, ExcludeQueryVetoesAMention) {
  EXPECT_FALSE(Matches("Renault", TextDoc("Renault recrute"), "emploi OR recrute"));
  EXPECT_TRUE(Matches("Renault", TextDoc("Renault lance"), "emploi OR recrute"));
  EXPECT_TRUE(Matches("Renault", TextDoc("Renault lance"), "  "));
}

TEST(MatcherTest, ReportsTermsAsWrittenAndASnippetWithHighlights) {
  auto m = CompileOne("\"L'Oréal\" OR Lancôme OR Garnier");
  ASSERT_NE(m, nullptr);
  Document d;
  d.title = "Beauté";
  d.text = "Le groupe L’Oréal, propriétaire de LANCÔME, annonce…";
  const std::vector<Mention> mentions = m->Match(d);
  ASSERT_EQ(mentions.size(), 1u);
  const Mention& mention = mentions[0];
  EXPECT_EQ(mention.rule_index, 0u);
  EXPECT_EQ(mention.terms, (std::vector<std::string>{"L'Oréal", "Lancôme"}));
  EXPECT_EQ(mention.snippet, d.text);
  ASSERT_EQ(mention.highlights.size(), 2u);
  const auto hl = [&](std::size_t i) {
    return mention.snippet.substr(mention.highlights[i].begin,
                                  mention.highlights[i].end - mention.highlights[i].begin);
  };
  EXPECT_EQ(hl(0), "L’Oréal");
  EXPECT_EQ(hl(1), "LANCÔME");
}

TEST(MatcherTest, ReturnsEveryMatchingRuleInRuleOrderSharingPatterns) {
  auto compiled = Matcher::Compile({
      RuleSpec{"a", "brand", "Renault", ""},
      RuleSpec{"b", "competitor", "Peugeot", ""},
      RuleSpec{"c", "sector", "Renault OR automobile", "Peugeot"},
      RuleSpec{"d", "x", "lang:en", ""},
  });
  ASSERT_TRUE(compiled.has_value());
  Document d;
  d.text = "Renault et Peugeot";
  d.language = "en";
  const auto mentions = (*compiled)->Match(d);
  ASSERT_EQ(mentions.size(), 3u);
  EXPECT_EQ(mentions[0].rule_index, 0u);
  EXPECT_EQ(mentions[1].rule_index, 1u);
  EXPECT_EQ(mentions[2].rule_index, 3u);
  EXPECT_EQ((*compiled)->rules().size(), 4u);
}

TEST(MatcherTest, CompileErrorsNameTheRuleAndColumn) {
  auto bad = Matcher::Compile({RuleSpec{"ok", "brand", "Renault", ""},
                               RuleSpec{"marque", "brand", "Renault Clio NEAR/3", ""}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "rule \"marque\": column 14: expected a term after NEAR/3");
  EXPECT_EQ(bad.error().rule_index, 1u);
  auto bad_exclude = Matcher::Compile({RuleSpec{"marque", "brand", "Renault", "emploi OR"}});
  ASSERT_FALSE(bad_exclude.has_value());
  EXPECT_EQ(bad_exclude.error().message,
            "rule \"marque\": exclude: column 8: expected a term after OR");
  EXPECT_EQ(bad_exclude.error().rule_index, 0u);
}

// The failing rule is data, not something to find again in the message: names may repeat, be
// each other's beginnings or hold quotes.
TEST(MatcherTest, TheFailingRuleIsGivenByItsIndex) {
  auto bad = Matcher::Compile({RuleSpec{"a", "brand", "Renault", ""},
                               RuleSpec{"a\": x", "brand", "Dacia", ""},
                               RuleSpec{"a", "brand", "Alpine AND", ""}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().rule_index, 2u);
  EXPECT_EQ(bad.error().message, "rule \"a\": column 8: expected a term after AND");
}

TEST(MatcherTest, ARuleMatchingOnScopesAloneShowsTheStartOfTheText) {
  auto m = CompileOne("lang:fr");
  ASSERT_NE(m, nullptr);
  Document d;
  d.title = "Titre";
  d.text = "Le début du texte.";
  d.language = "fr";
  auto mentions = m->Match(d);
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(mentions[0].snippet, "Le début du texte.");
  EXPECT_TRUE(mentions[0].highlights.empty());
  EXPECT_EQ(mentions[0].terms, (std::vector<std::string>{"lang:fr"}));
  d.text = "";
  mentions = m->Match(d);
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(mentions[0].snippet, "Titre");
  d.title = "";
  mentions = m->Match(d);
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(mentions[0].snippet, "");
}

TEST(MatcherTest, CompilesAnEmptyRuleSetThatMatchesNothing) {
  auto m = Matcher::Compile({});
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE((*m)->Match(TextDoc("anything")).empty());
}

TEST(MatcherTest, SurvivesInvalidUtf8AndEmptyDocuments) {
  EXPECT_FALSE(Matches("Renault", Document{}));
  EXPECT_TRUE(Matches("Renault", TextDoc("\xff\xfeRenault\xc3")));
}

}  // namespace
}  // namespace veille::match
