// Translations and the writing conventions of one language (decimal separator, digit grouping,
// dates): GNU gettext catalogs (po/*.po compiled to .mo by the build), loaded explicitly per
// language, so no system locale has to be installed and nothing process-wide changes
// (docs/decisions.md, "Translations"). A Translator is immutable and cheap to copy; any number
// of threads may use one at once.
//
// Marking strings: xgettext extracts the literal arguments of Tr, TrP (context, msgid), TrN
// (singular, plural, n), TrNP (context, singular, plural, n), and N_ / NC_ (context, msgid),
// which mark a literal without translating it (tables). Placeholders are named, `{rule}`, and
// filled with Format(), so a translation may reorder them; every translation must keep the
// placeholders of its msgid (tests/i18n checks the catalogs).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "i18n/catalog.h"

namespace veille::i18n {

// The languages veille ships catalogs for ("en" is the source language, no catalog).
inline constexpr std::string_view kLanguages[] = {"en", "fr"};

// The gettext text domain: <localedir>/<language>/LC_MESSAGES/veille.mo.
inline constexpr std::string_view kTextDomain = "veille";

// One "{name}" placeholder value for Format.
struct Arg {
  std::string_view name;
  std::string_view value;
};

// `pattern` with every "{name}" replaced by the value of the Arg of that name. Unknown
// placeholders and lone braces stay as they are; it never throws, whatever a catalog holds.
std::string Format(std::string_view pattern, std::initializer_list<Arg> args);

// Mark literals for extraction without translating them (translate later with Tr() or TrP()
// with the same context).
constexpr const char* N_(const char* msgid) { return msgid; }
constexpr const char* NC_(const char* /*context*/, const char* msgid) { return msgid; }

class Translator {
 public:
  // English: the source strings and English conventions.
  Translator();
  Translator(std::string language, std::shared_ptr<const Catalog> catalog);

  // "en", "fr": for <html lang>, and to tell which language a message was written in.
  [[nodiscard]] const std::string& language() const { return language_; }

  // The translation of `msgid`, or `msgid` itself when the catalog has none.
  [[nodiscard]] std::string Tr(std::string_view msgid) const;
  // The same in a context (gettext's msgctxt), for words that translate differently by use.
  [[nodiscard]] std::string TrP(std::string_view context, std::string_view msgid) const;
  // The plural form for `n` (the language's Plural-Forms rule); English rules without a
  // translation.
  [[nodiscard]] std::string TrN(std::string_view singular, std::string_view plural,
                                std::uint64_t n) const;
  [[nodiscard]] std::string TrNP(std::string_view context, std::string_view singular,
                                 std::string_view plural, std::uint64_t n) const;

  // Numbers as the language writes them: "12,345" / "12 345" (narrow no-break space),
  // "40.9" / "40,9", "40.9%" / "40,9 %". `percent` is already a percentage (40.9, not 0.409).
  [[nodiscard]] std::string Integer(std::int64_t n) const;
  [[nodiscard]] std::string Decimal(double value, int decimals) const;
  [[nodiscard]] std::string Percent(double percent, int decimals) const;

  // Dates at `t` shifted by `offset_s` seconds east of UTC (0: UTC):
  // "5 December 2026" / "5 décembre 2026" (1er in French);
  [[nodiscard]] std::string Date(UnixSeconds t, std::int64_t offset_s = 0) const;
  // "5 Dec" / "5 déc." (chart labels);
  [[nodiscard]] std::string ShortDate(UnixSeconds t, std::int64_t offset_s = 0) const;
  // "December 2026" / "décembre 2026";
  [[nodiscard]] std::string MonthYear(UnixSeconds t, std::int64_t offset_s = 0) const;
  // "14:03";
  [[nodiscard]] std::string Time(UnixSeconds t, std::int64_t offset_s = 0) const;
  // "5 December 2026, 14:03" / "5 décembre 2026 à 14:03".
  [[nodiscard]] std::string DateTime(UnixSeconds t, std::int64_t offset_s = 0) const;

 private:
  std::string language_ = "en";
  std::shared_ptr<const Catalog> catalog_;
};

// The language of a locale name: "fr_FR.UTF-8@euro" -> "fr", "en_GB" -> "en"; "" for "C",
// "POSIX", "C.UTF-8" and empty names.
std::string LanguageOf(std::string_view locale);

// The language the messages of the command-line tool follow, with gettext's precedence:
// LC_ALL, else LC_MESSAGES, else LANG; a non-C setting lets LANGUAGE (a colon-separated list)
// choose first. The first language veille has a catalog for wins; "en" otherwise. `getenv` is
// a parameter so tests can pass their own environment.
std::string LanguageFromEnvironment(const char* (*getenv)(const char*));
std::string LanguageFromEnvironment();
// The same, but "" instead of "en" when the environment names no language veille has a catalog
// for (unset, C, POSIX, C.UTF-8, de_DE): a caller may then fall back on a configured language
// (`veille report` on `[daemon] language`).
std::string LanguageNamedByEnvironment(const char* (*getenv)(const char*));
std::string LanguageNamedByEnvironment();

// Where catalogs are looked for, in order: $VEILLE_LOCALEDIR; <executable>/../share/locale (an
// installed tree); <executable>/../locale (the build tree); the install prefix's locale
// directory.
std::vector<std::string> CatalogDirectories();

// The translator for `language` (one of kLanguages; "en" needs no catalog), its catalog read
// from the first of `directories` that has <language>/LC_MESSAGES/veille.mo. Errors (kNotFound
// when no directory has it, kInvalidArgument for an unknown language, kParse for a broken file)
// name the paths tried.
[[nodiscard]] Result<Translator> LoadTranslator(std::string_view language,
                                                const std::vector<std::string>& directories);
[[nodiscard]] Result<Translator> LoadTranslator(std::string_view language);

// The command-line tool's translator: set once by main() before any thread starts (English
// until then), read by the shorthands below. The daemon passes Translators explicitly instead.
void SetProcessTranslator(Translator translator);
const Translator& ProcessTranslator();

// ProcessTranslator().Tr(...) and friends, for the CLI's messages.
std::string Tr(std::string_view msgid);
std::string TrP(std::string_view context, std::string_view msgid);
std::string TrN(std::string_view singular, std::string_view plural, std::uint64_t n);

}  // namespace veille::i18n
