// GET /dashboard: the report's charts (lib/report, one implementation with `veille report`) for a
// period chosen by a preset or two dates, as inline SVG (no script; the legend's swatches are SVG
// too, as the Content-Security-Policy forbids inline style).
#include <sstream>

#include "report/charts.h"
#include "report/charts_data.h"
#include "web/archive_pages.h"
#include "web/page_parts.h"

namespace veille::web {
namespace {

using i18n::Format;

struct Preset {
  const char* key;
  std::int64_t days;
  const char* label;
};
constexpr Preset kPresets[] = {{"7d", 7, i18n::N_("Last 7 days")},
                               {"30d", 30, i18n::N_("Last 30 days")},
                               {"90d", 90, i18n::N_("Last 90 days")}};
constexpr const char* kDefaultPreset = "30d";

std::optional<UnixSeconds> ParseDay(const std::string& text) {
  if (text.size() != 10) return std::nullopt;
  return ParseIso8601Utc(text + "T00:00:00Z");
}

std::string DayValue(UnixSeconds t) { return FormatIso8601(t).substr(0, 10); }

// A figure and its label, as the report's.
std::string Kpi(const std::string& id, const std::string& figure, const std::string& label) {
  return "<div class=\"kpi\" id=\"" + id + "\"><b>" + Html(figure) + "</b><span>" + Html(label) +
         "</span></div>";
}

std::string PeriodChooser(const DashboardPeriod& period, const i18n::Translator& tr,
                          UnixSeconds now) {
  std::ostringstream out;
  out << "<nav class=\"periods\" aria-label=\"" << Html(tr.Tr("Period")) << "\">";
  for (const Preset& p : kPresets) {
    out << "<a href=\"/dashboard?period=" << p.key << "\" id=\"period-" << p.key << "\""
        << (period.preset == p.key ? " aria-current=\"page\"" : "") << ">" << Html(tr.Tr(p.label))
        << "</a>";
  }
  const UnixSeconds last_day = period.until.value_or(now + 1) - 1;
  out << "<form method=\"get\" action=\"/dashboard\" class=\"dates\"><label for=\"since\">"
      << Html(tr.TrP("period", "From")) << "</label><input type=\"date\" id=\"since\" "
      << "name=\"since\" value=\"" << DayValue(period.since) << "\" required><label for=\"until\">"
      << Html(tr.TrP("period", "To")) << "</label><input type=\"date\" id=\"until\" name=\"until\" "
      << "value=\"" << DayValue(last_day) << "\" required><button type=\"submit\" id=\"show\">"
      << Html(tr.Tr("Show")) << "</button></form></nav>";
  return out.str();
}

}  // namespace

DashboardPeriod ParseDashboardPeriod(const Request& request, UnixSeconds now) {
  DashboardPeriod period;
  const std::string& since = parts::Query(request, "since");
  const std::string& until = parts::Query(request, "until");
  if (!since.empty() || !until.empty()) {
    const auto from = ParseDay(since);
    // The last day is included; without one, up to now.
    std::optional<UnixSeconds> to =
        until.empty() ? store::BucketStart(now, store::Bucket::kDay) : ParseDay(until);
    if (to) *to += 86400;
    if (from && to && *from < *to && *to - *from <= 3660 * 86400) {
      period.since = *from;
      period.until = *to;
      return period;
    }
    period.error = i18n::N_(
        "The dates were not understood (YYYY-MM-DD, the first on or before the second, at most "
        "ten years apart): the last 30 days are shown.");
  }
  std::string key = parts::Query(request, "period");
  if (key.empty()) key = kDefaultPreset;
  for (const Preset& p : kPresets) {
    if (key != p.key) continue;
    period.preset = p.key;
    period.since = now - p.days * 86400;
    return period;  // until now; later entry dates count in the last bucket, as in the report
  }
  period.error = i18n::N_("Unknown period: the last 30 days are shown.");
  period.preset = kDefaultPreset;
  period.since = now - 30 * 86400;
  return period;
}

Response DashboardPage(const ArchiveRequest& r) {
  const i18n::Translator& tr = *r.frame.tr;
  const DashboardPeriod period = ParseDashboardPeriod(r.request, r.now);
  store::StatsQuery query;
  query.now = r.now;
  query.since = period.since;
  query.until = period.until;
  query.bucket = report::BucketForPeriod(period.since, period.until.value_or(r.now));
  Response response;
  auto data = report::ReadCharts(r.store, query, report::RuleEntities(r.options.rules));
  if (!data) return parts::ErrorResponse(r.frame, 500, tr.Tr("Dashboard"), data.error().message);
  const report::RuleColours colours(data->volume.rules);
  double brand_share = 0;
  for (const auto& v : data->voice) brand_share += v.category == "brand" ? v.share : 0;
  const std::string by = query.bucket == store::Bucket::kDay    ? tr.Tr("by day")
                         : query.bucket == store::Bucket::kWeek ? tr.Tr("by week")
                                                                : tr.Tr("by month");
  const UnixSeconds last_day = period.until.value_or(r.now + 1) - 1;
  auto empty = [&](const char* text) { return "<p class=\"empty\">" + Html(tr.Tr(text)) + "</p>"; };
  auto section = [&](const char* id, const char* heading) {
    return std::string("<section class=\"card chart-card\" id=\"") + id + "\"><h2>" +
           Html(tr.Tr(heading)) + "</h2>";
  };

  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Dashboard")) << "</h1>" << PeriodChooser(period, tr, r.now);
  if (!period.error.empty())
    body << "<p class=\"error\" id=\"period-error\">" << Html(tr.Tr(period.error)) << "</p>";
  body << "<p class=\"muted\" id=\"period\">"
       << Html(Format(
              tr.Tr("{period} (UTC) \u00b7 {by}"),
              {{"period", Format(tr.Tr("{since} \u2192 {until}"),
                                 {{"since", tr.Date(period.since)}, {"until", tr.Date(last_day)}})},
               {"by", by}}))
       << "</p><div class=\"kpis\">"
       << Kpi("kpi-mentions", tr.Integer(data->volume.total),
              tr.TrN("mention", "mentions", static_cast<std::uint64_t>(data->volume.total)))
       << Kpi("kpi-stories", tr.Integer(data->reach.stories),
              tr.TrN("story", "stories", static_cast<std::uint64_t>(data->reach.stories)))
       << Kpi("kpi-sources", tr.Integer(data->reach.sources),
              tr.TrN("source with mentions", "sources with mentions",
                     static_cast<std::uint64_t>(data->reach.sources)))
       << Kpi("kpi-voice",
              data->voice.empty() ? std::string("\u2014") : tr.Percent(brand_share * 100, 0),
              tr.Tr("brand share of voice"))
       << "</div>";
  body << section("volume", i18n::N_("Mentions over time"))
       << (data->volume.total == 0
               ? empty(i18n::N_("No mentions in this period."))
               : report::VolumeChart(data->volume, query.bucket, colours, tr, report::Swatch::kSvg))
       << "</section>";
  body << section("voice", i18n::N_("Share of voice"));
  if (data->voice.empty()) {
    body << "<p class=\"empty\">"
         << Format(Html(tr.Tr("No mentions for rules of category {brand} or {competitor} in this "
                              "period.")),
                   {{"brand", "<code>brand</code>"}, {"competitor", "<code>competitor</code>"}})
         << "</p>";
  } else {
    body << report::VoiceChart(data->voice, colours, tr, report::Swatch::kSvg);
  }
  body << "</section>" << section("sources", i18n::N_("Top sources"))
       << (data->sources.empty() ? empty(i18n::N_("No sources yet."))
                                 : report::SourcesChart(data->sources, tr))
       << "</section>" << section("languages", i18n::N_("Mentions by language"))
       << (data->languages.empty() ? empty(i18n::N_("No mentions in this period."))
                                   : report::LanguagesChart(data->languages, tr))
       << "</section>";
  response.body = Page(r.frame, tr.Tr("Dashboard"), body.str());
  return response;
}

}  // namespace veille::web
