// Operator alerts beyond single mentions: a rule's mentions spiking above its baseline, and a
// feed that is broken, gone or silent for much longer than its cadence. The decisions are pure;
// RunWatches reads the store and records at most one event per (kind, subject, window).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::alert {

struct SpikeOptions {
  double sigmas = 3.0;  // above mean + sigmas * standard deviation of the baseline
  int min_count = 5;    // and at least this many mentions in the window
  int baseline_days = 14;
  // No spike alerts before the store holds this much history: the first polls of a new
  // install (or backfilled feeds) are not a spike.
  int min_history_days = 7;
};

struct SpikeCheck {
  bool spike = false;
  int count = 0;
  double mean = 0;
  double stddev = 0;
  double threshold = 0;
};

// `baseline`: counts of the same-length windows before the current one.
SpikeCheck DetectSpike(const std::vector<int>& baseline, int current, const SpikeOptions& options);

struct FeedHealthOptions {
  int broken_after_failures = 5;           // consecutive failed polls
  std::int64_t min_silence_s = 2 * 86400;  // never "silent" below this
  double silence_factor = 10.0;            // silent: no new entry for factor x usual gap
};

struct FeedHealthCheck {
  bool unhealthy = false;
  std::string state;       // "broken" | "gone" | "silent"
  std::string reason;      // one line for people
  std::string window_key;  // one alert per episode
  // The details the reason is made of (the event's payload, so that a channel can say it in
  // its own language: event_text.h).
  std::string last_error;         // "gone" and "broken"
  std::int64_t silent_for_s = 0;  // "silent"
  std::int64_t usual_gap_s = 0;   // "silent"
};

// `entries_last_30d`: entries first seen in the last 30 days (the feed's usual cadence).
FeedHealthCheck AssessFeed(const store::FeedRow& feed, int entries_last_30d, UnixSeconds now,
                           const FeedHealthOptions& options);

struct WatchConfig {
  std::map<std::string, std::vector<std::string>> spike_channels;  // rule -> channels
  std::vector<std::string> health_channels;  // operator channels for feed health
  std::vector<std::string> feed_urls;        // the configured feeds
  SpikeOptions spike;
  FeedHealthOptions health;
};

// Checks every rule (last hour and last day against the baseline) and every feed, and records a
// new event for each finding not yet reported in its window. Returns one line per new event.
[[nodiscard]] Result<std::vector<std::string>> RunWatches(store::Store& store,
                                                          const WatchConfig& config,
                                                          UnixSeconds now);

}  // namespace veille::alert
