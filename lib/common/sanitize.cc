#include "common/sanitize.h"

#include <algorithm>
#include <cstdint>

namespace veille {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::uint32_t CodePoint(std::string_view s, std::size_t i, std::size_t n) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (n == 1) return b0;
  std::uint32_t cp = b0 & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  return cp;
}

bool IsBidiControl(std::uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Walks `text` one character at a time: `visit(cp, bytes)` for every valid character that is not
// a dropped control; invalid sequences come through as U+FFFD.
template <typename Visit>
void Walk(std::string_view text, Visit visit) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      visit(0xFFFD, kReplacement);
      ++i;
      continue;
    }
    const std::uint32_t cp = CodePoint(text, i, n);
    visit(cp, text.substr(i, n));
    i += n;
  }
}

}  // namespace

std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  const std::uint32_t cp = CodePoint(text, i, n);
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

std::string SanitizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  Walk(text, [&](std::uint32_t cp, std::string_view bytes) {
    if (cp == '\t' || cp == '\n') {
      out += bytes;
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return;  // C0, DEL, C1
    } else {
      out += bytes;
    }
  });
  return out;
}

std::string SanitizeLine(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  bool space = false;
  bool full = false;
  Walk(text, [&](std::uint32_t cp, std::string_view bytes) {
    if (full) return;
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
      space = true;
      return;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || IsBidiControl(cp)) return;
    const std::size_t need = bytes.size() + (space && !out.empty() ? 1 : 0);
    if (out.size() + need > max_bytes) {
      full = true;
      return;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += bytes;
  });
  return out;
}

}  // namespace veille
