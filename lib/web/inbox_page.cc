// GET / and /inbox: the mentions, newest first, grouped by story, with filters and the search box.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "archive/json.h"
#include "archive/search.h"
#include "common/escape.h"
#include "config/entities.h"
#include "i18n/translator.h"
#include "report/charts.h"
#include "store/info.h"
#include "store/search.h"
#include "web/html.h"
#include "web/inbox.h"
#include "web/inbox_parts.h"

namespace veille::web {
namespace {

using i18n::Format;

struct InboxQuery {
  std::string rule, category, lang, status, since, until, q;
  std::int64_t feed = 0;
  int page = 1;
};

std::string Param(const Request& request, const std::string& name) {
  const auto it = request.query.find(name);
  if (it == request.query.end()) return "";
  return it->second.size() <= 1000 ? it->second : it->second.substr(0, 1000);
}

std::int64_t PositiveNumber(const std::string& text, std::int64_t max) {
  if (text.empty() || text.size() > 12) return 0;
  std::int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return std::min(n, max);
}

InboxQuery ParseQuery(const Request& request) {
  InboxQuery q;
  q.rule = Param(request, "rule");
  q.category = Param(request, "category");
  q.lang = Param(request, "lang");
  q.status = Param(request, "status");
  q.since = Param(request, "since");
  q.until = Param(request, "until");
  q.q = Param(request, "q");
  q.feed = PositiveNumber(Param(request, "feed"), INT64_MAX / 16);
  q.page = static_cast<int>(
      std::max<std::int64_t>(1, PositiveNumber(Param(request, "page"), kInboxMaxPage)));
  return q;
}

// The address of this list with other values for some parameters ("" drops one).
std::string ListUrl(const InboxQuery& q, int page) {
  std::string out;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    out += (out.empty() ? "?" : "&") + std::string(name) + "=" + UrlEncode(value);
  };
  add("q", q.q);
  add("rule", q.rule);
  add("category", q.category);
  add("feed", q.feed ? std::to_string(q.feed) : "");
  add("lang", q.lang);
  add("status", q.status);
  add("since", q.since);
  add("until", q.until);
  add("page", page > 1 ? std::to_string(page) : "");
  return "/inbox" + out;
}

std::string Select(const std::string& name, const std::string& label,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& current, const std::string& any) {
  std::ostringstream out;
  out << "<label>" << Html(label) << " <select name=\"" << name << "\" id=\"filter-" << name
      << "\"><option value=\"\">" << Html(any) << "</option>";
  for (const auto& [value, text] : options) {
    out << "<option value=\"" << Html(value) << "\"" << (value == current ? " selected" : "") << ">"
        << Html(text) << "</option>";
  }
  out << "</select></label>";
  return out.str();
}

struct Group {
  std::int64_t story_id = 0;
  std::vector<const store::MentionRow*> mentions;
  std::size_t sources = 1;  // distinct feeds of the story
};

std::string Ids(const Group& g) {
  std::string out;
  for (const auto* m : g.mentions) out += (out.empty() ? "" : ",") + std::to_string(m->id);
  return out;
}

}  // namespace

