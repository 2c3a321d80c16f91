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

inline constexpr const char* kDefaultUserAgent =
    "veille/0.1 (RSS/Atom brand-mention monitor; +https://github.com/veille/veille)";

// Engine-wide settings. Every default is documented in docs/polling.md.
struct FetchOptions {
  int concurrency = 32;  // transfers at once, all hosts
  int per_host = 2;      // transfers at once to one host ("host:port")
  // Minimum gap between two request starts to the same host:port (politeness).
  std::int64_t host_spacing_ms = 250;
  std::int64_t connect_timeout_s = 10;
  std::int64_t timeout_s = 30;              // total, per transfer
  std::int64_t low_speed_time_s = 30;       // abort when under low_speed_limit for this long
  std::int64_t low_speed_limit = 1024;      // bytes per second
  std::size_t max_body = 16 * 1024 * 1024;  // decoded bytes, counted in the write callback
  std::size_t max_headers = 256 * 1024;     // total response header bytes, all hops
  int max_redirects = 5;
  std::string user_agent = kDefaultUserAgent;
  // "host:port" pairs exempt from the SSRF guard (tests allow their own 127.0.0.1 ports). A
  // pair matches either the URL's host name or the numeric address actually connected
  // ("127.0.0.1:8080", "[::1]:8080", "intranet.example:80").
  std::vector<std::string> allow_private;
  // Trust store. Empty: the system bundle (/etc/ssl/certs/ca-certificates.crt), loaded once
  // and cached; CURLOPT_CAPATH is never used.
  std::string ca_file;
  // Proxy for every transfer ("http://proxy:3128"). Empty: https_proxy / http_proxy /
  // all_proxy and no_proxy from the environment, read once by Create().
  std::string proxy;
  bool allow_files = true;  // file:// URLs and absolute paths are read from disk

  bool operator==(const FetchOptions&) const = default;  // a reload rebuilds on a change
};

struct FetchRequest {
  std::uint64_t tag = 0;      // caller's identifier, echoed in the result
  std::string url;            // http(s)://..., file:///absolute/path, or /absolute/path
  std::string etag;           // sent as If-None-Match when non-empty
  std::string last_modified;  // sent as If-Modified-Since when non-empty
  // Fingerprint of the last committed body (FetchResult::fingerprint): when the new body has
  // the same fingerprint, the result is kNotModified and carries no body.
  std::string fingerprint;
  std::vector<std::pair<std::string, std::string>> headers;  // extra; CR/LF/NUL -> kBlocked
  // Per-feed overrides; empty / nullopt keeps the FetchOptions value.
  std::string user_agent;
  std::string proxy;
  std::string username;  // basic auth (the caller reads the password from its file)
  std::string password;
  std::string ca_file;  // an extra trust store for this feed (replaces the default bundle)
  std::optional<std::int64_t> timeout_s;
  std::optional<std::int64_t> connect_timeout_s;
};

struct Redirect {
  long status = 0;       // 301, 302, 303, 307, 308
  std::string location;  // absolute, resolved against the hop that sent it
};

struct Timings {
  double dns_s = 0;
  double connect_s = 0;
  double tls_s = 0;  // 0 for plain http
  double first_byte_s = 0;
  double total_s = 0;
};

struct FetchResult {
  std::uint64_t tag = 0;
  Outcome outcome = Outcome::kConnect;
  long http_status = 0;      // 0 for local files and transport failures
  std::string http_version;  // "1.0", "1.1", "2" or "3" for the final response; empty when none
  std::string error;         // one readable line when outcome is a failure
  std::string body;          // decoded body (outcome kOk only)
  std::string fingerprint;   // of the decoded body (kOk and same-bytes kNotModified)
  std::size_t decoded_bytes = 0;  // decoded body bytes accepted (never above max_body)
  std::string content_type;
  std::string etag;           // from the response; on 304 the request's when the server omits it
  std::string last_modified;  // idem
  std::string effective_url;  // after redirects
  std::vector<Redirect> redirects;            // every hop, in order
  std::optional<std::int64_t> retry_after_s;  // from Retry-After, relative to the server's Date
  std::optional<std::int64_t> max_age_s;      // Cache-Control max-age / Expires, when present
  double seconds = 0;                         // total transfer time
  Timings timings;
  std::string primary_ip;  // the address the final hop connected to
};

// Runs transfers on the caller's thread. Not thread-safe: one owner drives it.
class Fetcher {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Fetcher>> Create(const FetchOptions& options);
  virtual ~Fetcher() = default;

  // Queues a transfer; it starts when the global and per-host limits allow. Requests refused
  // before any I/O (bad scheme, bad header) come back from the next Poll as kBlocked.
  virtual void Submit(FetchRequest request) = 0;

  // Drives transfers for at most `max_wait` and returns the ones that finished (maybe none).
  // Returns as soon as at least one result is ready, or at once when nothing is pending.
  virtual std::vector<FetchResult> Poll(std::chrono::milliseconds max_wait) = 0;

  // Transfers submitted and not yet returned by Poll (queued or running).
  [[nodiscard]] virtual std::size_t pending() const = 0;

  // Aborts every queued and running transfer; they are not returned by Poll.
  virtual void AbortAll() = 0;

  // Drops the transfers to `host_port` ("host:port" of their URL) that have not started yet,
  // and returns their tags; they are not returned by Poll. Running ones go on. For a host that
  // asked to be left alone (429s: docs/polling.md).
  virtual std::vector<std::uint64_t> CancelQueued(const std::string& /*host_port*/) { return {}; }

  // Makes a Poll in progress (or the next one) return at once, results or not. The one method
  // that may be called from another thread (e.g. the signal-handling thread on SIGTERM); it is
  // not async-signal-safe.
  virtual void Wakeup() {}
};

}  // namespace veille::fetch
