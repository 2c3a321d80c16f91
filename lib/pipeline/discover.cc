// Discover(): the page, then its candidates (all submitted at once: the fetcher's per-host
// limits and spacing keep it polite), then the usual paths if nothing was a feed. A candidate
// counts only when the parser reads it as a feed; two candidates that serve the same bytes (the
// body fingerprint) are one feed.
#include "pipeline/discover.h"

#include <algorithm>
#include <unordered_set>

#include "feed/parse.h"

namespace veille::pipeline {
namespace {

// Fetches every request and returns the results in request order.
std::vector<fetch::FetchResult> FetchAll(fetch::Fetcher& fetcher,
                                         std::vector<fetch::FetchRequest> requests) {
  std::vector<fetch::FetchResult> results(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].tag = i;
    fetcher.Submit(std::move(requests[i]));
  }
  while (fetcher.pending() > 0) {
    for (fetch::FetchResult& r : fetcher.Poll(std::chrono::milliseconds(500))) {
      if (r.tag < results.size()) results[r.tag] = std::move(r);
    }
  }
  return results;
}

// "HTTP 404 Not Found", "blocked: ...": the fetcher's line, led by the status or the outcome.
std::string FailureReason(const fetch::FetchResult& r) {
  std::string lead = r.http_status != 0 ? "HTTP " + std::to_string(r.http_status)
                                        : std::string(OutcomeName(r.outcome));
  if (r.error.empty()) return lead;
  if (r.error.rfind(lead, 0) == 0) return r.error;
  return lead + ": " + r.error;
}

Result<feed::Feed> ParseResult(const fetch::FetchResult& r, std::size_t max_body) {
  feed::ParseOptions options;
  options.base_url = r.effective_url;
  options.content_type = r.content_type;
  options.max_bytes = max_body;
  return feed::ParseFeed(r.body, options);
}

DiscoveredFeed Describe(const feed::FeedLink& link, const fetch::FetchResult& r,
                        const feed::Feed& parsed) {
  DiscoveredFeed f;
  f.url = link.url;
  // Where to subscribe: the end of the redirects when every hop was permanent (301, 308), else
  // the URL as found (a temporary redirect may change back).
  bool permanent = !r.effective_url.empty();
  for (const fetch::Redirect& hop : r.redirects) {
    permanent = permanent && (hop.status == 301 || hop.status == 308);
  }
  f.final_url = permanent ? r.effective_url : link.url;
  f.kind = link.kind;
  f.format = parsed.format;
  f.title = parsed.title;
  if (!f.title && !link.title.empty()) f.title = link.title;
  f.entries = parsed.entries.size();
  for (const feed::Entry& e : parsed.entries) {
    for (const auto& date : {e.published, e.updated}) {
      if (date && (!f.newest || *date > *f.newest)) f.newest = date;
    }
  }
  return f;
}

class Verifier {
 public:
  Verifier(fetch::Fetcher& fetcher, const DiscoverOptions& options, Discovery* out)
      : fetcher_(fetcher), options_(options), out_(out) {}

  // Marks a URL as already looked at (the page itself).
  void Seen(const std::string& url) { tried_.insert(url); }
  void SeenBody(const std::string& fingerprint) {
    if (!fingerprint.empty()) bodies_.insert(fingerprint);
  }

  // Fetches the candidates not tried yet (up to the budget) and files each as a feed or not.
  void Verify(const std::vector<feed::FeedLink>& candidates) {
    std::vector<feed::FeedLink> todo;
    for (const feed::FeedLink& c : candidates) {
      if (budget_used_ >= options_.max_candidates) break;
      if (!tried_.insert(c.url).second) continue;
      todo.push_back(c);
      ++budget_used_;
    }
    std::vector<fetch::FetchRequest> requests;
    for (const feed::FeedLink& c : todo) {
      fetch::FetchRequest request = options_.request_template;
      request.url = c.url;
      requests.push_back(std::move(request));
    }
    std::vector<fetch::FetchResult> results = FetchAll(fetcher_, std::move(requests));
    for (std::size_t i = 0; i < todo.size(); ++i) {
      const fetch::FetchResult& r = results[i];
      if (r.outcome != Outcome::kOk) {
        out_->rejected.push_back({todo[i].url, todo[i].kind, FailureReason(r)});
        continue;
      }
      auto parsed = ParseResult(r, options_.max_body);
      if (!parsed) {
        out_->rejected.push_back({todo[i].url, todo[i].kind, parsed.error().message});
        continue;
      }
      if (!r.fingerprint.empty() && !bodies_.insert(r.fingerprint).second) continue;  // same feed
      out_->feeds.push_back(Describe(todo[i], r, *parsed));
    }
  }

 private:
  fetch::Fetcher& fetcher_;
  const DiscoverOptions& options_;
  Discovery* out_;
  std::unordered_set<std::string> tried_;
  std::unordered_set<std::string> bodies_;
  std::size_t budget_used_ = 0;
};

}  // namespace

Result<Discovery> Discover(fetch::Fetcher& fetcher, const std::string& url,
                           const DiscoverOptions& options) {
  Discovery out;
  out.url = url;
  fetch::FetchRequest page_request = options.request_template;
  page_request.url = url;
  std::vector<fetch::FetchRequest> page_requests;
  page_requests.push_back(std::move(page_request));
  fetch::FetchResult page = std::move(FetchAll(fetcher, std::move(page_requests)).front());
  if (page.outcome != Outcome::kOk) {
    return Fail(ErrorCode::kNetwork, url + ": " + FailureReason(page));
  }
  out.final_url = page.effective_url.empty() ? url : page.effective_url;

  auto parsed = ParseResult(page, options.max_body);
  if (parsed) {
    feed::FeedLink self{url, feed::FeedLinkKind::kDeclared, "", ""};
    DiscoveredFeed f = Describe(self, page, *parsed);
    f.is_page = true;
    out.feeds.push_back(std::move(f));
    return out;
  }

  Verifier verifier(fetcher, options, &out);
  verifier.Seen(url);
  verifier.Seen(out.final_url);
  verifier.SeenBody(page.fingerprint);
  out.page_is_html = feed::LooksLikeHtmlPage(page.body, page.content_type);
  std::vector<feed::FeedLink> candidates;
  if (out.page_is_html) {
    feed::HtmlPage html = feed::ReadHtmlPage(page.body, page.content_type, out.final_url);
    out.page_title = html.title;
    candidates = std::move(html.declared);
    candidates.insert(candidates.end(), html.anchors.begin(), html.anchors.end());
  } else {
    out.rejected.push_back({url, feed::FeedLinkKind::kDeclared, parsed.error().message});
  }
  page.body = std::string();
  verifier.Verify(candidates);
  if (out.feeds.empty()) {
    out.tried_usual_paths = true;
    verifier.Verify(feed::UsualFeedUrls(out.final_url));
  }
  return out;
}

}  // namespace veille::pipeline
