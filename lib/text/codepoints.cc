#include "text/codepoints.h"

#include <utf8proc.h>

#include "text/fold_internal.h"

namespace veille::text::internal {
BmpTable::BmpTable() : entries_(kSize) {
  for (char32_t cp = 0; cp < kSize; ++cp) {
    Entry& e = entries_[cp];
    e.cls = Classify(cp);
    if (e.cls != CharClass::kWord) continue;
    const std::string folded = FoldCodepoint(cp, Fold::kInsensitive);
    e.offset = static_cast<std::uint32_t>(pool_.size());
    e.length = static_cast<std::uint8_t>(folded.size());
    pool_ += folded;
  }
  pool_.append(kPadding, '\0');
  for (char32_t cp = 0xC0; cp <= 0xFF; ++cp) {
    const CodepointInfo info = Lookup(cp);
    const bool one_ascii_letter = info.cls == CharClass::kWord && info.folded.size() == 1 &&
                                  static_cast<unsigned char>(info.folded[0]) < 0x80;
    latin1_letters_[cp - 0xC0] = one_ascii_letter ? info.folded[0] : '\0';
  }
}

const BmpTable& BmpTable::Get() {
  static const BmpTable table;
  return table;
}

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

void AppendUtf8(char32_t cp, std::string* out) {
  unsigned char buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

}  // namespace veille::text::internal
