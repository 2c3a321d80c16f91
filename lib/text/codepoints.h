// The per-codepoint facts the normalizer needs, computed once from utf8proc (internal header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace veille::text::internal {

enum class CharClass : std::uint8_t {
  kSeparator,  // ends a word
  kWord,       // a letter or digit: starts or continues a word
  kJoiner,     // a mark or invisible format character: continues a word, never starts one
};

struct CodepointInfo {
  CharClass cls = CharClass::kSeparator;
  std::string_view folded;  // the kInsensitive form (may be empty for a joiner)
};

// Facts for a codepoint below U+10000: a table read. The table is built on first use
// (thread-safe static initialisation, about 10 ms). Codepoints above the BMP go through
// Classify() and FoldCodepoint() instead.
CodepointInfo LookupBmp(char32_t cp);

// Classification alone (for the exact folds, which go through utf8proc per word).
CharClass Classify(char32_t cp);

// Decodes one UTF-8 sequence at `p` (p < end). Returns its length (1..4) and sets `*cp`; an
// invalid or truncated sequence returns 1 and sets *cp to 0xFFFD.
int DecodeUtf8(const unsigned char* p, const unsigned char* end, char32_t* cp);

// Appends the UTF-8 encoding of `cp`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace veille::text::internal
