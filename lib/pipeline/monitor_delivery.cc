// The monitor's alert delivery: the watches, one delivery step per turn, the stop grace.
#include <spdlog/spdlog.h>

#include "pipeline/channels.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"

namespace veille::pipeline {

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

}  // namespace veille::pipeline
