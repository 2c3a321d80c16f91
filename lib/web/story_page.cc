// GET /story/ID: one story's sources, its mentions with their rules' explanations and triage,
// and the alerts sent for it.
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "archive/document.h"
#include "common/escape.h"
#include "report/charts.h"
#include "store/outbox_repo.h"
#include "store/search.h"
#include "store/triage.h"
#include "web/html.h"
#include "web/inbox.h"
#include "web/inbox_parts.h"

namespace veille::web {
namespace {

using i18n::Format;

// The mentions a story page lists at most (a story has a handful; a runaway one is cut).
constexpr std::size_t kMaxStoryMentions = 200;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

Response StoryResponse(const Request& request, const PageFrame& page_frame,
                       const ArchiveAccess& archive) {
  PageFrame frame = page_frame;
  frame.section = "/inbox";
  const i18n::Translator& tr = *frame.tr;
  Response response;
  auto error = [&](int status, const std::string& heading, const std::string& message) {
    response.status = status;
    response.body = ErrorPage(frame, heading, message);
    return response;
  };
  const std::string id_text = request.path.substr(std::string_view("/story/").size());
  std::int64_t story_id = 0;
  for (const char c : id_text) {
    if (c < '0' || c > '9' || story_id > INT64_MAX / 100)
      return error(404, tr.Tr("Not found"), tr.Tr("There is no page here."));
    story_id = story_id * 10 + (c - '0');
  }
  if (story_id == 0) return error(404, tr.Tr("Not found"), tr.Tr("There is no page here."));
  auto store = archive.Borrow(store::Access::kRead);
  if (!store) return error(500, tr.Tr("The archive cannot be read"), store.error().message);
  auto ids = store::MentionsOfStories(**store, {story_id});
  auto sources = store::StoryEntries(**store, story_id);
  if (!ids || !sources) {
    return error(500, tr.Tr("The archive cannot be read"),
                 !ids ? ids.error().message : sources.error().message);
  }
  if (ids->empty() && sources->empty()) {
    return error(404, tr.Tr("Not found"), tr.Tr("There is no story with this number."));
  }
  if (ids->size() > kMaxStoryMentions) ids->resize(kMaxStoryMentions);
  std::vector<store::MentionRow> mentions;
  for (const std::int64_t id : *ids) {
    auto m = (*store)->GetMention(id);
    if (!m) return error(500, tr.Tr("The archive cannot be read"), m.error().message);
    mentions.push_back(std::move(*m));
  }
  auto alerts = store::OutboxOfMentions(**store, *ids);
  if (!alerts) return error(500, tr.Tr("The archive cannot be read"), alerts.error().message);

  std::map<std::int64_t, const store::StoredEntry*> entries;
  for (const auto& s : *sources) entries[s.id] = &s;
  std::map<std::string, const config::RuleEntry*> rules;
  for (const auto& r : archive.rules) rules[r.name] = &r;

  const store::StoredEntry* lead = sources->empty() ? nullptr : &sources->front();
  const std::string title = !mentions.empty() && mentions.front().title
                                ? *mentions.front().title
                                : (lead && lead->title ? *lead->title : tr.Tr("(no title)"));
  std::ostringstream body;
  body << "<p><a href=\"/inbox\">\u2190 " << Html(tr.Tr("Inbox"))
       << "</a></p><h1 id=\"story-title\">" << Html(title) << "</h1>";

  // Sources: every entry of the story, whichever feed published it.
  body << "<section class=\"card\"><h2>"
       << Html(Format(tr.TrN("{n} source", "{n} sources", sources->size()),
                      {{"n", tr.Integer(static_cast<std::int64_t>(sources->size()))}}))
       << "</h2><ul class=\"sources\" id=\"sources\">";
  for (const auto& s : *sources) {
    const std::string link = s.canonical_link.value_or(s.link.value_or(""));
    body << "<li><span class=\"feed\">" << Html(s.feed_name) << "</span> \u00b7 "
         << ExternalLink(link, Html(s.title.value_or(tr.Tr("(no title)")))) << " \u00b7 <time>"
         << Html(HtmlTime(s.first_seen_at)) << "</time>";
    if (s.language) body << " \u00b7 <span class=\"lang\">" << Html(*s.language) << "</span>";
    body << "</li>";
  }
  body << "</ul></section>";

  // Mentions: the rule, its explanation on that entry (as test-rule --explain), the triage.
  body << "<section class=\"card\"><h2>" << Html(tr.Tr("Rules that matched")) << "</h2>";
  std::map<std::string, std::shared_ptr<const match::Matcher>> matchers;
  std::string text;
  for (const store::MentionRow& m : mentions) {
    body << "<article class=\"mention status-" << store::TriageStatusName(m.status) << "\" id=\"m"
         << m.id << "\"><h3><span class=\"rule\">" << Html(m.rule) << "</span> \u00b7 "
         << Html(report::ReportWord(tr, "rule category", m.category, report::kReportCategories))
         << " \u00b7 <span class=\"feed\">" << Html(m.feed_name)
         << "</span></h3><p class=\"snippet\">" << MarkedSnippet(m.snippet, m.highlights, 200)
         << "</p>";
    const auto rule = rules.find(m.rule);
    const auto entry = entries.find(m.entry_id);
    if (rule == rules.end()) {
      body << "<p class=\"muted\">" << Html(tr.Tr("This rule is no longer in the configuration."))
           << "</p>";
    } else if (entry != entries.end()) {
      auto& matcher = matchers[m.rule];
      if (!matcher) {
        const config::RuleEntry& r = *rule->second;
        auto compiled =
            match::Matcher::Compile({match::RuleSpec{r.name, r.category, r.query, r.exclude}});
        if (compiled) matcher = *compiled;
      }
      if (matcher) {
        body << "<p><code class=\"query\">" << Html(rule->second->query) << "</code></p>"
             << ExplanationHtml(tr, matcher->Explain(archive::DocumentOf(*entry->second, text), 0),
                                rule->second->exclude);
      }
    }
    // Triage of this mention: status, tags, note.
    body << "<form method=\"post\" action=\"/triage\" class=\"triage\">" << CsrfField(frame)
         << "<input type=\"hidden\" name=\"back\" value=\"/story/" << story_id << "\">"
         << "<p>" << Html(tr.Tr("Status:")) << " <strong class=\"status\">"
         << Html(StatusLabel(tr, m.status)) << "</strong> "
         << TriageButtons(tr, ":" + std::to_string(m.id), "") << "</p><label>"
         << Html(tr.Tr("Tags (comma-separated)")) << " <input type=\"text\" name=\"tags\" value=\""
         << Html(Join(m.tags)) << "\"></label><label>" << Html(tr.Tr("Note"))
         << " <textarea name=\"note\" rows=\"2\" maxlength=\"" << store::kMaxNoteBytes << "\">"
         << Html(m.note)
         << "</textarea></label><button type=\"submit\" name=\"act\" value=\"save:" << m.id << "\">"
         << Html(tr.Tr("Save tags and note")) << "</button></form></article>";
  }
  body << "</section>";

  // Alerts: one outbox row per mention and channel, with where its delivery stands.
  body << "<section class=\"card\"><h2>" << Html(tr.Tr("Alerts")) << "</h2>";
  if (alerts->empty()) {
    body << "<p class=\"muted\" id=\"no-alerts\">"
         << Html(tr.Tr("No alert was sent for this story.")) << "</p>";
  } else {
    body << "<table class=\"alerts\" id=\"alerts\"><thead><tr><th>" << Html(tr.Tr("Channel"))
         << "</th><th>" << Html(tr.Tr("Status")) << "</th><th>" << Html(tr.Tr("Attempts"))
         << "</th><th>" << Html(tr.Tr("When")) << "</th><th>" << Html(tr.Tr("Last error"))
         << "</th></tr></thead><tbody>";
    for (const auto& a : *alerts) {
      body << "<tr><td>" << Html(a.channel) << "</td><td class=\"outbox-"
           << store::OutboxStatusName(a.status) << "\">" << Html(store::OutboxStatusName(a.status))
           << "</td><td>" << a.attempts << "</td><td>"
           << Html(HtmlTime(a.delivered_at.value_or(a.created_at))) << "</td><td>"
           << Html(a.last_error.value_or("")) << "</td></tr>";
    }
    body << "</tbody></table>";
  }
  body << "</section>";
  response.body = Page(frame, title, body.str());
  return response;
}

}  // namespace veille::web
