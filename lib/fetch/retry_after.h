// Server hints about time: Retry-After (when to come back) and Cache-Control / Expires (how long
// the response stays fresh). Pure: the reference time is the server's Date header or our clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/time.h"

namespace veille::fetch {

inline constexpr std::int64_t kRetryAfterMinS = 60;         // 1 minute
inline constexpr std::int64_t kRetryAfterMaxS = 7 * 86400;  // 7 days

// Retry-After as delay-seconds ("120") or an HTTP-date, relative to `reference` (the response's
// Date header when it has one, which cancels clock skew between us and the server). The result is
// clamped to [kRetryAfterMinS, kRetryAfterMaxS]; nullopt when the value is malformed.
std::optional<std::int64_t> ParseRetryAfter(std::string_view value, UnixSeconds reference);

// max-age from a Cache-Control value ("public, max-age=3600"); s-maxage is ignored (a shared-cache
// hint). nullopt when absent or malformed; 0 for no-cache / no-store / max-age=0.
std::optional<std::int64_t> ParseCacheControlMaxAge(std::string_view cache_control);

// Seconds from `reference` until an Expires date; 0 when already past; nullopt when malformed.
std::optional<std::int64_t> ParseExpires(std::string_view expires, UnixSeconds reference);

}  // namespace veille::fetch
