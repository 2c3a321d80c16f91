#include "schedule/policy.h"

#include <algorithm>

namespace veille::schedule {
namespace {

constexpr std::int64_t kWeekS = 7 * 86400;
constexpr std::int64_t kRetryAfterMinS = 60;
constexpr std::int64_t kRetryAfterMaxS = 7 * 86400;

std::int64_t Uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// Sanitised bounds: a floor of at least 1 s and a ceiling no lower than the floor.
struct Range {
  std::int64_t min_s;
  std::int64_t max_s;
};
Range Normalise(const Bounds& b) {
  const std::int64_t lo = std::max<std::int64_t>(1, b.min_interval_s);
  return {lo, std::max(lo, b.max_interval_s)};
}

}  // namespace

std::int64_t SuccessInterval(const Bounds& bounds, const FeedHistory& history,
                             std::optional<std::int64_t> publisher_hint_s) {
  const Range r = Normalise(bounds);
  if (bounds.high_priority) return r.min_s;  // crisis feeds keep the floor, hints or not
  // What the user asked is the longest wait (a floor below it wins: politeness first).
  std::int64_t interval = std::max(bounds.interval_s, r.min_s);
  if (history.new_entries && *history.new_entries > 0 &&
      history.observed_s >= kMinObservedSeconds) {
    // Miniflux's cadence (the observed time divided by the entries seen in it), used only to go
    // faster: a quiet feed stays at the configured interval.
    const std::int64_t cadence = std::min(history.observed_s, kWeekS) / *history.new_entries;
    interval = std::clamp(cadence, r.min_s, interval);
  }
  if (bounds.honor_publisher_interval && publisher_hint_s && *publisher_hint_s > interval) {
    // The user opted in: a publisher may ask for longer waits, never past the ceiling.
    interval = std::max(interval, std::min(*publisher_hint_s, r.max_s));
  }
  return interval;
}

std::int64_t BackoffCeiling(const Bounds& bounds, int failures) {
  const Range r = Normalise(bounds);
  // The base is the feed's own interval (the floor for a high-priority feed): a failing feed is
  // not polled more often than a healthy one would be, on average, and slows down from there.
  std::int64_t ceiling =
      bounds.high_priority ? r.min_s : std::clamp(bounds.interval_s, r.min_s, r.max_s);
  for (int i = 1; i < failures && ceiling < r.max_s; ++i) ceiling *= 2;
  return std::min(ceiling, r.max_s);
}

Decision NextPoll(const Bounds& bounds, const FeedHistory& history, const PollResult& result,
                  UnixSeconds now, std::mt19937_64& rng) {
  const Range r = Normalise(bounds);
  Decision d;
  if (IsSuccess(result.outcome)) {
    d.consecutive_failures = 0;
    const std::int64_t interval = SuccessInterval(bounds, history, result.publisher_hint_s);
    // Up to 10 % earlier spreads feeds that share a host; never later than the interval (the
    // user's promise) and never under the floor.
    const std::int64_t spread = interval / 10;
    d.next_due = now + std::max(Uniform(rng, interval - spread, interval), r.min_s);
    return d;
  }

  d.consecutive_failures = history.consecutive_failures + 1;
  if (result.outcome == Outcome::kGone) {
    d.stop = true;
    d.next_due = now;
    return d;
  }
  if (result.outcome == Outcome::kRateLimited && result.retry_after_s) {
    // Never earlier than the server asked (clamped to [1 min, 7 d]); a little jitter after it.
    const std::int64_t wait = std::clamp(*result.retry_after_s, kRetryAfterMinS, kRetryAfterMaxS);
    d.next_due = now + wait + Uniform(rng, 0, std::min<std::int64_t>(wait / 10, 3600));
    return d;
  }
  // Exponential backoff with full jitter: uniform in [floor, min(base * 2^(failures-1), max)].
  const std::int64_t ceiling = BackoffCeiling(bounds, d.consecutive_failures);
  d.next_due = now + Uniform(rng, r.min_s, ceiling);
  return d;
}

}  // namespace veille::schedule
