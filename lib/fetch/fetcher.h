// The fetch engine: libcurl multi, many transfers at once, every result classified.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/outcome.h"
#include "common/result.h"
#include "common/time.h"

namespace veille::fetch {

struct FetchOptions {
  int concurrency = 32;           // transfers at once, all hosts
  int per_host = 2;               // transfers at once to one host
  std::int64_t connect_timeout_s = 10;
  std::int64_t timeout_s = 30;    // total, per transfer
  std::int64_t low_speed_time_s = 30;   // abort when under low_speed_limit for this long
  std::int64_t low_speed_limit = 1024;  // bytes per second
  std::size_t max_body = 16 * 1024 * 1024;  // decoded bytes, counted in the write callback
  std::size_t max_headers = 256 * 1024;     // total response header bytes
  int max_redirects = 5;
  std::string user_agent = "veille/0.1";
  // "host:port" pairs exempt from the SSRF guard (tests allow their own 127.0.0.1 ports).
  std::vector<std::string> allow_private;
};

struct FetchRequest {
  std::uint64_t tag = 0;  // caller's identifier, echoed in the result
  std::string url;        // http(s)://... or file:///absolute/path
  std::string etag;           // sent as If-None-Match when non-empty
  std::string last_modified;  // sent as If-Modified-Since when non-empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
};

struct Redirect {
  long status = 0;  // 301, 302, 307, 308
  std::string location;
};

struct FetchResult {
  std::uint64_t tag = 0;
  Outcome outcome = Outcome::kConnect;
  long http_status = 0;  // 0 for local files and transport failures
  std::string error;     // one readable line when outcome is a failure
  std::string body;      // decoded body (outcome kOk only)
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string effective_url;     // after redirects
  std::vector<Redirect> redirects;  // every hop, in order
  std::optional<std::int64_t> retry_after_s;  // from Retry-After, relative to the server's Date
  std::optional<std::int64_t> max_age_s;      // Cache-Control max-age / Expires, when present
  double seconds = 0;  // total transfer time
};

// Runs transfers on the caller's thread. Not thread-safe: one owner drives it.
class Fetcher {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Fetcher>> Create(const FetchOptions& options);
  virtual ~Fetcher() = default;

  // Queues a transfer; it starts when the global and per-host limits allow.
  virtual void Submit(FetchRequest request) = 0;

  // Drives transfers for at most `max_wait` and returns the ones that finished (maybe none).
  virtual std::vector<FetchResult> Poll(std::chrono::milliseconds max_wait) = 0;

  // Transfers submitted and not yet returned by Poll (queued or running).
  [[nodiscard]] virtual std::size_t pending() const = 0;

  // Aborts every queued and running transfer; they are not returned by Poll.
  virtual void AbortAll() = 0;
};

}  // namespace veille::fetch
