// Time values as data: wall-clock instants are Unix seconds (64-bit); the pure core never reads a
// clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace veille {

using UnixSeconds = std::int64_t;

// "2026-11-25T20:33:25Z". Works for any 64-bit value in years 0..9999; clamps outside.
std::string FormatIso8601(UnixSeconds t);

// Parses "2026-11-25T20:33:25Z" (the exact form FormatIso8601 writes). nullopt otherwise.
std::optional<UnixSeconds> ParseIso8601Utc(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

// A UTC instant broken down into its civil date and time of day (clamped to years 0..9999).
struct CivilTime {
  std::int64_t year = 1970;
  unsigned month = 1;    // 1..12
  unsigned day = 1;      // 1..31
  unsigned weekday = 4;  // 0 = Sunday .. 6 = Saturday
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
};
CivilTime ToCivil(UnixSeconds t);

// Durations as written in configs and CLI flags: "90s", "30m", "24h", "7d", "2w", combinations
// ("1h30m"), or a bare number of seconds. nullopt for anything else, zero or negative.
std::optional<std::int64_t> ParseDurationSeconds(std::string_view text);

// "30m", "1h30m", "2d": the inverse of ParseDurationSeconds, for messages and print-config.
std::string FormatDuration(std::int64_t seconds);

}  // namespace veille
