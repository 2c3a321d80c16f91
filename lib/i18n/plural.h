// Plural-Forms expressions of gettext catalogs ("nplurals=2; plural=(n > 1);"): parsed once
// when a catalog loads, evaluated per call. Pure.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/result.h"

namespace veille::i18n {

// A compiled `plural=` expression: C syntax over the unsigned variable n (?:, ||, &&, ==, !=,
// <, >, <=, >=, +, -, *, /, %, !, parentheses, decimal numbers), as GNU gettext accepts it.
class PluralRule {
 public:
  // English: nplurals=2; plural=(n != 1).
  PluralRule();
  // Parses a catalog header's Plural-Forms value. Errors (kParse) name what is wrong; nesting is
  // bounded, so a hostile header cannot exhaust the stack.
  [[nodiscard]] static Result<PluralRule> Parse(std::string_view plural_forms);

  // The form index for `n`, always in [0, nplurals).
  [[nodiscard]] unsigned Index(std::uint64_t n) const;
  [[nodiscard]] unsigned count() const { return nplurals_; }

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  unsigned nplurals_ = 2;
};

}  // namespace veille::i18n
