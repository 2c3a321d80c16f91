#include "daemon/cli_report_html.h"

#include <algorithm>
#include <sstream>

#include "common/escape.h"
#include "common/links.h"
#include "common/redact.h"
#include "i18n/language_names.h"
#include "report/charts.h"

namespace veille::cli {
namespace {

using i18n::Format;
using report::ReportWord;

// The feed states of `veille feeds` (store::FeedRow::state).
constexpr const char* kStates[] = {
    i18n::NC_("feed state", "ok"), i18n::NC_("feed state", "failing"),
    i18n::NC_("feed state", "broken"), i18n::NC_("feed state", "gone")};

std::string Html(std::string_view text) { return EscapeMarkup(text); }

// "12:03 UTC, 5 December 2026" as the report writes a moment ("-" when unknown).
std::string Moment(std::optional<UnixSeconds> t, const i18n::Translator& tr) {
  if (!t) return "\u2014";
  return Format(tr.Tr("{datetime} UTC"), {{"datetime", tr.DateTime(*t)}});
}

std::string Snippet(const store::MentionRow& m) {
  std::string out;
  std::size_t at = 0;
  for (const auto& [b, e] : m.highlights) {
    if (b < at || e < b || e > m.snippet.size()) break;
    out += Html(m.snippet.substr(at, b - at)) + "<mark>" + Html(m.snippet.substr(b, e - b)) +
           "</mark>";
    at = e;
  }
  return out + Html(m.snippet.substr(at));
}

std::string StoriesBlock(const std::vector<store::StorySummary>& stories,
                         const i18n::Translator& tr) {
  std::ostringstream out;
  for (const auto& s : stories) {
    // The canonical link where known: a Google Alerts redirect unwrapped, no tracking.
    const std::string href =
        SafeHref(ChooseLinks(s.latest.link, s.latest.canonical_link).primary.value_or(""));
    const std::string title = Html(s.latest.title.value_or(tr.Tr("(no title)")));
    out << "<article class=\"story\"><h3>";
    if (!href.empty()) {
      out << "<a href=\"" << href << "\">" << title << "</a>";
    } else {
      out << title;
    }
    const auto sources = static_cast<std::uint64_t>(std::max<std::int64_t>(s.sources, 0));
    const auto mentions = static_cast<std::uint64_t>(std::max<std::int64_t>(s.mentions, 0));
    // When the article came out (the chart beside it counts by that date), else when veille
    // first saw it: after a first poll or a backfill, every story was "detected" the same minute.
    const std::string when =
        s.first_published
            ? Format(tr.Tr("published {moment}"), {{"moment", Moment(*s.first_published, tr)}})
            : Format(tr.Tr("detected {moment}"), {{"moment", Moment(s.first_detected, tr)}});
    out << "</h3><p class=\"meta\">" << Html(when) << " \u00b7 "
        << Html(
               Format(tr.TrN("{n} source", "{n} sources", sources), {{"n", tr.Integer(s.sources)}}))
        << " \u00b7 "
        << Html(Format(tr.TrN("{n} mention", "{n} mentions", mentions),
                       {{"n", tr.Integer(s.mentions)}}));
    for (const auto& r : s.rules) out << " <span class=\"chip\">" << Html(r) << "</span>";
    out << "</p><p class=\"snippet\">" << Snippet(s.latest) << "</p><p class=\"sources\">";
    for (std::size_t i = 0; i < s.feeds.size(); ++i)
      out << (i ? " \u00b7 " : "") << Html(s.feeds[i]);
    out << "</p></article>";
  }
  return out.str();
}

std::string HealthTable(const std::vector<store::FeedRow>& feeds, const i18n::Translator& tr) {
  std::ostringstream out;
  out << "<table class=\"health\"><thead><tr><th>" << Html(tr.TrP("report column", "Feed"))
      << "</th><th>" << Html(tr.TrP("report column", "State")) << "</th><th>"
      << Html(tr.TrP("report column", "Last success")) << "</th><th class=\"num\">"
      << Html(tr.TrP("report column", "Failures")) << "</th><th class=\"num\">"
      << Html(tr.TrP("report column", "Entries")) << "</th><th class=\"num\">"
      << Html(tr.TrP("report column", "Mentions")) << "</th><th>"
      << Html(tr.TrP("report column", "Last error")) << "</th></tr></thead><tbody>";
  for (const auto& f : feeds) {
    const std::string state = f.state == FeedState::kOk && f.consecutive_failures == 0 ? "ok"
                              : f.state == FeedState::kGone || f.state == FeedState::kBroken
                                  ? "bad"
                                  : "warn";
    out << "<tr><td title=\"" << Html(RedactUrl(f.url)) << "\">"
        << Html(f.name.empty() ? RedactUrl(f.url) : f.name) << "</td><td><span class=\"dot "
        << state << "\"></span>"
        << Html(ReportWord(tr, "feed state", std::string(FeedStateName(f.state)), kStates))
        << "</td><td>" << Html(Moment(f.last_success_at, tr)) << "</td><td class=\"num\">"
        << tr.Integer(f.consecutive_failures) << "</td><td class=\"num\">"
        << tr.Integer(f.entry_count) << "</td><td class=\"num\">" << tr.Integer(f.mention_count)
        << "</td><td class=\"muted\">" << Html(f.last_error.value_or("")) << "</td></tr>";
  }
  out << "</tbody></table>";
  return out.str();
}

constexpr const char* kStyle = R"css(
:root{--ink:#1f2933;--muted:#6b7785;--line:#e6e9ee;--card:#fff;--bg:#f5f6f8;--accent:#3b5bdb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:960px;margin:0 auto;padding:32px 20px 48px}
header h1{margin:0;font-size:28px;letter-spacing:-.02em}
header p{margin:4px 0 0;color:var(--muted)}
header p.filter{color:var(--accent);font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:24px 0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px}
.kpi b{display:block;font-size:26px;letter-spacing:-.02em}
.kpi span{color:var(--muted);font-size:13px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin:16px 0}
section h2{margin:0 0 12px;font-size:17px}
.chart{width:100%;height:auto;display:block}
.grid{stroke:var(--line);stroke-width:1}
.axis{fill:var(--muted);font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin-top:8px;font-size:13px}
.legend i,.voice-table i{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.voice{display:flex;gap:28px;align-items:center;flex-wrap:wrap}
.donut{width:180px;height:180px;transform:rotate(0deg)}
.donut-big{font-size:8px;font-weight:700;fill:var(--ink)}
.donut-small{font-size:3.2px;fill:var(--muted)}
.voice-table{border-collapse:collapse;font-size:14px;flex:1;min-width:260px}
.voice-table td{padding:5px 8px;border-bottom:1px solid var(--line)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.bars{display:grid;gap:6px}
.bar-row{display:grid;grid-template-columns:220px 1fr 60px;gap:10px;align-items:center;font-size:14px}
.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.with-notes .bar-row{grid-template-columns:220px 1fr 140px}
.bar-row .num{white-space:nowrap}
.bar-track svg{width:100%;height:12px;display:block;background:#eef1f6;border-radius:3px}
.story{border-top:1px solid var(--line);padding:12px 0}
.story:first-of-type{border-top:0;padding-top:0}
.story h3{margin:0;font-size:15.5px}
.story h3 a{color:var(--ink);text-decoration:none}
.story h3 a:hover{color:var(--accent);text-decoration:underline}
.meta,.sources{margin:2px 0;color:var(--muted);font-size:13px}
.snippet{margin:6px 0;font-size:14px}
mark{background:#fff3bf;color:inherit;border-radius:2px;padding:0 1px}
.chip{display:inline-block;background:#edf2ff;color:#364fc7;border-radius:999px;padding:0 8px;font-size:12px}
.health{width:100%;border-collapse:collapse;font-size:13.5px}
.health th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:6px 8px}
.health td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
.health td:last-child{max-width:260px;overflow-wrap:anywhere}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}
.dot.ok{background:#0ca678}.dot.warn{background:#f59f00}.dot.bad{background:#e03131}
.empty{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media (max-width:700px){.kpis{grid-template-columns:repeat(2,1fr)}.bar-row{grid-template-columns:120px 1fr 48px}}
@media print{body{background:#fff}section,.kpi{break-inside:avoid}}
)css";

}  // namespace

std::string ReportPeriod(const ReportData& data, const i18n::Translator& tr) {
  return Format(tr.Tr("{since} \u2192 {until}"),
                {{"since", tr.Date(data.since)}, {"until", tr.Date(data.until)}});
}

std::string RenderReport(const ReportData& data, const i18n::Translator& tr) {
  const report::RuleColours colours(data.volume.rules);
  double brand_share = 0;
  for (const auto& v : data.voice) brand_share += v.category == "brand" ? v.share : 0;
  int healthy = 0;
  for (const auto& f : data.feeds)
    healthy += f.state == FeedState::kOk && f.consecutive_failures == 0;
  const std::string title = data.title.empty() ? tr.Tr("Mention report") : data.title;
  const std::string period = ReportPeriod(data, tr);
  const std::string by = data.bucket == store::Bucket::kDay    ? tr.Tr("by day")
                         : data.bucket == store::Bucket::kWeek ? tr.Tr("by week")
                                                               : tr.Tr("by month");
  auto kpi = [&](const std::string& figure, const std::string& label) {
    return "<div class=\"kpi\"><b>" + figure + "</b><span>" + Html(label) + "</span></div>";
  };
  auto section = [&](const char* heading) { return "<section><h2>" + Html(tr.Tr(heading)); };
  auto empty = [&](const std::string& text) { return "<p class=\"empty\">" + text + "</p>"; };

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"" << Html(tr.language())
       << "\"><head><meta charset=\"utf-8\">"
       << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
       << "<meta name=\"generator\" content=\"veille\"><title>" << Html(title) << " \u00b7 "
       << Html(period) << "</title><style>" << kStyle << "</style></head><body><main>";
  html << "<header><h1>" << Html(title) << "</h1><p>"
       << Html(Format(tr.Tr("{period} (UTC) \u00b7 {by} \u00b7 generated {datetime} UTC"),
                      {{"period", period}, {"by", by}, {"datetime", tr.DateTime(data.generated)}}))
       << "</p>";
  if (!data.language.empty()) {
    html << "<p class=\"filter\">"
         << Html(Format(
                tr.Tr("Only entries in {language} ({tag})"),
                {{"language", i18n::LanguageName(tr, data.language)}, {"tag", data.language}}))
         << "</p>";
  }
  html << "</header><div class=\"kpis\">"
       << kpi(tr.Integer(data.volume.total),
              tr.TrN("mention", "mentions", static_cast<std::uint64_t>(data.volume.total)))
       << kpi(tr.Integer(data.story_count),
              tr.TrN("story", "stories", static_cast<std::uint64_t>(data.story_count)))
       << kpi(tr.Integer(data.source_count), tr.TrN("source with mentions", "sources with mentions",
                                                    static_cast<std::uint64_t>(data.source_count)))
       << kpi(data.voice.empty() ? std::string("\u2014") : tr.Percent(brand_share * 100, 0),
              tr.Tr("brand share of voice"))
       << "</div>";
  html << section(i18n::N_("Mentions over time")) << "</h2>";
  html << (data.volume.total == 0 ? empty(Html(tr.Tr("No mentions in this period.")))
                                  : report::VolumeChart(data.volume, data.bucket, colours, tr));
  html << "</section>" << section(i18n::N_("Share of voice")) << "</h2>";
  html << (data.voice.empty()
               ? empty(Format(
                     Html(tr.Tr("No mentions for rules of category {brand} or "
                                "{competitor} in this period.")),
                     {{"brand", "<code>brand</code>"}, {"competitor", "<code>competitor</code>"}}))
               : report::VoiceChart(data.voice, colours, tr));
  html << "</section>" << section(i18n::N_("Top sources")) << "</h2>";
  html << (data.sources.empty() ? empty(Html(tr.Tr("No sources yet.")))
                                : report::SourcesChart(data.sources, tr));
  if (data.language.empty()) {  // with --lang, one language: nothing to compare
    html << "</section>" << section(i18n::N_("Mentions by language")) << "</h2>";
    html << (data.languages.empty() ? empty(Html(tr.Tr("No mentions in this period.")))
                                    : report::LanguagesChart(data.languages, tr));
  }
  html << "</section>" << section(i18n::N_("Top stories")) << "</h2>";
  html << (data.stories.empty() ? empty(Html(tr.Tr("No stories yet.")))
                                : StoriesBlock(data.stories, tr));
  html << "</section>" << section(i18n::N_("Feed health")) << " <span class=\"muted\">\u00b7 "
       << Html(Format(
              tr.TrN("{healthy} of {n} healthy", "{healthy} of {n} healthy", data.feeds.size()),
              {{"healthy", tr.Integer(healthy)},
               {"n", tr.Integer(static_cast<std::int64_t>(data.feeds.size()))}}))
       << "</span></h2>" << HealthTable(data.feeds, tr) << "</section>";
  html << "<footer>" << Html(tr.Tr("veille \u00b7 self-hosted brand monitoring"))
       << "</footer></main></body></html>\n";
  return html.str();
}

}  // namespace veille::cli
