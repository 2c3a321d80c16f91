#include "i18n/translator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "i18n/language_names.h"

namespace veille::i18n {
namespace {

// The catalogs this build compiled from po/*.po.
const std::vector<std::string> kBuildCatalogs = {VEILLE_BINARY_DIR "/locale"};

Translator French() {
  auto fr = LoadTranslator("fr", kBuildCatalogs);
  EXPECT_TRUE(fr.has_value()) << fr.error().message;
  return fr ? *fr : Translator();
}

constexpr UnixSeconds kDecember5 = 1796480580;  // 2026-12-05T14:23:00Z
constexpr UnixSeconds kMarch1 = 1772323200;     // 2026-03-01T00:00:00Z

TEST(FormatTest, FillsNamedPlaceholdersInAnyOrder) {
  EXPECT_EQ(Format("{a} and {b}", {{"a", "1"}, {"b", "2"}}), "1 and 2");
  EXPECT_EQ(Format("{b}, {a}, {b}", {{"a", "1"}, {"b", "2"}}), "2, 1, 2");
  EXPECT_EQ(Format("no placeholders", {{"a", "1"}}), "no placeholders");
}

TEST(FormatTest, LeavesUnknownPlaceholdersAndStrayBracesAlone) {
  EXPECT_EQ(Format("{unknown} {a}", {{"a", "x"}}), "{unknown} x");
  EXPECT_EQ(Format("{ {a} }", {{"a", "x"}}), "{ x }");
  EXPECT_EQ(Format("{a", {{"a", "x"}}), "{a");
  EXPECT_EQ(Format("}{", {}), "}{");
  // A value is never expanded again.
  EXPECT_EQ(Format("{a}{b}", {{"a", "{b}"}, {"b", "y"}}), "{b}y");
}

TEST(TranslatorTest, EnglishIsTheSourceLanguage) {
  const Translator en;
  EXPECT_EQ(en.language(), "en");
  EXPECT_EQ(en.Tr("Feed"), "Feed");
  EXPECT_EQ(en.TrN("{count} mention", "{count} mentions", 1), "{count} mention");
  EXPECT_EQ(en.TrN("{count} mention", "{count} mentions", 0), "{count} mentions");
  EXPECT_EQ(en.Integer(1234567), "1,234,567");
  EXPECT_EQ(en.Integer(-1234), "-1,234");
  EXPECT_EQ(en.Integer(0), "0");
  EXPECT_EQ(en.Decimal(40.93, 1), "40.9");
  EXPECT_EQ(en.Decimal(-0.04, 1), "0.0");
  EXPECT_EQ(en.Decimal(12345.678, 2), "12,345.68");
  EXPECT_EQ(en.Percent(40.93, 1), "40.9%");
  EXPECT_EQ(en.Date(kDecember5), "5 December 2026");
  EXPECT_EQ(en.Date(kMarch1), "1 March 2026");
  EXPECT_EQ(en.ShortDate(kDecember5), "5 Dec");
  EXPECT_EQ(en.MonthYear(kDecember5), "December 2026");
  EXPECT_EQ(en.DateTime(kDecember5), "5 December 2026, 14:23");
  EXPECT_EQ(en.DateTime(kDecember5, 3600), "5 December 2026, 15:23");
}

TEST(TranslatorTest, FrenchWritesNumbersAndDatesTheFrenchWay) {
  const Translator fr = French();
  EXPECT_EQ(fr.language(), "fr");
  EXPECT_EQ(fr.Integer(1234567), "1\u202f234\u202f567");
  EXPECT_EQ(fr.Decimal(40.93, 1), "40,9");
  EXPECT_EQ(fr.Percent(40.93, 1), "40,9\u202f%");
  EXPECT_EQ(fr.Percent(100, 0), "100\u202f%");
  EXPECT_EQ(fr.Date(kDecember5), "5 décembre 2026");
  EXPECT_EQ(fr.Date(kMarch1), "1er mars 2026");
  EXPECT_EQ(fr.ShortDate(kDecember5), "5 déc.");
  EXPECT_EQ(fr.MonthYear(kDecember5), "décembre 2026");
  EXPECT_EQ(fr.DateTime(kDecember5), "5 décembre 2026 à 14:23");
  // The offset moves the date across midnight.
  EXPECT_EQ(fr.Date(kDecember5 + 10 * 3600, 3600), "6 décembre 2026");
}

TEST(TranslatorTest, FrenchPluralsFollowTheCatalogRule) {
  const Translator fr = French();
  EXPECT_EQ(fr.TrP("month", "May"), "mai");
  // An untranslated message falls back to the source text, with English plural rules.
  EXPECT_EQ(fr.Tr("no such message in the catalog"), "no such message in the catalog");
  EXPECT_EQ(fr.TrN("no such {count}", "no such {count}s", 2), "no such {count}s");
}

TEST(TranslatorTest, TranslatorsAreSharedAcrossCopies) {
  const Translator fr = French();
  const Translator copy = fr;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.Date(kDecember5), "5 décembre 2026");
}

TEST(LanguageNameTest, NamesLanguagesByTheirPrimarySubtagInTheReadersLanguage) {
  const Translator en;
  EXPECT_EQ(LanguageName(en, "fr"), "French");
  EXPECT_EQ(LanguageName(en, "FR-ca"), "French");
  EXPECT_EQ(LanguageName(en, "pt_BR"), "Portuguese");
  EXPECT_EQ(LanguageName(en, ""), "undetermined");
  EXPECT_EQ(LanguageName(en, "fra"), "fra");  // no name: the tag as it is
  EXPECT_EQ(LanguageName(en, "x-klingon"), "x-klingon");
  const Translator fr = French();
  EXPECT_EQ(LanguageName(fr, "fr"), "français");
  EXPECT_EQ(LanguageName(fr, "en-GB"), "anglais");
  EXPECT_EQ(LanguageName(fr, "de"), "allemand");
  EXPECT_EQ(LanguageName(fr, ""), "indéterminée");
}

TEST(LoadTranslatorTest, EnglishNeedsNoCatalog) {
  auto en = LoadTranslator("en", {});
  ASSERT_TRUE(en.has_value());
  EXPECT_EQ(en->language(), "en");
}

TEST(LoadTranslatorTest, UnknownLanguagesAndMissingCatalogsAreErrorsThatSayWhy) {
  auto de = LoadTranslator("de", kBuildCatalogs);
  ASSERT_FALSE(de.has_value());
  EXPECT_EQ(de.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(de.error().message.find("en, fr"), std::string::npos) << de.error().message;
  auto missing = LoadTranslator("fr", {"/nonexistent/locale"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/locale/fr/LC_MESSAGES/veille.mo"),
            std::string::npos)
      << missing.error().message;
}

TEST(LoadTranslatorTest, TheFirstDirectoryWithTheCatalogWins) {
  auto fr = LoadTranslator("fr", {"/nonexistent/locale", VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr.has_value()) << fr.error().message;
  EXPECT_EQ(fr->TrP("month", "December"), "décembre");
}

TEST(LanguageTest, LanguageOfALocaleName) {
  EXPECT_EQ(LanguageOf("fr_FR.UTF-8"), "fr");
  EXPECT_EQ(LanguageOf("fr_CA"), "fr");
  EXPECT_EQ(LanguageOf("fr"), "fr");
  EXPECT_EQ(LanguageOf("de_DE@euro"), "de");
  EXPECT_EQ(LanguageOf("EN_us"), "en");
  EXPECT_EQ(LanguageOf("C"), "");
  EXPECT_EQ(LanguageOf("C.UTF-8"), "");
  EXPECT_EQ(LanguageOf("POSIX"), "");
  EXPECT_EQ(LanguageOf(""), "");
}

std::map<std::string, std::string>* g_env = nullptr;

const char* FakeGetenv(const char* name) {
  auto it = g_env->find(name);
  return it == g_env->end() ? nullptr : it->second.c_str();
}

TEST(LanguageTest, TheEnvironmentChoosesWithGettextsPrecedence) {
  struct Case {
    std::map<std::string, std::string> env;
    const char* expected;
  };
  const Case cases[] = {
      {{}, "en"},
      {{{"LANG", "fr_FR.UTF-8"}}, "fr"},
      {{{"LANG", "C.UTF-8"}}, "en"},
      {{{"LANG", "de_DE.UTF-8"}}, "en"},  // no German catalog
      {{{"LANG", "en_US.UTF-8"}, {"LC_MESSAGES", "fr_FR.UTF-8"}}, "fr"},
      {{{"LANG", "fr_FR.UTF-8"}, {"LC_MESSAGES", "en_GB.UTF-8"}}, "en"},
      {{{"LC_MESSAGES", "fr_FR.UTF-8"}, {"LC_ALL", "C"}}, "en"},
      {{{"LC_ALL", "fr_BE.UTF-8"}, {"LANG", "en_US"}}, "fr"},
      // LANGUAGE is a list, the first known language wins, and it is ignored under C.
      {{{"LANG", "en_US.UTF-8"}, {"LANGUAGE", "de:fr:en"}}, "fr"},
      {{{"LANG", "fr_FR.UTF-8"}, {"LANGUAGE", "en"}}, "en"},
      {{{"LANG", "C"}, {"LANGUAGE", "fr"}}, "en"},
      {{{"LANG", "fr_FR.UTF-8"}, {"LANGUAGE", "de"}}, "fr"},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> env = c.env;
    g_env = &env;
    std::string shown;
    for (const auto& [k, v] : env) shown += k + "=" + v + " ";
    EXPECT_EQ(LanguageFromEnvironment(FakeGetenv), c.expected) << shown;
  }
  g_env = nullptr;
}

TEST(LanguageTest, TheEnvironmentMayNameNoLanguage) {
  // "" lets `veille report` fall back on [daemon] language; LanguageFromEnvironment says "en".
  struct Case {
    std::map<std::string, std::string> env;
    const char* expected;
  };
  const Case cases[] = {
      {{}, ""},
      {{{"LANG", "C.UTF-8"}}, ""},
      {{{"LANG", "POSIX"}, {"LANGUAGE", "fr"}}, ""},
      {{{"LANG", "de_DE.UTF-8"}}, ""},
      {{{"LANG", "en_US.UTF-8"}}, "en"},
      {{{"LANG", "C.UTF-8"}, {"LC_MESSAGES", "fr_FR.UTF-8"}}, "fr"},
      {{{"LANG", "de_DE.UTF-8"}, {"LANGUAGE", "fr"}}, "fr"},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> env = c.env;
    g_env = &env;
    std::string shown;
    for (const auto& [k, v] : env) shown += k + "=" + v + " ";
    EXPECT_EQ(LanguageNamedByEnvironment(FakeGetenv), c.expected) << shown;
    EXPECT_EQ(LanguageFromEnvironment(FakeGetenv), *c.expected ? c.expected : "en") << shown;
  }
  g_env = nullptr;
}

TEST(ProcessTranslatorTest, ShorthandsUseTheTranslatorSetByMain) {
  EXPECT_EQ(Tr("Feed"), "Feed");
  SetProcessTranslator(French());
  EXPECT_EQ(TrP("month", "December"), "décembre");
  SetProcessTranslator(Translator());
  EXPECT_EQ(TrP("month", "December"), "December");
}

}  // namespace
}  // namespace veille::i18n
