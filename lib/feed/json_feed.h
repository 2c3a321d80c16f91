// JSON Feed 1.0 and 1.1 (jsonfeed.org): read into the same entry contract as RSS and Atom, with
// the same limits, recovery and text rules. Internal to lib/feed: callers use ParseFeed.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "feed/feed.h"
#include "feed/parse.h"

namespace veille::feed {

// Values nested deeper than this are dropped (with a warning); no JSON Feed needs more than 4.
inline constexpr std::size_t kMaxJsonDepth = 64;

// True when the bytes are to be read as JSON: the first byte that is not whitespace (after a
// byte-order mark) is '{' or '['; or, when it is not '<', the Content-Type names JSON
// (application/json, application/feed+json, anything +json, text/json).
bool LooksLikeJson(std::string_view body, std::string_view content_type);

// Reads `utf8` (valid UTF-8) as a JSON Feed. `feed` carries what decoding already noted
// (warnings); `utf8_document` enables the double-encoding repair as for XML. Entry keys are not
// assigned (ParseFeed does it for every format). Fails with a one-line reason when the text is
// not JSON, or is JSON but no feed ("not a feed: a JSON array, not a JSON Feed object"). A
// truncated or broken document whose complete items could be read succeeds with `recovered`.
[[nodiscard]] Result<Feed> ParseJsonFeed(std::string_view utf8, const ParseOptions& options,
                                         bool utf8_document, Feed feed);

}  // namespace veille::feed
