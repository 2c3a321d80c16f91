#include "store/pg/tsquery.h"

#include <cstddef>
#include <optional>

namespace veille::store::pg {
namespace {

// PostgreSQL's bound on a lexeme (MAXSTRLEN: 2 KiB - 1); to_tsvector drops longer words.
constexpr std::size_t kMaxLexemeBytes = 2047;

std::optional<std::string> Term(const match::QueryNode& n) {
  std::string weight;
  switch (n.field) {
    case match::Field::kDefault:
      break;
    case match::Field::kTitle:
      weight = "A";
      break;
    case match::Field::kText:
      weight = "B";
      break;
    default:
      return std::nullopt;  // not in the index: the matcher decides
  }
  std::string out;
  int parts = 0;
  for (std::size_t i = 0; i < n.words.size(); ++i) {
    const std::string& word = n.words[i];
    if (word.empty() || word.size() > kMaxLexemeBytes) continue;
    const bool prefix = n.prefix && i + 1 == n.words.size();
    if (!out.empty()) out += " & ";
    out += TsQuote(word);
    if (prefix || !weight.empty()) out += ":" + std::string(prefix ? "*" : "") + weight;
    ++parts;
  }
  if (parts == 0) return std::nullopt;
  return parts == 1 ? out : "( " + out + " )";
}

std::optional<std::string> Translate(const match::QueryNode& n) {
  using Kind = match::QueryNode::Kind;
  switch (n.kind) {
    case Kind::kTerm:
      return Term(n);
    case Kind::kAnd:
    case Kind::kNear: {
      std::string out;
      int parts = 0;
      for (const auto& child : n.children) {
        auto part = Translate(child);
        if (!part) continue;
        if (!out.empty()) out += " & ";
        out += *part;
        ++parts;
      }
      if (parts == 0) return std::nullopt;
      return parts == 1 ? out : "( " + out + " )";
    }
    case Kind::kOr: {
      std::string out;
      for (const auto& child : n.children) {
        auto part = Translate(child);
        if (!part) return std::nullopt;  // one branch matches anything: so does the OR
        if (!out.empty()) out += " | ";
        out += *part;
      }
      if (out.empty()) return std::nullopt;
      return "( " + out + " )";
    }
    case Kind::kNot:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string TsQuote(const std::string& lexeme) {
  std::string out = "'";
  for (const char c : lexeme) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::string TsQueryPrefilter(const match::QueryNode& query) {
  return Translate(query).value_or("");
}

}  // namespace veille::store::pg
