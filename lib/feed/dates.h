// Feed dates: RFC 822/1123 with real-world variants, W3C-DTF / RFC 3339 / ISO 8601, asctime.
#pragma once

#include <optional>
#include <string_view>

#include "common/time.h"

namespace veille::feed {

// UTC seconds for a feed date, trying W3C-DTF, RFC 822 and asctime in that order (as the
// reference does); nullopt when none applies or the value is out of range. Never throws.
std::optional<UnixSeconds> ParseFeedDate(std::string_view text);

std::optional<UnixSeconds> ParseRfc822Date(std::string_view text);
std::optional<UnixSeconds> ParseW3cDate(std::string_view text);

}  // namespace veille::feed
