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
  std::vector<std::string>
      folders;  // the text (or title) of the enclosing outlines, outermost first
  std::vector<std::string> categories;  // the category attribute, split on commas ("/a/b" kept)
};

struct OpmlProblem {
  int line = 0;
  std::string message;  // "unterminated <outline> tag"
};

// What a lenient read found: the feeds, and the outlines it had to skip.
struct OpmlDocument {
  std::vector<OpmlFeed> feeds;
  std::vector<OpmlProblem> problems;
};

// Every <outline> with an xmlUrl, in document order (nested category outlines included). Never
// fails: a malformed outline (unterminated tag or attribute value, an attribute without a
// quoted value) or comment is skipped and listed in `problems`, and reading goes on after it.
OpmlDocument ReadOpml(std::string_view text);

// The strict form, for [[feed]] opml = "...": fails (ErrorCode::kParse, "line N: ...") on the
// first problem ReadOpml reports.
[[nodiscard]] Result<std::vector<OpmlFeed>> ParseOpml(std::string_view text);

}  // namespace veille::config
