// ParseFeed: bytes in, Feed out. No I/O, no clock, no URL fetching.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "feed/feed.h"

namespace veille::feed {

struct ParseOptions {
  // The document's own URL: the outermost base for relative links ("" = none).
  std::string base_url;
  // The HTTP Content-Type header, if any; its charset= wins over the XML declaration.
  std::string content_type;
  // Documents larger than this are rejected (the fetcher caps bodies earlier).
  std::size_t max_bytes = 16 * 1024 * 1024;
  // Entries beyond this count are dropped (with a warning).
  std::size_t max_entries = 10000;
  // Documents with more elements (JSON: values) are rejected: bounds the tree (about 60 bytes per
  // XML element).
  std::size_t max_elements = 1000000;
  // Asked between the parse's stages (decoding, repair, tree, extraction); when it answers true
  // the parse gives up with "parse cancelled" (kInternal). veilled's parse workers set it when
  // the daemon stops, so a stop never waits for a whole document (finding 3). Empty = never.
  std::function<bool()> cancelled;
};

// Parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 (JSON is recognised by its first
// byte, '{' or '[', or by a JSON Content-Type when the body does not start with '<'). Fails
// (ErrorCode::kParse) with a one-line reason when the bytes are not a feed at all ("empty body",
// "not a feed: root element <html>", ...). A damaged feed whose complete entries could be recovered
// succeeds with `recovered = true`.
[[nodiscard]] Result<Feed> ParseFeed(std::string_view body, const ParseOptions& options);

}  // namespace veille::feed
