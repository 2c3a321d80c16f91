#include "config/opml.h"

#include <cstdint>
#include <map>

namespace veille::config {
namespace {

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the five XML entities and numeric references; anything else stays as written.
std::string DecodeEntities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    static const std::map<std::string_view, char> kNamed = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    if (auto it = kNamed.find(name); it != kNamed.end()) {
      out += it->second;
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      std::uint32_t cp = 0;
      bool ok = name.size() > (hex ? 2u : 1u);
      for (char c : name.substr(hex ? 2 : 1)) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0 || cp > 0x10FFFF) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      }
      if (!ok) {
        out += s.substr(i, semi - i + 1);
      } else {
        AppendUtf8(out, cp);
      }
    } else {
      out += s.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int LineAt(std::string_view text, std::size_t pos) {
  int line = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

std::vector<std::string> SplitCategories(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    while (!item.empty() && IsSpace(item.front())) item.erase(item.begin());
    while (!item.empty() && IsSpace(item.back())) item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

OpmlDocument ReadOpml(std::string_view text) {
  OpmlDocument doc;
  std::vector<std::string> folders;  // open (not self-closed) outlines
  std::size_t pos = 0;
  auto problem = [&](std::size_t at, const std::string& what) {
    doc.problems.push_back({LineAt(text, at), what});
  };
  while ((pos = text.find('<', pos)) != std::string_view::npos) {
    if (text.substr(pos, 4) == "<!--") {
      const auto end = text.find("-->", pos + 4);
      if (end == std::string_view::npos) {
        problem(pos, "unterminated comment");
        break;
      }
      pos = end + 3;
      continue;
    }
    if (text.substr(pos, 9) == "<![CDATA[") {
      const auto end = text.find("]]>", pos + 9);
      if (end == std::string_view::npos) {
        problem(pos, "unterminated CDATA section");
        break;
      }
      pos = end + 3;
      continue;
    }
    if (text.substr(pos, 9) == "</outline") {
      if (!folders.empty()) folders.pop_back();
      pos += 9;
      continue;
    }
    const bool outline = text.substr(pos, 8) == "<outline" &&
                         (pos + 8 < text.size() &&
                          (IsSpace(text[pos + 8]) || text[pos + 8] == '/' || text[pos + 8] == '>'));
    if (!outline) {
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    std::size_t i = pos + 8;
    std::map<std::string, std::string> attributes;
    std::string bad;
    bool self_closed = false;
    for (;;) {
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i >= text.size()) {
        bad = "unterminated <outline> tag";
        break;
      }
      if (text[i] == '>') break;
      if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '>') {
        self_closed = true;
        ++i;
        break;
      }
      const std::size_t name_start = i;
      while (i < text.size() && !IsSpace(text[i]) && text[i] != '=' && text[i] != '>' &&
             text[i] != '/') {
        ++i;
      }
      const std::string name(text.substr(name_start, i - name_start));
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i >= text.size() || text[i] != '=') {
        bad = "attribute '" + name + "' of <outline> has no value";
        break;
      }
      ++i;
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) {
        bad = "attribute '" + name + "' of <outline> is not quoted";
        break;
      }
      const char quote = text[i++];
      const auto close = text.find(quote, i);
      if (close == std::string_view::npos) {
        bad = "unterminated attribute value";
        break;
      }
      attributes[name] = DecodeEntities(text.substr(i, close - i));
      i = close + 1;
    }
    if (!bad.empty()) {
      problem(start, bad);
      pos = start + 1;  // go on from the next tag
      continue;
    }
    pos = i + 1;
    auto url = attributes.find("xmlUrl");
    const std::string label =
        !attributes["text"].empty() ? attributes["text"] : attributes["title"];
    if (url == attributes.end() || url->second.empty()) {  // a category outline
      if (!self_closed) folders.push_back(label);
      continue;
    }
    OpmlFeed f;
    f.url = url->second;
    f.title = !attributes["title"].empty()  ? attributes["title"]
              : !attributes["text"].empty() ? attributes["text"]
                                            : f.url;
    f.line = LineAt(text, start);
    f.folders = folders;
    f.categories = SplitCategories(attributes["category"]);
    doc.feeds.push_back(std::move(f));
    if (!self_closed) folders.push_back(label);  // <outline xmlUrl=...></outline>
  }
  return doc;
}

Result<std::vector<OpmlFeed>> ParseOpml(std::string_view text) {
  OpmlDocument doc = ReadOpml(text);
  if (!doc.problems.empty()) {
    return Fail(ErrorCode::kParse, "line " + std::to_string(doc.problems.front().line) + ": " +
                                       doc.problems.front().message);
  }
  return std::move(doc.feeds);
}

}  // namespace veille::config
