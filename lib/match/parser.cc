// Recursive descent over the tokens of lexer.cc. Precedence, loosest first:
//   or    := and ("OR" and)*
//   and   := unary (["AND"] unary)*          (juxtaposition is AND)
//   unary := ("NOT" | "-") unary | near
//   near  := primary (("NEAR/n" | "ONEAR/n") primary)*
//   primary := "(" or ")" | field primary | modifier+ (word | phrase) | word | phrase
#include <string>
#include <utility>

#include "match/lexer.h"
#include "match/query.h"

namespace veille::match {
namespace {

using internal::Token;
using Kind = QueryNode::Kind;

bool IsPrimaryStart(Token::Kind k) {
  return k == Token::Kind::kWord || k == Token::Kind::kPhrase || k == Token::Kind::kLParen ||
         k == Token::Kind::kField || k == Token::Kind::kModifier;
}
bool IsTermStart(Token::Kind k) {
  return IsPrimaryStart(k) || k == Token::Kind::kNot || k == Token::Kind::kMinus;
}

// Counts codepoints (for the wildcard minimum).
std::size_t CodepointCount(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool IsNearOperand(const QueryNode& n) {
  if (n.kind == Kind::kTerm) return n.field != Field::kSite && n.field != Field::kLang;
  if (n.kind != Kind::kOr) return false;
  for (const QueryNode& c : n.children) {
    if (!IsNearOperand(c)) return false;
  }
  return true;
}

void ApplyField(QueryNode* node, Field field) {
  if (node->kind == Kind::kTerm) {
    if (node->field == Field::kDefault) node->field = field;
    return;
  }
  for (QueryNode& c : node->children) ApplyField(&c, field);
}

class Parser {
 public:
  Parser(std::string_view query, std::vector<Token> tokens)
      : query_(query), tokens_(std::move(tokens)) {}

  tl::expected<QueryNode, QueryError> Run() {
    if (Peek().kind == Token::Kind::kEnd) return Fail(1, "empty query");
    auto root = ParseOr(nullptr);
    if (!root) return root;
    if (Peek().kind != Token::Kind::kEnd) {
      return Fail(Peek().column, "unexpected \"" + std::string(Peek().text) + "\"");
    }
    return root;
  }

 private:
  using R = tl::expected<QueryNode, QueryError>;

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }

  static tl::unexpected<QueryError> Fail(std::uint32_t column, std::string message) {
    return tl::unexpected<QueryError>(QueryError{column, std::move(message)});
  }

  // The error for "a term was expected here": named after the token before (`after`), or after
  // the unexpected token when the query starts with it.
  tl::unexpected<QueryError> ExpectedTerm(const Token* after) const {
    if (after != nullptr) {
      if (after->kind == Token::Kind::kModifier) {
        return Fail(after->column, "expected a term or phrase after " + std::string(after->text));
      }
      return Fail(after->column, "expected a term after " + std::string(after->text));
    }
    const Token& t = Peek();
    if (t.kind == Token::Kind::kRParen) return Fail(t.column, "unexpected \")\"");
    if (t.kind == Token::Kind::kEnd) return Fail(t.column, "empty query");
    return Fail(t.column, "expected a term before " + std::string(t.text));
  }

  R ParseOr(const Token* after) {
    R left = ParseAnd(after);
    if (!left) return left;
    if (Peek().kind != Token::Kind::kOr) return left;
    QueryNode node;
    node.kind = Kind::kOr;
    node.column = left->column;
    node.children.push_back(std::move(*left));
    while (Peek().kind == Token::Kind::kOr) {
      const Token& op = Next();
      if (!IsTermStart(Peek().kind)) return ExpectedTerm(&op);
      R right = ParseAnd(&op);
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  R ParseAnd(const Token* after) {
    R left = ParseUnary(after);
    if (!left) return left;
    QueryNode node;
    node.kind = Kind::kAnd;
    node.column = left->column;
    node.children.push_back(std::move(*left));
    while (true) {
      R right;
      if (Peek().kind == Token::Kind::kAnd) {
        const Token& op = Next();
        if (!IsTermStart(Peek().kind)) return ExpectedTerm(&op);
        right = ParseUnary(&op);
      } else if (IsTermStart(Peek().kind)) {
        right = ParseUnary(nullptr);
      } else {
        break;
      }
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    if (node.children.size() == 1) return std::move(node.children[0]);
    return node;
  }

  R ParseUnary(const Token* after) {
    if (++depth_ > kMaxQueryDepth) {
      return Fail(Peek().column,
                  "the query nests more than " + std::to_string(kMaxQueryDepth) + " levels deep");
    }
    R result;
    if (Peek().kind == Token::Kind::kNot || Peek().kind == Token::Kind::kMinus) {
      const Token& op = Next();
      if (!IsTermStart(Peek().kind)) return ExpectedTerm(&op);
      R child = ParseUnary(&op);
      if (!child) return child;
      QueryNode node;
      node.kind = Kind::kNot;
      node.column = op.column;
      node.children.push_back(std::move(*child));
      result = std::move(node);
    } else {
      result = ParseNear(after);
    }
    --depth_;
    return result;
  }

  R ParseNear(const Token* after) {
    R left = ParsePrimary(after);
    if (!left) return left;
    while (Peek().kind == Token::Kind::kNear) {
      const Token& op = Next();
      const std::string operands_message = "the operands of " + std::string(op.text) +
                                           " must be terms, phrases or OR-groups of them";
      if (!IsNearOperand(*left)) return Fail(op.column, operands_message);
      if (!IsPrimaryStart(Peek().kind)) return ExpectedTerm(&op);
      R right = ParsePrimary(&op);
      if (!right) return right;
      if (!IsNearOperand(*right)) return Fail(op.column, operands_message);
      QueryNode node;
      node.kind = Kind::kNear;
      node.column = left->column;
      node.distance = op.distance;
      node.ordered = op.ordered;
      node.children.push_back(std::move(*left));
      node.children.push_back(std::move(*right));
      left = std::move(node);
    }
    return left;
  }

  R ParsePrimary(const Token* after) {
    const Token& t = Peek();
    switch (t.kind) {
      case Token::Kind::kWord:
      case Token::Kind::kPhrase:
        Next();
        return MakeTerm(t, text::Fold::kInsensitive);
      case Token::Kind::kModifier: {
        bool keep_case = false;
        bool keep_accents = false;
        const Token* last = nullptr;
        while (Peek().kind == Token::Kind::kModifier) {
          last = &Next();
          (last->text == "=" ? keep_case : keep_accents) = true;
        }
        if (Peek().kind != Token::Kind::kWord && Peek().kind != Token::Kind::kPhrase) {
          return ExpectedTerm(last);
        }
        const text::Fold fold = keep_case && keep_accents ? text::Fold::kExact
                                : keep_case               ? text::Fold::kKeepCase
                                                          : text::Fold::kKeepAccents;
        R term = MakeTerm(Next(), fold);
        if (term) term->column = t.column;
        return term;
      }
      case Token::Kind::kLParen: {
        if (++depth_ > kMaxQueryDepth) {
          return Fail(t.column, "the query nests more than " + std::to_string(kMaxQueryDepth) +
                                    " levels deep");
        }
        const Token& open = Next();
        if (!IsTermStart(Peek().kind)) return ExpectedTerm(&open);
        R inner = ParseOr(&open);
        if (!inner) return inner;
        if (Peek().kind != Token::Kind::kRParen) {
          return Fail(open.column, "\"(\" is never closed");
        }
        Next();
        --depth_;
        return inner;
      }
      case Token::Kind::kField: {
        const Token& scope = Next();
        if (scope.field == Field::kLang && Peek().kind == Token::Kind::kLParen) {
          return MakeLanguageList(scope);
        }
        if (scope.field == Field::kSite || scope.field == Field::kLang) return MakeValue(scope);
        if (!IsPrimaryStart(Peek().kind) || Peek().kind == Token::Kind::kField) {
          return ExpectedTerm(&scope);
        }
        R inner = ParsePrimary(&scope);
        if (!inner) return inner;
        ApplyField(&*inner, scope.field);
        inner->column = scope.column;
        return inner;
      }
      default:
        return ExpectedTerm(after);
    }
  }

  R MakeTerm(const Token& t, text::Fold fold) {
    QueryNode node;
    node.kind = Kind::kTerm;
    node.column = t.column;
    node.fold = fold;
    std::string_view body = t.text;
    if (t.kind == Token::Kind::kWord) {
      const std::size_t star = body.find('*');
      if (star != std::string_view::npos) {
        if (star + 1 != body.size()) {
          return Fail(t.column, "\"*\" is only allowed at the end of a term");
        }
        body.remove_suffix(1);
        node.prefix = true;
      }
    }
    node.text = std::string(t.kind == Token::Kind::kWord ? t.text : body);
    node.words = text::Words(body);
    if (node.prefix && (node.words.empty() || CodepointCount(node.words.back()) < 3)) {
      return Fail(t.column, "a wildcard needs at least 3 letters before \"*\"");
    }
    if (node.words.empty()) {
      if (t.kind == Token::Kind::kPhrase) return Fail(t.column, "empty phrase");
      std::string message(1, '"');  // built by appending: gcc 12 -O3 warns on "x" + string
      message.append(t.text).append("\" has no letters or digits");
      return Fail(t.column, std::move(message));
    }
    std::size_t normalized_bytes = 0;
    for (const std::string& w : node.words) normalized_bytes += w.size() + 1;
    if (normalized_bytes > kMaxTermBytes) {
      return Fail(t.column, "a term or phrase can be at most " + std::to_string(kMaxTermBytes) +
                                " bytes long");
    }
    if (fold != text::Fold::kInsensitive) node.exact_words = text::Words(body, fold);
    return node;
  }

  R MakeValue(const Token& scope) {
    const Token& v = Peek();
    const bool is_site = scope.field == Field::kSite;
    const std::string expected = is_site ? "expected a host name after site: (such as example.com)"
                                         : "expected a language code after lang: (such as fr "
                                           "or en-US)";
    if (v.kind != Token::Kind::kWord) return Fail(scope.column, expected);
    std::string value;
    for (char c : v.text) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c == '_') c = '-';
      value += c;
    }
    bool ok = !value.empty();
    if (is_site) {
      while (value.starts_with(".")) value.erase(0, 1);
      for (char c : value) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                    static_cast<unsigned char>(c) >= 0x80);
      }
      ok = ok && !value.empty();
    } else {
      std::size_t letters = 0;
      while (letters < value.size() && value[letters] >= 'a' && value[letters] <= 'z') ++letters;
      ok = ok && letters >= 2 && letters <= 3;
      for (std::size_t i = letters; ok && i < value.size(); ++i) {
        const char c = value[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i + 1 < value.size());
      }
      ok = ok && (letters == value.size() || value[letters] == '-');
    }
    if (!ok) return Fail(scope.column, expected);
    Next();
    QueryNode node;
    node.kind = Kind::kTerm;
    node.column = scope.column;
    node.field = scope.field;
    node.text = std::string(FieldName(scope.field)) + ":" + std::string(v.text);
    node.value = std::move(value);
    return node;
  }

