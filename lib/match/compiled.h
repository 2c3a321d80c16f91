// The compiled form of a rule set and the per-thread state of one match (internal to lib/match).
//
// Every rule is a small tree over "leaves" (terms, phrases, site:, lang:); every text leaf points
// to one literal of the rule set's single Hyperscan database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/query.h"
#include "match/scanner.h"
#include "text/normalize.h"

namespace veille::match::internal {

// The parts of an entry a literal can be found in, as bits of a leaf's field mask.
enum SegmentKind : std::uint8_t { kTitle, kText, kAuthor, kLink, kFeed, kCategory };

inline std::uint8_t MaskFor(Field field) {
  switch (field) {
    case Field::kDefault:
      return (1u << kTitle) | (1u << kText);
    case Field::kTitle:
      return 1u << kTitle;
    case Field::kText:
      return 1u << kText;
    case Field::kAuthor:
      return 1u << kAuthor;
    case Field::kLink:
      return 1u << kLink;
    case Field::kFeed:
      return 1u << kFeed;
    case Field::kCategory:
      return 1u << kCategory;
    case Field::kSite:
    case Field::kLang:
      return 0;
  }
  return 0;
}

constexpr std::uint32_t kNoPattern = 0xFFFFFFFF;

struct Leaf {
  std::string text;  // as written, for Mention::terms
  Field field = Field::kDefault;
  std::uint8_t mask = 0;
  text::Fold fold = text::Fold::kInsensitive;
  bool prefix = false;
  std::vector<std::string> exact_words;
  std::string value;  // site: and lang:
  std::uint32_t pattern = kNoPattern;
  std::uint32_t word_count = 0;
};

struct Node {
  QueryNode::Kind kind = QueryNode::Kind::kTerm;
  std::uint32_t leaf = 0;
  std::uint32_t distance = 0;
  bool ordered = false;
  std::vector<std::uint32_t> children;
};

struct Tree {
  std::vector<Node> nodes;
  std::uint32_t root = 0;
};

struct CompiledRule {
  Tree query;
  Tree exclude;
  bool has_exclude = false;
};

struct PatternInfo {
  std::uint32_t length = 0;
  std::uint32_t words = 0;
};

struct Segment {
  SegmentKind kind = kTitle;
  std::string_view source;
  std::uint32_t first_word = 0;
  std::uint32_t end_word = 0;
};

struct Hit {
  std::uint32_t pattern = 0;
  std::uint32_t first_word = 0;
  std::uint32_t segment = 0;
};

struct Occurrence {
  std::uint32_t first = 0;  // word indices (inclusive) in the normalized entry
  std::uint32_t last = 0;
  std::uint32_t segment = 0;
  std::uint32_t leaf = 0;
};

// Per-thread buffers reused across calls, so matching allocates nothing in the steady state.
struct Workspace {
  text::Normalized norm;
  std::vector<Segment> segments;
  std::vector<LiteralHit> raw;
  std::vector<Hit> hits;
  std::vector<std::uint32_t> candidates;
  std::string host;
  std::string lang;
};

}  // namespace veille::match::internal
