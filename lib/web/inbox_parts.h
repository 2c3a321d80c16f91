// Pieces the inbox pages share: triage labels and buttons, and a rule's explanation as HTML.
#pragma once

#include <string>

#include "i18n/translator.h"
#include "match/explain.h"
#include "store/store.h"

namespace veille::web {

// "new", "read", "handled", "ignored" in the page's language.
std::string StatusLabel(const i18n::Translator& tr, store::TriageStatus status);

// The read / handled / ignored / new buttons of a triage form: act=STATUS`suffix` (suffix
// ":ID,ID" for one row, "" for the checked rows); `id_prefix` non-empty gives each an id
// (id_prefix + status). Each carries data-key, the keyboard shortcut the script binds.
std::string TriageButtons(const i18n::Translator& tr, const std::string& suffix,
                          const std::string& id_prefix);

// A rule's explanation (match::Matcher::Explain) as a list, the words of `veille test-rule
// --explain` in the page's language, every piece of feed text escaped.
std::string ExplanationHtml(const i18n::Translator& tr, const match::Explanation& e,
                            const std::string& exclude);

}  // namespace veille::web
