#include "i18n/plural.h"

#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace veille::i18n {

// One node of the expression tree: a number, the variable n, or an operator over its children.
struct PluralRule::Node {
  enum class Kind { kNumber, kVariable, kNot, kBinary, kTernary };
  Kind kind = Kind::kNumber;
  std::uint64_t value = 0;
  std::string op;  // binary operators
  std::vector<std::shared_ptr<const Node>> args;
};

namespace {

using Node = PluralRule::Node;
using NodePtr = std::shared_ptr<const Node>;

constexpr int kMaxDepth = 64;

std::uint64_t Eval(const Node& node, std::uint64_t n) {
  switch (node.kind) {
    case Node::Kind::kNumber:
      return node.value;
    case Node::Kind::kVariable:
      return n;
    case Node::Kind::kNot:
      return Eval(*node.args[0], n) == 0 ? 1 : 0;
    case Node::Kind::kTernary:
      return Eval(*node.args[0], n) != 0 ? Eval(*node.args[1], n) : Eval(*node.args[2], n);
    case Node::Kind::kBinary:
      break;
  }
  const std::string& op = node.op;
  const std::uint64_t a = Eval(*node.args[0], n);
  if (op == "&&") return a != 0 && Eval(*node.args[1], n) != 0 ? 1 : 0;
  if (op == "||") return a != 0 || Eval(*node.args[1], n) != 0 ? 1 : 0;
  const std::uint64_t b = Eval(*node.args[1], n);
  if (op == "==") return a == b ? 1 : 0;
  if (op == "!=") return a != b ? 1 : 0;
  if (op == "<") return a < b ? 1 : 0;
  if (op == ">") return a > b ? 1 : 0;
  if (op == "<=") return a <= b ? 1 : 0;
  if (op == ">=") return a >= b ? 1 : 0;
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/") return b == 0 ? 0 : a / b;
  if (op == "%") return b == 0 ? 0 : a % b;
  return 0;
}

// Recursive descent over C precedence: ternary < || < && < equality < relational < additive <
// multiplicative < unary < primary.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<NodePtr> Expression(int depth) {
    if (depth > kMaxDepth) return Fail(ErrorCode::kParse, "plural expression nested too deeply");
    auto cond = Binary(0, depth);
    if (!cond) return cond;
    if (!Accept("?")) return cond;
    auto yes = Expression(depth + 1);
    if (!yes) return yes;
    if (!Accept(":")) return Fail(ErrorCode::kParse, "plural expression: expected ':'");
    auto no = Expression(depth + 1);
    if (!no) return no;
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kTernary;
    node->args = {*cond, *yes, *no};
    return NodePtr(node);
  }

  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  // Operator levels, loosest first.
  static constexpr std::string_view kLevels[][4] = {
      {"||"}, {"&&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"+", "-"}, {"*", "/", "%"}};
  static constexpr int kLevelCount = 6;

  Result<NodePtr> Binary(int level, int depth) {
    if (level == kLevelCount) return Unary(depth);
    auto left = Binary(level + 1, depth);
    if (!left) return left;
    for (;;) {
      std::string_view matched;
      for (std::string_view op : kLevels[level]) {
        if (!op.empty() && Peek(op) && !(op == "<" && Peek("<=")) && !(op == ">" && Peek(">="))) {
          matched = op;
          break;
        }
      }
      if (matched.empty()) return left;
      pos_ += matched.size();
      auto right = Binary(level + 1, depth);
      if (!right) return right;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kBinary;
      node->op = std::string(matched);
      node->args = {*left, *right};
      left = NodePtr(node);
    }
  }

  Result<NodePtr> Unary(int depth) {
    if (depth > kMaxDepth) return Fail(ErrorCode::kParse, "plural expression nested too deeply");
    if (Peek("!") && !Peek("!=")) {
      ++pos_;
      auto operand = Unary(depth + 1);
      if (!operand) return operand;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kNot;
      node->args = {*operand};
      return NodePtr(node);
    }
    return Primary(depth);
  }

  Result<NodePtr> Primary(int depth) {
    SkipSpace();
    if (Accept("(")) {
      auto inner = Expression(depth + 1);
      if (!inner) return inner;
      if (!Accept(")")) return Fail(ErrorCode::kParse, "plural expression: expected ')'");
      return inner;
    }
    auto node = std::make_shared<Node>();
    if (pos_ < text_.size() && text_[pos_] == 'n') {
      ++pos_;
      node->kind = Node::Kind::kVariable;
      return NodePtr(node);
    }
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      std::uint64_t v = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (v > 1'000'000'000)
          return Fail(ErrorCode::kParse, "plural expression: number too large");
        v = v * 10 + static_cast<std::uint64_t>(text_[pos_++] - '0');
      }
      node->value = v;
      return NodePtr(node);
    }
    return Fail(ErrorCode::kParse,
                "plural expression: unexpected '" + std::string(text_.substr(pos_, 8)) + "'");
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Peek(std::string_view token) {
    SkipSpace();
    return text_.substr(pos_, token.size()) == token;
  }
  bool Accept(std::string_view token) {
    if (!Peek(token)) return false;
    pos_ += token.size();
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The value after `name=` up to the next ';' (or the end).
std::optional<std::string_view> Field(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find(name); at != std::string_view::npos;
       at = text.find(name, at + 1)) {
    if (at > 0 && std::isalpha(static_cast<unsigned char>(text[at - 1]))) continue;
    std::size_t i = at + name.size();
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '=') continue;
    const std::size_t end = text.find(';', i + 1);
    return text.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
  }
  return std::nullopt;
}

}  // namespace

PluralRule::PluralRule() {
  // English: n != 1, built directly.
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kVariable;
  auto one = std::make_shared<Node>();
  one->value = 1;
  auto root = std::make_shared<Node>();
  root->kind = Node::Kind::kBinary;
  root->op = "!=";
  root->args = {n, one};
  root_ = root;
}

Result<PluralRule> PluralRule::Parse(std::string_view plural_forms) {
  const auto count = Field(plural_forms, "nplurals");
  const auto expression = Field(plural_forms, "plural");
  if (!count || !expression) {
    return Fail(ErrorCode::kParse, "Plural-Forms needs nplurals= and plural=");
  }
  unsigned n = 0;
  for (char c : *count) {
    if (c == ' ') continue;
    if (!std::isdigit(static_cast<unsigned char>(c)) || n > 100) {
      return Fail(ErrorCode::kParse, "Plural-Forms: nplurals must be a small number");
    }
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n == 0) return Fail(ErrorCode::kParse, "Plural-Forms: nplurals must be at least 1");
  Parser parser(*expression);
  auto root = parser.Expression(0);
  if (!root) return tl::unexpected(root.error());
  if (!parser.AtEnd()) {
    return Fail(ErrorCode::kParse, "plural expression: unexpected text after the expression");
  }
  PluralRule rule;
  rule.root_ = std::move(*root);
  rule.nplurals_ = n;
  return rule;
}

unsigned PluralRule::Index(std::uint64_t n) const {
  const std::uint64_t index = Eval(*root_, n);
  return index < nplurals_ ? static_cast<unsigned>(index) : 0;
}

}  // namespace veille::i18n
