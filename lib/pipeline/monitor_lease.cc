// The monitor on a database several daemons share (docs/scaling.md, docs/decisions.md "Feed
// leases"): the database holds the schedule, each daemon leases the due feeds it has room for,
// polls them, and its commit ends the lease; maintenance runs where the maintenance lock is.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/url.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"

namespace veille::pipeline {

namespace {

// How often a daemon checks that it holds the maintenance lock, or takes it when free.
constexpr std::int64_t kMaintainerCheckMs = 5000;
// A poll whose outcome could not be stored is not leased again for this long, even for a
// pending `veille poll` request (a store that keeps failing is not hammered).
constexpr std::int64_t kUnstoredHoldMs = 5000;

}  // namespace

std::size_t Monitor::ClaimDue(UnixSeconds now, const std::vector<std::int64_t>& candidates) {
  const std::size_t room = Room();
  if (room == 0 || candidates.empty()) return 0;
  const store::HostClaim hosts = HostClaimFor(candidates);
  auto leased = store_->LeaseDueFeeds(candidates, now, static_cast<int>(room),
                                      config_.daemon.lease_time_ms, &hosts);
  if (!leased) {
    // Tried again every second (a table locked by a migration or an operator, a statement
    // timeout, the server away): one line for the spell, one when it ends.
    if (claims_failed_++ == 0) {
      claims_failing_since_ms_ = SteadyMs();
      spdlog::warn("feeds not leased: {} (tried again every second; said again when a claim works)",
                   leased.error().message);
    } else {
      spdlog::debug("feeds not leased ({} claims failed in a row): {}", claims_failed_,
                    leased.error().message);
    }
    return 0;
  }
  if (claims_failed_ > 0) {
    spdlog::info("feeds leased again after {} failed claims in {}s", claims_failed_,
                 (SteadyMs() - claims_failing_since_ms_ + 500) / 1000);
    claims_failed_ = 0;
  }
  const UnixSeconds queued_at = std::min(now, clock_());
  for (const store::LeasedFeed& l : *leased) {
    auto it = slots_.find(l.feed.id);
    if (it == slots_.end()) continue;  // cannot happen: only configured feeds are candidates
    Slot& slot = it->second;
    // Another daemon may have polled it last: its validators, failures and redirects are those.
    LoadFeedState(slot, l.feed);
    slot.host = HostPortOf(slot.fetch_url);
    slot.leased = true;
    if (l.poll_requested_at) slot.request_seen = l.poll_requested_at;
    Schedule(slot, queued_at);
  }
  return leased->size();
}

void Monitor::RenewLeases() {
  if (SteadyMs() < next_renew_ms_) return;
  next_renew_ms_ = SteadyMs() + std::max<std::int64_t>(config_.daemon.lease_time_ms / 3, 100);
  std::vector<std::int64_t> ids;
  for (const auto& [id, slot] : slots_) {
    if (slot.leased) ids.push_back(id);
  }
  if (auto r = store_->RenewLeases(ids, config_.daemon.lease_time_ms, BusyHosts()); !r) {
    spdlog::warn("leases not renewed: {}", r.error().message);
  }
}

void Monitor::ReleaseAllLeases() {
  std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>> held;
  for (auto& [id, slot] : slots_) {
    if (!slot.leased) continue;
    held.emplace_back(id, std::nullopt);
    slot.leased = false;
  }
  due_ = schedule::DueQueue();
  if (auto r = store_->ReleaseLeases(held); !r) {
    spdlog::warn("leases not released (they expire in {} s): {}",
                 config_.daemon.lease_time_ms / 1000, r.error().message);
  }
  if (auto r = store_->ReleaseHosts(config_.polling.host_spacing_ms); !r) {
    spdlog::warn("host leases not released (they expire in {} s): {}",
                 config_.daemon.lease_time_ms / 1000, r.error().message);
  }
}

void Monitor::ReleaseUnstored() {
  if (unstored_.empty()) return;
  // The commit did not end these leases (nothing was committed): kept, they would hold the
  // feeds until they expire (lease_time), a `veille poll` request with them.
  std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>> held;
  for (std::int64_t id : unstored_) held.emplace_back(id, clock_() + store::kStorageRetrySeconds);
  unstored_.clear();
  if (auto r = store_->ReleaseLeases(held, kUnstoredHoldMs); !r) {
    spdlog::warn("leases not released (they expire in {} s): {}",
                 config_.daemon.lease_time_ms / 1000, r.error().message);
  }
}

bool Monitor::Maintainer() {
  if (next_maintainer_check_ms_ != 0 && SteadyMs() < next_maintainer_check_ms_) return maintainer_;
  next_maintainer_check_ms_ = SteadyMs() + kMaintainerCheckMs;
  auto held = store_->HoldMaintenance();
  if (!held) {
    spdlog::warn("maintenance lock: {}", held.error().message);
    maintainer_ = false;
    return false;
  }
  if (shared_ && *held != maintainer_) {
    if (*held) {
      spdlog::info(
          "maintenance: this daemon now runs retention, index upkeep, digests and the spike "
          "and feed-health checks for the database");
    } else {
      spdlog::warn("maintenance: the lock was lost (connection lost); another daemon takes over");
    }
  }
  maintainer_ = *held;
  return maintainer_;
}

}  // namespace veille::pipeline
