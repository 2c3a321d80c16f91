#include "feed/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "feed/entities.h"

namespace veille::feed {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// The block tags after which the reference inserts a space.
constexpr std::array<std::string_view, 38> kBlockTags = {
    "address", "article", "aside",    "blockquote", "br",     "caption", "dd",    "div",
    "dl",      "dt",      "fieldset", "figcaption", "figure", "footer",  "form",  "h1",
    "h2",      "h3",      "h4",       "h5",         "h6",     "header",  "hr",    "li",
    "main",    "nav",     "ol",       "p",          "pre",    "section", "table", "tbody",
    "td",      "tfoot",   "th",       "thead",      "tr",     "ul"};

bool IsBlockTag(std::string_view lower_name) {
  return std::find(kBlockTags.begin(), kBlockTags.end(), lower_name) != kBlockTags.end();
}

// Decodes one reference at text[i] == '&'; appends the result and returns the index after it.
// Sink: std::string or TextCollapser (append(string_view), push_back(char)).
template <typename Sink>
std::size_t DecodeReference(std::string_view text, std::size_t i, Sink* out) {
  std::size_t j = i + 1;
  if (j < text.size() && text[j] == '#') {
    std::size_t k = j + 1;
    bool hex = k < text.size() && (text[k] == 'x' || text[k] == 'X');
    if (hex) ++k;
    std::size_t start = k;
    unsigned long value = 0;
    bool overflow = false;
    while (k < text.size() && (hex ? IsHexDigit(text[k]) : IsAsciiDigit(text[k]))) {
      unsigned digit = IsAsciiDigit(text[k]) ? static_cast<unsigned>(text[k] - '0')
                                             : static_cast<unsigned>(Lower(text[k]) - 'a' + 10);
      if (value > 0x10FFFF) {
        overflow = true;
      } else {
        value = value * (hex ? 16 : 10) + digit;
      }
      ++k;
    }
    if (k == start) {
      out->push_back('&');
      return i + 1;
    }
    if (k < text.size() && text[k] == ';') ++k;
    char32_t cp = overflow ? 0xFFFD : FixNumericReference(value);
    std::string utf8;
    AppendUtf8(&utf8, cp);
    out->append(std::string_view(utf8));
    return k;
  }
  // Named: up to 32 characters that are not TAB, LF, FF, space, '<', '&', '#', ';'.
  std::size_t k = j;
  while (k < text.size() && k - j < 32) {
    char c = text[k];
    if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' ||
        c == ';') {
      break;
    }
    ++k;
  }
  if (k < text.size() && text[k] == ';') ++k;
  if (k == j) {
    out->push_back('&');
    return i + 1;
  }
  std::string_view expansion;
  std::size_t len = MatchEntityPrefix(text.substr(j, k - j), &expansion);
  if (len == 0) {
    out->push_back('&');
    return i + 1;
  }
  out->append(expansion);
  return j + len;
}

template <typename Sink>
void AppendDecoded(std::string_view text, Sink* out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char* amp = static_cast<const char*>(std::memchr(text.data() + i, '&', text.size() - i));
    if (amp == nullptr) {
      out->append(text.substr(i));
      return;
    }
    std::size_t pos = static_cast<std::size_t>(amp - text.data());
    out->append(text.substr(i, pos - i));
    i = DecodeReference(text, pos, out);
  }
}

