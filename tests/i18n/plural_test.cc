#include "i18n/plural.h"

#include <gtest/gtest.h>

#include <vector>

namespace veille::i18n {
namespace {

TEST(PluralRuleTest, DefaultIsEnglish) {
  const PluralRule rule;
  EXPECT_EQ(rule.count(), 2u);
  EXPECT_EQ(rule.Index(0), 1u);
  EXPECT_EQ(rule.Index(1), 0u);
  EXPECT_EQ(rule.Index(2), 1u);
}

struct Case {
  const char* forms;
  std::vector<std::pair<std::uint64_t, unsigned>> expected;  // n -> index
};

TEST(PluralRuleTest, EvaluatesTheRulesOfRealLanguages) {
  const Case cases[] = {
      // French: 0 and 1 are singular.
      {"nplurals=2; plural=(n > 1);", {{0, 0}, {1, 0}, {2, 1}, {1000, 1}}},
      {"nplurals=2; plural=n != 1;", {{0, 1}, {1, 0}, {2, 1}}},
      {"nplurals=1; plural=0;", {{0, 0}, {1, 0}, {7, 0}}},
      // Russian.
      {"nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "
       "n%100>=20) ? 1 : 2);",
       {{1, 0}, {21, 0}, {11, 2}, {2, 1}, {24, 1}, {12, 2}, {5, 2}, {111, 2}, {0, 2}}},
      // Arabic (six forms).
      {"nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
       "n%100>=11 ? 4 : 5);",
       {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {10, 3}, {11, 4}, {99, 4}, {100, 5}, {102, 5}}},
      // Unary not, arithmetic, division by zero is 0 rather than a crash.
      {"nplurals=2; plural=!(n - 1) ;", {{1, 1}, {0, 0}, {5, 0}}},
      {"nplurals=3; plural=n / 0 + n % 0 + (n * 2 > 4);", {{1, 0}, {3, 1}}},
  };
  for (const Case& c : cases) {
    auto rule = PluralRule::Parse(c.forms);
    ASSERT_TRUE(rule.has_value()) << c.forms << ": " << rule.error().message;
    for (const auto& [n, index] : c.expected) {
      EXPECT_EQ(rule->Index(n), index) << c.forms << " n=" << n;
    }
  }
}

TEST(PluralRuleTest, AnIndexPastNpluralsFallsBackToTheFirstForm) {
  auto rule = PluralRule::Parse("nplurals=2; plural=n;");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->Index(1), 1u);
  EXPECT_EQ(rule->Index(5), 0u);
}

TEST(PluralRuleTest, RefusesMalformedRules) {
  const char* bad[] = {
      "",
      "nplurals=2;",
      "plural=n>1;",
      "nplurals=x; plural=n>1;",
      "nplurals=0; plural=0;",
      "nplurals=2; plural=(n > 1;",
      "nplurals=2; plural=n > ;",
      "nplurals=2; plural=n ? 1;",
      "nplurals=2; plural=n 1;",
      "nplurals=2; plural=m > 1;",
      "nplurals=2; plural=99999999999999 > n;",
  };
  for (const char* forms : bad) {
    EXPECT_FALSE(PluralRule::Parse(forms).has_value()) << forms;
  }
}

TEST(PluralRuleTest, DeepNestingIsAnErrorNotAStackOverflow) {
  std::string deep =
      "nplurals=2; plural=" + std::string(100000, '(') + "n" + std::string(100000, ')') + ";";
  EXPECT_FALSE(PluralRule::Parse(deep).has_value());
  std::string nots = "nplurals=2; plural=" + std::string(100000, '!') + "n;";
  EXPECT_FALSE(PluralRule::Parse(nots).has_value());
}

}  // namespace
}  // namespace veille::i18n
