// When a channel may send: digest slots (hourly, or daily at a local time) and quiet hours, in
// a named time zone. The calendar math is pure and takes the zone's UTC offset as a function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/time.h"

namespace veille::alert {

// Seconds east of UTC in `zone` at instant `t`.
using UtcOffsetFn = std::function<std::int64_t(UnixSeconds t)>;

// The zone's offset from the system's tz database (/usr/share/zoneinfo); "UTC" and "" are UTC.
// Errors (kConfig) for an unknown zone.
[[nodiscard]] Result<UtcOffsetFn> ZoneOffset(const std::string& zone);

struct DigestSchedule {
  enum class Every { kHourly, kDaily };
  Every every = Every::kDaily;
  int minute_of_day = 8 * 60;  // daily: local time of the digest; hourly: minute past the hour
};

// The latest digest slot at or before `now` (local time `minute_of_day`, or each hour at
// minute_of_day % 60).
UnixSeconds LatestDigestSlot(const DigestSchedule& schedule, UnixSeconds now,
                             const UtcOffsetFn& offset);

// The first digest slot strictly after `now`.
UnixSeconds NextDigestSlot(const DigestSchedule& schedule, UnixSeconds now,
                           const UtcOffsetFn& offset);

// Local window [start, end) in minutes of the day; may wrap midnight (22:00-07:00).
struct QuietHours {
  int start_minute = 0;
  int end_minute = 0;
};

// When `now` is inside the window: the instant it ends (alerts are held until then). nullopt
// outside the window or for an empty window.
std::optional<UnixSeconds> QuietUntil(const QuietHours& quiet, UnixSeconds now,
                                      const UtcOffsetFn& offset);

// "HH:MM" -> minutes of the day; nullopt when malformed.
std::optional<int> ParseClockTime(const std::string& text);

}  // namespace veille::alert
