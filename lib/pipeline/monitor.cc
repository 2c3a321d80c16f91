// The monitor's lifecycle and loops: Create, Run, RunOnce, the clock-jump shift, status lines.
#include "pipeline/monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <thread>

#include "pipeline/monitor_internal.h"
#include "pipeline/reload.h"
#include "store/daemon_configs.h"
#include "store/outbox_repo.h"
#include "store/poll_requests.h"
#include "store/retention.h"

namespace veille::pipeline {
namespace {

// On a shared database, how often an idle daemon looks for due feeds to lease.
constexpr std::int64_t kClaimPeriodMs = 1000;

// A difference between the wall clock's and the monotonic clock's progress above this is a jump
// (a clock set by hand, a VM resumed), not NTP slewing or rounding.
constexpr std::int64_t kClockJumpS = 30;
// --once on a shared database: a host given back (by a run that just ended, say) waits
// host_spacing for its next daemon. For that long plus this grace from the run's start, claims
// that get nothing are tried again rather than the feeds left said to be another daemon's.
constexpr std::int64_t kOnceClaimGraceMs = 1000;
// --once on a shared database: how often a run refreshes its daemon_configs row, as the
// heartbeat does, so that its start stays counted by runs that start after it.
constexpr std::int64_t kOnceTouchMs = 30 * 1000;

std::string Plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

using detail::Add;
using detail::CompileRules;
using detail::RoutingFor;

std::string CycleLine(const CycleSummary& s) {
  return fmt::format("cycle done: {} polled, {} ok, {} failed, {}, {}",
                     Plural(s.feeds_polled, "feed", "feeds"), s.feeds_ok, s.feeds_failed,
                     Plural(s.new_entries, "new entry", "new entries"),
                     Plural(s.new_mentions, "new mention", "new mentions"));
}

std::string NotSentLine(const CycleSummary& s) {
  if (s.alerts_not_sent == 0) return "";
  return fmt::format("{} not sent: first poll of {}; set backfill_alerts = true to send them",
                     Plural(s.alerts_not_sent, "alert", "alerts"),
                     Plural(s.first_poll_feeds, "feed", "feeds"));
}

UnixSeconds SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t SystemSteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

FetcherFactory DefaultFetcherFactory() {
  return [](const fetch::FetchOptions& options) { return fetch::Fetcher::Create(options); };
}

void Monitor::Waker::Set(fetch::Fetcher* fetcher) {
  std::lock_guard<std::mutex> lock(mu_);
  fetcher_ = fetcher;
}

void Monitor::Waker::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fetcher_) fetcher_->Wakeup();
}

Monitor::Monitor(config::Config config, std::unique_ptr<store::Store> store,
                 std::unique_ptr<fetch::Fetcher> fetcher,
                 std::shared_ptr<const match::Matcher> matcher, Clocks clocks,
                 FetcherFactory make_fetcher)
    : config_(std::move(config)),
      store_(std::move(store)),
      fetcher_(std::move(fetcher)),
      make_fetcher_(std::move(make_fetcher)),
      matcher_(std::move(matcher)),
      routing_(RoutingFor(config_)),
      dispatcher_(*store_),
      clock_(std::move(clocks.wall)),
      steady_(std::move(clocks.steady)),
      rng_(std::random_device{}()) {
  waker_->Set(fetcher_.get());
}

Monitor::~Monitor() {
  WithdrawConfig();
  parser_.reset();  // joins the workers, which may still wake the fetcher
  waker_->Set(nullptr);
}

Result<std::unique_ptr<Monitor>> Monitor::Create(const config::Config& config, WallClock clock,
                                                 FetcherFactory make_fetcher) {
  MonitorParts parts;
  parts.clocks.wall = std::move(clock);
  parts.make_fetcher = std::move(make_fetcher);
  return Create(config, std::move(parts));
}

Result<std::unique_ptr<Monitor>> Monitor::Create(const config::Config& config, MonitorParts parts) {
  auto matcher = CompileRules(config);
  if (!matcher) return tl::unexpected(matcher.error());
  std::unique_ptr<store::Store> store = std::move(parts.store);
  if (!store) {
    auto opened = store::Store::Open(config.daemon.database, store::Access::kMigrate);
    if (!opened) return tl::unexpected(opened.error());
    store = std::move(*opened);
  }
  if (auto r = store->StartCheckpointer(); !r) return tl::unexpected(r.error());
  FetcherFactory make_fetcher = std::move(parts.make_fetcher);
  if (!make_fetcher) make_fetcher = DefaultFetcherFactory();
  Clocks clocks = std::move(parts.clocks);
  if (!clocks.wall) clocks.wall = SystemNow;
  if (!clocks.steady) clocks.steady = SystemSteadyMs;
  auto fetcher = make_fetcher(FetchOptionsFrom(config));
  if (!fetcher) return tl::unexpected(fetcher.error());
  std::unique_ptr<Monitor> monitor(new Monitor(config, std::move(store), std::move(*fetcher),
                                               std::move(*matcher), std::move(clocks),
                                               std::move(make_fetcher)));
  monitor->shared_ = monitor->store_->Shared();
  if (auto r = monitor->ApplyFeeds(true); !r) return tl::unexpected(r.error());
  monitor->ApplyChannels();
  monitor->PublishConfig();
  std::shared_ptr<Waker> waker = monitor->waker_;
  monitor->parser_ = std::make_unique<ParsePool>(
      config.daemon.database, ParsePool::DefaultThreads(), [waker] { waker->Wake(); });
  return monitor;
}