Response InboxResponse(const Request& request, const PageFrame& page_frame,
                       const ArchiveAccess& archive) {
  PageFrame frame = page_frame;
  frame.section = "/inbox";
  const i18n::Translator& tr = *frame.tr;
  const InboxQuery q = ParseQuery(request);
  Response response;
  auto fail = [&](const std::string& message) {
    response.status = 500;
    response.body = ErrorPage(frame, tr.Tr("The archive cannot be read"), message);
    return response;
  };
  auto store = archive.Borrow(store::Access::kRead);
  if (!store && store.error().code == ErrorCode::kNotFound) {
    // Before the daemon's first poll: an empty inbox that says why.
    response.body = Page(frame, tr.Tr("Inbox"),
                         "<h1>" + Html(tr.Tr("Inbox")) + "</h1><p class=\"muted\" id=\"empty\">" +
                             Html(tr.Tr("No archive yet: the inbox fills once veilled has polled "
                                        "the feeds.")) +
                             "</p>");
    return response;
  }
  if (!store) return fail(store.error().message);
  auto feeds = store::FeedIdentities(**store);
  if (!feeds) return fail(feeds.error().message);

  store::MentionFilter filter;
  filter.rule = q.rule;
  filter.category = q.category;
  filter.language = q.lang;
  if (q.feed) filter.feed_ids = {q.feed};
  std::string problem;  // shown above the list, with status 400
  if (!q.status.empty()) {
    if (auto status = store::ParseTriageStatus(q.status)) {
      filter.statuses = {*status};
    } else {
      problem = tr.Tr("Unknown triage status.");
    }
  }
  if (!q.since.empty()) {
    filter.since = ParseDay(q.since);
    if (!filter.since) problem = tr.Tr("Dates are written YYYY-MM-DD.");
  }
  if (!q.until.empty()) {
    const auto until = ParseDay(q.until);
    if (until) filter.until = *until + 86400;  // the whole day
    if (!until) problem = tr.Tr("Dates are written YYYY-MM-DD.");
  }
  // Offset pagination: the database skips the earlier pages; one more row than the page
  // shows, to know whether another follows.
  filter.offset = (q.page - 1) * kInboxPageSize;
  filter.limit = kInboxPageSize + 1;
  std::vector<store::MentionRow> rows;
  std::string count;  // a search's count of matching mentions, in words
  if (problem.empty()) {
    auto found = archive::FindMatchingMentions(**store, filter, q.q, kInboxSearchCount);
    if (!found && found.error().code == ErrorCode::kInvalidArgument) {
      problem =
          Format(tr.Tr("The search is not valid: {error}"), {{"error", found.error().message}});
    } else if (!found) {
      return fail(found.error().message);
    } else {
      rows = std::move(found->rows);
      const auto n = static_cast<std::uint64_t>(found->count);
      const std::string shown = tr.Integer(found->count);
      if (!q.q.empty()) {
        count = found->more ? Format(tr.TrN("more than {n} matching mention",
                                            "more than {n} matching mentions", n),
                                     {{"n", shown}})
                            : Format(tr.TrN("{n} matching mention", "{n} matching mentions", n),
                                     {{"n", shown}});
      }
    }
  }
  const bool more = rows.size() > static_cast<std::size_t>(kInboxPageSize);
  const std::size_t last = std::min(rows.size(), static_cast<std::size_t>(kInboxPageSize));

  std::vector<Group> groups;
  std::map<std::int64_t, std::size_t> index;
  for (std::size_t i = 0; i < last; ++i) {
    const store::MentionRow& m = rows[i];
    const std::int64_t key = m.story_id != 0 ? m.story_id : -m.id;
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back(Group{m.story_id, {}, 1});
    groups[it->second].mentions.push_back(&m);
  }
  for (Group& g : groups) {
    if (g.story_id == 0) continue;
    auto sources = store::StoryEntries(**store, g.story_id);
    if (!sources) return fail(sources.error().message);
    std::set<std::string> feeds_of_story;
    for (const auto& s : *sources) feeds_of_story.insert(s.feed_name);
    g.sources = std::max<std::size_t>(1, feeds_of_story.size());
  }

  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Inbox")) << "</h1>";
  // The filters: a GET form, so that a filtered list has an address.
  std::vector<std::pair<std::string, std::string>> rules, categories, feed_options, statuses;
  std::set<std::string> seen_categories;
  for (const auto& r : archive.rules) {
    rules.emplace_back(r.name, r.name);
    if (seen_categories.insert(r.category).second) {
      categories.emplace_back(r.category, report::ReportWord(tr, "rule category", r.category,
                                                             report::kReportCategories));
    }
  }
  for (const auto& f : *feeds) feed_options.emplace_back(std::to_string(f.id), f.name);
  for (const auto s : {store::TriageStatus::kNew, store::TriageStatus::kRead,
                       store::TriageStatus::kHandled, store::TriageStatus::kIgnored}) {
    statuses.emplace_back(std::string(store::TriageStatusName(s)), StatusLabel(tr, s));
  }
  const std::string any = tr.Tr("any");
  body << "<form method=\"get\" action=\"/inbox\" class=\"card filters\" id=\"filters\">"
       << "<label class=\"search\">" << Html(tr.Tr("Search"))
       << " <input type=\"search\" name=\"q\" "
       << "id=\"filter-q\" value=\"" << Html(q.q) << "\" placeholder=\""
       << Html(tr.Tr("query language: Alpéa NEAR/5 rappel")) << "\" spellcheck=\"false\"></label>"
       << Select("rule", tr.Tr("Rule"), rules, q.rule, any)
       << Select("category", tr.Tr("Category"), categories, q.category, any)
       << Select("feed", tr.Tr("Feed"), feed_options, q.feed ? std::to_string(q.feed) : "", any)
       << "<label>" << Html(tr.Tr("Language")) << " <input type=\"text\" name=\"lang\" "
       << "id=\"filter-lang\" size=\"5\" value=\"" << Html(q.lang)
       << "\" placeholder=\"fr\"></label>"
       << Select("status", tr.Tr("Status"), statuses, q.status, any) << "<label>"
       << Html(tr.Tr("From")) << " <input type=\"date\" name=\"since\" id=\"filter-since\" value=\""
       << Html(q.since) << "\"></label><label>" << Html(tr.Tr("To"))
       << " <input type=\"date\" name=\"until\" id=\"filter-until\" value=\"" << Html(q.until)
       << "\"></label><button type=\"submit\" id=\"apply-filters\">" << Html(tr.Tr("Filter"))
       << "</button> <a href=\"/inbox\">" << Html(tr.Tr("Clear")) << "</a></form>";
  if (!problem.empty()) {
    response.status = 400;
    body << "<p class=\"error\" id=\"error\">" << Html(problem) << "</p>";
  }

  // The list: one form, so that the checked rows change together (bulk), and each row's
  // buttons change that row alone (act=STATUS:IDS). No script needed.
  const std::string back = ListUrl(q, q.page);
  body
      << "<form method=\"post\" action=\"/triage\" id=\"inbox\">" << CsrfField(frame)
      << "<input type=\"hidden\" name=\"back\" value=\"" << Html(back) << "\">"
      << "<div class=\"bulk\"><label class=\"js-only\"><input type=\"checkbox\" id=\"select-all\"> "
      << Html(tr.Tr("All")) << "</label> " << Html(tr.Tr("Checked:")) << " "
      << TriageButtons(tr, "", "bulk-") << " <input type=\"text\" name=\"tag\" id=\"bulk-tag\" "
      << "size=\"12\" placeholder=\"" << Html(tr.Tr("tag")) << "\"> <button type=\"submit\" "
      << "name=\"act\" value=\"tag\" id=\"bulk-tag-add\">" << Html(tr.Tr("Add tag"))
      << "</button></div>";
  if (!count.empty()) body << "<p class=\"muted\" id=\"count\">" << Html(count) << "</p>";
  if (groups.empty() && problem.empty()) {
    body << "<p class=\"muted\" id=\"empty\">"
         << Html(tr.Tr("No mentions here. Change the filters, or wait for the next poll."))
         << "</p>";
  }
  body << "<ol class=\"mentions\">";
  const archive::RuleEntities entities = archive::EntitiesOf(archive.rules);
  for (const Group& g : groups) {
    const store::MentionRow& m = *g.mentions.front();
    const std::string ids = Ids(g);
    const std::string story = "/story/" + std::to_string(g.story_id);
    body << "<li class=\"mention status-" << store::TriageStatusName(m.status) << "\" id=\"m"
         << m.id << "\"><input type=\"checkbox\" name=\"sel" << m.id << "\" value=\"" << ids
         << "\" aria-label=\"" << Html(tr.Tr("Select"))
         << "\"><div class=\"what\"><a class=\"title\" href=\""
         << (g.story_id ? story : "#m" + std::to_string(m.id)) << "\">"
         << Html(m.title.value_or(tr.Tr("(no title)"))) << "</a>";
    const std::string link = m.canonical_link.value_or(m.link.value_or(""));
    if (!SafeHref(link).empty()) {
      body << " "
           << ExternalLink(link, "<span class=\"out\">" + Html(tr.Tr("open")) + " \u2197</span>");
    }
    body << "<p class=\"snippet\">" << MarkedSnippet(m.snippet, m.highlights, 60) << "</p>"
         << "<p class=\"meta\">";
    std::set<std::string> shown_rules;
    for (const auto* each : g.mentions) {
      if (!shown_rules.insert(each->rule).second) continue;
      body << "<span class=\"rule\">" << Html(each->rule) << "</span> ";
      const std::optional<std::string> e = config::EntityOf(entities, each->rule);
      if (e && *e != each->rule) body << "<span class=\"entity\">" << Html(*e) << "</span> ";
    }
    body << "\u00b7 <span class=\"feed\">" << Html(m.feed_name) << "</span> \u00b7 <time>"
         << Html(HtmlTime(m.created_at)) << "</time>";
    if (m.language) body << " \u00b7 <span class=\"lang\">" << Html(*m.language) << "</span>";
    body << " \u00b7 <span class=\"status\">" << Html(StatusLabel(tr, m.status)) << "</span>";
    for (const auto& t : m.tags) body << " <span class=\"tag\">#" << Html(t) << "</span>";
    if (g.sources > 1) {
      const auto others = static_cast<std::uint64_t>(g.sources - 1);
      body << " \u00b7 <a class=\"also\" href=\"" << story << "\">"
           << Html(Format(tr.TrN("also in {n} source", "also in {n} sources", others),
                          {{"n", tr.Integer(static_cast<std::int64_t>(others))}}))
           << "</a>";
    }
    body << "</p></div><div class=\"actions\">" << TriageButtons(tr, ":" + ids, "")
         << "</div></li>";
  }
  body << "</ol></form><nav class=\"pages\">";
  if (q.page > 1) {
    body << "<a rel=\"prev\" id=\"prev-page\" href=\"" << Html(ListUrl(q, q.page - 1))
         << "\">\u2190 " << Html(tr.Tr("Newer")) << "</a> ";
  }
  if (more && q.page < kInboxMaxPage) {
    body << "<a rel=\"next\" id=\"next-page\" href=\"" << Html(ListUrl(q, q.page + 1)) << "\">"
         << Html(tr.Tr("Older")) << " \u2192</a>";
  }
  body << "</nav><p class=\"muted keys\" id=\"shortcuts\">"
       << Html(tr.Tr("Keyboard: j and k move between mentions, o opens the story, x checks a "
                     "mention, r marks it read, h handled, i ignored."))
       << "</p>";
  response.body = Page(frame, tr.Tr("Inbox"), body.str());
  return response;
}

}  // namespace veille::web
