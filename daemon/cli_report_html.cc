#include "daemon/cli_report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/escape.h"
#include "common/links.h"
#include "common/redact.h"
#include "common/url.h"

namespace veille::cli {
namespace {

using i18n::Format;

constexpr std::size_t kColors = 8;  // seven rules in colour, the rest grey
constexpr const char* kGrey = "#868e96";

// The categories the report names (others are shown as configured).
constexpr const char* kCategories[] = {i18n::NC_("rule category", "brand"),
                                       i18n::NC_("rule category", "competitor")};

// The feed states of `veille feeds` (store::FeedRow::state).
constexpr const char* kStates[] = {
    i18n::NC_("feed state", "ok"), i18n::NC_("feed state", "failing"),
    i18n::NC_("feed state", "broken"), i18n::NC_("feed state", "gone")};

// A word veille chose from a fixed list, in the report's language; anything else as it is.
std::string Word(const i18n::Translator& tr, const char* context, const std::string& word,
                 const auto& known) {
  for (const char* k : known) {
    if (word == k) return tr.TrP(context, word);
  }
  return word;
}

// One colour per rule, the same in every chart: brands in blues and greens, competitors in warm
// colours, other categories in violet and yellow.
constexpr const char* kBrand[] = {"#3b5bdb", "#0ca678", "#1098ad", "#5c940d"};
constexpr const char* kCompetitor[] = {"#f76707", "#d6336c", "#f59f00", "#c92a2a"};
constexpr const char* kOther[] = {"#7048e8", "#ae3ec9", "#66a80f", "#0b7285"};

// The i-th colour of a category's palette.
const char* SideColour(const std::string& category, std::size_t i) {
  return category == "brand"        ? kBrand[i % 4]
         : category == "competitor" ? kCompetitor[i % 4]
                                    : kOther[i % 4];
}

class RuleColours {
 public:
  explicit RuleColours(const std::vector<store::Series>& rules) {
    std::size_t brand = 0, competitor = 0, other = 0;
    for (const auto& r : rules) {
      const char* c = r.category == "brand"        ? kBrand[brand++ % 4]
                      : r.category == "competitor" ? kCompetitor[competitor++ % 4]
                                                   : kOther[other++ % 4];
      colours_.emplace_back(r.name, c);
    }
  }
  const char* For(const std::string& rule) const {
    for (const auto& [name, c] : colours_) {
      if (name == rule) return c;
    }
    return kGrey;
  }

