// Feeds listed in an OPML file ([[feed]] opml = "feeds.opml"): the outlines that carry an
// xmlUrl. A small scanner for the subset of XML that OPML uses; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace veille::config {

struct OpmlFeed {
  std::string url;    // xmlUrl
  std::string title;  // title, else text, else the URL
  int line = 0;       // 1-based line of the <outline> in the file
};

// Every <outline> with an xmlUrl, in document order (nested category outlines included).
// Fails (ErrorCode::kParse, "line N: ...") on an unterminated tag, comment or attribute value.
[[nodiscard]] Result<std::vector<OpmlFeed>> ParseOpml(std::string_view text);

}  // namespace veille::config
