// The monitor's feeds: config applied to slots and schedule (start, reload), `veille poll`.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "common/url.h"
#include "pipeline/channels.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"
#include "pipeline/poll_record.h"
#include "pipeline/reload.h"
#include "schedule/spread.h"
#include "store/poll_requests.h"

namespace veille::pipeline {
namespace {

std::vector<match::RuleSpec> RuleSpecs(const config::Config& c) {
  std::vector<match::RuleSpec> specs;
  for (const auto& r : c.rules) specs.push_back({r.name, r.category, r.query, r.exclude});
  return specs;
}

}  // namespace

namespace detail {

// Compiles the rules; errors name the config file and the failing rule's query line.
Result<std::shared_ptr<const match::Matcher>> CompileRules(const config::Config& c) {
  auto matcher = match::Matcher::Compile(RuleSpecs(c));
  if (matcher) return std::move(*matcher);
  const match::CompileError& error = matcher.error();
  if (error.rule_index && *error.rule_index < c.rules.size()) {
    return Fail(ErrorCode::kConfig, c.path + ":" +
                                        std::to_string(c.rules[*error.rule_index].query_line) +
                                        ": " + error.message);
  }
  return Fail(ErrorCode::kConfig, c.path + ": " + error.message);
}

std::shared_ptr<const RuleRouting> RoutingFor(const config::Config& c) {
  auto routing = std::make_shared<RuleRouting>();
  for (const auto& r : c.rules) routing->channels.push_back(r.channels);
  return routing;
}

}  // namespace detail

using detail::CompileRules;
using detail::RoutingFor;

Result<void> Monitor::ApplyFeeds(bool spread) {
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& f : config_.feeds) wanted.emplace_back(f.url, f.name);
  auto ids = store_->SyncFeeds(wanted, clock_());
  if (!ids) return tl::unexpected(ids.error());
  const UnixSeconds now = clock_();
  std::map<std::int64_t, Slot> slots;
  std::map<std::int64_t, std::optional<UnixSeconds>> stored_due;
  for (std::size_t i = 0; i < config_.feeds.size(); ++i) {
    const std::int64_t id = (*ids)[i];
    Slot slot;
    if (auto old = slots_.find(id); old != slots_.end()) slot = old->second;
    slot.feed = config_.feeds[i];
    slot.id = id;
    slot.fetch_url = slot.feed.url;
    auto row = store_->GetFeed(id);
    if (!row) return tl::unexpected(row.error());
    if (*row) {
      LoadFeedState(slot, **row);
      if (!slot.in_flight) {
        // A stored time far in the future (clock moved back) is clamped to the maximum interval.
        slot.next_due =
            std::min((*row)->next_due_at.value_or(now), now + config_.polling.max_interval_s);
        // A healthy feed is due within its interval of its last poll, so that a shorter interval
        // (a reload, or a schedule from an older version) applies at once.
        if (slot.consecutive_failures == 0 && (*row)->last_fetch_at) {
          slot.next_due = std::min(slot.next_due, *(*row)->last_fetch_at + LongestWait(slot.feed));
        }
      }
      stored_due.emplace(id, (*row)->next_due_at);
    }
    slots.emplace(id, slot);
  }
  // Every read succeeded: only now is the queue rebuilt. A reload whose read fails keeps the
  // current schedule (emptied before the reads, it left no feed polled until the next reload).
  due_ = schedule::DueQueue();
  // Feeds new to the daemon (all of them at start) make up its next "cycle done" line.
  for (const auto& [id, slot] : slots) {
    if (!slot.gone && slots_.count(id) == 0) cycle_pending_.insert(id);
  }
  std::erase_if(cycle_pending_, [&](std::int64_t id) {
    auto it = slots.find(id);
    return it == slots.end() || it->second.gone;
  });
  if (shared_) {
    // The database holds the schedule: this daemon queues only the feeds it leased, and gives
    // back the leases of the feeds the new config dropped. No spread at start: claims are
    // bounded by each daemon's room, and a daemon joining others must not move their schedule.
    std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>> dropped;
    for (const auto& [id, slot] : slots_) {
      if (slot.leased && slots.count(id) == 0) dropped.emplace_back(id, std::nullopt);
    }
    if (auto r = store_->ReleaseLeases(dropped); !r) {
      spdlog::warn("leases not released: {}", r.error().message);
    }
    slots_ = std::move(slots);
    for (auto& [id, slot] : slots_) {
      slot.host = HostPortOf(slot.fetch_url);
      if (slot.leased && !slot.in_flight) due_.Schedule(static_cast<std::uint64_t>(id), now);
    }
    return {};
  }
  slots_ = std::move(slots);
  if (spread) {
    // After a restart, overdue feeds start over a window (one a second, at most 5 minutes)
    // instead of all at once.
    std::vector<std::int64_t> ids_in_order;
    std::vector<UnixSeconds> due;
    for (auto& [id, slot] : slots_) {
      if (slot.gone) continue;
      ids_in_order.push_back(id);
      due.push_back(slot.next_due);
    }
    const auto overdue =
        std::count_if(due.begin(), due.end(), [&](UnixSeconds t) { return t <= now; });
    const auto spread_due = schedule::SpreadOverdue(due, now, std::min<std::int64_t>(300, overdue));
    for (std::size_t i = 0; i < ids_in_order.size(); ++i)
      slots_[ids_in_order[i]].next_due = spread_due[i];
  }
  std::vector<std::pair<std::int64_t, UnixSeconds>> changed;
  for (auto& [id, slot] : slots_) {
    slot.host = HostPortOf(slot.fetch_url);
    if (!slot.gone && !slot.in_flight) due_.Schedule(static_cast<std::uint64_t>(id), slot.next_due);
    if (!slot.gone && !slot.in_flight && stored_due[id] != slot.next_due) {
      changed.emplace_back(id, slot.next_due);
    }
  }
  // `veille feeds` shows the schedule the daemon follows, not the one it replaced.
  if (auto r = store_->WriteSchedule(changed); !r) {
    spdlog::warn("schedule not recorded for veille feeds: {}", r.error().message);
  }
  return {};
}