 private:
  std::vector<std::pair<std::string, const char*>> colours_;
};

std::string Html(std::string_view text) { return EscapeMarkup(text); }

// Only http(s) links become hrefs: a feed cannot smuggle javascript: into the report.
std::string SafeHref(const std::optional<std::string>& link) {
  if (!link) return "";
  return Html(WebLink(*link).value_or(""));  // common/url.h: the one safe-link check
}

// SVG coordinates: always with a dot, whatever the language.
std::string Num(double v, int decimals = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string BucketLabel(UnixSeconds t, store::Bucket bucket, const i18n::Translator& tr) {
  return bucket == store::Bucket::kMonth ? tr.MonthYear(t) : tr.ShortDate(t);
}

// "12:03 UTC, 5 December 2026" as the report writes a moment ("-" when unknown).
std::string Moment(std::optional<UnixSeconds> t, const i18n::Translator& tr) {
  if (!t) return "\u2014";
  return Format(tr.Tr("{datetime} UTC"), {{"datetime", tr.DateTime(*t)}});
}

// A "nice" axis maximum (1, 2, 5 x 10^n) at or above `v`.
std::int64_t NiceMax(std::int64_t v) {
  if (v <= 4) return 4;
  double magnitude = std::pow(10.0, std::floor(std::log10(static_cast<double>(v))));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * magnitude >= static_cast<double>(v))
      return static_cast<std::int64_t>(step * magnitude);
  }
  return v;
}

// Stacked columns: one column per bucket, one colour per rule (the top seven; the rest grey).
std::string VolumeChart(const store::Volume& volume, store::Bucket bucket,
                        const RuleColours& colours, const i18n::Translator& tr) {
  const double width = 880, height = 260, left = 44, right = 12, top = 12, bottom = 30;
  const std::size_t n = volume.buckets.size();
  std::vector<const store::Series*> shown;
  for (const auto& s : volume.rules) {
    if (shown.size() < kColors - 1) shown.push_back(&s);
  }
  std::vector<std::int64_t> other(n, 0), totals(n, 0);
  for (const auto& s : volume.rules) {
    const bool is_shown = std::find(shown.begin(), shown.end(), &s) != shown.end();
    for (std::size_t i = 0; i < n; ++i) {
      totals[i] += s.counts[i];
      if (!is_shown) other[i] += s.counts[i];
    }
  }
  std::int64_t peak = 0;
  for (auto t : totals) peak = std::max(peak, t);
  const std::int64_t axis = NiceMax(peak);
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const double slot = plot_w / static_cast<double>(std::max<std::size_t>(n, 1));
  const double bar = std::max(1.0, slot * 0.72);
  const std::string aria = bucket == store::Bucket::kDay    ? tr.Tr("Mentions per day and rule")
                           : bucket == store::Bucket::kWeek ? tr.Tr("Mentions per week and rule")
                                                            : tr.Tr("Mentions per month and rule");
  const std::string other_rules = tr.Tr("other rules");
  std::ostringstream svg;
  svg << "<svg viewBox=\"0 0 " << width << " " << height << "\" role=\"img\" aria-label=\""
      << Html(aria) << "\" class=\"chart\">";
  for (int g = 0; g <= 4; ++g) {
    const double y = top + plot_h - plot_h * g / 4.0;
    svg << "<line x1=\"" << left << "\" x2=\"" << width - right << "\" y1=\"" << Num(y)
        << "\" y2=\"" << Num(y) << "\" class=\"grid\"/>";
    svg << "<text x=\"" << left - 8 << "\" y=\"" << Num(y + 4)
        << "\" class=\"axis\" text-anchor=\"end\">" << tr.Integer(axis * g / 4) << "</text>";
  }
  for (std::size_t i = 0; i < n; ++i) {
    double y = top + plot_h;
    const double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
    auto segment = [&](std::int64_t count, const char* colour, const std::string& label) {
      if (count == 0) return;
      const double h = plot_h * static_cast<double>(count) / static_cast<double>(axis);
      y -= h;
      svg << "<rect x=\"" << Num(x) << "\" y=\"" << Num(y) << "\" width=\"" << Num(bar)
          << "\" height=\"" << Num(h) << "\" rx=\"" << (bar > 6 ? 2 : 0) << "\" fill=\"" << colour
          << "\"><title>"
          << Html(Format(tr.Tr("{label}: {count}"),
                         {{"label", label}, {"count", tr.Integer(count)}}))
          << "</title></rect>";
    };
    const std::string when = BucketLabel(volume.buckets[i], bucket, tr);
    for (std::size_t r = 0; r < shown.size(); ++r) {
      segment(shown[r]->counts[i], colours.For(shown[r]->name), when + " \u00b7 " + shown[r]->name);
    }
    segment(other[i], kGrey, when + " \u00b7 " + other_rules);
  }
  // At most ~10 labels along the axis.
  const std::size_t every = std::max<std::size_t>(1, (n + 9) / 10);
  for (std::size_t i = 0; i < n; i += every) {
    svg << "<text x=\"" << Num(left + slot * (static_cast<double>(i) + 0.5)) << "\" y=\""
        << height - 10 << "\" class=\"axis\" text-anchor=\"middle\">"
        << Html(BucketLabel(volume.buckets[i], bucket, tr)) << "</text>";
  }
  svg << "</svg><div class=\"legend\">";
  for (std::size_t r = 0; r < shown.size(); ++r) {
    svg << "<span><i style=\"background:" << colours.For(shown[r]->name) << "\"></i>"
        << Html(shown[r]->name) << " <b>" << tr.Integer(shown[r]->total) << "</b></span>";
  }
  std::int64_t other_total = 0;
  for (auto o : other) other_total += o;
  if (other_total > 0) {
    svg << "<span><i style=\"background:" << kGrey << "\"></i>" << Html(other_rules) << " <b>"
        << tr.Integer(other_total) << "</b></span>";
  }
  svg << "</div>";
  return svg.str();
}

// A donut: one arc per rule, drawn with stroke-dasharray on circles of circumference 100.
std::string VoiceChart(const std::vector<store::VoiceShare>& voice, const RuleColours& colours,
                       const i18n::Translator& tr) {
  std::ostringstream svg;
  const double r = 15.915494309189533;  // circumference 100
  svg << "<div class=\"voice\"><svg viewBox=\"0 0 42 42\" class=\"donut\" role=\"img\" "
         "aria-label=\""
      << Html(tr.Tr("Share of voice")) << "\"><circle cx=\"21\" cy=\"21\" r=\"" << r
      << "\" fill=\"none\" stroke=\"#e9ecef\" stroke-width=\"6\"/>";
  double offset = 25;  // start at twelve o'clock
  std::vector<std::string> drawn;
  double brand_share = 0;
  for (const auto& v : voice) {
    std::string colour = colours.For(v.entity);  // an entity named as its rule: the rule's
    if (colour == kGrey) colour = SideColour(v.category, drawn.size());
    drawn.push_back(colour);
    if (v.category == "brand") brand_share += v.share;
    const double len = v.share * 100;
    svg << "<circle cx=\"21\" cy=\"21\" r=\"" << r << "\" fill=\"none\" stroke=\"" << colour
        << "\" stroke-width=\"6\" stroke-dasharray=\"" << Num(len, 3) << " " << Num(100 - len, 3)
        << "\" stroke-dashoffset=\"" << Num(offset, 3) << "\"><title>"
        << Html(Format(tr.Tr("{label}: {count}"),
                       {{"label", v.entity}, {"count", tr.Percent(v.share * 100, 1)}}))
        << "</title></circle>";
    offset -= len;
  }
  svg << "<text x=\"21\" y=\"20.5\" text-anchor=\"middle\" class=\"donut-big\">"
      << tr.Percent(brand_share * 100, 0)
      << "</text><text x=\"21\" y=\"26\" text-anchor=\"middle\" class=\"donut-small\">"
      << Html(tr.TrP("rule category", "brand")) << "</text></svg>";
  svg << "<table class=\"voice-table\">";
  for (std::size_t i = 0; i < voice.size(); ++i) {
    const auto& v = voice[i];
    svg << "<tr><td><i style=\"background:" << drawn[i] << "\"></i>" << Html(v.entity)
        << "</td><td class=\"muted\">" << Html(Word(tr, "rule category", v.category, kCategories))
        << "</td><td class=\"num\">" << tr.Integer(v.stories) << "</td><td class=\"num\"><b>"
        << tr.Percent(v.share * 100, 1) << "</b></td></tr>";
  }
  svg << "</table></div>";
  return svg.str();
}

std::string SourcesChart(const std::vector<store::SourceCount>& sources,
                         const i18n::Translator& tr) {
  std::ostringstream out;
  const std::int64_t top = sources.empty() ? 1 : std::max<std::int64_t>(1, sources[0].mentions);
  out << "<div class=\"bars\">";
  for (const auto& s : sources) {
    const double pct = 100.0 * static_cast<double>(s.mentions) / static_cast<double>(top);
    out << "<div class=\"bar-row\"><span class=\"bar-label\" title=\""
        << Html(RedactUrl(s.feed_url)) << "\">" << Html(s.feed_name)
        << "</span><span class=\"bar-track\"><svg viewBox=\"0 0 100 10\" "
        << "preserveAspectRatio=\"none\"><rect width=\"" << Num(pct)
        << "\" height=\"10\" rx=\"1.5\" "
        << "fill=\"#3b5bdb\"/></svg></span><span class=\"num\">" << tr.Integer(s.mentions)
        << "</span></div>";
  }
  out << "</div>";
  return out.str();
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
    const std::string href = SafeHref(ChooseLinks(s.latest.link, s.latest.canonical_link).primary);
    const std::string title = Html(s.latest.title.value_or(tr.Tr("(no title)")));
    out << "<article class=\"story\"><h3>";
    if (!href.empty()) {
      out << "<a href=\"" << href << "\">" << title << "</a>";
    } else {
      out << title;
    }
    const auto sources = static_cast<std::uint64_t>(std::max<std::int64_t>(s.sources, 0));
    const auto mentions = static_cast<std::uint64_t>(std::max<std::int64_t>(s.mentions, 0));
    out << "</h3><p class=\"meta\">" << Html(Moment(s.first_detected, tr)) << " \u00b7 "
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
    const std::string state = f.state == "ok" && f.consecutive_failures == 0 ? "ok"
                              : f.state == "gone" || f.state == "broken"     ? "bad"
                                                                             : "warn";
    out << "<tr><td title=\"" << Html(RedactUrl(f.url)) << "\">"
        << Html(f.name.empty() ? RedactUrl(f.url) : f.name) << "</td><td><span class=\"dot "
        << state << "\"></span>" << Html(Word(tr, "feed state", f.state, kStates)) << "</td><td>"
        << Html(Moment(f.last_success_at, tr)) << "</td><td class=\"num\">"
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
  const RuleColours colours(data.volume.rules);
  double brand_share = 0;
  for (const auto& v : data.voice) brand_share += v.category == "brand" ? v.share : 0;
  int healthy = 0;
  for (const auto& f : data.feeds) healthy += f.state == "ok" && f.consecutive_failures == 0;
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
       << "</p></header>";
  html << "<div class=\"kpis\">"
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
                                  : VolumeChart(data.volume, data.bucket, colours, tr));
  html << "</section>" << section(i18n::N_("Share of voice")) << "</h2>";
  html << (data.voice.empty()
               ? empty(Format(
                     Html(tr.Tr("No mentions for rules of category {brand} or "
                                "{competitor} in this period.")),
                     {{"brand", "<code>brand</code>"}, {"competitor", "<code>competitor</code>"}}))
               : VoiceChart(data.voice, colours, tr));
  html << "</section>" << section(i18n::N_("Top sources")) << "</h2>";
  html << (data.sources.empty() ? empty(Html(tr.Tr("No sources yet.")))
                                : SourcesChart(data.sources, tr));
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
