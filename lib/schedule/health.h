// Feed health and the conditional-GET refresh rule: small pure decisions the pipeline stores
// with the feed so that they survive restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/feed_state.h"
#include "common/outcome.h"
#include "common/time.h"

namespace veille::schedule {

using ::veille::FeedState;  // common/feed_state.h: the store keeps it
using ::veille::FeedStateName;

inline constexpr std::int64_t kDefaultBrokenAfterS = 14 * 86400;

// `failing_since` is the time of the first failure of the current streak (nullopt when the
// feed is not failing). Any failure class counts: a 404 or 401/403 is the usual case, but a
// DNS name that stopped resolving two weeks ago is just as broken.
FeedState Health(Outcome last_outcome, std::optional<UnixSeconds> failing_since, UnixSeconds now,
                 std::int64_t broken_after_s = kDefaultBrokenAfterS);

inline constexpr std::int64_t kUnconditionalEveryS = 24 * 3600;

// Whether this poll may send the stored validators. Once every `period_s` a feed is fetched
// unconditionally, so that a server whose 304s are wrong (a stale ETag forever) cannot hide new
// entries for longer than a day. `last_unconditional` nullopt: never fetched in full.
bool SendValidators(std::optional<UnixSeconds> last_unconditional, UnixSeconds now,
                    std::int64_t period_s = kUnconditionalEveryS);

}  // namespace veille::schedule
