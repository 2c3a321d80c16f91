// The pure poll policy: when should a feed be polled next, given what just happened.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "common/outcome.h"
#include "common/time.h"

namespace veille::schedule {

struct Bounds {
  std::int64_t interval_s = 30 * 60;      // configured interval
  std::int64_t min_interval_s = 5 * 60;   // floor
  std::int64_t max_interval_s = 24 * 3600;  // ceiling (also the backoff cap)
  bool high_priority = false;  // crisis feeds keep the floor
};

struct FeedHistory {
  int consecutive_failures = 0;  // before this outcome
  // Entries first seen in the last 7 days (for the adaptive interval); nullopt = unknown.
  std::optional<int> entries_last_week;
};

struct PollResult {
  Outcome outcome = Outcome::kOk;
  std::optional<std::int64_t> retry_after_s;  // from the server
  std::optional<std::int64_t> publisher_hint_s;  // ttl / sy:updatePeriod / max-age
};

// Seconds from `now` until the next poll, and the new failure count.
struct Decision {
  UnixSeconds next_due = 0;
  int consecutive_failures = 0;
  bool stop = false;  // 410 Gone: never poll again
};

// Pure: the same inputs and RNG state give the same decision.
Decision NextPoll(const Bounds& bounds, const FeedHistory& history, const PollResult& result,
                  UnixSeconds now, std::mt19937_64& rng);

}  // namespace veille::schedule
