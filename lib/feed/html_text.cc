// HTML to text: a streaming tokenizer (no tree, no recursion) with HTML5 character references.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "feed/collapse.h"
#include "feed/entities.h"
#include "feed/text.h"

namespace veille::feed {
namespace {

using internal::TextCollapser;

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
        // An unfinished tag: everything from it to the end is text, as in the reference (and
        // never a rescan per '<', which would be quadratic).
        break;
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

std::string UnescapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendDecoded(text, &out);
  return out;
}

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

}  // namespace veille::feed
