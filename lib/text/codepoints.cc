#include "text/codepoints.h"

#include <utf8proc.h>

#include <vector>

#include "text/fold_internal.h"

namespace veille::text::internal {
namespace {

constexpr char32_t kTableSize = 0x10000;  // the Basic Multilingual Plane

struct Entry {
  std::uint32_t offset = 0;
  std::uint8_t length = 0;
  CharClass cls = CharClass::kSeparator;
};

// The whole BMP, folded once: ~0.5 MB of entries plus the folded strings. Built lazily because
// only the matcher and the tests need it.
class Table {
 public:
  Table() : entries_(kTableSize) {
    for (char32_t cp = 0; cp < kTableSize; ++cp) {
      Entry& e = entries_[cp];
      e.cls = Classify(cp);
      if (e.cls != CharClass::kWord) continue;
      std::string folded = FoldCodepoint(cp, Fold::kInsensitive);
      e.offset = static_cast<std::uint32_t>(pool_.size());
      e.length = static_cast<std::uint8_t>(folded.size());
      pool_ += folded;
    }
  }

  CodepointInfo Get(char32_t cp) const {
    const Entry& e = entries_[cp];
    return {e.cls, std::string_view(pool_).substr(e.offset, e.length)};
  }

 private:
  std::vector<Entry> entries_;
  std::string pool_;
};

const Table& GetTable() {
  static const Table table;
  return table;
}

}  // namespace

CharClass Classify(char32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
      return CharClass::kWord;
    }
    return CharClass::kSeparator;
  }
  if (cp > 0x10FFFF) return CharClass::kSeparator;
  // U+02BC MODIFIER LETTER APOSTROPHE is a letter by category but an apostrophe in practice.
  if (cp == 0x02BC) return CharClass::kSeparator;
  // Zero-width space and friends separate words; other format characters (soft hyphen, ZWJ,
  // ZWNJ, word joiner) are invisible inside a word.
  if (cp == 0x200B || cp == 0xFEFF) return CharClass::kSeparator;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kWord;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
      return CharClass::kJoiner;
    default:
      return CharClass::kSeparator;
  }
}

CodepointInfo LookupBmp(char32_t cp) { return GetTable().Get(cp); }

int DecodeUtf8(const unsigned char* p, const unsigned char* end, char32_t* cp) {
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

void AppendUtf8(char32_t cp, std::string* out) {
  unsigned char buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

}  // namespace veille::text::internal
