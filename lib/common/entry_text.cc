#include "common/entry_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace veille {
namespace {

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
  if (suffix.size() > text.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The last occurrence of `needle` (lower case) in `text` starting at `from` or later, ASCII
// letters compared without case; npos when there is none. In place, without a lowered copy of
// the text: EntryText runs it about twenty times per entry, on the content too (a profile of
// the cold cycle found a third of the daemon's CPU here when each call lowered a copy and
// std::string::rfind compared at every offset).
std::size_t RFindNoCase(std::string_view text, std::string_view needle, std::size_t from = 0) {
  if (needle.empty() || needle.size() > text.size()) return std::string_view::npos;
  for (std::size_t i = text.size() - needle.size() + 1; i-- > from;) {
    if (FoldAscii(text[i]) != needle[0]) continue;
    std::size_t j = 1;
    while (j < needle.size() && FoldAscii(text[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// `needle` (lower case) starts at `text[i]`, ASCII letters compared without case.
bool StartsAtNoCase(std::string_view text, std::size_t i, std::string_view needle) {
  if (needle.size() > text.size() - i) return false;
  for (std::size_t j = 0; j < needle.size(); ++j) {
    if (FoldAscii(text[i + j]) != needle[j]) return false;
  }
  return true;
}

// The high bit of each byte of `v` that is zero, and maybe of a few others (never fewer).
constexpr std::uint64_t ZeroBytes(std::uint64_t v) {
  return (v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL;
}

// The 8 positions p[0..7] of a text, each with the byte after it (p[8] is read). OR-ing 0x20
// folds 'A'-'Z' onto 'a'-'z', and a few bytes that are no letter onto other values: a false
// "maybe", which the caller's exact comparison settles; never a false "no".
class Block {
 public:
  explicit Block(const char* p) {
    std::memcpy(&first_, p, 8);
    std::memcpy(&second_, p + 1, 8);
    first_ |= kOnes * 0x20;
    second_ |= kOnes * 0x20;
  }
  // Whether one of the positions may start with `a` then `b` (lower case), case aside.
  [[nodiscard]] bool MayStart(unsigned char a, unsigned char b) const {
    return (ZeroBytes(first_ ^ (kOnes * a)) & ZeroBytes(second_ ^ (kOnes * b))) != 0;
  }

 private:
  static constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  std::uint64_t first_ = 0, second_ = 0;
};

// Spaces, tabs, newlines, and the no-break and thin spaces (U+00A0, U+202F, U+2009).
std::size_t SpaceAt(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
  if (c == '\xC2') return s.compare(i, 2, "\xC2\xA0") == 0 ? 2 : 0;
  if (c != '\xE2') return 0;
  if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0) return 3;
  return 0;
}

// `s` without its spaces, up to `max` bytes of the result (the whole of it by default): Begins
// only ever looks at a bounded beginning of the compacted content, so EntryText compacts no more
// of it than that (the whole content was compacted before: 3 % of a cold cycle's CPU). Bytes are
// written into a buffer sized once; only the bytes that can start a space are looked at closely.
std::string Compact(std::string_view s, std::size_t max = std::string::npos) {
  std::string out(std::min(s.size(), max), '\0');
  char* const begin = out.data();
  char* const end = begin + out.size();
  char* at = begin;
  for (std::size_t i = 0; i < s.size() && at != end;) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c > ' ' && c != 0xC2 && c != 0xE2) {
      *at++ = s[i++];
    } else if (const std::size_t n = SpaceAt(s, i)) {
      i += n;
    } else {
      *at++ = s[i++];
    }
  }
  out.resize(static_cast<std::size_t>(at - begin));
  return out;
}

std::string_view TrimEnd(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                       s.back() == '\r' || s.back() == ':' || s.back() == '-')) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") {
      s.remove_suffix(2);
    } else {
      return s;
    }
  }
}

// `big` holds `small` (both compacted) starting within its first kTeaserSearchBytes.
bool Begins(const std::string& big, const std::string& small) {
  if (small.empty() || small.size() > big.size()) return false;
  const std::size_t last = std::min(big.size() - small.size(), kTeaserSearchBytes);
  for (std::size_t i = 0; i <= last; ++i) {
    if (big[i] == small[0] && big.compare(i, small.size(), small) == 0) return true;
  }
  return false;
}

}  // namespace

