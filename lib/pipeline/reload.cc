#include "pipeline/reload.h"

namespace veille::pipeline {

fetch::FetchOptions FetchOptionsFrom(const config::Config& c) {
  fetch::FetchOptions o;
  o.concurrency = c.polling.concurrency;
  o.per_host = c.polling.per_host;
  o.connect_timeout_s = c.polling.connect_timeout_s;
  o.timeout_s = c.polling.timeout_s;
  o.max_body = c.polling.max_body;
  o.user_agent = c.daemon.user_agent;
  o.allow_private = c.polling.allow_private;
  o.host_spacing_ms = c.polling.host_spacing_ms;
  o.max_redirects = c.polling.max_redirects;
  o.ca_file = c.polling.ca_file;
  o.proxy = c.polling.proxy;
  return o;
}

ReloadPlan PlanReload(const config::Config& running, const config::Config& next) {
  ReloadPlan plan;
  plan.rebuild_fetcher = !(FetchOptionsFrom(running) == FetchOptionsFrom(next));
  plan.log_level_changed = running.daemon.log_level != next.daemon.log_level;
  if (running.daemon.database != next.daemon.database) {
    plan.needs_restart.push_back("[daemon] database");
  }
  if (running.daemon.lock_file != next.daemon.lock_file) {
    plan.needs_restart.push_back("[daemon] lock_file");
  }
  return plan;
}

}  // namespace veille::pipeline
