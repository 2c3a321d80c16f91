// Per-host politeness across daemons (docs/scaling.md, "Per-host politeness"; docs/decisions.md
// "Host leases"). On a shared database a feed is leased only with its host: one daemon at a time
// fetches from a host, so this daemon's fetcher enforces per_host and host_spacing for all of
// them; and a host paused after its 429s is paused in the database, for every daemon.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"

namespace veille::pipeline {

namespace {

// How long a host added to the database is taken to be there (then added again, at no cost
// when it is: INSERT ... ON CONFLICT DO NOTHING).
constexpr std::int64_t kHostsAddedForMs = 10 * 60 * 1000;

}  // namespace

store::HostClaim Monitor::HostClaimFor(const std::vector<std::int64_t>& candidates) {
  store::HostClaim claim;
  claim.spacing_ms = config_.polling.host_spacing_ms;
  // Twice the hosts its transfers can keep busy at per_host each (its room is twice its
  // concurrency too): hosts with fewer due feeds than per_host still fill its transfers, and
  // with a few hosts and several daemons each daemon gets some.
  const int per_host = std::max(config_.polling.per_host, 1);
  claim.most = std::max(1, 2 * std::max(config_.polling.concurrency, 1) / per_host);
  claim.of_feed.reserve(candidates.size());
  // Added again now and then: a database restored or failed over may have lost rows.
  if (SteadyMs() - hosts_added_ms_ >= kHostsAddedForMs) {
    known_hosts_.clear();
    hosts_added_ms_ = SteadyMs();
  }
  std::vector<std::string> added;
  for (std::int64_t id : candidates) {
    auto it = slots_.find(id);
    const std::string host = it == slots_.end() ? std::string() : it->second.host;
    if (!host.empty() && known_hosts_.count(host) == 0) added.push_back(host);
    claim.of_feed.push_back(host);
  }
  if (!added.empty()) {
    // Once per host and daemon (at start, and for a feed's new host); a host without its row
    // is never leased, so its feeds wait for the next claim.
    if (auto r = store_->AddHosts(added); !r) {
      spdlog::warn("hosts not recorded: {}", r.error().message);
    } else {
      known_hosts_.insert(added.begin(), added.end());
    }
  }
  claim.busy = BusyHosts();
  return claim;
}

std::vector<std::string> Monitor::BusyHosts() const {
  std::set<std::string> busy;
  for (const auto& [id, slot] : slots_) {
    if (slot.leased && !slot.host.empty()) busy.insert(slot.host);
  }
  return {busy.begin(), busy.end()};
}

void Monitor::OnRateLimited(const std::string& host, UnixSeconds now) {
  const std::optional<UnixSeconds> until = host_limits_.PausedUntil(host, now);
  if (!until) return;
  UnixSeconds& acted = host_paused_[host];
  if (acted >= *until) return;  // this pause was acted on (a later 429 of a running request)
  acted = *until;
  std::erase_if(host_paused_, [&](const auto& entry) { return entry.second <= now; });
  if (shared_) {
    // Every daemon's next claim passes over the host's feeds until the pause ends.
    if (auto r = store_->PauseHost(host, *until - now); !r) {
      spdlog::warn("host {}: pause not recorded for the other daemons: {}", host,
                   r.error().message);
    }
  }
  // The requests queued behind per_host and host_spacing would still go out one by one: they
  // wait for the end of the pause instead (those already running end as they do).
  std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>> released;
  std::vector<std::pair<std::int64_t, UnixSeconds>> moved;
  for (std::uint64_t tag : fetcher_->CancelQueued(host)) {
    auto it = slots_.find(static_cast<std::int64_t>(tag));
    if (it == slots_.end()) continue;
    Slot& slot = it->second;
    slot.in_flight = slot.fetching = false;
    if (shared_) {
      slot.leased = false;
      slot.next_due = *until;
      released.emplace_back(slot.id, *until);
    } else {
      Schedule(slot, *until);
      moved.emplace_back(slot.id, *until);
    }
  }
  spdlog::warn("host {} asked to slow down (429): paused for {}s, {} queued requests put off", host,
               *until - now, released.size() + moved.size());
  if (auto r = store_->ReleaseLeases(released); !r) {
    spdlog::warn("leases not released: {}", r.error().message);
  }
  if (auto r = store_->WriteSchedule(moved); !r) {
    spdlog::warn("schedule not recorded for veille feeds: {}", r.error().message);
  }
}

}  // namespace veille::pipeline