void Monitor::Heartbeat(const store::DaemonStatus& status) {
  if (auto r = store_->WriteStatus(status); !r) {
    spdlog::warn("heartbeat not recorded: {}", r.error().message);
  }
  TouchConfig();
}

std::pair<int, int> Monitor::FeedHealth() const {
  int failing = 0;
  for (const auto& [id, slot] : slots_) failing += slot.consecutive_failures > 0 ? 1 : 0;
  return {static_cast<int>(slots_.size()), failing};
}

Result<CycleSummary> Monitor::RunOnce(const std::atomic<bool>& stop) {
  CycleSummary total;
  const std::int64_t polling_from_ms = SteadyMs();
  due_ = schedule::DueQueue();
  cycle_pending_.clear();  // the caller logs the cycle line
  // This pass answers the `veille poll` requests made before it (they are cleared with it).
  if (auto requests = store::PendingPollRequests(*store_)) {
    for (const store::PollRequest& r : *requests) {
      if (auto it = slots_.find(r.feed_id); it != slots_.end()) {
        it->second.request_seen = r.requested_at_ms;
      }
    }
  }
  // Several --once runs on one database that overlap are one cycle: each leases only the feeds
  // none of them has polled yet (docs/scaling.md, "veilled --once").
  if (shared_) {
    if (auto r = store::BeginOnceRun(*store_, clock_()); !r) {
      spdlog::warn(
          "--once run not recorded (another run at the same time may poll its feeds "
          "again): {}",
          r.error().message);
    }
  }
  std::vector<std::int64_t> to_poll;
  for (auto& [id, slot] : slots_) {
    if (slot.gone) {
      spdlog::info("poll {} skipped: the feed is gone (HTTP 410)", slot.feed.name);
      continue;
    }
    to_poll.push_back(id);
  }
  std::size_t next_feed = 0;
  int leased_elsewhere = 0;
  const std::int64_t give_up_from_ms =
      SteadyMs() + config_.polling.host_spacing_ms + kOnceClaimGraceMs;
  std::int64_t next_touch_ms = SteadyMs() + kOnceTouchMs;
  while (next_feed < to_poll.size() || fetcher_->pending() > 0 || parser_->outstanding() > 0) {
    if (shared_ && SteadyMs() >= next_touch_ms) {
      TouchConfig();  // the other runs count this one's start while it lasts (BeginOnceRun)
      next_touch_ms = SteadyMs() + kOnceTouchMs;
    }
    if (stop.load()) {
      Flush();  // what finished is committed; what is in flight is fetched again next time
      fetcher_->AbortAll();
      parser_->Clear();
      ReleaseAllLeases();
      for (auto& [id, slot] : slots_) slot.in_flight = slot.fetching = false;
      return Fail(ErrorCode::kInternal, "stopped before every feed was polled");
    }
    if (shared_ && !to_poll.empty() && HasRoom()) {
      // Every feed is due for --once (`to_poll` is what is left to lease); those another
      // daemon is polling now, or polled since the cycle began (BeginOnceRun), are left to it.
      constexpr UnixSeconds kAlways = std::numeric_limits<UnixSeconds>::max();
      // None leased while this daemon polls others: it holds as many hosts as it may
      // (monitor_hosts.cc); those left wait for the next turn.
      if (ClaimDue(kAlways, to_poll) == 0 && BusyHosts().empty() && SteadyMs() >= give_up_from_ms) {
        leased_elsewhere = static_cast<int>(to_poll.size());
        to_poll.clear();
      }
      for (std::uint64_t id : due_.PopDue(kAlways, std::numeric_limits<std::size_t>::max())) {
        auto it = slots_.find(static_cast<std::int64_t>(id));
        if (it == slots_.end()) continue;
        std::erase(to_poll, it->first);
        Submit(it->second, true);
      }
    }
    while (!shared_ && next_feed < to_poll.size() && HasRoom()) {
      auto it = slots_.find(to_poll[next_feed++]);
      if (it != slots_.end()) Submit(it->second, true);
    }
    Add(total, Collect(std::chrono::milliseconds(200)));
  }
  Add(total, Flush());
  const std::int64_t index_from_ms = SteadyMs();
  total.polling_ms = index_from_ms - polling_from_ms;
  // Its host leases too (the feeds' ended with their commits): kept, they would hold those
  // hosts from every daemon, and from the next --once run, until they expire (lease_time).
  if (shared_) ReleaseAllLeases();
  if (leased_elsewhere > 0 && claims_failed_ > 0) {
    spdlog::warn("{} not polled: the claims failed (feeds not leased, above)",
                 Plural(leased_elsewhere, "feed", "feeds"));
  } else if (leased_elsewhere > 0) {
    spdlog::info("{} not polled: another daemon is polling them or polled them in this run",
                 Plural(leased_elsewhere, "feed", "feeds"));
  }
  // The full-text index upkeep the commits left (store::Maintain), before the alerts wait.
  // Steps of 16 times the daemon's (about 16 MB of leaf pages): the same merging in fewer
  // transactions (2 commits instead of 19 after a cold cycle of 500 feeds), since nothing else
  // waits for the loop here.
  constexpr int kOnceIndexPages = 16 * store::kIndexStepPages;
  while (total.new_entries > 0 && !stop.load() && Maintainer()) {
    auto done = store::Maintain(*store_, store::MaintenanceRequest::Index(kOnceIndexPages));
    if (!done) spdlog::warn("full-text index maintenance: {}", done.error().message);
    if (!done || !done->more_index_work) break;
  }
  const std::int64_t delivery_from_ms = SteadyMs();
  total.index_ms = delivery_from_ms - index_from_ms;
  // Deliver what is due, then wait for retries that fall due before the deadline (a 5 s first
  // retry is part of one --once run); stop early when nothing more can happen in time.
  const std::int64_t deadline_ms = SteadyMs() + once_delivery_deadline_s_ * 1000;
  for (;;) {
    const std::int64_t left = deadline_ms - SteadyMs();
    if (left <= 0 || stop.load()) break;
    const int before = total.alerts_delivered;
    Deliver(total, left);
    auto next = dispatcher_.NextAttempt(clock_());
    if (!next) {
      spdlog::error("alert delivery: {}", next.error().message);
      break;
    }
    if (!*next) break;
    const std::int64_t wait_ms = (**next - clock_()) * 1000;
    if (wait_ms <= 0 && total.alerts_delivered == before) break;  // nothing moved: give up
    if (SteadyMs() + wait_ms >= deadline_ms) break;
    while (!stop.load() && clock_() < **next && SteadyMs() < deadline_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  total.delivery_ms = SteadyMs() - delivery_from_ms;
  if (auto counts = store::CountOutbox(*store_)) {
    total.alerts_pending = static_cast<int>((*counts)[store::OutboxStatus::kPending]);
  }
  if (total.alerts_pending > 0) {
    spdlog::info("alerts: {} still pending (delivered on a later run or by the daemon)",
                 total.alerts_pending);
  }
  return total;
}

void Monitor::ShiftSchedule(std::int64_t seconds, UnixSeconds before, UnixSeconds after) {
  // A shared schedule is every daemon's: one machine's clock jump does not move it (the feeds
  // queued here are leased and due now).
  if (shared_) return;
  due_ = schedule::DueQueue();
  std::vector<std::pair<std::int64_t, UnixSeconds>> moved;
  for (auto& [id, slot] : slots_) {
    if (slot.in_flight) continue;
    // Counted after the jump (nearer the new clock than the old one: a jump is over kClockJumpS,
    // a loop turn a fraction of a second): shifted again, its feed would wait the whole jump.
    if (slot.counted_at != 0 &&
        std::abs(slot.counted_at - after) < std::abs(slot.counted_at - before)) {
      Schedule(slot, slot.next_due, slot.counted_at);
      continue;
    }
    Schedule(slot, slot.next_due + seconds);
    if (!slot.gone) moved.emplace_back(id, slot.next_due);
  }
  // `veille feeds` shows the moved schedule, not the one before the jump.
  if (auto r = store_->WriteSchedule(moved); !r) {
    spdlog::warn("schedule not recorded for veille feeds: {}", r.error().message);
  }
}

Result<void> Monitor::Run(const std::atomic<bool>& stop, const std::function<void()>& on_tick) {
  std::int64_t last_delivery_ms = 0;
  std::int64_t next_prune_ms = 0;  // retention: one small batch per turn while there is work
  bool merge_due = true;  // full-text merging left by the commits, done when nothing is in flight
  UnixSeconds last_wall = clock_();
  std::int64_t last_steady_ms = SteadyMs();
  // The story keys load on a thread of their own while the first feeds are fetched. Not in
  // --once (RunOnce): a cycle of 304s never needs them, and loading them cost such a run 0.2 s
  // of CPU per 100,000 recent entries, waited for at exit.
  store_->PreloadStoryKeys(last_wall);
  while (!stop.load()) {
    TakePollRequests();
    const UnixSeconds now = clock_();
    // Due times are wall-clock seconds, but the schedule follows the monotonic clock: when the
    // wall clock jumps (RELIABILITY.md E9, E10), every due time moves with it, so a jump forward
    // polls nothing early (no burst) and a jump backward leaves no feed waiting for a date that
    // is now far ahead.
    const std::int64_t steady_ms = SteadyMs();
    const std::int64_t jump = (now - last_wall) - (steady_ms - last_steady_ms) / 1000;
    if (jump > kClockJumpS || jump < -kClockJumpS) {
      spdlog::warn("the wall clock jumped by {}s; the poll schedule moves with it", jump);
      // The polls waiting in the batch were scheduled with the clock before the jump: commit
      // them first, so that their due times move with the others (faults scenario clock_jump
      // saw them polled again at once after a +1 day jump).
      Flush();
      ShiftSchedule(jump, last_wall, now);
    }
    last_wall = now;
    last_steady_ms = steady_ms;
    if (shared_) {
      RenewLeases();
      if (HasRoom() && SteadyMs() >= next_claim_ms_) {
        std::vector<std::int64_t> candidates;
        for (const auto& [id, slot] : slots_) {
          if (!slot.gone && !slot.in_flight && !slot.leased) candidates.push_back(id);
        }
        const std::size_t room = Room();
        const std::size_t leased = ClaimDue(now, candidates);
        // A full claim means more may be due: claim again next turn; else in a second.
        next_claim_ms_ = SteadyMs() + (leased == room ? 0 : kClaimPeriodMs);
      }
    }
    while (HasRoom()) {
      const std::vector<std::uint64_t> popped = due_.PopDue(now, 1);
      if (popped.empty()) break;
      const auto id = static_cast<std::int64_t>(popped.front());
      auto it = slots_.find(id);
      if (it == slots_.end() || it->second.in_flight || it->second.gone) continue;
      if (auto paused = host_limits_.PausedUntil(it->second.host, now)) {
        if (shared_) {
          // Given back with its new due time: polled when the pause ends, by any daemon.
          it->second.leased = false;
          it->second.next_due = *paused;
          if (auto r = store_->ReleaseLeases({{id, *paused}}); !r) {
            spdlog::warn("lease not released: {}", r.error().message);
          }
          continue;
        }
        Schedule(it->second, *paused);  // the whole host asked us to slow down
        if (auto r = store_->WriteSchedule({{id, *paused}}); !r) {
          spdlog::warn("schedule not recorded for veille feeds: {}", r.error().message);
        }
        continue;
      }
      Submit(it->second, true);
    }
    std::int64_t wait_ms = 1000;
    if (const std::optional<UnixSeconds> next = due_.NextDue()) {
      wait_ms = std::clamp<std::int64_t>((*next - now) * 1000, 10, 1000);
    }
    if (merge_due && Idle()) wait_ms = 0;
    if (Collect(std::chrono::milliseconds(wait_ms)).new_entries > 0) merge_due = true;
    if (SteadyMs() - last_delivery_ms >= 1000) {
      CycleSummary ignored;
      Deliver(ignored);
      last_delivery_ms = SteadyMs();
    }
    if (config_.daemon.retention_s > 0 && SteadyMs() >= next_prune_ms && Maintainer()) {
      auto done = store::Maintain(
          *store_, store::MaintenanceRequest::Prune(clock_() - config_.daemon.retention_s));
      if (!done) spdlog::warn("retention: {}", done.error().message);
      if (done && done->pruned > 0) spdlog::debug("retention: pruned {} old entries", done->pruned);
      // A full batch means more is due: go on next turn. Otherwise look again in an hour.
      next_prune_ms = SteadyMs() + (done && done->more_to_prune ? 0 : 3600 * 1000);
    }
    if (merge_due && Idle() && Maintainer()) {
      // One bounded step per turn: feeds falling due are submitted first on the next turn.
      auto done = store::Maintain(*store_, store::MaintenanceRequest::Index());
      if (!done) spdlog::warn("full-text index maintenance: {}", done.error().message);
      merge_due = done && done->more_index_work;  // after an error: again after the next commit
    }
    if (on_tick) on_tick();
  }
  Flush();  // SIGTERM commits the open batch, then the daemon exits
  fetcher_->AbortAll();
  parser_->Clear();
  ReleaseAllLeases();  // the others take these feeds at once, not when the leases expire
  for (auto& [id, slot] : slots_) slot.in_flight = slot.fetching = false;
  StopDelivery();
  return {};
}

}  // namespace veille::pipeline
