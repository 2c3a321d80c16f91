// Why one rule matches an entry or not (veille test-rule --explain): every term's hits with
// their field and offsets, every NEAR's closest distance against its limit, and whether the
// exclude query vetoed the entry. Pure data, rendered by the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace veille::match {

// One place a term was found.
struct TermHit {
  std::string field;        // title, text, author, link, feed, category
  std::uint32_t begin = 0;  // byte offsets into that field of the Document (for feed: into
  std::uint32_t end = 0;    // its name or its URL; for category: into that category)
  std::string text;         // the bytes found there, as the publisher wrote them
};

// One term (or phrase, or site:/lang: scope) of a query.
struct TermExplanation {
  std::string term;  // as written, with its scope: "L'Oréal", "title:rappel", "site:lemonde.fr"
  bool negated = false;  // under NOT (or -): a hit counts against the query
  bool found = false;    // a text term: at least one hit; site:/lang: the entry's host/language
                         // is in scope
  std::size_t hit_count = 0;  // every hit; `hits` keeps the first kMaxExplainedHits
  std::vector<TermHit> hits;  // in the order of the entry's fields, then of the text
};

// One NEAR/n or ONEAR/n of a query.
struct NearExplanation {
  std::string left;  // the operands, as DebugString writes them: "renault", (OR "a" "b")
  std::string right;
  std::uint32_t limit = 0;   // n: at most n words between them
  bool ordered = false;      // ONEAR: left first
  bool left_found = false;   // the left operand occurs in the entry
  bool right_found = false;  // the right operand occurs in the entry
  // Words between the closest pair found in one field (in the allowed order); nullopt when the
  // two operands never occur in the same field (or one of them not at all).
  std::optional<std::uint32_t> closest;
  bool holds = false;  // closest <= limit
};

struct QueryExplanation {
  bool matched = false;
  std::vector<TermExplanation> terms;  // in the order written
  std::vector<NearExplanation> near;   // in the order written
};

struct Explanation {
  bool matched = false;  // query matched and the exclude did not
  QueryExplanation query;
  std::optional<QueryExplanation> exclude;  // when the rule has an exclude query
  bool excluded() const { return query.matched && exclude && exclude->matched; }
};

inline constexpr std::size_t kMaxExplainedHits = 20;

}  // namespace veille::match
