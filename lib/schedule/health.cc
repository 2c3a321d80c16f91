#include "schedule/health.h"

namespace veille::schedule {

FeedState Health(Outcome last_outcome, std::optional<UnixSeconds> failing_since, UnixSeconds now,
                 std::int64_t broken_after_s) {
  if (last_outcome == Outcome::kGone) return FeedState::kGone;
  if (IsSuccess(last_outcome)) return FeedState::kOk;
  if (failing_since && now - *failing_since >= broken_after_s) return FeedState::kBroken;
  return FeedState::kFailing;
}

bool SendValidators(std::optional<UnixSeconds> last_unconditional, UnixSeconds now,
                    std::int64_t period_s) {
  return last_unconditional && now - *last_unconditional < period_s;
}

}  // namespace veille::schedule
