// The engine against a slow reference: random queries over a small vocabulary, random entries,
// and a word-by-word evaluator of the parsed query that knows nothing of Hyperscan, literals,
// hit lists or candidate rules. Plus thread safety and matchers sharing a thread.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "match/matcher.h"
#include "match/query.h"
#include "text/normalize.h"

namespace veille::match {
namespace {

struct RefSegment {
  Field kind = Field::kTitle;  // kTitle, kText, kAuthor or kCategory
  std::string_view source;
  text::Normalized norm;
  std::vector<std::string> words;
};

struct Occ {
  std::size_t segment;
  std::size_t first;
  std::size_t last;
};

std::vector<Occ> Occurrences(const QueryNode& term, const std::vector<RefSegment>& segments) {
  std::vector<Occ> out;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const Field kind = segments[s].kind;
    const bool in_scope = term.field == kind || (term.field == Field::kDefault &&
                                                 (kind == Field::kTitle || kind == Field::kText));
    if (!in_scope) continue;
    const auto& words = segments[s].words;
    const std::size_t k = term.words.size();
    for (std::size_t i = 0; i + k <= words.size(); ++i) {
      bool ok = true;
      for (std::size_t j = 0; j < k && ok; ++j) {
        const bool last = j + 1 == k;
        const std::string& w = words[i + j];
        ok = term.prefix && last ? w.starts_with(term.words[j]) : w == term.words[j];
        if (ok && term.fold != text::Fold::kInsensitive) {
          const text::Word& src = segments[s].norm.words[i + j];
          const std::string exact = text::FoldWord(
              segments[s].source.substr(src.source_begin, src.source_end - src.source_begin),
              term.fold);
          ok = term.prefix && last ? exact.starts_with(term.exact_words[j])
                                   : exact == term.exact_words[j];
        }
      }
      if (ok) out.push_back({s, i, i + k - 1});
    }
  }
  return out;
}

std::vector<Occ> OperandOccurrences(const QueryNode& n, const std::vector<RefSegment>& segs) {
  if (n.kind == QueryNode::Kind::kTerm) return Occurrences(n, segs);
  std::vector<Occ> all;
  for (const QueryNode& c : n.children) {
    const auto more = OperandOccurrences(c, segs);
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

bool RefEval(const QueryNode& n, const std::vector<RefSegment>& segs) {
  switch (n.kind) {
    case QueryNode::Kind::kTerm:
      return !Occurrences(n, segs).empty();
    case QueryNode::Kind::kAnd:
      for (const auto& c : n.children) {
        if (!RefEval(c, segs)) return false;
      }
      return true;
    case QueryNode::Kind::kOr:
      for (const auto& c : n.children) {
        if (RefEval(c, segs)) return true;
      }
      return false;
    case QueryNode::Kind::kNot:
      return !RefEval(n.children[0], segs);
    case QueryNode::Kind::kNear:
      for (const Occ& a : OperandOccurrences(n.children[0], segs)) {
        for (const Occ& b : OperandOccurrences(n.children[1], segs)) {
          if (a.segment != b.segment) continue;
          if (a.last < b.first && b.first - a.last - 1 <= n.distance) return true;
          if (!n.ordered && b.last < a.first && a.first - b.last - 1 <= n.distance) return true;
        }
      }
      return false;
  }
  return false;
}

const char* const kVocabulary[] = {"Renault", "dacia",  "Clio",  "rappel", "l'Oréal", "Lancôme",
                                   "Orange",  "orange", "pêche", "péché",  "le",      "la"};

std::string RandomOperand(std::mt19937& rng) {
  std::string t = kVocabulary[rng() % std::size(kVocabulary)];
  switch (rng() % 8) {
    case 0:
      return "\"" + t + " " + kVocabulary[rng() % std::size(kVocabulary)] + "\"";
    case 1:
      return "=" + t;
    case 2:
      return "^" + t;
    case 3:
      return t.size() >= 4 ? t.substr(0, 3) + "*" : t;
    case 4:
      return (rng() % 2 ? "title:" : "text:") + t;
    default:
      return t;
  }
}

std::string RandomQuery(std::mt19937& rng, int depth) {
  if (depth == 0) return RandomOperand(rng);
  switch (rng() % 6) {
    case 0:
      return RandomQuery(rng, depth - 1) + " " + RandomQuery(rng, depth - 1);
    case 1:
      return "(" + RandomQuery(rng, depth - 1) + " OR " + RandomQuery(rng, depth - 1) + ")";
    case 2:
      return RandomQuery(rng, depth - 1) + " -" + RandomOperand(rng);
    case 3:
    case 4: {
      const std::string op = (rng() % 2 ? "NEAR/" : "ONEAR/") + std::to_string(rng() % 4);
      const std::string left = rng() % 2
                                   ? RandomOperand(rng)
                                   : "(" + RandomOperand(rng) + " OR " + RandomOperand(rng) + ")";
      return left + " " + op + " " + RandomOperand(rng);
    }
    default:
      return RandomOperand(rng);
  }
}

std::string RandomText(std::mt19937& rng) {
  const char* const glue[] = {" ", " ", " ", ", ", ".\n", " - ", "\u00a0", " « ", "’"};
  std::string text;
  const std::size_t n = rng() % 14;
  for (std::size_t i = 0; i < n; ++i) {
    std::string w = kVocabulary[rng() % std::size(kVocabulary)];
    if (rng() % 5 == 0) {
      for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (rng() % 7 == 0) w = "peche";
    text += w + glue[rng() % std::size(glue)];
  }
  return text;
}

TEST(EngineTest, AgreesWithAWordByWordReferenceOnRandomQueriesAndEntries) {
  std::mt19937 rng(7);
  int compared = 0;
  int matched = 0;
  for (int round = 0; round < 400; ++round) {
    const std::string query = RandomQuery(rng, static_cast<int>(rng() % 3));
    std::string exclude = rng() % 4 == 0 ? RandomOperand(rng) : "";
    const auto parsed = ParseQuery(query);
    if (!parsed) continue;  // e.g. a random query that only excludes
    const auto parsed_exclude = ParseQuery(exclude);
    if (!parsed_exclude) exclude.clear();  // e.g. "pê*", too short a wildcard
    auto matcher = Matcher::Compile({RuleSpec{"r", "", query, exclude}});
    ASSERT_TRUE(matcher.has_value()) << query;
    for (int e = 0; e < 10; ++e) {
      const std::string title = RandomText(rng);
      const std::string body = RandomText(rng);
      const std::string author = rng() % 2 ? RandomText(rng) : "";
      const std::string category1 = rng() % 2 ? RandomText(rng) : "";
      const std::string category2 = rng() % 2 ? RandomText(rng) : "";
      std::vector<RefSegment> segs(5);
      const std::pair<Field, std::string_view> fields[] = {{Field::kTitle, title},
                                                           {Field::kText, body},
                                                           {Field::kAuthor, author},
                                                           {Field::kCategory, category1},
                                                           {Field::kCategory, category2}};
      for (std::size_t i = 0; i < segs.size(); ++i) {
        RefSegment& s = segs[i];
        s.kind = fields[i].first;
        s.source = fields[i].second;
        s.norm = text::Normalize(s.source);
        for (const text::Word& w : s.norm.words) {
          s.words.push_back(s.norm.text.substr(w.begin, w.end - w.begin));
        }
      }
      Document doc;
      doc.title = title;
      doc.text = body;
      doc.author = author;
      doc.categories = {category1, category2};
      const std::vector<Mention> mentions = (*matcher)->Match(doc);
      const bool engine = !mentions.empty();
      const bool reference =
          RefEval(*parsed, segs) && !(parsed_exclude && RefEval(*parsed_exclude, segs));
      ASSERT_EQ(engine, reference)
          << "query: " << query << "\nparsed: " << DebugString(*parsed) << "\nexclude: " << exclude
          << "\ntitle: " << title << "\ntext: " << body << "\nauthor: " << author
          << "\ncategories: " << category1 << " | " << category2;
      if (engine) {
        EXPECT_FALSE(mentions[0].terms.empty()) << query;
        for (const Highlight& h : mentions[0].highlights) {
          EXPECT_LT(h.begin, h.end) << query;
          EXPECT_LE(h.end, mentions[0].snippet.size()) << query;
        }
      }
      ++compared;
      matched += engine ? 1 : 0;
    }
  }
  EXPECT_GT(compared, 2000);
  EXPECT_GT(matched, 200) << "the random cases should match often enough to mean something";
}

TEST(EngineTest, ManyRulesMatchExactlyTheirOwnBrand) {
  std::vector<RuleSpec> rules;
  for (int i = 0; i < 5000; ++i) {
    rules.push_back({"r" + std::to_string(i), "brand", "\"Marque " + std::to_string(i) + "\"", ""});
  }
  auto matcher = Matcher::Compile(rules);
  ASSERT_TRUE(matcher.has_value());
  Document doc;
  doc.text = "Chez Marque 42, la MARQUE-4242 et marque 4999. Marque 5000 n'existe pas.";
  std::vector<std::size_t> indices;
  for (const Mention& m : (*matcher)->Match(doc)) indices.push_back(m.rule_index);
  EXPECT_EQ(indices, (std::vector<std::size_t>{42, 4242, 4999}));
}

TEST(EngineTest, IsSafeToShareAcrossThreads) {
  auto matcher = Matcher::Compile({{"a", "", "Renault NEAR/2 rappel", ""},
                                   {"b", "", "\"L'Oréal\" OR lanc*", "emploi"},
                                   {"c", "", "=Orange -orangeade", ""}});
  ASSERT_TRUE(matcher.has_value());
  const std::vector<std::string> texts = {"Renault fait un rappel", "L’Oréal et Lancôme",
                                          "Orange et orange", "L'Oréal recrute: emploi",
                                          "rien à voir"};
  std::vector<std::size_t> expected;
  for (const std::string& t : texts) {
    Document d;
    d.text = t;
    expected.push_back((*matcher)->Match(d).size());
  }
  EXPECT_EQ(expected, (std::vector<std::size_t>{1, 1, 1, 0, 0}));
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        Document d;
        d.text = texts[static_cast<std::size_t>(i) % texts.size()];
        if ((*matcher)->Match(d).size() != expected[static_cast<std::size_t>(i) % texts.size()]) {
          ++failures[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, (std::vector<int>{0, 0, 0, 0}));
}

TEST(EngineTest, MatchersOfDifferentSizesShareOneThreadScratch) {
  std::vector<RuleSpec> big;
  for (int i = 0; i < 2000; ++i) big.push_back({"r", "", "mot" + std::to_string(i) + " x", ""});
  auto small = Matcher::Compile({{"s", "", "Renault", ""}});
  auto large = Matcher::Compile(big);
  ASSERT_TRUE(small.has_value() && large.has_value());
  Document d;
  d.text = "Renault mot1999 x";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*small)->Match(d).size(), 1u);
    EXPECT_EQ((*large)->Match(d).size(), 1u);
  }
}

}  // namespace
}  // namespace veille::match
