#include "i18n/language_names.h"

#include <cctype>

namespace veille::i18n {
namespace {

struct Named {
  const char* code;
  const char* name;
};

// The languages of Europe and the most written others; CLD2 detects each of them.
constexpr Named kNames[] = {
    {"ar", NC_("language", "Arabic")},        {"br", NC_("language", "Breton")},
    {"ca", NC_("language", "Catalan")},       {"co", NC_("language", "Corsican")},
    {"cs", NC_("language", "Czech")},         {"cy", NC_("language", "Welsh")},
    {"da", NC_("language", "Danish")},        {"de", NC_("language", "German")},
    {"el", NC_("language", "Greek")},         {"en", NC_("language", "English")},
    {"es", NC_("language", "Spanish")},       {"eu", NC_("language", "Basque")},
    {"fi", NC_("language", "Finnish")},       {"fr", NC_("language", "French")},
    {"ga", NC_("language", "Irish")},         {"gl", NC_("language", "Galician")},
    {"he", NC_("language", "Hebrew")},        {"hi", NC_("language", "Hindi")},
    {"hu", NC_("language", "Hungarian")},     {"it", NC_("language", "Italian")},
    {"ja", NC_("language", "Japanese")},      {"ko", NC_("language", "Korean")},
    {"lb", NC_("language", "Luxembourgish")}, {"nl", NC_("language", "Dutch")},
    {"no", NC_("language", "Norwegian")},     {"nb", NC_("language", "Norwegian")},
    {"nn", NC_("language", "Norwegian")},     {"oc", NC_("language", "Occitan")},
    {"pl", NC_("language", "Polish")},        {"pt", NC_("language", "Portuguese")},
    {"ro", NC_("language", "Romanian")},      {"ru", NC_("language", "Russian")},
    {"sk", NC_("language", "Slovak")},        {"sv", NC_("language", "Swedish")},
    {"tr", NC_("language", "Turkish")},       {"uk", NC_("language", "Ukrainian")},
    {"vi", NC_("language", "Vietnamese")},    {"zh", NC_("language", "Chinese")},
};

}  // namespace

std::string LanguageName(const Translator& tr, std::string_view tag) {
  if (tag.empty()) return tr.TrP("language", "undetermined");
  std::string primary;
  for (char c : tag.substr(0, tag.find_first_of("-_"))) {
    primary += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const Named& n : kNames) {
    if (primary == n.code) return tr.TrP("language", n.name);
  }
  return std::string(tag);
}

}  // namespace veille::i18n
