// The per-codepoint facts the normalizer needs, computed once from utf8proc (internal header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// Facts for every codepoint below U+10000, folded once with utf8proc: about 0.5 MB of entries
// plus the folded strings. Built on first use (thread-safe static initialisation, ~10 ms).
// Codepoints above the BMP go through Classify() and FoldCodepoint() instead.
class BmpTable {
 public:
  static constexpr char32_t kSize = 0x10000;
  // Bytes readable past the end of any folded string (lets callers copy a fixed 4 bytes).
  static constexpr std::size_t kPadding = 4;

  static const BmpTable& Get();

  // For U+00C0..U+00FF (UTF-8 C3 80..C3 BF), indexed by the second byte & 0x3F: the one ASCII
  // letter the codepoint folds to ('e' for é and É), or 0 when it folds otherwise (ß, æ, þ) or
  // is not a letter (×, ÷). Lets the block loop fold French accented words without branches.
  const char* latin1_letters() const { return latin1_letters_; }

  // cp < kSize. Above the BMP, folded strings come from FoldCodepoint() and are not padded.
  CodepointInfo Lookup(char32_t cp) const {
    const Entry& e = entries_[cp];
    return {e.cls, std::string_view(pool_.data() + e.offset, e.length)};
  }

 private:
  BmpTable();
  struct Entry {
    std::uint32_t offset = 0;
    std::uint8_t length = 0;
    CharClass cls = CharClass::kSeparator;
  };
  std::vector<Entry> entries_;
  std::string pool_;
  char latin1_letters_[64] = {};
};

// Classification alone (for the exact folds, which go through utf8proc per word).
CharClass Classify(char32_t cp);

// Decodes one UTF-8 sequence at `p` (p < end). Returns its length (1..4) and sets `*cp`; an
// invalid or truncated sequence returns 1 and sets *cp to 0xFFFD. Inline: it is on the hot path.
inline int DecodeUtf8(const unsigned char* p, const unsigned char* end, char32_t* cp) {
  const unsigned char c = p[0];
  const auto cont = [&](int i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *cp = (static_cast<char32_t>(c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    const char32_t v = (static_cast<char32_t>(c & 0x0F) << 12) |
                       (static_cast<char32_t>(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
      *cp = v;
      return 3;
    }
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const char32_t v = (static_cast<char32_t>(c & 0x07) << 18) |
                       (static_cast<char32_t>(p[1] & 0x3F) << 12) |
                       (static_cast<char32_t>(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    if (v >= 0x10000 && v <= 0x10FFFF) {
      *cp = v;
      return 4;
    }
  }
  *cp = 0xFFFD;
  return 1;
}

// Appends the UTF-8 encoding of `cp`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace veille::text::internal
