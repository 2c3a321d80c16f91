// Matcher::Explain: the terms' hits with field and offsets, NEAR distances against the limit,
// the exclude's veto; and that it agrees with Match.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "match/matcher.h"

namespace veille::match {
namespace {

Explanation ExplainOne(const std::string& query, const Document& doc,
                       const std::string& exclude = "") {
  auto m = Matcher::Compile({RuleSpec{"rule", "brand", query, exclude}});
  EXPECT_TRUE(m.has_value()) << query;
  if (!m) return {};
  const Explanation e = (*m)->Explain(doc, 0);
  EXPECT_EQ(e.matched, !(*m)->Match(doc).empty()) << query;
  return e;
}

Document TextDoc(std::string_view text) {
  Document d;
  d.text = text;
  return d;
}

const TermExplanation* Term(const QueryExplanation& q, const std::string& term) {
  for (const TermExplanation& t : q.terms) {
    if (t.term == term) return &t;
  }
  ADD_FAILURE() << "no term " << term;
  return nullptr;
}

TEST(ExplainTest, TermsHaveTheirHitsWithFieldAndOffsets) {
  Document doc;
  doc.title = "Alpéa rappelle un lot";
  doc.text = "La marque ALPEA annonce un rappel. Alpéa s'excuse.";
  const Explanation e = ExplainOne("Alpéa rappel* absent", doc);
  EXPECT_FALSE(e.matched);
  EXPECT_FALSE(e.query.matched);
  ASSERT_EQ(e.query.terms.size(), 3u);
  const TermExplanation* alpea = Term(e.query, "Alpéa");
  ASSERT_NE(alpea, nullptr);
  EXPECT_TRUE(alpea->found);
  ASSERT_EQ(alpea->hit_count, 3u);
  EXPECT_EQ(alpea->hits[0].field, "title");
  EXPECT_EQ(alpea->hits[0].begin, 0u);
  EXPECT_EQ(alpea->hits[0].end, 6u);  // "Alpéa": é is two bytes
  EXPECT_EQ(alpea->hits[0].text, "Alpéa");
  EXPECT_EQ(alpea->hits[1].field, "text");
  EXPECT_EQ(alpea->hits[1].text, "ALPEA");
  EXPECT_EQ(doc.text.substr(alpea->hits[1].begin, alpea->hits[1].end - alpea->hits[1].begin),
            "ALPEA");
  EXPECT_EQ(alpea->hits[2].text, "Alpéa");
  const TermExplanation* rappel = Term(e.query, "rappel*");
  ASSERT_NE(rappel, nullptr);
  ASSERT_EQ(rappel->hit_count, 2u);
  EXPECT_EQ(rappel->hits[0].text, "rappelle");
  const TermExplanation* absent = Term(e.query, "absent");
  ASSERT_NE(absent, nullptr);
  EXPECT_FALSE(absent->found);
  EXPECT_TRUE(absent->hits.empty());
}

TEST(ExplainTest, ScopedTermsAndPhrasesAreWrittenAsInAQuery) {
  Document doc;
  doc.title = "Rappel";
  doc.text = "les médias sociaux";
  doc.link = "https://www.lemonde.fr/a";
  doc.language = "fr-FR";
  const Explanation e =
      ExplainOne("title:rappel \"médias sociaux\" site:lemonde.fr lang:en =Rappel", doc);
  EXPECT_FALSE(e.matched);
  ASSERT_EQ(e.query.terms.size(), 5u);
  EXPECT_EQ(e.query.terms[0].term, "title:rappel");
  EXPECT_TRUE(e.query.terms[0].found);
  EXPECT_EQ(e.query.terms[1].term, "\"médias sociaux\"");
  ASSERT_EQ(e.query.terms[1].hits.size(), 1u);
  EXPECT_EQ(e.query.terms[1].hits[0].text, "médias sociaux");
  EXPECT_EQ(e.query.terms[2].term, "site:lemonde.fr");
  EXPECT_TRUE(e.query.terms[2].found);
  EXPECT_EQ(e.query.terms[3].term, "lang:en");
  EXPECT_FALSE(e.query.terms[3].found);  // the entry is French: this is why it fails
  EXPECT_EQ(e.query.terms[4].term, "=Rappel");
  EXPECT_TRUE(e.query.terms[4].found);
}

TEST(ExplainTest, NearReportsTheClosestDistanceAgainstTheLimit) {
  const Document doc = TextDoc("Alpéa a dû procéder hier soir au rappel de bouteilles");
  // Six words between alpéa and rappel.
  Explanation e = ExplainOne("Alpéa NEAR/3 rappel", doc);
  EXPECT_FALSE(e.matched);
  ASSERT_EQ(e.query.near.size(), 1u);
  EXPECT_EQ(e.query.near[0].left, "Alpéa");
  EXPECT_EQ(e.query.near[0].right, "rappel");
  EXPECT_EQ(e.query.near[0].limit, 3u);
  ASSERT_TRUE(e.query.near[0].closest.has_value());
  EXPECT_EQ(*e.query.near[0].closest, 6u);
  EXPECT_FALSE(e.query.near[0].holds);

  e = ExplainOne("rappel NEAR/6 Alpéa", doc);  // either order
  EXPECT_TRUE(e.matched);
  EXPECT_EQ(e.query.near[0].closest.value_or(99), 6u);
  EXPECT_TRUE(e.query.near[0].holds);

  e = ExplainOne("rappel ONEAR/6 Alpéa", doc);  // ordered: rappel never comes first
  EXPECT_FALSE(e.matched);
  EXPECT_FALSE(e.query.near[0].closest.has_value());
  EXPECT_TRUE(e.query.near[0].ordered);
  EXPECT_TRUE(e.query.near[0].left_found);
  EXPECT_TRUE(e.query.near[0].right_found);

  e = ExplainOne("Alpéa NEAR/3 absent", doc);
  EXPECT_TRUE(e.query.near[0].left_found);
  EXPECT_FALSE(e.query.near[0].right_found);
  EXPECT_FALSE(e.query.near[0].closest.has_value());

  e = ExplainOne("(Alpéa OR Vittel) NEAR/10 (rappel OR lot)", doc);
  EXPECT_EQ(e.query.near[0].left, "(Alpéa OR Vittel)");
  EXPECT_EQ(e.query.near[0].closest.value_or(99), 6u);
}

TEST(ExplainTest, NearInDifferentFieldsHasNoDistance) {
  Document doc;
  doc.title = "Alpéa";
  doc.text = "rappel";
  const Explanation e = ExplainOne("Alpéa NEAR/50 rappel", doc);
  EXPECT_FALSE(e.matched);
  EXPECT_FALSE(e.query.near[0].closest.has_value());
}

TEST(ExplainTest, SaysWhichExcludeTermVetoedTheEntry) {
  const Document doc = TextDoc("Alpéa recrute : offre d'emploi à Évian");
  const Explanation e = ExplainOne("Alpéa", doc, "stage OR \"offre d'emploi\"");
  EXPECT_TRUE(e.query.matched);
  ASSERT_TRUE(e.exclude.has_value());
  EXPECT_TRUE(e.exclude->matched);
  EXPECT_TRUE(e.excluded());
  EXPECT_FALSE(e.matched);
  EXPECT_FALSE(Term(*e.exclude, "stage")->found);
  const TermExplanation* offre = Term(*e.exclude, "\"offre d'emploi\"");
  ASSERT_NE(offre, nullptr);
  ASSERT_EQ(offre->hits.size(), 1u);
  EXPECT_EQ(offre->hits[0].text, "offre d'emploi");

  const Explanation kept = ExplainOne("Alpéa", TextDoc("Alpéa"), "stage");
  EXPECT_TRUE(kept.matched);
  EXPECT_FALSE(kept.excluded());
}

TEST(ExplainTest, NegatedTermsAreMarked) {
  const Document doc = TextDoc("Alpéa recrute");
  const Explanation e = ExplainOne("Alpéa -recrute", doc);
  EXPECT_FALSE(e.matched);
  EXPECT_FALSE(Term(e.query, "Alpéa")->negated);
  const TermExplanation* recrute = Term(e.query, "recrute");
  EXPECT_TRUE(recrute->negated);
  EXPECT_TRUE(recrute->found);
}

TEST(ExplainTest, KeepsAtMostTheFirstHitsButCountsThemAll) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "Alpéa ";
  const Explanation e = ExplainOne("Alpéa", TextDoc(text));
  EXPECT_EQ(e.query.terms[0].hit_count, 50u);
  EXPECT_EQ(e.query.terms[0].hits.size(), kMaxExplainedHits);
}

TEST(ExplainTest, OtherFieldsAreNamed) {
  Document doc;
  doc.text = "rien";
  doc.author = "Marie Alpéa";
  doc.feed_name = "Le Journal";
  doc.categories = {"Eau", "Alpéa"};
  const Explanation e = ExplainOne("author:Alpéa OR category:Alpéa OR feed:journal", doc);
  EXPECT_TRUE(e.matched);
  EXPECT_EQ(e.query.terms[0].hits.at(0).field, "author");
  EXPECT_EQ(e.query.terms[0].hits.at(0).begin, 6u);
  EXPECT_EQ(e.query.terms[1].hits.at(0).field, "category");
  EXPECT_EQ(e.query.terms[1].hits.at(0).begin, 0u);
  EXPECT_EQ(e.query.terms[2].hits.at(0).field, "feed");
}

}  // namespace
}  // namespace veille::match
