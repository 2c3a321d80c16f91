// The HTML page of `veille report`: one self-contained document (inline CSS and SVG; no script,
// no external font or image) with the volume per rule over time, share of voice, top sources,
// mentions by language, top stories with their snippets, and feed health, in the language of a
// Translator (headings, labels, dates and numbers; <html lang>). Feed-provided text is escaped;
// only http(s) links become hrefs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/time.h"
#include "i18n/translator.h"
#include "store/stats.h"
#include "store/store.h"

namespace veille::cli {

// What the report shows, read from the store by cmd_report.cc.
struct ReportData {
  std::string title;  // "" = "Mention report" in the report's language
  UnixSeconds since = 0;
  UnixSeconds until = 0;  // the end of the period (now when open)
  UnixSeconds generated = 0;
  store::Bucket bucket = store::Bucket::kDay;
  store::Volume volume;
  std::vector<store::VoiceShare> voice;
  std::vector<store::SourceCount> sources;
  std::vector<store::LanguageCount> languages;
  std::string language;  // "" = every language; else the --lang filter ("fr")
  std::vector<store::StorySummary> stories;
  std::vector<store::FeedRow> feeds;
  std::int64_t story_count = 0;
  std::int64_t source_count = 0;
};

// The whole page.
std::string RenderReport(const ReportData& data, const i18n::Translator& tr);

// "5 December 2026 → 4 January 2027": the period as the report's header and the command's
// summary line write it.
std::string ReportPeriod(const ReportData& data, const i18n::Translator& tr);

}  // namespace veille::cli
