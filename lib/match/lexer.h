// Splits a query into tokens (internal to lib/match; the parser is the only user).
#pragma once

#include <cstdint>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "match/query.h"

namespace veille::match::internal {

struct Token {
  enum class Kind : std::uint8_t {
    kWord,      // a bare term: Renault, l'Oréal, lanc*, e-réputation
    kPhrase,    // "..." (text is the inside of the quotes)
    kLParen,    // (
    kRParen,    // )
    kAnd,       // AND
    kOr,        // OR
    kNot,       // NOT
    kMinus,     // - at the start of a term
    kNear,      // NEAR/n or ONEAR/n
    kField,     // title: (and the other scopes)
    kModifier,  // = or ^ at the start of a term
    kEnd,
  };
  Kind kind = Kind::kEnd;
  std::string_view text;          // the token as written (for messages), or the phrase's inside
  std::uint32_t column = 0;       // 1-based, in characters
  std::uint32_t distance = 0;     // kNear
  bool ordered = false;           // kNear: ONEAR
  Field field = Field::kDefault;  // kField
};

// Tokens of `query`, ending with one kEnd token. Operators are upper case only: "or", "and",
// "not" and "near" are ordinary words.
tl::expected<std::vector<Token>, QueryError> Lex(std::string_view query);

// 1-based column (in codepoints) of byte `offset` of `query`.
std::uint32_t ColumnAt(std::string_view query, std::size_t offset);

}  // namespace veille::match::internal
