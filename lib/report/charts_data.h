// What the charts of `veille report` and of the web inbox's dashboard read from the store, in one
// place: the volume per rule over time, the share of voice, the top sources, the languages and
// the reach of a period, through the store interface (store/stats.h).
#pragma once

#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "store/stats.h"
#include "store/store.h"

namespace veille::report {

// Every configured rule with its entity and category, for store::ShareOfVoice: the config is the
// one home of the rule -> entity mapping (read when counting, never stored).
std::vector<store::RuleEntity> RuleEntities(const std::vector<config::RuleEntry>& rules);

// How many sources the charts list.
inline constexpr int kTopSources = 10;

// The bucket a period is drawn with unless one is chosen: days up to 62 days, weeks up to a year
// (366 days), months beyond (`veille report --by`'s default).
store::Bucket BucketForPeriod(UnixSeconds since, UnixSeconds until);

struct ChartData {
  store::Volume volume;
  std::vector<store::VoiceShare> voice;
  std::vector<store::SourceCount> sources;
  std::vector<store::LanguageCount> languages;
  store::Reach reach;  // zeros when it could not be read (the figures are a bonus)
};

// The charts of the period `query` (since, until, now, bucket, count_by, language); `rules` maps
// each configured rule to its entity for the share of voice. Fails with the first query that
// fails.
[[nodiscard]] Result<ChartData> ReadCharts(store::Store& store, const store::StatsQuery& query,
                                           const std::vector<store::RuleEntity>& rules);

}  // namespace veille::report
