// The names of languages as a reader of the report or the tables reads them ("French" /
// "français"), for the languages veille is likeliest to meet; any other tag is shown as it is.
#pragma once

#include <string>
#include <string_view>

#include "i18n/translator.h"

namespace veille::i18n {

// The name of the language of tag `tag` ("fr", "fr-CA": its primary subtag decides; case is
// ignored) in the language of `tr`; "undetermined" for an empty tag; the tag itself when veille
// has no name for it.
std::string LanguageName(const Translator& tr, std::string_view tag);

}  // namespace veille::i18n
