// One transfer of the libcurl multi engine (fetcher.cc): its state from Submit to its result,
// and the libcurl callbacks that fill it (body, headers). Internal to lib/fetch.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/url.h"
#include "fetch/fetcher.h"

namespace veille::fetch::detail {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);
// One line, at most 300 bytes, no control character of any kind (C0, DEL, C1 as bytes or as
// UTF-8), valid UTF-8: error text goes to logs, the database and the CLI.
std::string OneLine(std::string_view text);

// libcurl would follow any 3xx but 304 that carries a Location, so every one of them is a hop.
inline bool IsRedirectStatus(long status) { return status >= 300 && status < 400 && status != 304; }

// Host names that are loopback by definition (RFC 6761): "localhost" and "*.localhost".
inline bool IsLocalhostName(std::string_view host) {
  return host == "localhost" || host.ends_with(".localhost");
}

class FetcherImpl;

// One transfer, from Submit to its result: one easy handle reused for every hop. Owned by the
// queue, then by running_.
struct Transfer {
  FetchRequest request;
  Url origin;  // the configured URL: its origin (scheme, host, port) gets the feed's headers
  Url hop;     // the URL requested on this hop (origin on the first)
  std::string host_key;
  const FetcherImpl* owner = nullptr;
  std::size_t max_body = 0;
  std::size_t max_headers = 0;
  Clock::time_point deadline{};  // the total timeout covers every hop
  bool via_proxy = false;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string body;
  bool body_over_cap = false;
  bool discard_body = false;  // a redirect's body is read (to keep the connection) and dropped
  std::size_t discarded = 0;
  std::size_t header_bytes = 0;
  bool headers_over_cap = false;
  std::string blocked;  // why the SSRF guard refused a connection
  double earlier_hops_s = 0;
  // The response being received; reset at each status line (each hop).
  long status = 0;
  int location_count = 0;
  std::string reason, etag, last_modified, content_type, date, retry_after, cache_control, expires,
      location, cf_mitigated;
  std::vector<Redirect> redirects;

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    curl_slist_free_all(header_list);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

// CURLOPT_WRITEFUNCTION: the body, bounded by max_body (decoded bytes); a redirect's is dropped.
std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user);
// CURLOPT_HEADERFUNCTION: each response's status line and the headers veille uses, bounded by
// max_headers.
std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user);
// The outcome class of a libcurl error.
Outcome ClassifyCurlCode(CURLcode code);

}  // namespace veille::fetch::detail
