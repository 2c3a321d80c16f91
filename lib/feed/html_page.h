// What an HTML page says about its feeds (autodiscovery, pure): <link rel="alternate"> with a
// feed type, feed-looking <a> links, resolved against <base>, and the usual feed paths of a site.
// Parsed with gumbo (a real HTML5 parser); every URL is hostile and filtered by ResolveRequestUrl.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace veille::feed {

// Only this much of a page is parsed: feed links live in <head> and in the first screens of
// <body>, and it bounds gumbo's time and memory on a hostile page.
inline constexpr std::size_t kMaxHtmlPageBytes = 2 * 1024 * 1024;
// At most this many candidates of each kind are returned (declared links, anchors).
inline constexpr std::size_t kMaxFeedLinks = 16;

enum class FeedLinkKind {
  kDeclared,   // <link rel="alternate" type="application/rss+xml" ...>
  kAnchor,     // <a href="/rss.xml">Flux RSS</a>
  kUsualPath,  // /feed, /rss.xml, ... (a guess)
};

// "declared", "link", "guess".
std::string_view FeedLinkKindName(FeedLinkKind kind);

struct FeedLink {
  std::string url;  // absolute http(s), no credentials, no fragment
  FeedLinkKind kind = FeedLinkKind::kDeclared;
  std::string type;   // the declared MIME type, lower case ("" for anchors and guesses)
  std::string title;  // the link's title= or the anchor's text, collapsed ("" when none)
};

struct HtmlPage {
  std::optional<std::string> title;  // <title>
  std::vector<FeedLink> declared;    // document order, duplicates removed
  std::vector<FeedLink> anchors;     // feed-looking <a href>, not already declared
};

// True when the bytes are an HTML page rather than a feed: a text/html or XHTML Content-Type,
// or a document that starts (after a BOM, whitespace and comments) with <!DOCTYPE html> or <html.
bool LooksLikeHtmlPage(std::string_view body, std::string_view content_type);

// Reads the feed links of the page at `page_url` (its first kMaxHtmlPageBytes, and only up to
// where its elements nest deeper than 256, which keeps gumbo linear). Relative links
// are resolved against the first <base href> (itself resolved against `page_url`), else against
// `page_url`. Links that are not http(s), carry credentials or do not parse are left out.
HtmlPage ReadHtmlPage(std::string_view body, std::string_view content_type,
                      std::string_view page_url);

// The usual feed locations of the site of `page_url`, in the order to try them: /feed, /rss,
// /rss.xml, /atom.xml, /feed.xml, /index.xml, /?feed=rss2 (at the root of its host). Empty when
// `page_url` is not http(s).
std::vector<FeedLink> UsualFeedUrls(std::string_view page_url);

}  // namespace veille::feed
