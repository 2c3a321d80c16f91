// The classification of one poll's result, shared by fetch, schedule, store and the CLI.
#pragma once

#include <optional>
#include <string_view>

namespace veille {

enum class Outcome {
  kOk,           // 200 (or a local file) with a body to parse
  kNotModified,  // 304, or the same bytes as last time (body fingerprint)
  kDns,          // name resolution failed
  kConnect,      // refused, unreachable, reset, partial body
  kTls,          // certificate or handshake failure
  kTimeout,      // connect, total or low-speed timeout
  kTooLarge,     // decoded body or headers over the cap
  kHttp4xx,      // 4xx other than 410 and 429
  kHttp5xx,      // 5xx other than 503 with Retry-After
  kRateLimited,  // 429, or 503 with Retry-After
  kGone,         // 410
  kBlocked,      // refused by policy: SSRF guard, forbidden scheme or redirect target
  kParse,        // the body is not a feed we could read
  kIo,           // a local file could not be read
  kStorage,      // the database refused the commit (full, busy, I/O)
};

// "ok", "not_modified", "dns", "connect", "tls", "timeout", "too_large", "http_4xx",
// "http_5xx", "rate_limited", "gone", "blocked", "parse", "io", "storage".
std::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> OutcomeFromName(std::string_view name);

// ok and not_modified are successes; everything else counts as a failure for backoff.
inline bool IsSuccess(Outcome o) { return o == Outcome::kOk || o == Outcome::kNotModified; }

}  // namespace veille
