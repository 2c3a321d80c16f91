// Building the alert transports of the configured channels.
#pragma once

#include <string>

#include "alert/dispatcher.h"
#include "alert/watch.h"
#include "common/result.h"
#include "common/secret.h"  // ReadSecret, used by the channels
#include "config/config.h"

namespace veille::pipeline {

// Registers one transport per configured channel on `dispatcher` (replacing the previous set)
// with its delivery policy (digest, quiet hours, burst), and tells the dispatcher which channels
// exist and who each rule is about (the entity its alerts name). A channel whose transport cannot
// be built (unreadable secret file, ...) is reported in the log and left without a transport: its
// alerts stay pending, never dropped.
void RegisterTransports(const config::Config& config, alert::Dispatcher& dispatcher);

// Which channels receive spike alerts (per rule: its channels with spike_alerts = true) and
// feed-health alerts (channels with feed_health_alerts = true), for alert::RunWatches.
alert::WatchConfig WatchConfigFor(const config::Config& config);

}  // namespace veille::pipeline
