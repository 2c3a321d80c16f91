#include "web/inbox_parts.h"

#include <sstream>

#include "web/html.h"

namespace veille::web {
namespace {

using i18n::Format;

std::string Hits(const i18n::Translator& tr, const match::TermExplanation& t) {
  std::string out =
      Format(tr.TrN("{n} hit: ", "{n} hits: ", t.hit_count), {{"n", std::to_string(t.hit_count)}});
  for (std::size_t i = 0; i < t.hits.size(); ++i) {
    const match::TermHit& h = t.hits[i];
    out += (i ? ", " : "") + h.field + " " + std::to_string(h.begin) + "-" + std::to_string(h.end) +
           " \u201c" + h.text + "\u201d";
  }
  if (t.hit_count > t.hits.size()) out += ", \u2026";
  return out;
}

void QueryItems(const i18n::Translator& tr, const match::QueryExplanation& q,
                std::ostringstream& out) {
  out << "<ul>";
  for (const match::TermExplanation& t : q.terms) {
    std::string result;
    const bool scope = t.term.starts_with("site:") || t.term.starts_with("lang:");
    if (scope) {
      result = (t.found ? tr.TrP("answer", "yes") : tr.TrP("answer", "no")) + " " +
               (t.term.starts_with("site:") ? tr.Tr("(the entry link's host)")
                                            : tr.Tr("(the entry language)"));
    } else if (!t.found) {
      result = tr.Tr("not found");
    } else {
      result = Hits(tr, t);
    }
    if (t.negated && t.found) result += " " + tr.Tr("(counts against)");
    out << "<li class=\"" << (t.found != t.negated ? "found" : "missing") << "\"><code>"
        << Html((t.negated ? "NOT " : "") + t.term) << "</code> " << Html(result) << "</li>";
  }
  for (const match::NearExplanation& n : q.near) {
    const std::string what = (n.ordered ? "ONEAR/" : "NEAR/") + std::to_string(n.limit) + ": " +
                             n.left + " \u2026 " + n.right;
    std::string result;
    if (!n.left_found || !n.right_found) {
      result =
          n.left_found ? tr.Tr("the right side is not found") : tr.Tr("the left side is not found");
    } else if (!n.closest) {
      result = n.ordered ? tr.Tr("never in the same field in this order")
                         : tr.Tr("never in the same field");
    } else {
      const auto closest = static_cast<std::uint64_t>(*n.closest);
      result = Format(n.holds ? tr.TrN("closest {n} word apart, within {limit}",
                                       "closest {n} words apart, within {limit}", closest)
                              : tr.TrN("closest {n} word apart, more than {limit}",
                                       "closest {n} words apart, more than {limit}", closest),
                      {{"n", std::to_string(*n.closest)}, {"limit", std::to_string(n.limit)}});
    }
    out << "<li class=\"" << (n.holds ? "found" : "missing") << "\"><code>" << Html(what)
        << "</code> " << Html(result) << "</li>";
  }
  out << "</ul>";
}

}  // namespace

std::string StatusLabel(const i18n::Translator& tr, store::TriageStatus status) {
  switch (status) {
    case store::TriageStatus::kNew:
      return tr.TrP("triage status", "new");
    case store::TriageStatus::kRead:
      return tr.TrP("triage status", "read");
    case store::TriageStatus::kHandled:
      return tr.TrP("triage status", "handled");
    case store::TriageStatus::kIgnored:
      return tr.TrP("triage status", "ignored");
  }
  return "";
}

std::string TriageButtons(const i18n::Translator& tr, const std::string& suffix,
                          const std::string& id_prefix) {
  struct Choice {
    const char* status;
    const char* key;
    std::string label;
  };
  const Choice choices[] = {{"read", "r", tr.TrP("triage action", "Read")},
                            {"handled", "h", tr.TrP("triage action", "Handled")},
                            {"ignored", "i", tr.TrP("triage action", "Ignored")},
                            {"new", "", tr.TrP("triage action", "New")}};
  std::string out;
  for (const Choice& c : choices) {
    out += "<button type=\"submit\" class=\"act act-" + std::string(c.status) +
           "\" name=\"act\" value=\"" + c.status + Html(suffix) + "\"";
    if (!id_prefix.empty()) out += " id=\"" + id_prefix + c.status + "\"";
    if (*c.key) out += " data-key=\"" + std::string(c.key) + "\"";
    out += ">" + Html(c.label) + "</button>";
  }
  return out;
}

std::string ExplanationHtml(const i18n::Translator& tr, const match::Explanation& e,
                            const std::string& exclude) {
  std::ostringstream out;
  out << "<div class=\"explain\"><p>"
      << Html(e.query.matched ? tr.Tr("query: matched") : tr.Tr("query: not matched")) << "</p>";
  QueryItems(tr, e.query, out);
  if (e.exclude) {
    const std::string verdict = !e.exclude->matched ? tr.Tr("not matched")
                                : e.query.matched   ? tr.Tr("matched, the entry is vetoed")
                                                    : tr.Tr("matched");
    out << "<p>"
        << Html(Format(tr.Tr("exclude ({exclude}): {verdict}"),
                       {{"exclude", exclude}, {"verdict", verdict}}))
        << "</p>";
    QueryItems(tr, *e.exclude, out);
  }
  out << "</div>";
  return out.str();
}

}  // namespace veille::web
