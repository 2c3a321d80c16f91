#include "match/lexer.h"

#include <string>

namespace veille::match::internal {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool EndsBareWord(char c) { return IsSpace(c) || c == '(' || c == ')' || c == '"'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

struct FieldName {
  std::string_view name;
  Field field;
};
constexpr FieldName kFields[] = {
    {"title", Field::kTitle},       {"text", Field::kText}, {"author", Field::kAuthor},
    {"link", Field::kLink},         {"feed", Field::kFeed}, {"site", Field::kSite},
    {"category", Field::kCategory}, {"lang", Field::kLang},
};

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

std::uint32_t ColumnAt(std::string_view query, std::size_t offset) {
  std::uint32_t column = 1;
  for (std::size_t i = 0; i < offset && i < query.size(); ++i) {
    if ((static_cast<unsigned char>(query[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

tl::expected<std::vector<Token>, QueryError> Lex(std::string_view query) {
  std::vector<Token> tokens;
  const auto fail = [&](std::size_t offset, std::string message) {
    return tl::unexpected<QueryError>(QueryError{ColumnAt(query, offset), std::move(message)});
  };
  const auto push = [&](Token::Kind kind, std::size_t begin, std::size_t end) -> Token& {
    Token t;
    t.kind = kind;
    t.text = query.substr(begin, end - begin);
    t.column = ColumnAt(query, begin);
    tokens.push_back(t);
    return tokens.back();
  };

  std::size_t i = 0;
  bool term_start = true;  // '-', '=' and '^' are operators only where a term begins
  while (i < query.size()) {
    const char c = query[i];
    if (IsSpace(c)) {
      ++i;
      term_start = true;
      continue;
    }
    if (c == '(' || c == ')') {
      push(c == '(' ? Token::Kind::kLParen : Token::Kind::kRParen, i, i + 1);
      ++i;
      term_start = true;
      continue;
    }
    if (c == '"') {
      const std::size_t close = query.find('"', i + 1);
      if (close == std::string_view::npos) return fail(i, "missing closing quote \"");
      Token& t = push(Token::Kind::kPhrase, i, close + 1);
      t.text = query.substr(i + 1, close - i - 1);
      i = close + 1;
      term_start = false;
      continue;
    }
    if (term_start && c == '-') {
      if (i + 1 == query.size() || IsSpace(query[i + 1])) {
        return fail(i, "expected a term after -");
      }
      push(Token::Kind::kMinus, i, i + 1);
      ++i;
      continue;
    }
    if (term_start && (c == '=' || c == '^')) {
      push(Token::Kind::kModifier, i, i + 1);
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < query.size() && !EndsBareWord(query[end])) ++end;
    const std::string_view word = query.substr(i, end - i);

    if (word == "AND" || word == "OR" || word == "NOT") {
      push(word == "AND"  ? Token::Kind::kAnd
           : word == "OR" ? Token::Kind::kOr
                          : Token::Kind::kNot,
           i, end);
      i = end;
      term_start = true;
      continue;
    }
    const bool ordered = word.starts_with("ONEAR");
    const std::string_view near_name = ordered ? "ONEAR" : "NEAR";
    if (word.starts_with(near_name) &&
        (word.size() == near_name.size() || word[near_name.size()] == '/')) {
      const std::string_view digits =
          word.size() > near_name.size() ? word.substr(near_name.size() + 1) : std::string_view();
      std::uint32_t n = 0;
      bool ok = !digits.empty() && digits.size() <= 4;
      for (char d : digits) {
        if (d < '0' || d > '9') ok = false;
        if (ok) n = n * 10 + static_cast<std::uint32_t>(d - '0');
      }
      if (!ok || n > kMaxNearDistance) {
        return fail(i, std::string(near_name) + " needs a distance from 0 to " +
                           std::to_string(kMaxNearDistance) + ", as in " + std::string(near_name) +
                           "/5");
      }
      Token& t = push(Token::Kind::kNear, i, end);
      t.distance = n;
      t.ordered = ordered;
      i = end;
      term_start = true;
      continue;
    }
    const std::size_t colon = word.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      const std::string_view name = word.substr(0, colon);
      bool letters = true;
      for (char l : name) letters = letters && IsAsciiLetter(l);
      if (letters) {
        const FieldName* found = nullptr;
        for (const FieldName& f : kFields) {
          if (EqualsIgnoringAsciiCase(name, f.name)) found = &f;
        }
        if (found == nullptr) {
          return fail(i, "unknown field \"" + std::string(name) +
                             ":\" (fields are title: text: author: link: feed: site: category: "
                             "lang:; quote the term to search for it)");
        }
        Token& t = push(Token::Kind::kField, i, i + colon + 1);
        t.field = found->field;
        i += colon + 1;
        term_start = true;
        continue;
      }
    }
    push(Token::Kind::kWord, i, end);
    i = end;
    term_start = false;
  }
  Token end_token;
  end_token.kind = Token::Kind::kEnd;
  end_token.column = ColumnAt(query, query.size());
  tokens.push_back(end_token);
  return tokens;
}

}  // namespace veille::match::internal
