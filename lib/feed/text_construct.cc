#include <string>

#include "common/sanitize.h"
#include "feed/extract.h"
#include "feed/links.h"
#include "feed/text.h"
#include "feed/xml_tree.h"

namespace veille::feed {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string MapContentType(std::string type) {
  type = Lower(type);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(0, 1);
  if (type == "text") return "text/plain";
  if (type == "html") return "text/html";
  if (type == "xhtml") return "application/xhtml+xml";
  return type;
}

std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '<') {
      out.append("&lt;");
    } else if (ch == '&') {
      out.append("&amp;");
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsHtmlish(std::string_view type) {
  return type == "text/html" || type == "application/xhtml+xml" || EndsWith(type, "+xml") ||
         EndsWith(type, "/xml");
}

bool IsTextual(std::string_view type) { return type.substr(0, 5) == "text/" || IsHtmlish(type); }

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

void FixCharacterData(const ExtractContext& context, std::string* text) {
  bool high = false;
  for (char c : *text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      high = true;
      break;
    }
  }
  if (!high) return;  // ASCII: nothing to repair
  if (context.utf8_document) RepairDoubleEncodedUtf8(text);
  MapC1ToWindows1252(text);
}

std::optional<std::string> TextConstruct(pugi::xml_node element, std::string_view default_type,
                                         const ExtractContext& context, bool is_content) {
  pugi::xml_attribute type_attr = element.attribute("type");
  std::string type =
      MapContentType(type_attr && *type_attr.value() != '\0' ? std::string(type_attr.value())
                                                             : std::string(default_type));
  std::string mode = Lower(element.attribute("mode").value());
  bool xhtml = type == "application/xhtml+xml";
  bool htmlish = IsHtmlish(type);
  std::string value;
  if (HasElementChildren(element)) {
    // Naked markup: serialized back; character data is escaped only for XHTML, as the
    // reference does, and the result is read as HTML whatever the declared type.
    value = InnerMarkup(element, /*escape_text=*/xhtml);
    htmlish = true;
  } else {
    value = DirectText(element);
    if (mode == "base64") {
      // Decoded bytes skipped the document's transcoding: valid UTF-8 like every other text
      // (invalid sequences become U+FFFD; security review, finding 6).
      if (auto decoded = DecodeBase64(value)) value = SanitizeText(*decoded);
    }
    if (xhtml) value = EscapeText(value);
  }
  if (is_content && !IsTextual(type)) return std::nullopt;
  FixCharacterData(context, &value);
  if (!htmlish && !context.IsAtom() && type == "text/plain" && LooksLikeHtml(value)) htmlish = true;
  if (htmlish) return HtmlToCollapsedText(value);
  return CollapseText(value);
}

std::optional<std::string> AuthorFromString(std::string_view text) {
  std::string author(text);
  auto is_local = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '+' || c == '-';
  };
  auto is_label = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  };
  std::string email;
  for (std::size_t at = author.find('@'); at != std::string::npos; at = author.find('@', at + 1)) {
    std::size_t start = at;
    while (start > 0 && is_local(author[start - 1])) --start;
    if (start == at) continue;
    // Domain: (label '.')+ label, greedy.
    std::size_t k = at + 1;
    std::size_t last_good = std::string::npos;
    int dots = 0;
    while (true) {
      std::size_t label_start = k;
      while (k < author.size() && is_label(author[k])) ++k;
      if (k == label_start) break;
      if (dots > 0) last_good = k;
      if (k < author.size() && author[k] == '.') {
        ++dots;
        ++k;
      } else {
        break;
      }
    }
    if (last_good == std::string::npos) continue;
    std::size_t match_start = start;
    if (match_start >= 7 && author.compare(match_start - 7, 7, "mailto:") == 0) match_start -= 7;
    std::size_t match_end = last_good;
    if (author.compare(match_end, 9, "?subject=") == 0) {
      std::size_t e = match_end + 9;
      std::size_t s0 = e;
      while (e < author.size() && author[e] != ' ' && author[e] != '\t' && author[e] != '\n') ++e;
      if (e > s0) match_end = e;
    }
    email = author.substr(start, last_good - start);
    std::string matched = author.substr(match_start, match_end - match_start);
    std::string rest;
    for (std::size_t pos = 0;;) {
      std::size_t hit = author.find(matched, pos);
      rest.append(author, pos, hit == std::string::npos ? std::string::npos : hit - pos);
      if (hit == std::string::npos) break;
      pos = hit + matched.size();
    }
    author = rest;
    for (std::string_view junk : {"()", "<>", "&lt;&gt;"}) {
      for (std::size_t p = author.find(junk); p != std::string::npos; p = author.find(junk)) {
        author.erase(p, junk.size());
      }
    }
    auto trim = [](std::string& s) {
      std::size_t a = s.find_first_not_of(" \t\n\r");
      std::size_t b = s.find_last_not_of(" \t\n\r");
      s = a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    trim(author);
    if (!author.empty() && author.front() == '(') author.erase(0, 1);
    if (!author.empty() && author.back() == ')') author.pop_back();
    trim(author);
    break;
  }
  if (auto name = CollapseText(author)) return name;
  if (!email.empty()) return CollapseText(email);
  return std::nullopt;
}

LinkValue ReadLink(pugi::xml_node el, const ExtractContext& context) {
  LinkValue link;
  pugi::xml_attribute href = el.attribute("href");
  if (!href) href = el.attribute("url");
  if (!href) href = el.attribute("uri");
  std::optional<std::string> value;
  if (href) {
    std::string rel = el.attribute("rel") ? el.attribute("rel").value() : "alternate";
    std::string type = el.attribute("type")
                           ? MapContentType(el.attribute("type").value())
                           : (rel == "self" ? "application/atom+xml" : "text/html");
    if (rel != "alternate" || (type != "text/html" && type != "application/xhtml+xml")) {
      return link;
    }
    value = CollapseText(href.value());
  } else {
    value = CollapseText(FixLinkText(DirectText(el)));
  }
  if (value) value = ResolveUrl(BaseUrlOf(el, context.document_base, context.index), *value);
  link.counts = true;
  link.url = std::move(value);
  return link;
}

std::string FixLinkText(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 5, "&amp;") == 0) {
      out.push_back('&');
      i += 5;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  std::string result;
  result.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '&') {
      std::size_t k = i + 1;
      while (k < out.size() &&
             ((out[k] >= 'a' && out[k] <= 'z') || (out[k] >= 'A' && out[k] <= 'Z') ||
              (out[k] >= '0' && out[k] <= '9') || out[k] == '_')) {
        ++k;
      }
      if (k > i + 1 && k < out.size() && out[k] == ';') {
        result.append(out, i, k - i);
        i = k;  // drop the ';'
        continue;
      }
    }
    result.push_back(out[i]);
  }
  return result;
}

}  // namespace veille::feed