std::string_view TeaserCore(std::string_view text) {
  // WordPress's footer ("The post %s appeared first on %s."): the last occurrence of each of its
  // three openings, found in one backward pass over the text (each one had a pass of its own:
  // most texts have none, and the passes were a tenth of the parse worker's CPU).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kFooters = {
      {{"the post ", " appeared first on "},
       {"l’article ", " est apparu en premier sur "},
       {"l'article ", " est apparu en premier sur "}}};
  std::array<std::size_t, kFooters.size()> last;
  last.fill(std::string_view::npos);
  std::size_t missing = kFooters.size();
  const auto look_at = [&](std::size_t pos) {
    const char c = FoldAscii(text[pos]);
    if (c != 't' && c != 'l') return;  // the first letters of the openings
    for (std::size_t k = 0; k < kFooters.size(); ++k) {
      if (last[k] == std::string_view::npos && StartsAtNoCase(text, pos, kFooters[k].first)) {
        last[k] = pos;
        --missing;
      }
    }
  };
  // No opening starts in the last 8 bytes (the shortest has 9). Below them, 8 positions at a time:
  // a block is looked at byte by byte only when one of its positions may start "th", "l'" or "l’"
  // (E2 80 99): most blocks of text have none.
  std::size_t end = text.size() > 8 ? text.size() - 8 : 0;  // the positions below are left
  for (; missing > 0 && end >= 8; end -= 8) {
    const Block block(text.data() + end - 8);
    if (!block.MayStart('t', 'h') && !block.MayStart('l', '\'') && !block.MayStart('l', 0xE2)) {
      continue;
    }
    for (std::size_t j = end; missing > 0 && j-- > end - 8;) look_at(j);
  }
  while (missing > 0 && end-- > 0) look_at(end);
  for (std::size_t k = 0; k < kFooters.size(); ++k) {
    const std::size_t at = last[k];
    if (at != std::string_view::npos &&
        RFindNoCase(text.substr(at), kFooters[k].second) != std::string::npos) {
      text = text.substr(0, at);
      break;
    }
  }
  // "Continue reading <title> →" and the like: cut at the last one near the end. Only an
  // occurrence starting in the last 200 bytes counts. When none of them starts there, no cut
  // happens and the window never moves: one pass over it answers for all seven.
  static constexpr std::string_view kLinks[] = {
      "continue reading", "continuer la lecture", "lire la suite", "read more", "read the full",
      "lire plus",        "en savoir plus"};
  const std::size_t window = text.size() > 200 ? text.size() - 200 : 0;
  bool any_link = false;
  const auto link_at = [&](std::size_t pos) {
    const char c = FoldAscii(text[pos]);
    for (std::string_view link : kLinks) {
      if (link[0] == c && StartsAtNoCase(text, pos, link)) any_link = true;
    }
  };
  // 8 positions at a time, as above: the links start with "co", "li", "re" or "en".
  std::size_t pos = window;
  for (; !any_link && pos + 9 <= text.size(); pos += 8) {
    const Block block(text.data() + pos);
    if (!block.MayStart('c', 'o') && !block.MayStart('l', 'i') && !block.MayStart('r', 'e') &&
        !block.MayStart('e', 'n')) {
      continue;
    }
    for (std::size_t j = pos; j < pos + 8; ++j) link_at(j);
  }
  for (; !any_link && pos < text.size(); ++pos) link_at(pos);
  for (std::string_view link : kLinks) {
    if (!any_link) break;
    const std::size_t at = RFindNoCase(text, link, text.size() > 200 ? text.size() - 200 : 0);
    if (at != std::string::npos) text = text.substr(0, at);
  }
  static constexpr std::string_view kMarks[] = {
      "[\xE2\x80\xA6]", "[...]",        "(\xE2\x80\xA6)", "(...)",      "\xE2\x80\xA6", "...",
      "\xC2\xBB",       "\xE2\x80\xBA", "\xE2\x86\x92",   "[&hellip;]", "&hellip;"};
  for (bool cut = true; cut;) {
    cut = false;
    text = TrimEnd(text);
    for (std::string_view mark : kMarks) {
      if (EndsWithNoCase(text, mark)) {
        text.remove_suffix(mark.size());
        cut = true;
      }
    }
  }
  return text;
}

std::string IndexedEntryText(const std::optional<std::string>& summary,
                             const std::optional<std::string>& content) {
  std::string text = summary.value_or("");
  if (content && *content != text) {
    if (!text.empty()) text += "\n";
    text += *content;
  }
  return text;
}

std::string EntryText(const std::optional<std::string>& summary,
                      const std::optional<std::string>& content) {
  const std::string_view s = summary ? std::string_view(*summary) : std::string_view();
  const std::string_view c = content ? std::string_view(*content) : std::string_view();
  if (c.empty() || s == c) return std::string(s);
  if (s.empty()) return std::string(c);
  // Begins(big, small) reads big's first kTeaserSearchBytes + small.size() bytes at most, and
  // fails when small is longer than big: each side is compacted only that far (same results).
  const std::string teaser = Compact(TeaserCore(s));
  const std::string compact_content = Compact(c, kTeaserSearchBytes + teaser.size());
  if (teaser.empty() || Begins(compact_content, teaser)) return std::string(c);
  const std::string compact_summary = Compact(s);
  const std::string short_content = Compact(TeaserCore(c), compact_summary.size() + 1);
  if (short_content.empty() || Begins(compact_summary, short_content)) return std::string(s);
  std::string text(s);
  text += "\n";
  text += c;
  return text;
}

std::string DerivedTitle(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size() && SpaceAt(text, begin)) begin += SpaceAt(text, begin);
  text = text.substr(begin);
  // Byte offset after kDerivedTitleChars characters (UTF-8 lead bytes), and the last space
  // before it.
  std::size_t chars = 0, end = 0, last_space = std::string_view::npos;
  for (; end < text.size(); ++end) {
    const auto byte = static_cast<unsigned char>(text[end]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte
    if (chars == kDerivedTitleChars) break;
    if (SpaceAt(text, end)) last_space = end;
    ++chars;
  }
  const bool cut = end < text.size();
  // Cut at the last space, unless that drops more than half the title (one very long word).
  if (cut && last_space != std::string_view::npos && last_space > end / 2) end = last_space;
  std::string out(TrimEnd(text.substr(0, end)));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // paragraphs run on, on one line
  }
  if (!cut) return out;
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == '.')) {
    out.pop_back();
  }
  return out + "\xE2\x80\xA6";
}

}  // namespace veille
