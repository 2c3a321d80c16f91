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

void PrintQuery(const match::QueryExplanation& q, const std::string& indent, std::ostream& out) {
  for (const match::TermExplanation& t : q.terms) {
    out << indent << "  " << (t.negated ? "NOT " : "") << TerminalSafe(t.term) << ": ";
    const bool scope = t.term.starts_with("site:") || t.term.starts_with("lang:");
    if (scope) {
      out << (t.found ? i18n::TrP("answer", "yes") : i18n::TrP("answer", "no")) << " "
          << (t.term.starts_with("site:") ? i18n::Tr("(the entry link's host)")
                                          : i18n::Tr("(the entry language)"));
    } else if (!t.found) {
      out << i18n::Tr("not found");
    } else {
      out << Hits(t);
    }
    if (t.negated && t.found) out << " " << i18n::Tr("(counts against)");
    out << "\n";
  }
  for (const match::NearExplanation& n : q.near) {
    out << indent << "  " << (n.ordered ? "ONEAR/" : "NEAR/") << n.limit << ": "
        << TerminalSafe(n.left) << " … " << TerminalSafe(n.right) << ": ";
    if (!n.left_found || !n.right_found) {
      out << (n.left_found ? i18n::Tr("the right side is not found")
                           : i18n::Tr("the left side is not found"))
          << "\n";
      continue;
    }
    if (!n.closest) {
      out << (n.ordered ? i18n::Tr("never in the same field in this order")
                        : i18n::Tr("never in the same field"))
          << "\n";
      continue;
    }
    const auto closest = static_cast<std::uint64_t>(*n.closest);
    out << i18n::Format(n.holds ? i18n::TrN("closest {n} word apart, within {limit}",
                                            "closest {n} words apart, within {limit}", closest)
                                : i18n::TrN("closest {n} word apart, more than {limit}",
                                            "closest {n} words apart, more than {limit}", closest),
                        {{"n", std::to_string(*n.closest)}, {"limit", std::to_string(n.limit)}})
        << "\n";
  }
}

nlohmann::json QueryJson(const match::QueryExplanation& q) {
  nlohmann::json terms = nlohmann::json::array();
  for (const match::TermExplanation& t : q.terms) {
    nlohmann::json hits = nlohmann::json::array();
    for (const match::TermHit& h : t.hits) {
      hits.push_back({{"field", h.field}, {"begin", h.begin}, {"end", h.end}, {"text", h.text}});
    }
    terms.push_back({{"term", t.term},
                     {"negated", t.negated},
                     {"found", t.found},
                     {"hit_count", t.hit_count},
                     {"hits", hits}});
  }
  nlohmann::json near = nlohmann::json::array();
  for (const match::NearExplanation& n : q.near) {
    near.push_back({{"left", n.left},
                    {"right", n.right},
                    {"limit", n.limit},
                    {"ordered", n.ordered},
                    {"left_found", n.left_found},
                    {"right_found", n.right_found},
                    {"closest", n.closest ? nlohmann::json(*n.closest) : nullptr},
                    {"holds", n.holds}});
  }
  return {{"matched", q.matched}, {"terms", terms}, {"near", near}};
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

nlohmann::json ExplanationJson(const match::Explanation& e) {
  return {{"matched", e.matched},
          {"excluded", e.excluded()},
          {"query", QueryJson(e.query)},
          {"exclude", e.exclude ? QueryJson(*e.exclude) : nlohmann::json(nullptr)}};
}

}  // namespace veille::cli
