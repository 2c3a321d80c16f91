// Host leases and pauses on a database several daemons share (docs/scaling.md, "Per-host
// politeness"): one daemon at a time fetches from a host ("host:port"), so its fetcher's
// per_host and host_spacing hold for all of them, and a host's 429 pause stops them all. The
// claim that takes host leases with feed leases is in lease.cc.
#include <algorithm>

#include "store/pg/store_backend.h"

namespace veille::store {

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

Result<void> PostgresBackend::AddHosts(const std::vector<std::string>& hosts) {
  std::vector<std::string> sorted;
  for (const std::string& h : hosts) {
    if (!h.empty()) sorted.push_back(h);
  }
  if (sorted.empty()) return {};
  // In one order: two daemons adding the same new hosts wait for each other, never deadlock.
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  VEILLE_TRY(Ready());
  return Query(
             "INSERT INTO hosts (host) SELECT h FROM unnest($1::text[]) AS u(h) ORDER BY h "
             "ON CONFLICT (host) DO NOTHING",
             {TextArray(sorted)})
      .map([](const pg::Rows&) {});
}

Result<void> PostgresBackend::ReleaseHosts(std::int64_t spacing_ms) {
  VEILLE_TRY(Ready());
  return Query(std::string("UPDATE hosts SET owner = NULL, lease_until = ") + kServerMs +
                   " + $2 WHERE owner = $1",
               {lease_owner_, spacing_ms})
      .map([](const pg::Rows&) {});
}

Result<void> PostgresBackend::PauseHost(const std::string& host, std::int64_t seconds) {
  if (host.empty()) return {};
  VEILLE_TRY(Ready());
  // Seconds of the server's clock: every daemon compares them with the same clock.
  return Query(std::string("INSERT INTO hosts AS h (host, paused_until) VALUES ($1, ") + kServerMs +
                   " / 1000 + $2) ON CONFLICT (host) DO UPDATE SET paused_until = "
                   "greatest(coalesce(h.paused_until, 0), excluded.paused_until)",
               {host, seconds})
      .map([](const pg::Rows&) {});
}

}  // namespace veille::store
