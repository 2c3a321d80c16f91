// Feed autodiscovery over the network: fetch a page with the daemon's fetcher, read the feed
// links it declares or shows (feed/html_page.h), and keep only the candidates that, fetched and
// parsed, are real feeds. `veille discover` is a thin body over Discover().
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "feed/feed.h"
#include "feed/html_page.h"
#include "fetch/fetcher.h"

namespace veille::pipeline {

struct DiscoverOptions {
  // Candidates fetched at most: declared links first, then feed-looking anchors; the usual
  // paths (/feed, /rss.xml, ...) only when none of those is a feed.
  std::size_t max_candidates = 24;
  std::size_t max_body = 16 * 1024 * 1024;  // as the fetcher's; parse limit of each candidate
  // Extra request settings (user agent...), applied to the page and every candidate.
  fetch::FetchRequest request_template;
};

// A candidate that is a feed.
struct DiscoveredFeed {
  std::string url;  // as found in the page (or the page's own URL)
  // The URL to subscribe to: after the redirects when they were all permanent (301, 308).
  std::string final_url;
  feed::FeedLinkKind kind = feed::FeedLinkKind::kDeclared;
  bool is_page = false;  // the URL given was itself the feed
  feed::Format format = feed::Format::kUnknown;
  std::optional<std::string> title;
  std::size_t entries = 0;
  std::optional<UnixSeconds> newest;  // the latest published/updated date of its entries
};

// A candidate that is not a feed, and why ("HTTP 404", "not a feed: root element <html>").
struct RejectedCandidate {
  std::string url;
  feed::FeedLinkKind kind = feed::FeedLinkKind::kDeclared;
  std::string reason;
};

struct Discovery {
  std::string url;        // as given
  std::string final_url;  // of the page, after redirects
  std::optional<std::string> page_title;
  bool page_is_html = false;
  std::vector<DiscoveredFeed> feeds;        // candidate order; one per distinct document
  std::vector<RejectedCandidate> rejected;  // candidate order
  bool tried_usual_paths = false;
};

// Fetches `url` through `fetcher` (which owns the SSRF guard, the size cap and the timeouts)
// and verifies its candidates. When `url` is itself a feed, that feed is the only result. Fails
// only when the page itself cannot be fetched (its outcome's error line).
[[nodiscard]] Result<Discovery> Discover(fetch::Fetcher& fetcher, const std::string& url,
                                         const DiscoverOptions& options);

}  // namespace veille::pipeline
