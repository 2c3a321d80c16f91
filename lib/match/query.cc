// The query tree as data: field names, error text, the "matches without terms" test, and the
// canonical form used by tests and `veille test-rule --explain`.
#include "match/query.h"

#include <string>

namespace veille::match {
namespace {

using Kind = QueryNode::Kind;

void AppendDebug(const QueryNode& n, std::string* out) {
  switch (n.kind) {
    case Kind::kTerm: {
      if (n.field != Field::kDefault) *out += std::string(FieldName(n.field)) + ":";
      if (n.field == Field::kSite || n.field == Field::kLang) {
        *out += n.value;
        return;
      }
      if (n.fold == text::Fold::kKeepCase || n.fold == text::Fold::kExact) *out += "=";
      if (n.fold == text::Fold::kKeepAccents || n.fold == text::Fold::kExact) *out += "^";
      *out += "\"";
      const auto& words = n.exact_words.empty() ? n.words : n.exact_words;
      for (std::size_t i = 0; i < words.size(); ++i) *out += (i ? " " : "") + words[i];
      *out += n.prefix ? "*\"" : "\"";
      return;
    }
    case Kind::kAnd:
      *out += "(AND";
      break;
    case Kind::kOr:
      *out += "(OR";
      break;
    case Kind::kNot:
      *out += "(NOT";
      break;
    case Kind::kNear:
      *out += std::string(n.ordered ? "(ONEAR/" : "(NEAR/") + std::to_string(n.distance);
      break;
  }
  for (const QueryNode& c : n.children) {
    *out += ' ';
    AppendDebug(c, out);
  }
  *out += ')';
}

}  // namespace

std::string_view FieldName(Field field) {
  switch (field) {
    case Field::kDefault:
      return "";
    case Field::kTitle:
      return "title";
    case Field::kText:
      return "text";
    case Field::kAuthor:
      return "author";
    case Field::kLink:
      return "link";
    case Field::kFeed:
      return "feed";
    case Field::kCategory:
      return "category";
    case Field::kSite:
      return "site";
    case Field::kLang:
      return "lang";
  }
  return "";
}

namespace {

bool WithoutTerms(const QueryNode& node, Scopes scopes, bool positive) {
  switch (node.kind) {
    case Kind::kTerm:
      return (node.field == Field::kSite || node.field == Field::kLang) &&
             scopes == Scopes::kFavourable && positive;
    case Kind::kNear:
      return false;
    case Kind::kNot:
      return !WithoutTerms(node.children[0], scopes, !positive);
    case Kind::kAnd:
      for (const QueryNode& c : node.children) {
        if (!WithoutTerms(c, scopes, positive)) return false;
      }
      return true;
    case Kind::kOr:
      for (const QueryNode& c : node.children) {
        if (WithoutTerms(c, scopes, positive)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

bool MatchesWithoutTerms(const QueryNode& node, Scopes scopes) {
  return WithoutTerms(node, scopes, true);
}

std::string QueryError::ToString() const {
  return "column " + std::to_string(column) + ": " + message;
}

std::string DebugString(const QueryNode& node) {
  std::string out;
  AppendDebug(node, &out);
  return out;
}

}  // namespace veille::match
