#include "pipeline/config_fingerprint.h"

#include <spdlog/spdlog.h>

#include "match/query.h"
#include "pipeline/monitor.h"
#include "store/daemon_configs.h"

namespace veille::pipeline {

config::ConfigSummary SummarizeForDatabase(const config::Config& config) {
  return config::SummarizeConfig(config, [](std::string_view query) {
    auto parsed = match::ParseQuery(query);
    // A query that does not parse never runs (the config is refused): its text stands for it.
    return parsed ? match::DebugString(*parsed) : std::string(query);
  });
}

Result<std::string> PublishConfig(store::Store& store, const config::ConfigSummary& summary,
                                  UnixSeconds now) {
  auto others = store::PublishDaemonConfig(store, summary.fingerprint, summary.description, now);
  if (!others) return tl::unexpected(others.error());
  std::vector<config::OtherConfig> compared;
  for (const auto& row : *others) {
    compared.push_back({row.owner, row.fingerprint, row.description});
  }
  return config::DifferencesWarning(summary, compared);
}

void Monitor::PublishConfig() {
  auto warning = pipeline::PublishConfig(*store_, SummarizeForDatabase(config_), clock_());
  if (!warning) {
    spdlog::warn("configuration fingerprint not recorded: {}", warning.error().message);
    return;
  }
  published_config_ = true;
  if (!warning->empty()) spdlog::warn("{}", *warning);
}

void Monitor::TouchConfig() {
  if (!published_config_ || !shared_) return;
  if (auto r = store::TouchDaemonConfig(*store_, clock_()); !r) {
    spdlog::warn("configuration fingerprint not refreshed: {}", r.error().message);
  }
}

void Monitor::WithdrawConfig() {
  if (!published_config_ || !shared_) return;
  if (auto r = store::RemoveDaemonConfig(*store_); !r) {
    spdlog::warn("configuration fingerprint not removed: {}", r.error().message);
  }
}

}  // namespace veille::pipeline
