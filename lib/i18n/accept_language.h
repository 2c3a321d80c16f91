// The language a browser asks for: the Accept-Language header (RFC 9110 12.5.4) against the
// languages veille has catalogs for (kLanguages).
#pragma once

#include <string>
#include <string_view>

namespace veille::i18n {

// The supported language ("en", "fr") the header prefers most, by q-value and then order:
// "fr-CA,fr;q=0.9,en;q=0.8" -> "fr"; "de,en;q=0.5" -> "en"; "" when it names none of them
// (or is empty or malformed). A "*" range matches no language in particular and is skipped;
// q=0 excludes.
std::string LanguageFromAcceptLanguage(std::string_view header);

}  // namespace veille::i18n
