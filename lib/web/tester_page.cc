// GET /tester: the rule tester. A query (and an exclude) replayed over the stored archive by
// the backtest of `veille test-rule --since` (lib/archive): how many entries it would have
// matched, per day, and the newest matches with why they matched; a malformed query is shown
// with a caret under its column. The script reloads the results as the query is typed.
#include <algorithm>
#include <sstream>

#include "archive/backtest.h"
#include "archive/json.h"
#include "match/query.h"
#include "store/stats.h"
#include "web/html.h"
#include "web/inbox.h"
#include "web/inbox_parts.h"

namespace veille::web {
namespace {

using i18n::Format;

constexpr std::size_t kTesterMatches = 20;

std::string Param(const Request& request, const std::string& name) {
  const auto it = request.query.find(name);
  if (it == request.query.end()) return "";
  return it->second.size() <= 4000 ? it->second : it->second.substr(0, 4000);
}

// The query, then a caret under its `column` (1-based, in code points) on the next line.
std::string Caret(const std::string& query, std::uint32_t column) {
  std::string under;
  for (std::uint32_t i = 1; i < column; ++i) under += ' ';
  // Tabs and line breaks count as one character each, as the parser counts them.
  std::string shown = query;
  for (char& c : shown) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return "<pre class=\"caret\" id=\"tester-caret\">" + Html(shown) + "\n" + under + "^</pre>";
}

}  // namespace

Response TesterResponse(const Request& request, const PageFrame& page_frame,
                        const ArchiveAccess& archive, UnixSeconds now) {
  PageFrame frame = page_frame;
  frame.section = "/tester";
  const i18n::Translator& tr = *frame.tr;
  Response response;
  const std::string query = Param(request, "q");
  const std::string exclude = Param(request, "exclude");
  std::string days_text = Param(request, "days");
  int days = 30;
  for (const int choice : {7, 30, 90, 365}) {
    if (days_text == std::to_string(choice)) days = choice;
  }
  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Rule tester")) << "</h1>"
       << "<form method=\"get\" action=\"/tester\" class=\"card tester\" id=\"tester\"><label>"
       << Html(tr.Tr("Query")) << " <textarea name=\"q\" id=\"tester-q\" rows=\"3\" "
       << "spellcheck=\"false\">" << Html(query) << "</textarea></label><label>"
       << Html(tr.Tr("Exclude (optional)")) << " <input type=\"text\" name=\"exclude\" "
       << "id=\"tester-exclude\" spellcheck=\"false\" value=\"" << Html(exclude)
       << "\"></label><label>" << Html(tr.Tr("Over the last"))
       << " <select name=\"days\" id=\"tester-days\">";
  for (const int choice : {7, 30, 90, 365}) {
    body << "<option value=\"" << choice << "\"" << (choice == days ? " selected" : "") << ">"
         << Html(Format(tr.TrN("{n} day", "{n} days", static_cast<std::uint64_t>(choice)),
                        {{"n", tr.Integer(choice)}}))
         << "</option>";
  }
  body << "</select></label><button type=\"submit\" id=\"tester-run\">" << Html(tr.Tr("Test"))
       << "</button></form><section id=\"tester-results\" aria-live=\"polite\">";

  auto finish = [&]() {
    body << "</section><p class=\"muted\">"
         << Html(tr.Tr("The results follow the query as you type. Paste the query into a "
                       "[[rule]] of the configuration once it matches what you want."))
         << "</p>";
    response.body = Page(frame, tr.Tr("Rule tester"), body.str());
    return response;
  };
  if (query.empty()) {
    body << "<p class=\"muted\" id=\"tester-hint\">"
         << Html(tr.Tr("Type a query in the rule language: what it would have matched over the "
                       "stored archive is listed here."))
         << "</p>";
    return finish();
  }
  // Syntax first, with the column, for the query and then the exclude.
  for (const auto& [what, text] :
       {std::pair{tr.Tr("Query"), query}, std::pair{tr.Tr("Exclude (optional)"), exclude}}) {
    if (text.empty()) continue;
    auto parsed = match::ParseQuery(text);
    if (!parsed) {
      // 200: a query half typed is the tester's everyday input, not a bad request (and the
      // script fetching the page as it is typed should not fill the console with errors).
      body << "<p class=\"error\" id=\"tester-error\">"
           << Html(Format(tr.Tr("{what}: column {column}: {message}"),
                          {{"what", what},
                           {"column", std::to_string(parsed.error().column)},
                           {"message", parsed.error().message}}))
           << "</p>" << Caret(text, parsed.error().column);
      return finish();
    }
  }
  auto store = archive.Borrow(store::Access::kRead);
  if (!store) {
    response.status = store.error().code == ErrorCode::kNotFound ? 200 : 500;
    body << "<p class=\"error\" id=\"tester-error\">" << Html(store.error().message) << "</p>";
    return finish();
  }
  store::EntryFilter filter;
  filter.since = now - static_cast<UnixSeconds>(days) * 86400;
  filter.order = store::EntryOrder::kDate;
  auto result = archive::RunBacktest(**store, query, exclude, filter, kTesterMatches, true);
  if (!result) {
    response.status = result.error().code == ErrorCode::kInvalidArgument ? 200 : 500;
    body << "<p class=\"error\" id=\"tester-error\">" << Html(result.error().message) << "</p>";
    return finish();
  }
  body << "<p id=\"tester-summary\">"
       << Html(archive::BacktestSummary(HtmlTime(*filter.since), *result, tr)) << "</p>";
  if (!result->per_day.empty()) {
    std::int64_t peak = 0;
    for (const auto& [day, n] : result->per_day) peak = std::max(peak, n);
    body << "<pre class=\"per-day\">";
    for (const auto& [day, n] : result->per_day) {
      std::string bar;
      for (std::int64_t i = 0; i < (n * 40 + peak - 1) / peak; ++i) bar += "\u2588";
      body << Html(DayOf(day)) << "  " << bar << " " << n << "\n";
    }
    body << "</pre>";
  }
  body << "<ol class=\"hits\" id=\"tester-hits\">";
  for (std::size_t i = 0; i < result->newest.size(); ++i) {
    const archive::SearchHit& hit = result->newest[i];
    const store::StoredEntry& e = hit.entry;
    archive::Marks marks;
    for (const auto& h : hit.mention.highlights) marks.emplace_back(h.begin, h.end);
    body << "<li class=\"hit\"><a class=\"title\" href=\"/story/" << e.story_id << "\">"
         << Html(e.title.value_or(tr.Tr("(no title)"))) << "</a> <span class=\"meta\">"
         << Html(e.feed_name) << " \u00b7 <time>" << Html(HtmlTime(archive::EntryDateOf(e).at))
         << "</time></span><p class=\"snippet\">" << MarkedSnippet(hit.mention.snippet, marks, 60)
         << "</p><details><summary>" << Html(tr.Tr("Why it matched")) << "</summary>"
         << ExplanationHtml(tr, result->why[i], exclude) << "</details></li>";
  }
  body << "</ol>";
  return finish();
}

}  // namespace veille::web
