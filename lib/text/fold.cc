// Folding with utf8proc, plus the letters utf8proc leaves alone: the ligatures œ æ (NFKC keeps
// them, they are letters of their own) and the stroked letters ø ł đ ħ ı, which have no
// decomposition and so keep their "accent" through UTF8PROC_STRIPMARK.
#include <utf8proc.h>

#include <cstdlib>
#include <string>

#include "text/codepoints.h"
#include "text/fold_internal.h"
#include "text/normalize.h"

namespace veille::text {
namespace {

bool FoldsCase(Fold fold) { return fold == Fold::kInsensitive || fold == Fold::kKeepAccents; }
bool StripsAccents(Fold fold) { return fold == Fold::kInsensitive || fold == Fold::kKeepCase; }

// Appends the replacement of `cp` if it is one of the letters utf8proc does not simplify;
// returns false when `cp` needs no special rule.
bool AppendSpecial(char32_t cp, Fold fold, std::string* out) {
  switch (cp) {
    case 0x0153:
      out->append("oe");
      return true;  // œ
    case 0x0152:
      out->append("OE");
      return true;  // Œ (only reached when case is kept)
    case 0x00E6:
      out->append("ae");
      return true;  // æ
    case 0x00C6:
      out->append("AE");
      return true;  // Æ
    default:
      break;
  }
  if (!StripsAccents(fold)) return false;
  switch (cp) {
    case 0x00F8:
      out->append("o");
      return true;  // ø
    case 0x00D8:
      out->append("O");
      return true;  // Ø
    case 0x0142:
      out->append("l");
      return true;  // ł
    case 0x0141:
      out->append("L");
      return true;  // Ł
    case 0x0111:
      out->append("d");
      return true;  // đ
    case 0x0110:
      out->append("D");
      return true;  // Đ
    case 0x0127:
      out->append("h");
      return true;  // ħ
    case 0x0126:
      out->append("H");
      return true;  // Ħ
    case 0x0131:
      out->append("i");
      return true;  // ı
    default:
      return false;
  }
}

utf8proc_option_t OptionsFor(Fold fold) {
  int options = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE;
  if (FoldsCase(fold)) options |= UTF8PROC_CASEFOLD;
  if (StripsAccents(fold)) options |= UTF8PROC_STRIPMARK;
  return static_cast<utf8proc_option_t>(options);
}

// Keeps the letters and digits of an already mapped string (and the marks when accents are
// kept); drops what NFKC may have introduced between them (the fraction slash of ½, the
// parentheses of ⑴) and any invisible format character.
void AppendKept(std::string_view mapped, Fold fold, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(mapped.data());
  const auto* end = p + mapped.size();
  while (p < end) {
    char32_t cp = 0;
    const int n = internal::DecodeUtf8(p, end, &cp);
    const internal::CharClass cls = internal::Classify(cp);
    const bool keep =
        cls == internal::CharClass::kWord ||
        (cls == internal::CharClass::kJoiner && !StripsAccents(fold) &&
         utf8proc_category(static_cast<utf8proc_int32_t>(cp)) != UTF8PROC_CATEGORY_CF);
    if (keep && !AppendSpecial(cp, fold, out)) {
      out->append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }
    p += n;
  }
}

}  // namespace

std::string FoldWord(std::string_view word, Fold fold) {
  std::string out;
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(word.data()),
                   static_cast<utf8proc_ssize_t>(word.size()), &mapped, OptionsFor(fold));
  if (n >= 0) {
    AppendKept(std::string_view(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n)),
               fold, &out);
    std::free(mapped);
    return out;
  }
  std::free(mapped);
  // Invalid UTF-8: fold the valid codepoints one by one and drop the rest.
  const auto* p = reinterpret_cast<const unsigned char*>(word.data());
  const auto* end = p + word.size();
  while (p < end) {
    char32_t cp = 0;
    const int len = internal::DecodeUtf8(p, end, &cp);
    if (cp != 0xFFFD) out += internal::FoldCodepoint(cp, fold);
    p += len;
  }
  return out;
}

namespace internal {

std::string FoldCodepoint(char32_t cp, Fold fold) {
  std::string utf8;
  AppendUtf8(cp, &utf8);
  return FoldWord(utf8, fold);
}

}  // namespace internal
}  // namespace veille::text
