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
  ChartData data;
  auto volume = store::MentionVolume(store, query);
  if (!volume) return tl::unexpected(volume.error());
  data.volume = std::move(*volume);
  auto sources = store::TopSources(store, query, kTopSources);
  if (!sources) return tl::unexpected(sources.error());
  data.sources = std::move(*sources);
  auto voice = store::ShareOfVoice(store, query, rules);
  if (!voice) return tl::unexpected(voice.error());
  data.voice = std::move(*voice);
  auto languages = store::MentionLanguages(store, query);
  if (!languages) return tl::unexpected(languages.error());
  data.languages = std::move(*languages);
  if (auto reach = store::MentionReach(store, query)) data.reach = *reach;
  return data;
}

}  // namespace veille::report
