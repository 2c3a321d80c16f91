#include "feed/text.h"

#include <algorithm>
#include <array>
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
std::size_t DecodeReference(std::string_view text, std::size_t i, std::string* out) {
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
    AppendUtf8(out, cp);
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

void AppendDecoded(std::string_view text, std::string* out) {
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

bool IsDeletedControl(unsigned char b) {
  return (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F;
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

}  // namespace

std::string UnescapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendDecoded(text, &out);
  return out;
}

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  std::size_t data_start = 0;
  auto flush = [&](std::size_t end) {
    if (end > data_start) AppendDecoded(html.substr(data_start, end - data_start), &out);
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
  return out;
}

std::optional<std::string> CollapseText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    if (IsDeletedControl(b)) {
      ++i;
      continue;
    }
    std::size_t ws = WhitespaceLength(text, i);
    if (ws != 0) {
      pending_space = true;
      i += ws;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(text[i]);
    ++i;
  }
  if (out.empty()) return std::nullopt;
  return out;
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
  std::string bytes;
  bool high = false;
  for (std::size_t i = 0; i < text->size();) {
    auto b = static_cast<unsigned char>((*text)[i]);
    if (b < 0x80) {
      bytes.push_back(static_cast<char>(b));
      ++i;
    } else if ((b == 0xC2 || b == 0xC3) && i + 1 < text->size()) {
      auto b1 = static_cast<unsigned char>((*text)[i + 1]);
      bytes.push_back(static_cast<char>(((b & 0x03) << 6) | (b1 & 0x3F)));
      high = true;
      i += 2;
    } else {
      return false;  // a character beyond Latin-1: not double-encoded
    }
  }
  if (!high) return false;
  // The Latin-1 bytes must be valid UTF-8 with at least one multi-byte sequence.
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto b = static_cast<unsigned char>(bytes[i]);
    std::size_t len = b < 0x80           ? 1
                      : (b >> 5) == 0x6  ? 2
                      : (b >> 4) == 0xE  ? 3
                      : (b >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > bytes.size()) return false;
    if (len == 2 && b < 0xC2) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  *text = std::move(bytes);
  return true;
}

}  // namespace veille::feed