void Monitor::LoadFeedState(Slot& slot, const store::FeedRow& row) const {
  slot.gone = row.state == FeedState::kGone;
  slot.consecutive_failures = row.consecutive_failures;
  slot.rate_limited = row.last_outcome == std::optional<std::string>("rate_limited");
  slot.failing_since = row.failing_since;
  slot.last_unconditional = row.last_unconditional_at;
  slot.redirect = {row.redirect_target.value_or(""), row.redirect_count};
  slot.etag = row.etag.value_or("");
  slot.last_modified = row.last_modified.value_or("");
  slot.fingerprint = row.body_fingerprint.value_or("");
  slot.first_polled_at = row.first_polled_at;
  slot.encoding_suspect = row.encoding_suspect.has_value();
  slot.fetch_url = slot.feed.url;
  if (row.fetch_url && MayPollInstead(slot.feed.url, *row.fetch_url))
    slot.fetch_url = *row.fetch_url;
}

std::int64_t Monitor::LongestWait(const config::FeedEntry& feed) const {
  const config::PollingSection& p = config_.polling;
  if (feed.high_priority) return p.min_interval_s;
  const std::int64_t interval = std::max(feed.interval_s.value_or(p.interval_s), p.min_interval_s);
  // Publisher hints, when honoured, may have lengthened the wait up to the ceiling.
  if (feed.honor_publisher_interval.value_or(p.honor_publisher_interval)) {
    return std::max(interval, p.max_interval_s);
  }
  return interval;
}

void Monitor::ApplyChannels() { RegisterTransports(config_, dispatcher_); }

Result<ReloadPlan> Monitor::Reload(const config::Config& config) {
  auto matcher = CompileRules(config);
  if (!matcher) return tl::unexpected(matcher.error());
  Flush();  // the finished polls are recorded under the configuration they ran with
  ReloadPlan plan = PlanReload(config_, config);
  std::unique_ptr<fetch::Fetcher> fetcher;
  if (plan.rebuild_fetcher) {
    auto made = make_fetcher_(FetchOptionsFrom(config));
    if (!made) return tl::unexpected(made.error());
    fetcher = std::move(*made);
  }
  config::Config previous = std::move(config_);
  config_ = config;
  // The daemon keeps its database and lock: their old values stay in force until a restart.
  config_.daemon.database = previous.daemon.database;
  config_.daemon.lock_file = previous.daemon.lock_file;
  if (auto r = ApplyFeeds(false); !r) {
    config_ = std::move(previous);
    return tl::unexpected(r.error());
  }
  if (fetcher) SwapFetcher(std::move(fetcher));
  matcher_ = std::move(*matcher);
  routing_ = RoutingFor(config_);
  ApplyChannels();
  PublishConfig();
  return plan;
}

void Monitor::SwapFetcher(std::unique_ptr<fetch::Fetcher> fetcher) {
  // Transfers in flight were started with the old settings: they are dropped and start again
  // at once with the new ones (documents already fetched are parsed and committed as usual).
  fetcher_->AbortAll();
  waker_->Set(fetcher.get());
  fetcher_ = std::move(fetcher);
  const UnixSeconds now = clock_();
  for (auto& [id, slot] : slots_) {
    if (!slot.fetching) continue;
    slot.fetching = false;
    slot.in_flight = false;
    Schedule(slot, now);
  }
}

void Monitor::TakePollRequests() {
  if (shared_) return;  // a shared database's claims lease the requested feeds (LeaseDueFeeds)
  auto changed = store_->ChangedByOthers();
  if (!changed || !*changed) return;  // only `veille` writes besides the daemon
  auto requests = store::PendingPollRequests(*store_);
  if (!requests) {
    spdlog::warn("poll requests not read: {}", requests.error().message);
    return;
  }
  const UnixSeconds now = clock_();
  for (const store::PollRequest& r : *requests) {
    auto it = slots_.find(r.feed_id);
    if (it == slots_.end()) continue;  // not (or no longer) configured
    Slot& slot = it->second;
    if (slot.request_seen && *slot.request_seen >= r.requested_at_ms) continue;  // acted on
    slot.request_seen = r.requested_at_ms;
    if (slot.gone) {
      spdlog::warn("poll request for {} ignored: the feed is gone (HTTP 410)", slot.feed.name);
      continue;
    }
    if (slot.in_flight) {
      // The poll under way started before the request: one more follows at once.
      slot.poll_again = true;
      spdlog::info("poll request for {}: polled again when the poll under way ends",
                   slot.feed.name);
      continue;
    }
    // A server's Retry-After still holds against a manual poll (never hammer a publisher).
    const UnixSeconds when = slot.rate_limited ? std::max(now, slot.next_due) : now;
    spdlog::info("poll request for {}: polling {}", slot.feed.name,
                 when == now ? std::string("now")
                             : "in " + std::to_string(when - now) + "s (the server's Retry-After)");
    Schedule(slot, when);
  }
}

}  // namespace veille::pipeline
