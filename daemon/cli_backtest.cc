#include "daemon/cli_backtest.h"

#include <iostream>
#include <map>

#include "archive/backtest.h"
#include "daemon/cli_archive.h"
#include "daemon/cli_explain.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "i18n/translator.h"
#include "store/search.h"

namespace veille::cli {

int RunBacktest(const config::Config& config, const BacktestOptions& o, std::ostream& out,
                std::ostream& err) {
  auto period = ParsePeriod(o.since.empty() ? "30d" : o.since, "", Now());
  if (!period) {
    err << "veille test-rule: " << period.error().message << "\n";
    return 2;
  }
  const UnixSeconds since = *period->since;
  auto opened = store::Store::Open(config.daemon.database, store::Access::kRead);
  if (!opened) {
    err << "veille test-rule: " << opened.error().message << "\n";
    return 3;
  }
  store::Store& store = **opened;
  store::EntryFilter filter;
  filter.since = since;
  filter.order = store::ParseEntryOrder(o.sort).value_or(store::EntryOrder::kDate);
  if (!o.feed.empty()) {
    auto ids = ResolveFeed(store, o.feed);
    if (!ids) {
      err << "veille test-rule: " << ids.error().message << "\n";
      return ids.error().code == ErrorCode::kInvalidArgument ? 2 : 3;
    }
    filter.feed_ids = std::move(*ids);
  }
  auto result = archive::RunBacktest(store, o.query, o.exclude, filter,
                                     static_cast<std::size_t>(std::max(o.newest, 0)), o.explain);
  if (!result) {
    err << "veille test-rule: " << result.error().message << "\n";
    return result.error().code == ErrorCode::kInvalidArgument ? 2 : 3;
  }
  const std::int64_t scanned = result->entries;
  const archive::SearchStats* stats = &result->stats;
  const auto& per_day = result->per_day;
  const std::vector<SearchHit>& newest = result->newest;
  const std::vector<match::Explanation>& why = result->why;
  if (o.json) {
    nlohmann::json j;
    j["query"] = o.query;
    j["exclude"] = o.exclude;
    j["since"] = FormatIso8601(since);
    j["entries"] = scanned;
    j["candidates"] = stats->candidates;
    j["matches"] = stats->matches;
    j["per_day"] = nlohmann::json::array();
    for (const auto& [day, n] : per_day) {
      j["per_day"].push_back({{"day", FormatIso8601(day).substr(0, 10)}, {"matches", n}});
    }
    j["sort"] = o.sort;
    j["newest"] = nlohmann::json::array();
    for (std::size_t i = 0; i < newest.size(); ++i) {
      j["newest"].push_back(HitJson(newest[i]));
      if (o.explain) j["newest"].back()["explain"] = ExplanationJson(why[i]);
    }
    out << DumpJson(j, 2) << "\n";
    return stats->matches > 0 ? 0 : 1;
  }
  out << archive::BacktestSummary(ShortTime(since), *result, i18n::ProcessTranslator()) << "\n";
  if (stats->matches == 0) return 1;
  std::int64_t peak = 0;
  for (const auto& [day, n] : per_day) peak = std::max(peak, n);
  out << "\n" << i18n::TrP("heading", "PER DAY") << "\n";
  for (const auto& [day, n] : per_day) {
    const auto cells = static_cast<std::size_t>((n * 40 + peak - 1) / peak);
    std::string bar;
    for (std::size_t i = 0; i < cells; ++i) bar += "\u2588";
    out << "  " << FormatIso8601(day).substr(0, 10) << "  " << bar << " " << n << "\n";
  }
  out << "\n"
      << (filter.order == store::EntryOrder::kRelevance ? i18n::TrP("heading", "BEST MATCHES")
          : filter.order == store::EntryOrder::kDetected
              ? i18n::TrP("heading", "LAST DETECTED MATCHES")
              : i18n::TrP("heading", "NEWEST MATCHES"))
      << "\n";
  PrintHitTable(newest);
  if (o.explain) {
    out << "\n" << i18n::TrP("heading", "WHY") << "\n";
    for (std::size_t i = 0; i < newest.size(); ++i) {
      const store::StoredEntry& e = newest[i].entry;
      out << "  " << ShortTime(EntryDateOf(e).at) << "  " << TerminalSafe(e.feed_name) << "  "
          << TerminalSafe(e.title.value_or(i18n::Tr("(no title)"))) << "\n";
      PrintExplanation(why[i], o.exclude, "  ", out);
    }
  }
  return 0;
}

}  // namespace veille::cli
