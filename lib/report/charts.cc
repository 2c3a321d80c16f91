#include "report/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/escape.h"
#include "common/redact.h"
#include "i18n/language_names.h"

namespace veille::report {
namespace {

using i18n::Format;

constexpr std::size_t kColors = 8;  // seven rules in colour, the rest grey
constexpr const char* kGrey = "#868e96";

constexpr const char* kBrand[] = {"#3b5bdb", "#0ca678", "#1098ad", "#5c940d"};
constexpr const char* kCompetitor[] = {"#f76707", "#d6336c", "#f59f00", "#c92a2a"};
constexpr const char* kOther[] = {"#7048e8", "#ae3ec9", "#66a80f", "#0b7285"};

// The i-th colour of a category's palette.
const char* SideColour(const std::string& category, std::size_t i) {
  return category == "brand"        ? kBrand[i % 4]
         : category == "competitor" ? kCompetitor[i % 4]
                                    : kOther[i % 4];
}

std::string Html(std::string_view text) { return EscapeMarkup(text); }

// SVG coordinates: always with a dot, whatever the language.
std::string Num(double v, int decimals = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string BucketLabel(UnixSeconds t, store::Bucket bucket, const i18n::Translator& tr) {
  return bucket == store::Bucket::kMonth ? tr.MonthYear(t) : tr.ShortDate(t);
}

// The volume chart's value axis: gridlines every `step` (1, 2, 2.5, 5 x 10^n, a whole number:
// at magnitude 1, 5/2 is 2 again) from 0 to `max` = lines x step, at or above the peak, with 3
// to 5 intervals (4 up to a peak of 4). Every label is exact: an axis of 10 cut in quarters would
// have labelled 2.5 and 7.5 as 2 and 7.
struct ValueAxis {
  std::int64_t step = 1;
  std::int64_t lines = 4;
  std::int64_t max() const { return step * lines; }
};

ValueAxis AxisFor(std::int64_t peak) {
  if (peak <= 4) return {1, 4};
  for (std::int64_t magnitude = 1;; magnitude *= 10) {
    for (std::int64_t step : {magnitude, 2 * magnitude, 5 * magnitude / 2, 5 * magnitude}) {
      const std::int64_t lines = (peak + step - 1) / step;
      if (lines <= 5) return {step, std::max<std::int64_t>(lines, 3)};
    }
  }
}

// A legend's colour square.
std::string SwatchOf(const char* colour, Swatch swatch) {
  if (swatch == Swatch::kInlineStyle)
    return std::string("<i style=\"background:") + colour + "\"></i>";
  return std::string(
             "<svg class=\"swatch\" viewBox=\"0 0 10 10\" aria-hidden=\"true\"><rect "
             "width=\"10\" height=\"10\" rx=\"3\" fill=\"") +
         colour + "\"/></svg>";
}

}  // namespace

RuleColours::RuleColours(const std::vector<store::Series>& rules) {
  std::size_t brand = 0, competitor = 0, other = 0;
  for (const auto& r : rules) {
    const char* c = r.category == "brand"        ? kBrand[brand++ % 4]
                    : r.category == "competitor" ? kCompetitor[competitor++ % 4]
                                                 : kOther[other++ % 4];
    colours_.emplace_back(r.name, c);
  }
}

const char* RuleColours::For(const std::string& rule) const {
  for (const auto& [name, c] : colours_) {
    if (name == rule) return c;
  }
  return kGrey;
}

std::string VolumeChart(const store::Volume& volume, store::Bucket bucket,
                        const RuleColours& colours, const i18n::Translator& tr, Swatch swatch) {
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
  const ValueAxis axis = AxisFor(peak);
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
  for (std::int64_t g = 0; g <= axis.lines; ++g) {
    const double y =
        top + plot_h - plot_h * static_cast<double>(g) / static_cast<double>(axis.lines);
    svg << "<line x1=\"" << left << "\" x2=\"" << width - right << "\" y1=\"" << Num(y)
        << "\" y2=\"" << Num(y) << "\" class=\"grid\"/>";
    svg << "<text x=\"" << left - 8 << "\" y=\"" << Num(y + 4)
        << "\" class=\"axis\" text-anchor=\"end\">" << tr.Integer(axis.step * g) << "</text>";
  }
  for (std::size_t i = 0; i < n; ++i) {
    double y = top + plot_h;
    const double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
    auto segment = [&](std::int64_t count, const char* colour, const std::string& label) {
      if (count == 0) return;
      const double h = plot_h * static_cast<double>(count) / static_cast<double>(axis.max());
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
    svg << "<span>" << SwatchOf(colours.For(shown[r]->name), swatch) << Html(shown[r]->name)
        << " <b>" << tr.Integer(shown[r]->total) << "</b></span>";
  }
  std::int64_t other_total = 0;
  for (auto o : other) other_total += o;
  if (other_total > 0) {
    svg << "<span>" << SwatchOf(kGrey, swatch) << Html(other_rules) << " <b>"
        << tr.Integer(other_total) << "</b></span>";
  }
  svg << "</div>";
  return svg.str();
}

// A donut: one arc per entity, drawn with stroke-dasharray on circles of circumference 100.
std::string VoiceChart(const std::vector<store::VoiceShare>& voice, const RuleColours& colours,
                       const i18n::Translator& tr, Swatch swatch) {
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
    svg << "<tr><td>" << SwatchOf(drawn[i].c_str(), swatch) << Html(v.entity)
        << "</td><td class=\"muted\">"
        << Html(ReportWord(tr, "rule category", v.category, kReportCategories))
        << "</td><td class=\"num\">" << tr.Integer(v.stories) << "</td><td class=\"num\"><b>"
        << tr.Percent(v.share * 100, 1) << "</b></td></tr>";
  }
  svg << "</table></div>";
  return svg.str();
}

std::string BarsChart(const std::vector<Bar>& bars, const i18n::Translator& tr) {
  std::ostringstream out;
  std::int64_t top = 1;
  bool notes = false;  // a wider number column, so that "15 9 stories" stays on one line
  for (const Bar& b : bars) {
    top = std::max(top, b.value);
    notes = notes || !b.note.empty();
  }
  out << (notes ? "<div class=\"bars with-notes\">" : "<div class=\"bars\">");
  for (const Bar& b : bars) {
    const double pct = 100.0 * static_cast<double>(b.value) / static_cast<double>(top);
    out << "<div class=\"bar-row\"><span class=\"bar-label\"";
    if (!b.tooltip.empty()) out << " title=\"" << Html(b.tooltip) << "\"";
    out << ">" << Html(b.label) << "</span><span class=\"bar-track\"><svg viewBox=\"0 0 100 10\" "
        << "preserveAspectRatio=\"none\"><rect width=\"" << Num(pct)
        << "\" height=\"10\" rx=\"1.5\" fill=\"#3b5bdb\"/></svg></span><span class=\"num\">"
        << tr.Integer(b.value);
    if (!b.note.empty()) out << " <span class=\"muted\">" << Html(b.note) << "</span>";
    out << "</span></div>";
  }
  out << "</div>";
  return out.str();
}

std::string SourcesChart(const std::vector<store::SourceCount>& sources,
                         const i18n::Translator& tr) {
  std::vector<Bar> bars;
  for (const auto& s : sources)
    bars.push_back({s.feed_name, RedactUrl(s.feed_url), s.mentions, ""});
  return BarsChart(bars, tr);
}

std::string LanguagesChart(const std::vector<store::LanguageCount>& languages,
                           const i18n::Translator& tr) {
  std::vector<Bar> bars;
  for (const auto& l : languages) {
    const auto stories = static_cast<std::uint64_t>(std::max<std::int64_t>(l.stories, 0));
    bars.push_back(
        {i18n::LanguageName(tr, l.language), l.language, l.mentions,
         Format(tr.TrN("{n} story", "{n} stories", stories), {{"n", tr.Integer(l.stories)}})});
  }
  return BarsChart(bars, tr);
}

}  // namespace veille::report
