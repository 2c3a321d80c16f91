// Text normalization for matching: NFKC, case folding, accent stripping, words, and the way back
// from each normalized word to the publisher's own bytes (for snippets and highlights).
//
// The rules (docs/query-language.md, "Normalization"):
//  - A word is a maximal run of letters, digits and combining marks (Unicode categories L*, N*,
//    M*); letters and digits stay together ("A380" is one word, "2024" is a word).
//  - Everything else separates words: spaces (NBSP and NNBSP included), punctuation, typographic
//    quotes, hyphens, and both apostrophes ' and ’ (so "l'Oréal" is "l" "oreal", "d’Apple" is
//    "d" "apple", and "aujourd'hui" is "aujourd" "hui"). Soft hyphens and other invisible format
//    characters inside a word are ignored.
//  - Each word is NFKC-normalized, case-folded and stripped of accents with utf8proc; the
//    ligatures œ and æ become "oe" and "ae", and ø ł đ ħ ı become o l d h i.
// Text and queries go through the same functions, so they always agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace veille::text {

// How much of the difference between two spellings to forget.
enum class Fold : std::uint8_t {
  kInsensitive,  // case folded, accents stripped (the default comparison)
  kKeepCase,     // accents stripped, case kept (a case-exact term such as =Orange)
  kKeepAccents,  // case folded, accents kept (an accent-exact term such as ^pêche)
  kExact,        // NFKC only (=^Pêche)
};

// One word of a normalized text.
struct Word {
  std::uint32_t begin = 0;  // byte offsets of the folded word in Normalized::text
  std::uint32_t end = 0;
  std::uint32_t source_begin = 0;  // byte offsets of the word in the original text
  std::uint32_t source_end = 0;
};

// A text as the matcher sees it: every word written as one space followed by its folded form
// (" l oreal lance"), and the map back to the original bytes.
struct Normalized {
  std::string text;
  std::vector<Word> words;

  void clear() {
    text.clear();
    words.clear();
  }
};

// Appends the words of `source` (UTF-8; invalid bytes separate words) to `out`, folded with
// Fold::kInsensitive. Source offsets are relative to `source`. Never fails. Fast path: this is
// what every entry goes through before matching.
void AppendWords(std::string_view source, Normalized* out);

// The normalized form of `source`: AppendWords into an empty Normalized.
Normalized Normalize(std::string_view source);

// The folded words of `source`, as separate strings: "L’Oréal" -> {"l", "oreal"}. With an exact
// `fold`, word boundaries are the same and only the folding of each word changes.
std::vector<std::string> Words(std::string_view source, Fold fold = Fold::kInsensitive);

// Folds one word (a run of word characters, as delimited by AppendWords) with `fold`:
// FoldWord("Œuvre", kKeepCase) == "OEuvre", FoldWord("Pêche", kKeepAccents) == "pêche".
std::string FoldWord(std::string_view word, Fold fold);

}  // namespace veille::text
