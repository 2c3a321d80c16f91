// The charts of `veille report` (daemon/cli_report_html.h) and of the web inbox's dashboard
// (lib/web/page_dashboard.cc), one implementation for both: inline SVG, no script. Every label is
// escaped (feed names and rule names are hostile text); numbers are written the language's way,
// coordinates with a dot.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "i18n/translator.h"
#include "store/stats.h"

namespace veille::report {

// The categories the report names (others are shown as configured).
inline constexpr const char* kReportCategories[] = {i18n::NC_("rule category", "brand"),
                                                    i18n::NC_("rule category", "competitor")};

// A word veille chose from a fixed list, in the report's language; anything else as it is.
std::string ReportWord(const i18n::Translator& tr, const char* context, const std::string& word,
                       const auto& known) {
  for (const char* k : known) {
    if (word == k) return tr.TrP(context, word);
  }
  return word;
}

// One colour per rule, the same in every chart: brands in blues and greens, competitors in warm
// colours, other categories in violet and yellow.
class RuleColours {
 public:
  explicit RuleColours(const std::vector<store::Series>& rules);
  // The rule's colour; grey for a rule beyond the palettes or not in the volume.
  const char* For(const std::string& rule) const;

 private:
  std::vector<std::pair<std::string, const char*>> colours_;
};

// How a legend's colour swatch is drawn: the report's page has its own <style> and writes
// `<i style="background:...">`; the web pages, under a Content-Security-Policy that forbids
// inline style, draw a small SVG square (a `fill` attribute is not a style).
enum class Swatch { kInlineStyle, kSvg };

// Stacked columns: one column per bucket, one colour per rule (the top seven; the rest grey).
std::string VolumeChart(const store::Volume& volume, store::Bucket bucket,
                        const RuleColours& colours, const i18n::Translator& tr,
                        Swatch swatch = Swatch::kInlineStyle);

// A donut of the share of voice and its table.
std::string VoiceChart(const std::vector<store::VoiceShare>& voice, const RuleColours& colours,
                       const i18n::Translator& tr, Swatch swatch = Swatch::kInlineStyle);

// One horizontal bar.
struct Bar {
  std::string label;
  std::string tooltip;  // "" = none
  std::int64_t value = 0;
  std::string note;  // "" = none; shown after the value ("4 stories")
};

// Horizontal bars scaled to the largest value (top sources, languages).
std::string BarsChart(const std::vector<Bar>& bars, const i18n::Translator& tr);

// The top sources as bars: the feed's name, its URL (credentials redacted) as the tooltip.
std::string SourcesChart(const std::vector<store::SourceCount>& sources,
                         const i18n::Translator& tr);

// One bar per language, named in `tr`'s language, with its stories.
std::string LanguagesChart(const std::vector<store::LanguageCount>& languages,
                           const i18n::Translator& tr);

}  // namespace veille::report