// Index of the '>' closing a tag that starts at `from`, skipping quoted attribute values.
std::size_t FindTagEnd(std::string_view html, std::size_t from) {
  char quote = 0;
  for (std::size_t i = from; i < html.size(); ++i) {
    char c = html[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      // Only a quote right after '=' (optionally spaced) opens a value.
      std::size_t b = i;
      while (b > from && (html[b - 1] == ' ' || html[b - 1] == '\t' || html[b - 1] == '\n')) --b;
      if (b > from && html[b - 1] == '=') quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::size_t FindCaseInsensitive(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (Lower(hay[i]) == needle[0] && EqualsIgnoreCase(hay.substr(i, needle.size()), needle)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Unicode whitespace as Python's str.isspace() sees it (after C0 controls are deleted).
// Returns the byte length of a whitespace character at s[i], or 0.
std::size_t WhitespaceLength(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b == ' ' || b == '\t' || b == '\n' || b == '\r') return 1;
  if (b < 0x80) return 0;
  std::size_t left = s.size() - i;
  auto b1 = left > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
  auto b2 = left > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
  if (b == 0xC2 && (b1 == 0x85 || b1 == 0xA0)) return 2;
  if (b == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;  // U+1680
  if (b == 0xE2 && b1 == 0x80 &&
      ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) {
    return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
  }
  if (b == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;  // U+205F
  if (b == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;  // U+3000
  return 0;
}

// Tags feedparser's sanitizer accepts (the "acceptable_elements" of LooksLikeHtml).
constexpr std::string_view kAcceptable[] = {"a",          "abbr",
                                            "acronym",    "address",
                                            "area",       "article",
                                            "aside",      "audio",
                                            "b",          "big",
                                            "blockquote", "br",
                                            "button",     "canvas",
                                            "caption",    "center",
                                            "cite",       "code",
                                            "col",        "colgroup",
                                            "command",    "datagrid",
                                            "datalist",   "dd",
                                            "del",        "details",
                                            "dfn",        "dialog",
                                            "dir",        "div",
                                            "dl",         "dt",
                                            "em",         "event-source",
                                            "fieldset",   "figcaption",
                                            "figure",     "font",
                                            "footer",     "form",
                                            "h1",         "h2",
                                            "h3",         "h4",
                                            "h5",         "h6",
                                            "header",     "hr",
                                            "i",          "img",
                                            "input",      "ins",
                                            "kbd",        "keygen",
                                            "label",      "legend",
                                            "li",         "m",
                                            "map",        "menu",
                                            "meter",      "multicol",
                                            "nav",        "nextid",
                                            "noscript",   "ol",
                                            "optgroup",   "option",
                                            "output",     "p",
                                            "pre",        "progress",
                                            "q",          "s",
                                            "samp",       "section",
                                            "select",     "small",
                                            "sound",      "source",
                                            "spacer",     "span",
                                            "strike",     "strong",
                                            "sub",        "sup",
                                            "table",      "tbody",
                                            "td",         "textarea",
                                            "tfoot",      "th",
                                            "thead",      "time",
                                            "tr",         "tt",
                                            "u",          "ul",
                                            "var",        "video",
                                            "noscript",   "math",
                                            "mi",         "mn",
                                            "mo",         "mrow",
                                            "msup",       "mfrac",
                                            "msqrt",      "mroot",
                                            "msub",       "svg",
                                            "circle",     "g",
                                            "path",       "line",
                                            "rect",       "text",
                                            "mtext",      "annotation"};

bool IsWordChar(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '_'; }

// Byte classes for collapsing: 0 copy, 1 ASCII whitespace, 2 deleted control, 3 lead byte of a
// multi-byte character that may be whitespace (decided by WhitespaceLength).
constexpr std::array<unsigned char, 256> kCollapseClass = [] {
  std::array<unsigned char, 256> table{};
  for (int b = 0; b < 0x20; ++b) table[static_cast<std::size_t>(b)] = 2;
  table['\t'] = table['\n'] = table['\r'] = table[' '] = 1;
  table[0x7F] = 2;
  table[0xC2] = table[0xE1] = table[0xE2] = table[0xE3] = 3;
  return table;
}();

// Writes text with the whitespace rules applied on the fly: controls deleted, whitespace runs
// as one space, nothing leading or trailing. One pass, no intermediate string.
// True when the 8 bytes at p are visible ASCII or single spaces between them: no control, no
// DEL, no byte >= 0x80, no two spaces in a row, and the 8th byte is not a space (so a space never
// ends a run). Such a block needs no rewriting.
inline bool PlainAsciiBlock(const char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  if (x & kHigh) return false;                        // a byte >= 0x80
  if ((x - kOnes * 0x20) & ~x & kHigh) return false;  // a byte < 0x20 (x has no high bits)
  if (((x + kOnes) & kHigh) != 0) return false;       // 0x7F (DEL)
  std::uint64_t spaces = x ^ (kOnes * 0x20);          // zero bytes where x is a space
  std::uint64_t t = (spaces & kLow7) + kLow7;
  std::uint64_t is_space = ~(t | spaces | kLow7);        // high bit set exactly at spaces
  if (is_space & (is_space << 8)) return false;          // two spaces in a row
  if (is_space & (kHigh & ~(kHigh >> 8))) return false;  // the last byte is a space (little endian)
  return true;
}

class TextCollapser {
 public:
  explicit TextCollapser(std::size_t expected) { out_.resize(expected + 16); }

  void push_back(char c) {
    char one[1] = {c};
    append(std::string_view(one, 1));
  }

  void append(std::string_view text) {
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
      auto b = static_cast<unsigned char>(*p);
      unsigned char cls = kCollapseClass[b];
      if (cls == 0) {
        // A run of visible bytes, single spaces between words included (only runs of several
        // whitespace characters, or other whitespace, need rewriting).
        const char* q = p + 1;
        while (q < end) {
          if (end - q >= 9 && PlainAsciiBlock(q)) {
            q += 8;
            continue;
          }
          unsigned char c = kCollapseClass[static_cast<unsigned char>(*q)];
          if (c == 0) {
            ++q;
          } else if (*q == ' ' && q + 1 < end &&
                     kCollapseClass[static_cast<unsigned char>(q[1])] == 0) {
            q += 2;
          } else {
            break;
          }
        }
        Visible(p, q);
        p = q;
      } else if (cls == 1) {
        pending_space_ = true;
        ++p;
      } else if (cls == 2) {
        ++p;
      } else {
        std::size_t ws = WhitespaceLength(text, static_cast<std::size_t>(p - text.data()));
        if (ws != 0) {
          pending_space_ = true;
          p += ws;
        } else {
          Visible(p, p + 1);
          ++p;
        }
      }
    }
  }

  std::optional<std::string> Finish() {
    if (size_ == 0) return std::nullopt;
    out_.resize(size_);
    return std::move(out_);
  }

 private:
  void Visible(const char* from, const char* to) {
    auto len = static_cast<std::size_t>(to - from);
    if (size_ + len + 1 > out_.size()) out_.resize(std::max(out_.size() * 2, size_ + len + 1));
    char* w = out_.data() + size_;
    if (pending_space_) {
      if (size_ != 0) {
        *w++ = ' ';
        ++size_;
      }
      pending_space_ = false;
    }
    std::memcpy(w, from, len);
    size_ += len;
  }

  std::string out_;  // sized ahead; size_ bytes are used
  std::size_t size_ = 0;
  bool pending_space_ = false;
};

template <typename Sink>
void HtmlToTextInto(std::string_view html, Sink* sink);

}  // namespace

std::string UnescapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendDecoded(text, &out);
  return out;
}

namespace {

template <typename Sink>
void HtmlToTextInto(std::string_view html, Sink* sink) {
  Sink& out = *sink;
  std::size_t i = 0;
  std::size_t data_start = 0;
  auto flush = [&](std::size_t end) {
    if (end > data_start) AppendDecoded(html.substr(data_start, end - data_start), sink);
  };
  while (i < html.size()) {
    const char* lt = static_cast<const char*>(std::memchr(html.data() + i, '<', html.size() - i));
    if (lt == nullptr) break;
    std::size_t pos = static_cast<std::size_t>(lt - html.data());
    std::size_t next = pos + 1;
    char c = next < html.size() ? html[next] : '\0';
    if (IsAsciiAlpha(c) || (c == '/' && next + 1 < html.size() && IsAsciiAlpha(html[next + 1]))) {
      bool end_tag = c == '/';
      std::size_t name_start = end_tag ? next + 1 : next;
      std::size_t name_end = name_start;
      while (name_end < html.size() && html[name_end] != ' ' && html[name_end] != '\t' &&
             html[name_end] != '\n' && html[name_end] != '\r' && html[name_end] != '\f' &&
             html[name_end] != '/' && html[name_end] != '>') {
        ++name_end;
      }
      std::size_t close = FindTagEnd(html, name_end);
      if (close == std::string_view::npos) {
        i = pos + 1;
        continue;  // an unfinished tag at the end stays text
      }
      flush(pos);
      std::string name(html.substr(name_start, name_end - name_start));
      std::transform(name.begin(), name.end(), name.begin(), Lower);
      if (IsBlockTag(name)) out.push_back(' ');
      i = close + 1;
      if (!end_tag && (name == "script" || name == "style") && html[close - 1] != '/') {
        std::string closing = "</" + name;
        std::size_t end = FindCaseInsensitive(html, closing, i);
        if (end == std::string_view::npos) {
          i = html.size();
        } else {
          std::size_t gt = html.find('>', end);
          i = gt == std::string_view::npos ? html.size() : gt + 1;
        }
      }
      data_start = i;
    } else if (c == '!' || c == '?' || c == '/') {
      flush(pos);
      std::size_t end;
      if (html.substr(next, 3) == "!--") {
        std::size_t close = html.find("-->", next + 3);
        end = close == std::string_view::npos ? html.size() : close + 3;
      } else if (html.substr(next, 8) == "![CDATA[") {
        std::size_t close = html.find("]]>", next + 8);
        end = close == std::string_view::npos ? html.size() : close + 3;
      } else {
        std::size_t close = html.find('>', next);
        end = close == std::string_view::npos ? html.size() : close + 1;
      }
      i = end;
      data_start = i;
    } else {
      i = pos + 1;  // a literal '<'
    }
  }
  flush(html.size());
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  HtmlToTextInto(html, &out);
  return out;
}

std::optional<std::string> HtmlToCollapsedText(std::string_view html) {
  TextCollapser collapser(html.size());
  HtmlToTextInto(html, &collapser);
  return collapser.Finish();
}

std::optional<std::string> CollapseText(std::string_view text) {
  TextCollapser collapser(text.size());
  collapser.append(text);
  return collapser.Finish();
}

bool LooksLikeHtml(std::string_view s) {
  bool has_close = false;
  bool has_ref = false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '<' && s[i + 1] == '/') {
      std::size_t k = i + 2;
      while (k < s.size() && IsWordChar(s[k])) ++k;
      if (k > i + 2 && k < s.size() && s[k] == '>') has_close = true;
    } else if (s[i] == '&') {
      std::size_t k = i + 1;
      if (k < s.size() && s[k] == '#') ++k;
      std::size_t start = k;
      while (k < s.size() && IsWordChar(s[k])) ++k;
      if (k > start && k < s.size() && s[k] == ';') has_ref = true;
    }
  }
  if (!has_close && !has_ref) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      std::size_t k = i + 1;
      if (k < s.size() && s[k] == '/') ++k;
      std::size_t start = k;
      while (k < s.size() && IsWordChar(s[k])) ++k;
      if (k == start) continue;
      std::string name(s.substr(start, k - start));
      std::transform(name.begin(), name.end(), name.begin(), Lower);
      if (std::find(std::begin(kAcceptable), std::end(kAcceptable), name) == std::end(kAcceptable))
        return false;
    } else if (s[i] == '&') {
      std::size_t k = i + 1;
      std::size_t start = k;
      while (k < s.size() && IsWordChar(s[k])) ++k;
      if (k > start && k < s.size() && s[k] == ';') {
        std::string name(s.substr(start, k - start));
        name.push_back(';');
        // entitydefs holds the HTML 4 names; the HTML5 table is a superset, close enough.
        if (!LookupEntity(name)) return false;
      }
    }
  }
  return true;
}

void MapC1ToWindows1252(std::string* text) {
  if (text->find('\xC2') == std::string::npos) return;
  std::string out;
  out.reserve(text->size() + 8);
  for (std::size_t i = 0; i < text->size(); ++i) {
    auto b = static_cast<unsigned char>((*text)[i]);
    if (b == 0xC2 && i + 1 < text->size()) {
      auto b1 = static_cast<unsigned char>((*text)[i + 1]);
      if (b1 >= 0x80 && b1 <= 0x9F) {
        AppendUtf8(&out, FixNumericReference(b1));
        ++i;
        continue;
      }
    }
    out.push_back(static_cast<char>(b));
  }
  *text = std::move(out);
}

bool RepairDoubleEncodedUtf8(std::string* text) {
  // Reads the text as Latin-1 characters (one byte each) and checks, without building anything,
  // that those bytes are valid UTF-8 with at least one multi-byte sequence.
  const std::string& t = *text;
  std::size_t i = 0;
  int continuation = 0;  // continuation bytes still expected in the current sequence
  bool multibyte = false;
  while (i < t.size()) {
    auto b = static_cast<unsigned char>(t[i]);
    unsigned byte;
    if (b < 0x80) {
      byte = b;
      ++i;
    } else if ((b == 0xC2 || b == 0xC3) && i + 1 < t.size()) {
      byte = ((b & 0x03u) << 6) | (static_cast<unsigned char>(t[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return false;  // a character beyond Latin-1: not double-encoded
    }
    if (continuation > 0) {
      if ((byte & 0xC0u) != 0x80u) return false;
      --continuation;
    } else if (byte >= 0x80) {
      if (byte >= 0xC2 && byte <= 0xDF) {
        continuation = 1;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        continuation = 2;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        continuation = 3;
      } else {
        return false;
      }
      multibyte = true;
    }
  }
  if (continuation != 0 || !multibyte) return false;
  std::string bytes;
  bytes.reserve(t.size());
  for (std::size_t k = 0; k < t.size();) {
    auto b = static_cast<unsigned char>(t[k]);
    if (b < 0x80) {
      bytes.push_back(static_cast<char>(b));
      ++k;
    } else {
      bytes.push_back(
          static_cast<char>(((b & 0x03u) << 6) | (static_cast<unsigned char>(t[k + 1]) & 0x3Fu)));
      k += 2;
    }
  }
  *text = std::move(bytes);
  return true;
}

}  // namespace veille::feed
