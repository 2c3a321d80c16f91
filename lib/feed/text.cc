#include "feed/text.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "feed/collapse.h"
#include "feed/entities.h"

namespace veille::feed {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

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

std::optional<std::string> CollapseText(std::string_view text) {
  internal::TextCollapser collapser(text.size());
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
