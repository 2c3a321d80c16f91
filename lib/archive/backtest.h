// The backtest: a rule replayed over the entries already stored, so that a team can tune it
// before it sends alerts (`veille test-rule --since`, the web inbox's rule tester).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "archive/search.h"
#include "common/result.h"
#include "common/time.h"
#include "i18n/translator.h"
#include "match/explain.h"
#include "store/search.h"

namespace veille::archive {

struct Backtest {
  std::int64_t entries = 0;                     // stored entries within the filter
  SearchStats stats;                            // candidates from the index, confirmed matches
  std::map<UnixSeconds, std::int64_t> per_day;  // matches per day (the entry's date, UTC)
  std::vector<SearchHit> newest;                // the first `newest` matches in filter.order
  std::vector<match::Explanation> why;          // with `explain`: why each of `newest` matched
};

// Replays `query` (minus `exclude`) over the entries of `filter`. A malformed query or exclude
// fails with kInvalidArgument and its "column N: message" (as SearchArchive).
[[nodiscard]] Result<Backtest> RunBacktest(store::Store& store, const std::string& query,
                                           const std::string& exclude,
                                           const store::EntryFilter& filter, std::size_t newest,
                                           bool explain);

// The backtest's one-line summary, as `veille test-rule --since` prints it and the rule tester
// shows it: "Backtest since {since} UTC: 3 of 1,412 stored entries would have matched (5
// candidates from the full-text index)", each count with the plural the language gives it.
std::string BacktestSummary(const std::string& since, const Backtest& backtest,
                            const i18n::Translator& tr);

}  // namespace veille::archive
