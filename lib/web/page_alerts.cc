// GET /alerts: the outbox's pending and dead alerts as `veille outbox` lists them, with "retry"
// per row and for every dead alert: the write of `veille outbox retry ID|--all-dead`
// (store/outbox_repo.h), in one short transaction; then the pending and dead spike and
// feed-health alerts (`veille outbox --events`), each with its own retry (store::RetryEvent).
#include <sstream>

#include "archive/outbox_text.h"
#include "store/outbox_repo.h"
#include "web/archive_pages.h"
#include "web/page_parts.h"

namespace veille::web {
namespace {

using i18n::Format;
using parts::Moment;

// Rows shown per status; the counts above the tables give the whole.
constexpr int kRowsShown = 200;

std::string RetryButton(const PageFrame& frame, const std::string& field, const std::string& value,
                        const std::string& id, const std::string& label) {
  return "<form method=\"post\" action=\"/alerts/retry\">" + CsrfField(frame) +
         "<input type=\"hidden\" name=\"" + field + "\" value=\"" + Html(value) +
         "\"><button type=\"submit\" class=\"small\" id=\"" + id + "\">" + Html(label) +
         "</button></form>";
}

std::string Table(const std::vector<store::OutboxListRow>& rows, const PageFrame& frame,
                  const char* table_id) {
  const i18n::Translator& tr = *frame.tr;
  std::ostringstream out;
  out << "<table class=\"table\" id=\"" << table_id << "\"><thead><tr><th>ID</th><th>"
      << Html(tr.TrP("web column", "Channel")) << "</th><th class=\"num\">"
      << Html(tr.TrP("web column", "Tries")) << "</th><th>" << Html(tr.TrP("web column", "When"))
      << "</th><th>" << Html(tr.TrP("web column", "Rule")) << "</th><th>"
      << Html(tr.TrP("web column", "Mention")) << "</th><th>"
      << Html(tr.TrP("web column", "Last error")) << "</th><th></th></tr></thead><tbody>";
  for (const auto& r : rows) {
    const bool pending = r.row.status == store::OutboxStatus::kPending;
    const std::string when =
        pending ? Format(tr.Tr("next {time}"), {{"time", Moment(r.row.next_attempt_at, tr)}})
                : Moment(r.row.created_at, tr);
    const std::string id = std::to_string(r.row.id);
    out << "<tr id=\"alert-" << id << "\"><td class=\"num\">" << id << "</td><td>"
        << Html(r.row.channel) << "</td><td class=\"num\">" << tr.Integer(r.row.attempts)
        << "</td><td>" << Html(when) << "</td><td>" << Html(r.rule) << "</td><td>"
        << Html(r.title.value_or("")) << " <span class=\"muted\">\u00b7 " << Html(r.feed_name)
        << "</span></td><td class=\"muted\">" << Html(r.row.last_error.value_or("")) << "</td><td>"
        << RetryButton(frame, "id", id, "retry-" + id,
                       pending ? tr.Tr("Send now") : tr.TrP("alert", "Retry"))
        << "</td></tr>";
  }
  out << "</tbody></table>";
  return out.str();
}

// An event's kind ("spike", "feed_health": alert/watch.cc) in words, as `veille outbox
// --events` says it; an unknown one as stored.
std::string EventKind(const std::string& kind, const i18n::Translator& tr) {
  if (kind == "spike" || kind == "feed_health") return tr.TrP("alert kind", kind);
  return kind;
}

// The spike and feed-health alerts (their own outbox, store/outbox_repo.h) that are pending or
// dead, newest first, with the same buttons as the mentions' alerts.
std::string EventTable(const std::vector<store::EventOutboxRow>& rows, const PageFrame& frame) {
  const i18n::Translator& tr = *frame.tr;
  std::ostringstream out;
  out << "<table class=\"table\" id=\"event-alerts\"><thead><tr><th>ID</th><th>"
      << Html(tr.TrP("web column", "Channel")) << "</th><th>"
      << Html(tr.TrP("web column", "Status")) << "</th><th class=\"num\">"
      << Html(tr.TrP("web column", "Tries")) << "</th><th>" << Html(tr.TrP("web column", "When"))
      << "</th><th>" << Html(tr.TrP("web column", "Kind")) << "</th><th>"
      << Html(tr.TrP("web column", "Alert")) << "</th><th>"
      << Html(tr.TrP("web column", "Last error")) << "</th><th></th></tr></thead><tbody>";
  for (const auto& e : rows) {
    const bool pending = e.status == store::OutboxStatus::kPending;
    const std::string when =
        pending ? Format(tr.Tr("next {time}"), {{"time", Moment(e.next_attempt_at, tr)}})
                : Moment(e.event.created_at, tr);
    const std::string id = std::to_string(e.id);
    out << "<tr id=\"event-" << id << "\" class=\"status-" << store::OutboxStatusName(e.status)
        << "\"><td class=\"num\">" << id << "</td><td>" << Html(e.channel) << "</td><td>"
        << Html(tr.TrP("alert status", store::OutboxStatusName(e.status)))
        << "</td><td class=\"num\">" << tr.Integer(e.attempts) << "</td><td>" << Html(when)
        << "</td><td>" << Html(EventKind(e.event.kind, tr)) << "</td><td>" << Html(e.event.title)
        << "</td><td class=\"muted\">" << Html(e.last_error.value_or("")) << "</td><td>"
        << RetryButton(frame, "event", id, "retry-event-" + id,
                       pending ? tr.Tr("Send now") : tr.TrP("alert", "Retry"))
        << "</td></tr>";
  }
  out << "</tbody></table>";
  return out.str();
}

// Event rows read to find the pending and dead ones: events are few (a spike or a broken feed
// at most once per window), delivered ones make up the rest.
constexpr int kEventRowsRead = 2000;

}  // namespace

Response AlertsPage(const ArchiveRequest& r) {
  const i18n::Translator& tr = *r.frame.tr;
  auto counts = store::CountOutbox(r.store);
  auto pending = counts ? store::ListOutbox(r.store, store::OutboxStatus::kPending, kRowsShown)
                        : tl::unexpected(counts.error());
  auto dead = pending ? store::ListOutbox(r.store, store::OutboxStatus::kDead, kRowsShown)
                      : tl::unexpected(pending.error());
  auto events = dead ? store::ListEvents(r.store, kEventRowsRead) : tl::unexpected(dead.error());
  if (!events) return parts::ErrorResponse(r.frame, 500, tr.Tr("Alerts"), events.error().message);
  std::vector<store::EventOutboxRow> waiting;  // pending or dead, newest first
  for (auto& e : *events) {
    if (e.status != store::OutboxStatus::kPending && e.status != store::OutboxStatus::kDead) {
      continue;
    }
    if (waiting.size() < static_cast<std::size_t>(kRowsShown)) waiting.push_back(std::move(e));
  }
  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Alerts")) << "</h1>";
  if (const std::string& n = parts::Query(r.request, "retried"); parts::Id(n)) {
    const auto count = static_cast<std::uint64_t>(*parts::Id(n));
    body << "<p class=\"notice\" id=\"notice\" role=\"status\">"
         << Html(Format(
                tr.TrN("{n} alert queued for delivery.", "{n} alerts queued for delivery.", count),
                {{"n", tr.Integer(static_cast<std::int64_t>(count))}}))
         << "</p>";
  }
  body << "<p class=\"muted\" id=\"counts\">"
       << Html(Format(tr.Tr("Outbox: {counts}"),
                      {{"counts", archive::OutboxCountsText(*counts, tr)}}))
       << "</p>";
  const auto shown = [&](std::size_t n, store::OutboxStatus status) {
    const std::int64_t total = counts->contains(status) ? counts->at(status) : 0;
    return static_cast<std::int64_t>(n) < total
               ? " <span class=\"muted\">\u00b7 " +
                     Html(Format(tr.Tr("the newest {n} of {total}"),
                                 {{"n", tr.Integer(static_cast<std::int64_t>(n))},
                                  {"total", tr.Integer(total)}})) +
                     "</span>"
               : std::string();
  };
  body << "<section class=\"card\" id=\"dead\"><h2>" << Html(tr.Tr("Dead alerts"))
       << shown(dead->size(), store::OutboxStatus::kDead) << "</h2>";
  if (dead->empty()) {
    body << "<p class=\"empty\">" << Html(tr.Tr("No dead alerts.")) << "</p>";
  } else {
    body << "<p class=\"muted\">"
         << Html(tr.Tr("Their retries ran out or the channel refused them for good. Retry puts "
                       "them back in the queue with a fresh retry schedule."))
         << "</p>"
         << RetryButton(r.frame, "all", "dead", "retry-all-dead", tr.Tr("Retry every dead alert"))
         << Table(*dead, r.frame, "dead-alerts");
  }
  body << "</section><section class=\"card\" id=\"pending\"><h2>" << Html(tr.Tr("Pending alerts"))
       << shown(pending->size(), store::OutboxStatus::kPending) << "</h2>";
  if (pending->empty()) {
    body << "<p class=\"empty\">" << Html(tr.Tr("No pending alerts.")) << "</p>";
  } else {
    body << Table(*pending, r.frame, "pending-alerts");
  }
  body << "</section><section class=\"card\" id=\"events\"><h2>"
       << Html(tr.Tr("Spike and feed-health alerts")) << "</h2>";
  if (waiting.empty()) {
    body << "<p class=\"empty\">" << Html(tr.Tr("No pending or dead spike or feed-health alerts."))
         << "</p>";
  } else {
    body << "<p class=\"muted\">"
         << Html(tr.Tr("Pending and dead ones, newest first (veille outbox --events).")) << "</p>"
         << EventTable(waiting, r.frame);
  }
  body << "</section>";
  Response response;
  response.body = Page(r.frame, tr.Tr("Alerts"), body.str());
  return response;
}

Response RetryAlerts(const ArchiveRequest& r) {
  const i18n::Translator& tr = *r.frame.tr;
  if (r.request.Field("all") == "dead") {
    auto n = store::RetryAllDead(r.store, r.now);
    if (!n) return parts::ErrorResponse(r.frame, 503, tr.Tr("Alerts"), n.error().message);
    return SeeOther("/alerts?retried=" + std::to_string(*n));
  }
  if (const auto event = parts::Id(r.request.Field("event"))) {
    auto done = store::RetryEvent(r.store, *event, r.now);
    if (!done) return parts::ErrorResponse(r.frame, 503, tr.Tr("Alerts"), done.error().message);
    if (!*done) {
      return parts::ErrorResponse(
          r.frame, 400, tr.Tr("Bad request"),
          tr.Tr("This alert is no longer pending or dead: reload the page."));
    }
    return SeeOther("/alerts?retried=1");
  }
  const auto id = parts::Id(r.request.Field("id"));
  auto done = id ? store::RetryOutbox(r.store, *id, r.now) : Result<bool>(false);
  if (!done) return parts::ErrorResponse(r.frame, 503, tr.Tr("Alerts"), done.error().message);
  if (!*done) {
    return parts::ErrorResponse(r.frame, 400, tr.Tr("Bad request"),
                                tr.Tr("This alert is no longer pending or dead: reload the page."));
  }
  return SeeOther("/alerts?retried=1");
}

}  // namespace veille::web
