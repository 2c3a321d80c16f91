#include "schedule/host_limits.h"

#include <algorithm>

namespace veille::schedule {

void HostRateLimits::RecordRateLimited(const std::string& host, std::uint64_t feed, UnixSeconds now,
                                       std::optional<std::int64_t> retry_after_s) {
  Host& h = hosts_[host];
  h.feeds[feed] = {now, now + retry_after_s.value_or(options_.default_wait_s)};
  int recent = 0;
  UnixSeconds until = 0;
  for (const auto& [id, hit] : h.feeds) {
    if (now - hit.at > options_.window_s) continue;
    ++recent;
    until = std::max(until, hit.until);
  }
  if (recent >= options_.feeds_to_escalate) h.paused_until = std::max(h.paused_until, until);
}

void HostRateLimits::RecordOther(const std::string& host, std::uint64_t feed) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  it->second.feeds.erase(feed);
  if (it->second.feeds.empty() && it->second.paused_until == 0) hosts_.erase(it);
}

std::optional<UnixSeconds> HostRateLimits::PausedUntil(const std::string& host,
                                                       UnixSeconds now) const {
  auto it = hosts_.find(host);
  if (it == hosts_.end() || it->second.paused_until <= now) return std::nullopt;
  return it->second.paused_until;
}

void HostRateLimits::Prune(UnixSeconds now) {
  for (auto h = hosts_.begin(); h != hosts_.end();) {
    std::erase_if(h->second.feeds,
                  [&](const auto& entry) { return now - entry.second.at > options_.window_s; });
    if (h->second.paused_until <= now) h->second.paused_until = 0;
    if (h->second.feeds.empty() && h->second.paused_until == 0) {
      h = hosts_.erase(h);
    } else {
      ++h;
    }
  }
}

}  // namespace veille::schedule
