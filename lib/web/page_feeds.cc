// GET /feeds: every configured feed's health as `veille feeds` shows it (state, last outcome and
// error, last fetch, next poll, failures, encoding suspect), with a "poll now" button that writes
// the request `veille poll` writes (store/poll_requests.h); the running veilled polls the feed at
// once and clears the request with that poll's state.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "archive/daemon_liveness.h"
#include "common/redact.h"
#include "store/poll_requests.h"
#include "web/archive_pages.h"
#include "web/page_parts.h"

namespace veille::web {
namespace {

using i18n::Format;
using parts::Moment;

// The outcome in the page's words, then the error as the fetcher wrote it (once: errors often
// start with their class, "dns: could not resolve ..."), as `veille feeds` shows them.
std::string OutcomeText(const store::FeedRow& f, const i18n::Translator& tr) {
  if (!f.last_outcome) return "\u2014";
  const std::string& raw = *f.last_outcome;
  std::string outcome = tr.TrP("poll outcome", raw);
  if (!f.last_error || f.last_error->empty()) return outcome;
  std::string_view error = *f.last_error;
  if (error.starts_with(raw + ":")) {
    error.remove_prefix(raw.size() + 1);
    while (error.starts_with(' ')) error.remove_prefix(1);
  }
  return Format(tr.TrP("outcome and error", "{outcome}: {error}"),
                {{"outcome", outcome}, {"error", std::string(error)}});
}

// Whether veilled runs on this database, from its heartbeat row, in one sentence.
std::string DaemonLine(store::Store& store, UnixSeconds now, const i18n::Translator& tr,
                       bool* running) {
  *running = false;
  auto status = store.ReadStatus();
  if (!status) return status.error().message;
  switch (archive::LivenessOf(store, *status, now)) {
    case archive::Liveness::kNeverStarted:
      return tr.Tr("veilled has never run on this database: poll requests wait for it.");
    case archive::Liveness::kStopped:
      return Format(tr.Tr("veilled stopped at {time}: poll requests wait for its next start."),
                    {{"time", Moment(*(*status)->stopped_at, tr)}});
    case archive::Liveness::kEnded:
      return Format(tr.Tr("veilled (pid {pid}) ended without a clean stop: poll requests wait "
                          "for its next start."),
                    {{"pid", std::to_string((*status)->pid)}});
    case archive::Liveness::kStale:
      return Format(
          tr.Tr("veilled (pid {pid}) has written no heartbeat since {time}: it may be "
                "hung (see veille status)."),
          {{"pid", std::to_string((*status)->pid)}, {"time", Moment((*status)->heartbeat_at, tr)}});
    case archive::Liveness::kRunning:
      break;
  }
  *running = true;
  return Format(
      tr.Tr("veilled (pid {pid}) is running since {time}; a poll asked here is "
            "answered within a few seconds."),
      {{"pid", std::to_string((*status)->pid)}, {"time", Moment((*status)->started_at, tr)}});
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Response FeedsPage(const ArchiveRequest& r) {
  const i18n::Translator& tr = *r.frame.tr;
  Response response;
  auto rows = r.store.ListFeeds();
  auto pending = rows ? store::PendingPollRequests(r.store)
                      : Result<std::vector<store::PollRequest>>(tl::unexpected(rows.error()));
  if (!pending) return parts::ErrorResponse(r.frame, 500, tr.Tr("Feeds"), pending.error().message);
  std::map<std::string, const store::FeedRow*> by_url;
  for (const auto& f : *rows) by_url[f.url] = &f;
  std::map<std::int64_t, std::int64_t> asked;  // feed id -> requested at (ms)
  for (const auto& p : *pending) asked[p.feed_id] = p.requested_at_ms;

  bool running = false;
  const std::string daemon = DaemonLine(r.store, r.now, tr, &running);
  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Feeds")) << "</h1><p class=\"" << (running ? "muted" : "warning")
       << "\" id=\"daemon\">" << Html(daemon) << "</p>";
  if (const auto id = parts::Id(parts::Query(r.request, "asked"))) {
    for (const auto& f : *rows) {
      if (f.id != *id) continue;
      body << "<p class=\"notice\" id=\"notice\" role=\"status\">"
           << Html(Format(tr.Tr("Asked veilled to poll {feed} now."), {{"feed", f.name}}))
           << "</p>";
    }
  }
  if (r.options.feeds.empty()) {
    body << "<p class=\"empty\">" << Html(tr.Tr("No feeds configured.")) << "</p>";
    response.body = Page(r.frame, tr.Tr("Feeds"), body.str());
    return response;
  }
  body << "<section class=\"card\"><table class=\"table\" id=\"feeds\"><thead><tr><th>"
       << Html(tr.TrP("report column", "Feed")) << "</th><th>"
       << Html(tr.TrP("report column", "State")) << "</th><th>"
       << Html(tr.TrP("web column", "Last outcome")) << "</th><th>"
       << Html(tr.TrP("web column", "Last fetch")) << "</th><th>"
       << Html(tr.TrP("web column", "Next poll")) << "</th><th class=\"num\">"
       << Html(tr.TrP("report column", "Failures")) << "</th><th class=\"num\">"
       << Html(tr.TrP("report column", "Entries")) << "</th><th class=\"num\">"
       << Html(tr.TrP("report column", "Mentions")) << "</th><th></th></tr></thead><tbody>";
  for (const ConfiguredFeed& c : r.options.feeds) {
    const auto it = by_url.find(c.url);
    const store::FeedRow* f = it == by_url.end() ? nullptr : it->second;
    const std::string state =
        !f || !f->last_fetch_at ? "new" : std::string(FeedStateName(f->state));
    const std::string dot = state == "new"                              ? "new"
                            : state == "ok" && !f->consecutive_failures ? "ok"
                            : state == "broken" || state == "gone"      ? "bad"
                                                                        : "warn";
    std::string shown_state = tr.TrP("feed state", state);
    if (f && f->encoding_suspect) {
      shown_state =
          Format(tr.TrP("feed state", "{state}, encoding suspect"), {{"state", shown_state}});
    }
    body << "<tr" << (f ? " id=\"feed-" + std::to_string(f->id) + "\"" : std::string()) << "><td"
         << " title=\"" << Html(RedactUrl(c.url)) << "\">" << Html(c.name) << "</td><td"
         << (f && f->encoding_suspect ? " title=\"" + Html(*f->encoding_suspect) + "\"" : "")
         << "><span class=\"dot " << dot << "\"></span><span class=\"state\">" << Html(shown_state)
         << "</span></td><td class=\"outcome\">" << Html(f ? OutcomeText(*f, tr) : "\u2014")
         << "</td><td>" << parts::MomentCell(f ? f->last_fetch_at : std::nullopt, r.now, tr)
         << "</td><td class=\"next\">";
    if (f && asked.contains(f->id)) {
      body << "<span class=\"asked\">"
           << Html(Format(tr.Tr("asked at {time}"), {{"time", Moment(asked[f->id] / 1000, tr)}}))
           << "</span>";
    } else {
      body << parts::MomentCell(f ? f->next_due_at : std::nullopt, r.now, tr);
    }
    body << "</td><td class=\"num\">" << tr.Integer(f ? f->consecutive_failures : 0)
         << "</td><td class=\"num\">" << tr.Integer(f ? f->entry_count : 0)
         << "</td><td class=\"num\">" << tr.Integer(f ? f->mention_count : 0) << "</td><td>";
    if (f && f->state != FeedState::kGone) {
      body << "<form method=\"post\" action=\"/feeds/poll\">" << CsrfField(r.frame)
           << "<input type=\"hidden\" name=\"feed\" value=\"" << f->id
           << "\"><button type=\"submit\" class=\"small\" id=\"poll-" << f->id << "\">"
           << Html(tr.Tr("Poll now")) << "</button></form>";
    }
    body << "</td></tr>";
  }
  body << "</tbody></table></section>";
  response.body = Page(r.frame, tr.Tr("Feeds"), body.str());
  return response;
}

Response PollNow(const ArchiveRequest& r) {
  const i18n::Translator& tr = *r.frame.tr;
  const auto id = parts::Id(r.request.Field("feed"));
  auto rows = r.store.ListFeeds();
  if (!rows) return parts::ErrorResponse(r.frame, 500, tr.Tr("Feeds"), rows.error().message);
  // As `veille poll`: a configured feed that has not answered 410 Gone.
  const store::FeedRow* feed = nullptr;
  for (const auto& f : *rows) {
    if (id && f.id == *id) feed = &f;
  }
  const bool configured =
      feed && std::any_of(r.options.feeds.begin(), r.options.feeds.end(),
                          [&](const ConfiguredFeed& c) { return c.url == feed->url; });
  if (!configured || feed->state == FeedState::kGone) {
    return parts::ErrorResponse(r.frame, 400, tr.Tr("Bad request"),
                                tr.Tr("This feed cannot be polled: it is not in the configuration, "
                                      "or it answered 410 Gone."));
  }
  auto requested = store::RequestPolls(r.store, {feed->id}, NowMs());
  if (!requested) {
    return parts::ErrorResponse(r.frame, 503, tr.Tr("Feeds"), requested.error().message);
  }
  return SeeOther("/feeds?asked=" + std::to_string(feed->id));
}

}  // namespace veille::web
