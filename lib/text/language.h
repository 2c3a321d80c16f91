// The language of an entry (docs/feed-parsing.md, "Language"): the one it or its document
// declares (xml:lang, dc:language, RSS <language>, JSON Feed `language`) when that is a plausible
// language tag (and, for a document's, its entries' text does not plainly say otherwise), else
// the one CLD2 detects in its text, else none. Pure: bytes in, a tag out; CLD2 keeps no state
// between calls, so any thread may call these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace veille::text {

enum class LanguageSource : std::uint8_t {
  kDeclared,  // the document says so (and the text does not contradict it)
  kDetected,  // CLD2 found it in the title and text
};

// "declared" | "detected" (the stored and printed names).
std::string_view LanguageSourceName(LanguageSource source);
std::optional<LanguageSource> ParseLanguageSource(std::string_view name);

struct EntryLanguage {
  std::string code;  // a language tag: "fr", "en-US", "zh-Hant"
  LanguageSource source = LanguageSource::kDeclared;
};

// CLD2 reads at most this much of an entry's text (the title, then the text), cut on a UTF-8
// boundary: the language of an article shows in its first lines, and CLD2 costs about 30 us per
// KiB, so the bound keeps the cost per entry small whatever a feed sends.
inline constexpr std::size_t kMaxDetectionBytes = 1024;
// The sample of a whole document that checks its declared language (DocumentSample).
inline constexpr std::size_t kMaxCheckBytes = 2048;

// A declared language made canonical ("fr_FR" and "FR-fr" are "fr-FR", "French" is "fr"), or
// nullopt when it is not a plausible tag (empty, "und", "mul", private use, free text, over 35
// bytes).
std::optional<std::string> CanonicalLanguageTag(std::string_view declared);

struct Detection {
  std::string code;    // CLD2's code, Hebrew as "he" (CLD2 says "iw")
  int percent = 0;     // share of the text in that language, 0..100
  int text_bytes = 0;  // letters CLD2 scored
  bool reliable = false;
};

// CLD2 on the first `max_bytes` of `text` (plain text, UTF-8; invalid UTF-8 is read up to its
// first bad byte). nullopt when CLD2 names no language.
std::optional<Detection> DetectLanguage(std::string_view text,
                                        std::size_t max_bytes = kMaxDetectionBytes);

// Whether `sample` (a document's text: DocumentSample) plainly says another language than the
// declared `tag`: CLD2 is reliable, finds 90 % of the sample or more in one language, has scored
// at least 200 letters, and that language is not `tag`'s nor a close relative CLD2 tells apart
// badly (no/nb/nn, ms/id, hr/sr/bs). A WordPress site left at "en-US" that writes in French.
bool Contradicts(std::string_view tag, std::string_view sample);

// The language to store for an entry declaring `declared` (its own, or its document's when that
// was not contradicted; empty: nothing) with title `title` and text `text`: the declared tag,
// canonical, when it is plausible; else CLD2's answer on the title and text (within
// kMaxDetectionBytes) when CLD2 is reliable; else nullopt.
std::optional<EntryLanguage> EntryLanguageOf(std::string_view declared, std::string_view title,
                                             std::string_view text);

}  // namespace veille::text
