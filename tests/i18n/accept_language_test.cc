// The browser's Accept-Language against the languages veille has catalogs for.
#include "i18n/accept_language.h"

#include <gtest/gtest.h>

namespace veille::i18n {
namespace {

TEST(AcceptLanguageTest, PicksTheMostPreferredLanguageVeilleSpeaks) {
  const struct {
    const char* header;
    const char* expected;
  } kCases[] = {
      {"fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"},
      {"en-GB,en;q=0.9,fr;q=0.8", "en"},
      {"de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"},
      {"en;q=0.5, fr;q=0.8", "fr"},  // by q-value, not order
      {"FR-ca", "fr"},               // case-insensitive
      {"fr;q=0, en", "en"},          // q=0: not wanted
      {"de, *", ""},                 // nothing veille has
      {"", ""},
      {"fr;q=2", ""},  // malformed q
      {"fr;q=abc,en;q=0.1", "en"},
      {",,;;", ""},
      {"fr;q=0.500, en;q=0.5", "fr"},  // a tie keeps the first
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(LanguageFromAcceptLanguage(c.header), c.expected) << c.header;
  }
}

}  // namespace
}  // namespace veille::i18n
