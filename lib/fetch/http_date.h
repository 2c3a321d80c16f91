// HTTP dates (RFC 9110 section 5.6.7): the three forms a server may send, and the one we write.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace veille::fetch {

// Accepts IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form
// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). The weekday is
// not checked (servers get it wrong); anything else malformed gives nullopt.
std::optional<UnixSeconds> ParseHttpDate(std::string_view text);

// IMF-fixdate, as sent in If-Modified-Since for local files.
std::string FormatHttpDate(UnixSeconds t);

}  // namespace veille::fetch
