// LintQuery: queries that parse but probably do not say what their author meant.
#include <string>

#include "match/lexer.h"
#include "match/query.h"

namespace veille::match {
namespace {

using internal::Token;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "NEAR/5" for near/5 (ONEAR too), "OR" for or/Or, ... ; "" when `word` is no operator's name.
std::string OperatorSpelling(std::string_view word) {
  const std::string lower = LowerAscii(word);
  if (lower == "or" || lower == "and" || lower == "not") {
    std::string upper(word);
    for (char& c : upper) c = static_cast<char>(c - (c >= 'a' && c <= 'z' ? 'a' - 'A' : 0));
    return upper;
  }
  if (lower == "near" || lower == "onear") return lower == "near" ? "NEAR/n" : "ONEAR/n";
  for (const std::string_view name : {"near", "onear"}) {
    if (!lower.starts_with(name) || lower.size() < name.size() + 2 || lower[name.size()] != '/') {
      continue;
    }
    const std::string digits = lower.substr(name.size() + 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    return (name == "near" ? "NEAR/" : "ONEAR/") + digits;
  }
  return "";
}

bool EndsTerm(Token::Kind k) {
  return k == Token::Kind::kWord || k == Token::Kind::kPhrase || k == Token::Kind::kRParen;
}

bool StartsTerm(Token::Kind k) {
  return k == Token::Kind::kWord || k == Token::Kind::kPhrase || k == Token::Kind::kLParen ||
         k == Token::Kind::kMinus || k == Token::Kind::kField || k == Token::Kind::kModifier;
}

}  // namespace

std::vector<QueryError> LintQuery(std::string_view query) {
  std::vector<QueryError> out;
  auto tokens = internal::Lex(query);
  if (!tokens) return out;
  for (std::size_t i = 1; i + 1 < tokens->size(); ++i) {
    const Token& t = (*tokens)[i];
    if (t.kind != Token::Kind::kWord) continue;
    const std::string op = OperatorSpelling(t.text);
    if (op.empty() || op == t.text) continue;
    if (!EndsTerm((*tokens)[i - 1].kind) || !StartsTerm((*tokens)[i + 1].kind)) continue;
    const std::string word(t.text);
    out.push_back(QueryError{
        t.column, "'" + word + "' between two terms is searched as a word (operators are upper " +
                      "case): write " + op + " for the operator, or \"" + word +
                      "\" (quoted) to search for the word"});
  }
  return out;
}

}  // namespace veille::match
