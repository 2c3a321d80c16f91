#include "feed/repair.h"

#include <array>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "feed/entities.h"

namespace veille::feed {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNameStart(char c) {
  return IsAsciiAlpha(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c) || c == '-' || c == '.'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool SameNameIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Case-insensitive (ASCII) hashing of element names, for the open-element counts.
struct FoldedHash {
  std::size_t operator()(std::string_view s) const {
    std::size_t h = 1469598103934665603ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(Lower(c))) * 1099511628211ULL;
    return h;
  }
};
struct FoldedEqual {
  bool operator()(std::string_view a, std::string_view b) const { return SameNameIgnoreCase(a, b); }
};

bool IsXmlChar(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

class Repairer {
 public:
  Repairer(std::string_view in, RepairStats* stats, std::size_t max_elements)
      : in_(in), stats_(stats), max_elements_(max_elements) {
    out_.reserve(in.size() + in.size() / 16 + 64);
  }

  std::string Run() {
    std::size_t first = in_.find('<');
    pos_ = first == std::string_view::npos ? in_.size() : first;
    while (pos_ < in_.size()) {
      const char* p =
          static_cast<const char*>(std::memchr(in_.data() + pos_, '<', in_.size() - pos_));
      std::size_t lt = p == nullptr ? in_.size() : static_cast<std::size_t>(p - in_.data());
      CopyText(pos_, lt);
      pos_ = lt;
      if (pos_ >= in_.size()) break;
      Markup();
    }
    if (!open_.empty()) {
      stats_->truncated = true;
      out_.append("<").append(kTruncatedMarker).append("/>");
      while (!open_.empty()) CloseTop();
    }
    return std::move(out_);
  }

 private:
  // Text content: entity references repaired, stray '>' kept (legal in XML text).
  void CopyText(std::size_t from, std::size_t to) {
    if (open_.empty()) return;  // text outside the root element is dropped
    std::size_t i = from;
    while (i < to) {
      const char* amp = static_cast<const char*>(std::memchr(in_.data() + i, '&', to - i));
      std::size_t a = amp == nullptr ? to : static_cast<std::size_t>(amp - in_.data());
      out_.append(in_.substr(i, a - i));
      if (a >= to) break;
      i = Reference(a, to);
    }
  }

  // in_[i] == '&': copies a valid reference, expands an HTML one, or escapes the '&'.
  std::size_t Reference(std::size_t i, std::size_t end) {
    std::size_t j = i + 1;
    if (j < end && in_[j] == '#') {
      std::size_t k = j + 1;
      bool hex = k < end && (in_[k] == 'x' || in_[k] == 'X');
      if (hex) ++k;
      std::size_t start = k;
      unsigned long value = 0;
      while (k < end && (hex ? IsHex(in_[k]) : IsDigit(in_[k])) && k - start < 8) {
        char c = in_[k];
        unsigned digit = IsDigit(c) ? static_cast<unsigned>(c - '0')
                                    : static_cast<unsigned>(Lower(c) - 'a' + 10);
        value = value * (hex ? 16 : 10) + digit;
        ++k;
      }
      if (k > start && k < end && in_[k] == ';') {
        // C1 references stay C1 here: the per-field clean-up maps them after the
        // double-encoding repair, as the reference does.
        char32_t cp = (value >= 0x80 && value <= 0x9F) ? static_cast<char32_t>(value)
                                                       : FixNumericReference(value);
        if (cp == '<' || cp == '&' || cp == '>' || cp == '"' || cp == '\'') {
          out_.append(in_.substr(i, k + 1 - i));
        } else if (IsXmlChar(cp)) {
          AppendUtf8(&out_, cp);
        }
        return k + 1;
      }
      ++stats_->bare_ampersands;
      out_.append("&amp;");
      return i + 1;
    }
    std::size_t k = j;
    while (k < end && k - j <= 32 && (IsNameChar(in_[k]) && in_[k] != ':')) ++k;
    if (k > j && k < end && in_[k] == ';') {
      std::string_view name = in_.substr(j, k - j);
      if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
        out_.append(in_.substr(i, k + 1 - i));
        return k + 1;
      }
      if (auto expansion = LookupEntity(in_.substr(j, k + 1 - j))) {
        ++stats_->entities_replaced;
        std::string_view e = *expansion;
        if (e == "&") {
          out_.append("&amp;");
        } else if (e == "<") {
          out_.append("&lt;");
        } else {
          out_.append(e);
        }
        return k + 1;
      }
    }
    ++stats_->bare_ampersands;
    out_.append("&amp;");
    return i + 1;
  }

  void Markup() {
    std::size_t next = pos_ + 1;
    std::string_view rest = in_.substr(next);
    if (rest.substr(0, 3) == "!--") {
      std::size_t close = in_.find("-->", next + 3);
      std::size_t end = close == std::string_view::npos ? in_.size() : close + 3;
      // Comments are dropped: pugixml would not keep them anyway and "--" inside is invalid.
      pos_ = end;
      return;
    }
    if (rest.substr(0, 8) == "![CDATA[") {
      std::size_t close = in_.find("]]>", next + 8);
      std::size_t end = close == std::string_view::npos ? in_.size() : close + 3;
      if (!open_.empty()) {
        out_.append(in_.substr(pos_, end - pos_));
        if (close == std::string_view::npos) out_.append("]]>");
      }
      pos_ = end;
      return;
    }
    if (rest.size() >= 8 && SameNameIgnoreCase(rest.substr(0, 8), "!DOCTYPE")) {
      pos_ = SkipDoctype(next + 8);
      stats_->doctype_dropped = true;
      return;
    }
    if (!rest.empty() && (rest[0] == '?' || rest[0] == '!')) {
      std::size_t close = in_.find('>', next);
      pos_ = close == std::string_view::npos ? in_.size() : close + 1;
      return;
    }
    if (!rest.empty() && rest[0] == '/') {
      EndTag();
      return;
    }
    if (!rest.empty() && IsNameStart(rest[0])) {
      StartTag();
      return;
    }
    ++stats_->stray_brackets;
    if (!open_.empty()) out_.append("&lt;");
    pos_ = next;
  }

  std::size_t SkipDoctype(std::size_t i) {
    int bracket = 0;
    char quote = 0;
    for (; i < in_.size(); ++i) {
      char c = in_[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++bracket;
      } else if (c == ']') {
        --bracket;
      } else if (c == '>' && bracket <= 0) {
        return i + 1;
      }
    }
    return in_.size();
  }

  void EndTag() {
    std::size_t i = pos_ + 2;
    std::size_t name_start = i;
    while (i < in_.size() && IsNameChar(in_[i])) ++i;
    std::string_view name = in_.substr(name_start, i - name_start);
    std::size_t close = in_.find('>', i);
    pos_ = close == std::string_view::npos ? in_.size() : close + 1;
    if (name.empty()) return;
    // Find the innermost open element of that name (exact, then ignoring case). The counts
    // make an end tag that matches nothing O(1); a scan stops at a match and pops what it
    // passed, so the work stays linear in the input whatever the nesting.
    std::size_t depth = open_.size();
    std::size_t match = depth;
    auto exact = open_exact_.find(name);
    if (exact != open_exact_.end() && exact->second > 0) {
      for (std::size_t k = depth; k-- > 0;) {
        if (open_[k] == name) {
          match = k;
          break;
        }
      }
    }
    auto folded = open_folded_.find(name);
    if (match == depth && folded != open_folded_.end() && folded->second > 0) {
      for (std::size_t k = depth; k-- > 0;) {
        if (SameNameIgnoreCase(open_[k], name)) {
          match = k;
          break;
        }
      }
    }
    if (match == depth) {
      ++stats_->tags_closed;  // an end tag with no open element: dropped
      return;
    }
    while (open_.size() > match + 1) {
      ++stats_->tags_closed;
      CloseTop();
    }
    CloseTop();
  }

  void CloseTop() {
    std::string_view name = open_.back();
    out_.append("</").append(name).append(">");
    --open_exact_[name];
    --open_folded_[name];
    open_.pop_back();
  }

  void Open(std::string_view name) {
    open_.push_back(name);
    ++open_exact_[name];
    ++open_folded_[name];
  }

  void StartTag() {
    std::size_t i = pos_ + 1;
    std::size_t name_start = i;
    while (i < in_.size() && IsNameChar(in_[i])) ++i;
    std::string_view name = in_.substr(name_start, i - name_start);
    if (i < in_.size() && !IsSpace(in_[i]) && in_[i] != '/' && in_[i] != '>') {
      // "<a\"b>" or similar: not a tag; the '<' is text.
      ++stats_->stray_brackets;
      if (!open_.empty()) out_.append("&lt;");
      pos_ = pos_ + 1;
      return;
    }
    std::size_t mark = out_.size();
    out_.push_back('<');
    out_.append(name);
    // Attribute names, for dropping duplicates: the first few in an array, the rest in a set
    // (built only for an element with that many, so a huge one costs once, not per tag).
    std::array<std::string_view, 16> seen;
    std::size_t seen_count = 0;
    std::unordered_set<std::string_view> seen_more;
    bool self_closing = false;
    bool finished = false;
    while (i < in_.size()) {
      while (i < in_.size() && IsSpace(in_[i])) ++i;
      if (i >= in_.size()) break;
      char c = in_[i];
      if (c == '>') {
        ++i;
        finished = true;
        break;
      }
      if (c == '/') {
        if (i + 1 < in_.size() && in_[i + 1] == '>') {
          self_closing = true;
          i += 2;
          finished = true;
          break;
        }
        ++i;
        continue;
      }
      if (c == '<') break;  // a tag left open: stop here
      std::size_t attr_start = i;
      while (i < in_.size() && !IsSpace(in_[i]) && in_[i] != '=' && in_[i] != '>' &&
             in_[i] != '/' && in_[i] != '<') {
        ++i;
      }
      std::string_view attr = in_.substr(attr_start, i - attr_start);
      std::size_t k = i;
      while (k < in_.size() && IsSpace(in_[k])) ++k;
      std::string_view value;
      bool has_value = false;
      std::size_t value_from = 0;
      std::size_t value_to = 0;
      if (k < in_.size() && in_[k] == '=') {
        ++k;
        while (k < in_.size() && IsSpace(in_[k])) ++k;
        if (k < in_.size() && (in_[k] == '"' || in_[k] == '\'')) {
          char quote = in_[k];
          std::size_t close = in_.find(quote, k + 1);
          if (close == std::string_view::npos) {
            i = in_.size();
            break;
          }
          value_from = k + 1;
          value_to = close;
          i = close + 1;
        } else {
          value_from = k;
          while (k < in_.size() && !IsSpace(in_[k]) && in_[k] != '>') ++k;
          value_to = k;
          i = k;
        }
        has_value = true;
        value = in_.substr(value_from, value_to - value_from);
      }
      if (attr.empty()) {
        if (i == attr_start) ++i;
        continue;
      }
      bool valid_name = IsNameStart(attr[0]);
      for (char ch : attr) valid_name = valid_name && IsNameChar(ch);
      if (!valid_name) continue;
      bool duplicate = false;
      for (std::size_t s = 0; s < seen_count; ++s) duplicate = duplicate || seen[s] == attr;
      if (duplicate) continue;
      if (seen_count < seen.size()) {
        seen[seen_count++] = attr;
      } else if (!seen_more.insert(attr).second) {
        continue;
      }
      out_.push_back(' ');
      out_.append(attr);
      out_.append("=\"");
      if (has_value) {
        AttributeValue(value);
      } else {
        out_.append(attr);
      }
      out_.push_back('"');
    }
    if (!finished) {
      // An unterminated tag: the element starts here anyway (what a browser would do).
      ++stats_->tags_closed;
    }
    pos_ = i;
    if (open_.size() >= kMaxDepth) {
      out_.resize(mark);  // too deep: the tag goes, its text stays
      ++stats_->too_deep;
      return;
    }
    if (stats_->elements >= max_elements_) {
      out_.resize(mark);
      stats_->over_element_limit = true;
      pos_ = in_.size();
      return;
    }
    ++stats_->elements;
    if (self_closing) {
      out_.append("/>");
    } else {
      out_.push_back('>');
      Open(name);
    }
    pos_ = i;
  }

  void AttributeValue(std::string_view value) {
    std::size_t i = 0;
    while (i < value.size()) {
      char c = value[i];
      if (c == '&') {
        // Re-run the reference logic on the attribute's own bytes.
        std::size_t base = static_cast<std::size_t>(value.data() - in_.data());
        i = Reference(base + i, base + value.size()) - base;
        continue;
      }
      if (c == '<') {
        out_.append("&lt;");
      } else if (c == '"') {
        out_.append("&quot;");
      } else {
        out_.push_back(c);
      }
      ++i;
    }
  }

  std::string_view in_;
  RepairStats* stats_;
  std::size_t max_elements_;
  std::string out_;
  std::size_t pos_ = 0;
  std::vector<std::string_view> open_;
  // How many elements of each name are open (exact, and ignoring case).
  std::unordered_map<std::string_view, std::size_t> open_exact_;
  std::unordered_map<std::string_view, std::size_t, FoldedHash, FoldedEqual> open_folded_;
};

}  // namespace

std::string RepairXml(std::string_view text, RepairStats* stats, std::size_t max_elements) {
  return Repairer(text, stats, max_elements).Run();
}

}  // namespace veille::feed
