#include "store/fts_query.h"

#include <optional>
#include <string_view>
#include <utility>

namespace veille::store {
namespace {

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The matcher spells œ and æ out (oe, ae); the index keeps them as letters. A phrase with
// "oe" or "ae" also looks for the ligature spelling.
std::string PhraseWithLigatures(const std::string& words, bool prefix) {
  const std::string suffix = prefix ? " *" : "";
  std::string out = FtsQuote(words) + suffix;
  for (const auto& [plain, ligature] :
       {std::pair<std::string_view, std::string_view>{"oe", "\xC5\x93"}, {"ae", "\xC3\xA6"}}) {
    if (words.find(plain) == std::string::npos) continue;
    std::string variant = words;
    ReplaceAll(variant, plain, ligature);
    out = "(" + out + " OR " + FtsQuote(variant) + suffix + ")";
  }
  return out;
}

std::optional<std::string> Translate(const match::QueryNode& n) {
  using Kind = match::QueryNode::Kind;
  switch (n.kind) {
    case Kind::kTerm: {
      if (n.words.empty()) return std::nullopt;
      std::string column;
      switch (n.field) {
        case match::Field::kDefault:
          break;
        case match::Field::kTitle:
          column = "title : ";
          break;
        case match::Field::kText:
          column = "text : ";
          break;
        default:
          return std::nullopt;  // not in the index: the matcher decides
      }
      std::string words;
      for (const auto& w : n.words) {
        if (!words.empty()) words += ' ';
        words += w;
      }
      return column + PhraseWithLigatures(words, n.prefix);
    }
    case Kind::kAnd:
    case Kind::kNear: {
      std::string out;
      for (const auto& child : n.children) {
        auto part = Translate(child);
        if (!part) continue;
        if (!out.empty()) out += " AND ";
        out += *part;
      }
      if (out.empty()) return std::nullopt;
      return "(" + out + ")";
    }
    case Kind::kOr: {
      std::string out;
      for (const auto& child : n.children) {
        auto part = Translate(child);
        if (!part) return std::nullopt;  // one branch matches anything: so does the OR
        if (!out.empty()) out += " OR ";
        out += *part;
      }
      if (out.empty()) return std::nullopt;
      return "(" + out + ")";
    }
    case Kind::kNot:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string FtsQuote(const std::string& words) {
  std::string out = "\"";
  for (char c : words) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string FtsPrefilter(const match::QueryNode& query) { return Translate(query).value_or(""); }

}  // namespace veille::store
