// The pure poll policy: when should a feed be polled next, given what just happened.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "common/outcome.h"
#include "common/time.h"

namespace veille::schedule {

struct Bounds {
  std::int64_t interval_s = 30 * 60;        // configured interval: the longest wait after a success
  std::int64_t min_interval_s = 5 * 60;     // floor
  std::int64_t max_interval_s = 24 * 3600;  // ceiling of the backoff and of publisher hints
  bool high_priority = false;               // crisis feeds keep the floor
  bool honor_publisher_interval = false;    // publisher hints may lengthen the interval
};

// How long the adaptive cadence must have watched a feed before it may shorten the interval.
inline constexpr std::int64_t kMinObservedSeconds = 86400;

struct FeedHistory {
  int consecutive_failures = 0;  // before this outcome
  // Entries first seen after the feed's first poll within the last `observed_s` seconds (at
  // most 7 days); the first poll's backlog never counts. nullopt = unknown.
  std::optional<int> new_entries;
  std::int64_t observed_s = 0;
};

struct PollResult {
  Outcome outcome = Outcome::kOk;
  std::optional<std::int64_t> retry_after_s;     // from the server
  std::optional<std::int64_t> publisher_hint_s;  // ttl / sy:updatePeriod / max-age
};

// Seconds from `now` until the next poll, and the new failure count.
struct Decision {
  UnixSeconds next_due = 0;
  int consecutive_failures = 0;
  bool stop = false;  // 410 Gone: never poll again
};

// Pure: the same inputs and RNG state give the same decision. Rules (docs/polling.md):
// - success (ok, not_modified): the interval of SuccessInterval, jittered down by up to 10 %
//   (never later than the interval, never under the floor); the failure count resets to 0;
// - 410 Gone: stop = true;
// - rate_limited with Retry-After: no earlier than Retry-After (clamped to [1 min, 7 d]);
// - every other failure: full-jitter backoff, uniform in [min, BackoffCeiling(failures)].
Decision NextPoll(const Bounds& bounds, const FeedHistory& history, const PollResult& result,
                  UnixSeconds now, std::mt19937_64& rng);

// The interval after a success, before jitter. Never longer than the configured interval
// (taken at least the floor), so a feed is never polled less often than asked; a busy feed goes
// faster, down to the floor: its cadence (observed_s / new_entries) once observed for a day.
// With honor_publisher_interval, a publisher hint (ttl, sy:updatePeriod, Cache-Control) may
// lengthen it, never past max_interval. A high-priority feed always gets the floor.
std::int64_t SuccessInterval(const Bounds& bounds, const FeedHistory& history,
                             std::optional<std::int64_t> publisher_hint_s);

// The top of the backoff range after `failures` consecutive failures (1 for the first):
// min(base * 2^(failures - 1), max_interval), where the base is the configured interval clamped
// to [min, max] (the floor for a high-priority feed). The draw itself is uniform in [min, top].
std::int64_t BackoffCeiling(const Bounds& bounds, int failures);

}  // namespace veille::schedule
