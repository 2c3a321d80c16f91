// What a configuration reload (SIGHUP) changes. Every key takes effect on reload except the
// few that name the daemon's own files, which need a restart; the reload says which in one line.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "fetch/fetcher.h"

namespace veille::pipeline {

// The fetcher's settings from the config ([daemon] user_agent and the [polling] HTTP keys).
fetch::FetchOptions FetchOptionsFrom(const config::Config& config);

// The keys of [daemon] and [polling] take effect on reload: the fetcher's settings by rebuilding
// it (transfers in flight restart with the new settings), the intervals by recomputing every
// feed's next poll, log_level in veilled, the rest where it is read. [[feed]], [[rule]] and
// [[channel]] tables are applied whole. Only the keys naming the daemon's files need a restart.
struct ReloadPlan {
  bool rebuild_fetcher = false;
  bool log_level_changed = false;
  // Keys whose new value is not applied: "[daemon] database", "[daemon] lock_file".
  std::vector<std::string> needs_restart;
};

ReloadPlan PlanReload(const config::Config& running, const config::Config& next);

}  // namespace veille::pipeline
