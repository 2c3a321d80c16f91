#include "pipeline/monitor.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <thread>

#include "common/redact.h"
#include "common/url.h"
#include "feed/parse.h"
#include "fetch/redirects.h"
#include "pipeline/channels.h"
#include "pipeline/monitor_internal.h"
#include "pipeline/poll_record.h"
#include "pipeline/reload.h"
#include "schedule/health.h"
#include "schedule/policy.h"
#include "schedule/spread.h"
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

std::vector<match::RuleSpec> RuleSpecs(const config::Config& c) {
  std::vector<match::RuleSpec> specs;
  for (const auto& r : c.rules) specs.push_back({r.name, r.category, r.query, r.exclude});
  return specs;
}

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

std::string Plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

using detail::Add;
using detail::SteadyMs;

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
                 std::shared_ptr<const match::Matcher> matcher, WallClock clock,
                 FetcherFactory make_fetcher)
    : config_(std::move(config)),
      store_(std::move(store)),
      fetcher_(std::move(fetcher)),
      make_fetcher_(std::move(make_fetcher)),
      matcher_(std::move(matcher)),
      routing_(RoutingFor(config_)),
      dispatcher_(*store_),
      clock_(std::move(clock)),
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
  auto matcher = CompileRules(config);
  if (!matcher) return tl::unexpected(matcher.error());
  auto store = store::Store::Open(config.daemon.database, store::Access::kMigrate);
  if (!store) return tl::unexpected(store.error());
  if (auto r = (*store)->StartCheckpointer(); !r) return tl::unexpected(r.error());
  if (!make_fetcher) make_fetcher = DefaultFetcherFactory();
  auto fetcher = make_fetcher(FetchOptionsFrom(config));
  if (!fetcher) return tl::unexpected(fetcher.error());
  std::unique_ptr<Monitor> monitor(new Monitor(config, std::move(*store), std::move(*fetcher),
                                               std::move(*matcher), std::move(clock),
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

Result<void> Monitor::ApplyFeeds(bool spread) {
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& f : config_.feeds) wanted.emplace_back(f.url, f.name);
  auto ids = store_->SyncFeeds(wanted, clock_());
  if (!ids) return tl::unexpected(ids.error());
  const UnixSeconds now = clock_();
  std::map<std::int64_t, Slot> slots;
  std::map<std::int64_t, std::optional<UnixSeconds>> stored_due;
  due_ = schedule::DueQueue();
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

void Monitor::Submit(Slot& slot, bool conditional) {
  fetch::FetchRequest request;
  request.tag = static_cast<std::uint64_t>(slot.id);
  request.url = slot.fetch_url;
  const UnixSeconds now = clock_();
  if (!slot.last_unconditional) slot.last_unconditional = now;  // first poll: count from here
  conditional = conditional && schedule::SendValidators(slot.last_unconditional, now);
  slot.sent_validators = conditional;
  const config::FeedEntry& f = slot.feed;
  request.user_agent = f.user_agent;
  request.headers = f.headers;
  request.ca_file = f.ca_file;
  request.proxy = f.proxy;
  if (f.timeout_s) request.timeout_s = *f.timeout_s;
  if (!f.username.empty()) {
    request.username = f.username;
    if (!f.password_file.empty()) {
      auto password = ReadSecret(f.password_file);
      if (!password) {
        spdlog::warn("feed {}: {}; polling without credentials", f.name, password.error().message);
      }
      request.password = password.value_or("");
    }
  }
  // The same bytes as the last committed document come back as not_modified, unparsed.
  request.fingerprint = slot.fingerprint;
  if (conditional) {
    request.etag = slot.etag;
    request.last_modified = slot.last_modified;
  }
  slot.in_flight = true;
  slot.fetching = true;
  slot.started_ms = SteadyMs();
  slot.answering = slot.request_seen;
  fetcher_->Submit(std::move(request));
}

void Monitor::Schedule(Slot& slot, UnixSeconds next_due, std::optional<UnixSeconds> counted_at) {
  slot.next_due = next_due;
  slot.counted_at = counted_at.value_or(clock_());
  if (slot.gone || (shared_ && !slot.leased)) {
    due_.Remove(static_cast<std::uint64_t>(slot.id));
  } else {
    due_.Schedule(static_cast<std::uint64_t>(slot.id), next_due);
  }
}

bool Monitor::HasRoom() const {
  // Documents fetched or parsed at once: twice `concurrency`, so that the fetcher starts the
  // next queued request inside the same poll (one `concurrency` deep was 9 % slower on a cycle
  // of 304s), plus one per worker. That bounds the bodies held in memory when parsing is the
  // slower side (the memory cap of RELIABILITY.md B; faults scorecard, memory check).
  return Room() > 0;
}

std::size_t Monitor::Room() const {
  const std::size_t limit =
      2 * static_cast<std::size_t>(std::max(config_.polling.concurrency, 1)) + parser_->threads();
  const std::size_t held = fetcher_->pending() + parser_->outstanding();
  return held < limit ? limit - held : 0;
}

void Monitor::OnFetched(fetch::FetchResult result) {
  const auto id = static_cast<std::int64_t>(result.tag);
  auto it = slots_.find(id);
  if (it == slots_.end()) return;  // the feed left the config while in flight
  it->second.fetching = false;
  if (result.outcome != Outcome::kOk) {
    Stage(std::move(result), nullptr);
    return;
  }
  const Slot& slot = it->second;
  ParseJob job;
  job.feed_id = id;
  job.options.base_url = result.effective_url.empty() ? slot.feed.url : result.effective_url;
  job.options.content_type = result.content_type;
  job.options.max_bytes = config_.polling.max_body;
  job.options.max_entries = config_.polling.max_entries;
  job.result = std::move(result);
  job.feed = slot.feed;
  job.matcher = matcher_;
  job.routing = routing_;
  parser_->Submit(std::move(job));
}

bool Monitor::Idle() const { return fetcher_->pending() == 0 && parser_->outstanding() == 0; }

CycleSummary Monitor::Collect(std::chrono::milliseconds max_wait) {
  CycleSummary total;
  // An open batch closes on time even when nothing else happens.
  max_wait = std::chrono::milliseconds(std::min<std::int64_t>(max_wait.count(), BatchTimeLeftMs()));
  if (fetcher_->pending() > 0) {
    // A finished parse wakes this poll up (the pool's on_done calls Wakeup).
    for (auto& result : fetcher_->Poll(max_wait)) {
      OnFetched(std::move(result));
      if (BatchTimeLeftMs() == 0) Add(total, Flush());
    }
  } else if (parser_->outstanding() > 0) {
    parser_->WaitDone(max_wait);
  } else if (batch_.empty()) {
    // Nothing in flight: sleep here (poll(2) returns early on a signal, so SIGTERM and SIGHUP
    // are seen promptly).
    ::poll(nullptr, 0, static_cast<int>(max_wait.count()));
  }
  for (auto& doc : parser_->TakeDone()) {
    Stage(std::move(doc.result), &doc);
    if (BatchTimeLeftMs() == 0) Add(total, Flush());
  }
  // A batch closes at its size or age bound (`[daemon] commit_batch`, `commit_interval`), and
  // as soon as nothing is in flight: a quiet daemon never holds a finished poll back.
  if (!batch_.empty() && (BatchTimeLeftMs() == 0 || Idle())) Add(total, Flush());
  return total;
}

namespace {

void LogDelivery(const alert::DispatchStats& stats) {
  // State changes (channel held, recovered, disabled, alert dead) are logged once each.
  for (const auto& notice : stats.notices) spdlog::warn("alerts: {}", notice);
  if (stats.delivered + stats.retried + stats.dead > 0) {
    spdlog::info("alerts delivered={} retry={} dead={} messages={}", stats.delivered, stats.retried,
                 stats.dead, stats.messages);
  }
}

}  // namespace

void Monitor::Deliver(CycleSummary& summary, std::int64_t pass_budget_ms) {
  // Every daemon delivers the alerts it claims (leases on a shared database: docs/scaling.md,
  // "Alert delivery"); the checks and digests run on the daemon holding the maintenance lock
  // (always this one on SQLite).
  const bool maintainer = Maintainer();
  dispatcher_.SetMaintainer(maintainer);
  if (maintainer && (last_watch_ms_ == 0 || SteadyMs() - last_watch_ms_ >= 60'000)) {
    last_watch_ms_ = SteadyMs();
    auto events = alert::RunWatches(*store_, WatchConfigFor(config_), clock_());
    if (!events) spdlog::error("spike and feed-health checks: {}", events.error().message);
    if (events) {
      for (const auto& e : *events) spdlog::warn("alerts: {}", e);
    }
  }
  // The loop only reads rows, builds messages and records outcomes; the sends themselves run on
  // the dispatcher's delivery thread, so a hung server delays nothing but its own alerts.
  auto stats = pass_budget_ms > 0 ? dispatcher_.DeliverDue(clock_(), 1000, pass_budget_ms)
                                  : dispatcher_.Pump(clock_(), 1000);
  if (!stats) {
    spdlog::error("alert delivery: {}", stats.error().message);
    return;
  }
  LogDelivery(*stats);
  summary.alerts_delivered += stats->delivered;
}

void Monitor::StopDelivery() {
  constexpr std::int64_t kStopGraceMs = 3000;  // well within TimeoutStopSec (30 s)
  int abandoned = 0;
  auto stats = dispatcher_.Stop(clock_(), kStopGraceMs, &abandoned);
  if (!stats) spdlog::error("alert delivery: {}", stats.error().message);
  if (stats) LogDelivery(*stats);
  if (abandoned > 0) {
    spdlog::warn(
        "alerts: {} sends still in flight at stop: left pending, sent again (same id) at "
        "the next start",
        abandoned);
  }
}

Result<CycleSummary> Monitor::RunOnce(const std::atomic<bool>& stop) {
  CycleSummary total;
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
  while (next_feed < to_poll.size() || fetcher_->pending() > 0 || parser_->outstanding() > 0) {
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
      // daemon is polling now are left to it.
      constexpr UnixSeconds kAlways = std::numeric_limits<UnixSeconds>::max();
      // None leased while this daemon polls others: it holds as many hosts as it may
      // (monitor_hosts.cc); those left wait for the next turn.
      if (ClaimDue(kAlways, to_poll) == 0 && BusyHosts().empty()) {
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
  if (leased_elsewhere > 0) {
    spdlog::info("{} not polled: another daemon is polling them",
                 Plural(leased_elsewhere, "feed", "feeds"));
  }
  // The full-text index upkeep the commits left (store::Maintain), before the alerts wait.
  while (total.new_entries > 0 && !stop.load() && Maintainer()) {
    auto done = store::Maintain(*store_, store::MaintenanceRequest::Index());
    if (!done) spdlog::warn("full-text index maintenance: {}", done.error().message);
    if (!done || !done->more_index_work) break;
  }
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