  // lang:(fr OR en): one lang: term per code, in an OR.
  R MakeLanguageList(const Token& scope) {
    const Token& open = Next();
    QueryNode node;
    node.kind = Kind::kOr;
    node.column = scope.column;
    for (;;) {
      R value = MakeValue(scope);
      if (!value) return value;
      node.children.push_back(std::move(*value));
      if (Peek().kind == Token::Kind::kRParen) break;
      if (Peek().kind != Token::Kind::kOr) {
        return Fail(open.column,
                    "lang:(...) takes language codes separated by OR, as in "
                    "lang:(fr OR en)");
      }
      Next();
    }
    Next();
    if (node.children.size() == 1) return std::move(node.children.front());
    return node;
  }

  std::string_view query_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

tl::expected<QueryNode, QueryError> ParseQuery(std::string_view query) {
  if (query.size() > kMaxQueryBytes) {
    return tl::unexpected<QueryError>(
        QueryError{1, "the query is longer than " + std::to_string(kMaxQueryBytes) + " bytes"});
  }
  auto tokens = internal::Lex(query);
  if (!tokens) return tl::unexpected<QueryError>(tokens.error());
  auto root = Parser(query, std::move(*tokens)).Run();
  if (!root) return root;
  if (MatchesWithoutTerms(*root, Scopes::kFalse)) {
    return tl::unexpected<QueryError>(
        QueryError{1, "the query only excludes: add a term that entries must contain"});
  }
  return root;
}

}  // namespace veille::match
