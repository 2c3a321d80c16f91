#include "alert/schedule.h"

#include <date/tz.h>

#include <chrono>
#include <exception>

namespace veille::alert {
namespace {

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The zone's rules come from the tz database through Howard Hinnant's date library (the
// reference implementation of C++20's std::chrono::locate_zone, which GCC 12 lacks), built by
// Debian to read /usr/share/zoneinfo. A time_zone is immutable once loaded, so offsets are
// computed on any thread without touching the process environment (docs/decisions.md).
std::int64_t OffsetIn(const date::time_zone& zone, UnixSeconds t) {
  return zone.get_info(date::sys_seconds{std::chrono::seconds{t}}).offset.count();
}

// Local midnight of the local day containing `now` (an offset change within the day is taken
// at `now`).
UnixSeconds LocalDayStart(UnixSeconds now, std::int64_t off) {
  return FloorDiv(now + off, 86400) * 86400 - off;
}

}  // namespace

Result<UtcOffsetFn> ZoneOffset(const std::string& zone) {
  if (zone.empty() || zone == "UTC" || zone == "Etc/UTC") {
    return UtcOffsetFn([](UnixSeconds) { return std::int64_t{0}; });
  }
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    tz = nullptr;  // unknown name, or a tz database that cannot be read
  }
  if (tz == nullptr) {
    return Fail(ErrorCode::kConfig, "unknown time zone \"" + zone +
                                        "\" (expected a tz database name such as Europe/Paris)");
  }
  return UtcOffsetFn([tz](UnixSeconds t) { return OffsetIn(*tz, t); });
}

UnixSeconds LatestDigestSlot(const DigestSchedule& schedule, UnixSeconds now,
                             const UtcOffsetFn& offset) {
  const std::int64_t off = offset(now);
  if (schedule.every == DigestSchedule::Every::kHourly) {
    const std::int64_t minute = schedule.minute_of_day % 60;
    const UnixSeconds local = now + off - minute * 60;
    return FloorDiv(local, 3600) * 3600 + minute * 60 - off;
  }
  UnixSeconds slot = LocalDayStart(now, off) + schedule.minute_of_day * 60;
  if (slot > now) {
    const UnixSeconds yesterday = now - 86400;
    slot = LocalDayStart(yesterday, offset(yesterday)) + schedule.minute_of_day * 60;
  }
  return slot;
}

UnixSeconds NextDigestSlot(const DigestSchedule& schedule, UnixSeconds now,
                           const UtcOffsetFn& offset) {
  const std::int64_t step = schedule.every == DigestSchedule::Every::kHourly ? 3600 : 86400;
  // Slots are `step` apart, so exactly one falls in (now, now + step] (a DST change can push
  // it one step further).
  const UnixSeconds next = LatestDigestSlot(schedule, now + step, offset);
  return next > now ? next : LatestDigestSlot(schedule, now + 2 * step, offset);
}

std::optional<UnixSeconds> QuietUntil(const QuietHours& quiet, UnixSeconds now,
                                      const UtcOffsetFn& offset) {
  if (quiet.start_minute == quiet.end_minute) return std::nullopt;
  const std::int64_t off = offset(now);
  const UnixSeconds day = LocalDayStart(now, off);
  const std::int64_t minute = (now - day) / 60;
  const bool wraps = quiet.start_minute > quiet.end_minute;
  const bool inside = wraps ? (minute >= quiet.start_minute || minute < quiet.end_minute)
                            : (minute >= quiet.start_minute && minute < quiet.end_minute);
  if (!inside) return std::nullopt;
  UnixSeconds end = day + quiet.end_minute * 60;
  if (end <= now) end += 86400;
  // The offset at the end may differ (a DST change during the night).
  end += off - offset(end);
  return end;
}

std::optional<int> ParseClockTime(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

}  // namespace veille::alert
