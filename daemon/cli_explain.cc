#include "daemon/cli_explain.h"

#include "daemon/cli_support.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

std::string Hits(const match::TermExplanation& t) {
  std::string out = i18n::Format(i18n::TrN("{n} hit: ", "{n} hits: ", t.hit_count),
                                 {{"n", std::to_string(t.hit_count)}});
  for (std::size_t i = 0; i < t.hits.size(); ++i) {
    const match::TermHit& h = t.hits[i];
    out += (i ? ", " : "") + h.field + " " + std::to_string(h.begin) + "-" + std::to_string(h.end) +
           " \"" + TerminalSafe(h.text) + "\"";
  }
  if (t.hit_count > t.hits.size()) out += ", …";
  return out;
}

// One line of the explanation: "  Orélia: 1 hit: text 0-7 \"Orélia\"".
void PrintLine(const std::string& indent, const std::string& what, const std::string& result,
               std::ostream& out) {
  // TRANSLATORS: a term or NEAR of the query, then what was found for it.
  out << indent << "  "
      << i18n::Format(i18n::TrP("explain", "{what}: {result}"),
                      {{"what", what}, {"result", result}})
      << "\n";
}

void PrintQuery(const match::QueryExplanation& q, const std::string& indent, std::ostream& out) {
  for (const match::TermExplanation& t : q.terms) {
    std::string result;
    const bool scope = t.term.starts_with("site:") || t.term.starts_with("lang:");
    if (scope) {
      result = (t.found ? i18n::TrP("answer", "yes") : i18n::TrP("answer", "no")) + " " +
               (t.term.starts_with("site:") ? i18n::Tr("(the entry link's host)")
                                            : i18n::Tr("(the entry language)"));
    } else if (!t.found) {
      result = i18n::Tr("not found");
    } else {
      result = Hits(t);
    }
    if (t.negated && t.found) result += " " + i18n::Tr("(counts against)");
    PrintLine(indent, (t.negated ? "NOT " : "") + TerminalSafe(t.term), result, out);
  }
  for (const match::NearExplanation& n : q.near) {
    const std::string what = (n.ordered ? "ONEAR/" : "NEAR/") + std::to_string(n.limit) + ": " +
                             TerminalSafe(n.left) + " … " + TerminalSafe(n.right);
    std::string result;
    if (!n.left_found || !n.right_found) {
      result = n.left_found ? i18n::Tr("the right side is not found")
                            : i18n::Tr("the left side is not found");
    } else if (!n.closest) {
      result = n.ordered ? i18n::Tr("never in the same field in this order")
                         : i18n::Tr("never in the same field");
    } else {
      const auto closest = static_cast<std::uint64_t>(*n.closest);
      result =
          i18n::Format(n.holds ? i18n::TrN("closest {n} word apart, within {limit}",
                                           "closest {n} words apart, within {limit}", closest)
                               : i18n::TrN("closest {n} word apart, more than {limit}",
                                           "closest {n} words apart, more than {limit}", closest),
                       {{"n", std::to_string(*n.closest)}, {"limit", std::to_string(n.limit)}});
    }
    PrintLine(indent, what, result, out);
  }
}

}  // namespace

void PrintExplanation(const match::Explanation& e, const std::string& exclude,
                      const std::string& indent, std::ostream& out) {
  out << indent << (e.query.matched ? i18n::Tr("query: matched") : i18n::Tr("query: not matched"))
      << "\n";
  PrintQuery(e.query, indent, out);
  if (!e.exclude) return;
  const std::string verdict = !e.exclude->matched ? i18n::Tr("not matched")
                              : e.query.matched   ? i18n::Tr("matched, the entry is vetoed")
                                                  : i18n::Tr("matched");
  out << indent
      << i18n::Format(i18n::Tr("exclude ({exclude}): {verdict}"),
                      {{"exclude", TerminalSafe(exclude)}, {"verdict", verdict}})
      << "\n";
  PrintQuery(*e.exclude, indent, out);
}

}  // namespace veille::cli
