// After a restart, feeds that became due while the daemon was down are spread over a window
// instead of all firing at once. Pure: the caller passes the clock reading.
#pragma once

#include <cstdint>
#include <vector>

#include "common/time.h"

namespace veille::schedule {

// Returns the new due times, index for index. Feeds due at or before `now` are placed at
// now + k * window_s / n (k = 0 .. n-1) in the order they became due (the most overdue first,
// ties in input order); feeds due later keep their time. window_s <= 0 leaves every time as is.
std::vector<UnixSeconds> SpreadOverdue(const std::vector<UnixSeconds>& due, UnixSeconds now,
                                       std::int64_t window_s);

}  // namespace veille::schedule
