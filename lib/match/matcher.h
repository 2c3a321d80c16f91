// The compiled rule set: every rule of a config in one immutable matcher, one scan per entry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "match/explain.h"

namespace veille::match {

// A rule as written in the config ([[rule]] table).
struct RuleSpec {
  std::string name;
  std::string category;  // brand | competitor | sector | any label
  std::string query;
  std::string exclude;  // optional; an entry matching it never produces a mention
};

// The fields of one entry that queries can address. Views must outlive the Match() call.
struct Document {
  std::string_view title;
  std::string_view text;  // summary + content, already plain text
  std::string_view author;
  std::string_view link;
  std::string_view feed_name;
  std::string_view feed_url;
  std::string_view language;  // "fr", "en-US", "" when unknown
  std::vector<std::string_view> categories;
};

struct Highlight {
  std::uint32_t begin = 0;  // byte offsets into Mention::snippet
  std::uint32_t end = 0;
};

// One rule matching one document.
struct Mention {
  std::size_t rule_index = 0;         // index into the RuleSpec vector given to Compile
  std::vector<std::string> terms;     // the query terms that matched, as written in the query
  std::string snippet;                // ~200 chars of the publisher's text around the first hit
  std::vector<Highlight> highlights;  // the hits inside `snippet`
};

// Why Compile failed. `rule_index` names the rule at fault (its query or its exclude) as data, so
// that a caller can point at its config line without reading the message; it is empty when the
// rule set as a whole failed (the literal scanner).
struct CompileError {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;  // `rule "marque": column 14: expected a term after NEAR/3`
  std::optional<std::size_t> rule_index;  // index into the RuleSpec vector given to Compile
};

class Matcher {
 public:
  // Compiles every rule. A bad query fails with ErrorCode::kInvalidArgument, the rule's index
  // and a message such as `rule "marque": column 14: expected a term after NEAR/3`.
  [[nodiscard]] static tl::expected<std::shared_ptr<const Matcher>, CompileError> Compile(
      const std::vector<RuleSpec>& rules);

  virtual ~Matcher() = default;

  // Every rule that matches `doc` (and whose exclude query does not), in rule order.
  // Thread-safe: a compiled matcher is immutable and may be shared by threads.
  [[nodiscard]] virtual std::vector<Mention> Match(const Document& doc) const = 0;

  // Why rule `rule_index` matches `doc` or not: the same evaluation as Match, written out
  // (explain.h). For test-rule --explain; Match never pays for it.
  [[nodiscard]] virtual Explanation Explain(const Document& doc, std::size_t rule_index) const = 0;

  [[nodiscard]] virtual const std::vector<RuleSpec>& rules() const = 0;
};

// Checks one query's syntax without compiling a matcher: "" when valid, else
// "column N: message". Used by check-config and test-rule.
std::string CheckQuery(std::string_view query);

}  // namespace veille::match
