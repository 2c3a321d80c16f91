#include "report/charts_data.h"

namespace veille::report {

std::vector<store::RuleEntity> RuleEntities(const std::vector<config::RuleEntry>& rules) {
  std::vector<store::RuleEntity> out;
  for (const auto& r : rules) out.push_back({r.name, r.entity, r.category});
  return out;
}

store::Bucket BucketForPeriod(UnixSeconds since, UnixSeconds until) {
  const std::int64_t days = (until - since) / 86400;
  return days <= 62    ? store::Bucket::kDay
         : days <= 366 ? store::Bucket::kWeek
                       : store::Bucket::kMonth;
}

Result<ChartData> ReadCharts(store::Store& store, const store::StatsQuery& query,
                             const std::vector<store::RuleEntity>& rules) {
  // One pass over the period's mentions for every chart.
  auto stats = store::ReadPeriodStats(store, query, rules, kTopSources);
  if (!stats) return tl::unexpected(stats.error());
  ChartData data;
  data.volume = std::move(stats->volume);
  data.sources = std::move(stats->sources);
  data.voice = std::move(stats->voice);
  data.languages = std::move(stats->languages);
  data.reach = stats->reach;
  return data;
}

}  // namespace veille::report
