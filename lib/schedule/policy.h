// The pure poll policy: when should a feed be polled next, given what just happened.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "common/outcome.h"
#include "common/time.h"

namespace veille::schedule {

struct Bounds {
  std::int64_t interval_s = 30 * 60;        // configured interval
  std::int64_t min_interval_s = 5 * 60;     // floor
  std::int64_t max_interval_s = 24 * 3600;  // ceiling (also the backoff cap)
  bool high_priority = false;               // crisis feeds keep the floor
};

struct FeedHistory {
  int consecutive_failures = 0;  // before this outcome
  // Entries first seen in the last 7 days (for the adaptive interval); nullopt = unknown.
  std::optional<int> entries_last_week;
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
// - success (ok, not_modified): the adaptive interval (SuccessInterval) with +-10 % jitter,
//   kept inside [min, max]; the failure count resets to 0;
// - 410 Gone: stop = true;
// - rate_limited with Retry-After: no earlier than Retry-After (clamped to [1 min, 7 d]);
// - every other failure: full-jitter backoff, uniform in [min, BackoffCeiling(failures)].
Decision NextPoll(const Bounds& bounds, const FeedHistory& history, const PollResult& result,
                  UnixSeconds now, std::mt19937_64& rng);

// The interval after a success, before jitter: the feed's cadence (7 days / entries seen in the
// last week; a silent week gives the ceiling) or the configured interval when the cadence is
// unknown, clamped to [min, max]; a publisher hint may only lengthen it (never past max). A
// high-priority feed always gets the floor.
std::int64_t SuccessInterval(const Bounds& bounds, const FeedHistory& history,
                             std::optional<std::int64_t> publisher_hint_s);

// The top of the backoff range after `failures` consecutive failures (1 for the first):
// min(base * 2^(failures - 1), max_interval), where the base is the configured interval clamped
// to [min, max] (the floor for a high-priority feed). The draw itself is uniform in [min, top].
std::int64_t BackoffCeiling(const Bounds& bounds, int failures);

}  // namespace veille::schedule
