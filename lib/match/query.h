// The query language as data: the syntax tree of one query, and the parser that builds it.
// The language itself is documented in docs/query-language.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "text/normalize.h"

namespace veille::match {

// What part of an entry a term looks at.
enum class Field : std::uint8_t {
  kDefault,   // no scope written: title and text
  kTitle,     // title:
  kText,      // text: (summary + content)
  kAuthor,    // author:
  kLink,      // link: (the words of the entry link)
  kFeed,      // feed: (the words of the feed name and of the feed URL)
  kCategory,  // category:
  kSite,      // site: host of the entry link, subdomains included (not a text term)
  kLang,      // lang: language tag prefix (not a text term)
};

// "title", "text", ... as written before the colon.
std::string_view FieldName(Field field);

struct QueryNode {
  enum class Kind : std::uint8_t { kTerm, kAnd, kOr, kNot, kNear };

  Kind kind = Kind::kTerm;
  std::uint32_t column = 0;  // 1-based, in characters, where the node starts in the query

  // kTerm. For kSite and kLang, `value` holds the host or language tag and `words` is empty.
  std::string text;  // as written, without scope, modifiers, quotes: "L'Oréal", "lanc*"
  std::vector<std::string> words;        // the folded words to find in a row: {"l", "oreal"}
  std::vector<std::string> exact_words;  // the same words folded with `fold` (when not insensitive)
  text::Fold fold = text::Fold::kInsensitive;  // =term keeps case, ^term keeps accents
  bool prefix = false;  // lanc*: the last word only has to start with words.back()
  Field field = Field::kDefault;
  std::string value;  // site: and lang: only

  // kNear: children[0] within `distance` words of children[1]; `ordered` for ONEAR.
  std::uint32_t distance = 0;
  bool ordered = false;

  std::vector<QueryNode> children;  // kAnd, kOr (two or more), kNot (one), kNear (two)
};

struct QueryError {
  std::uint32_t column = 1;  // 1-based, in characters (codepoints) of the query
  std::string message;       // "expected a term after NEAR/3"

  // "column 14: expected a term after NEAR/3"
  std::string ToString() const;
};

// Limits that keep hostile queries (and the fuzzer) from exhausting the stack or memory.
inline constexpr std::size_t kMaxQueryBytes = 65536;
inline constexpr int kMaxQueryDepth = 100;
inline constexpr std::uint32_t kMaxNearDistance = 1000;
inline constexpr std::size_t kMaxTermBytes = 4096;  // normalized; Hyperscan's limit is 16000

// Parses one query. Every failure carries the column and what was expected; the messages are
// listed in docs/query-language.md. A query that would match entries containing none of its
// terms (NOT x, a OR -b) is refused too.
tl::expected<QueryNode, QueryError> ParseQuery(std::string_view query);

// Warnings for a query that parses (none when it does not): a lower-case or, and, not, near/n
// between two terms ("Renault or Dacia") is searched as a word, which is rarely what was meant.
// Each says how to write the operator (OR) and how to write the word ("or").
std::vector<QueryError> LintQuery(std::string_view query);

// Whether `node` matches an entry in which none of its text terms occur. kScopesFalse: site: and
// lang: do not match either (a query true then only excludes, and is refused). kScopesFavourable:
// each site:/lang: takes whichever value helps the query (true means the matcher must evaluate
// the rule for every entry, not only for entries where one of its terms was found).
enum class Scopes : std::uint8_t { kFalse, kFavourable };
bool MatchesWithoutTerms(const QueryNode& node, Scopes scopes);

// The query in a canonical, fully parenthesised form, for tests and `veille test-rule`:
// (AND "renault" (NOT "emploi")).
std::string DebugString(const QueryNode& node);

}  // namespace veille::match
