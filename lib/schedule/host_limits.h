// Rate limits per host: a 429 normally concerns one URL, but when several feeds of one host are
// rate-limited at once, the host itself is telling us to slow down, and every feed on it waits.
// Pure: time comes in as an argument; the pipeline owns one instance.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/time.h"

namespace veille::schedule {

struct HostLimitOptions {
  int feeds_to_escalate = 3;           // distinct feeds of one host rate-limited ...
  std::int64_t window_s = 3600;        // ... within this window
  std::int64_t default_wait_s = 3600;  // host pause when the 429s carried no Retry-After
};

class HostRateLimits {
 public:
  explicit HostRateLimits(HostLimitOptions options = {}) : options_(options) {}

  // A rate-limited poll (429, or 503 with Retry-After) of `feed` on `host` ("host:port").
  void RecordRateLimited(const std::string& host, std::uint64_t feed, UnixSeconds now,
                         std::optional<std::int64_t> retry_after_s);

  // Any other outcome of `feed` on `host`: that feed no longer counts towards escalation.
  void RecordOther(const std::string& host, std::uint64_t feed);

  // When the whole host may be polled again, or nullopt when it is not paused at `now`.
  std::optional<UnixSeconds> PausedUntil(const std::string& host, UnixSeconds now) const;

  // Drops state older than the window (call now and then; bounded memory for 10,000 feeds).
  void Prune(UnixSeconds now);

 private:
  struct Hit {
    UnixSeconds at = 0;
    UnixSeconds until = 0;
  };
  struct Host {
    std::map<std::uint64_t, Hit> feeds;  // rate-limited feeds in the window
    UnixSeconds paused_until = 0;
  };
  HostLimitOptions options_;
  std::map<std::string, Host> hosts_;
};

}  // namespace veille::schedule
