// Building the alert transports of the configured channels.
#pragma once

#include "alert/dispatcher.h"
#include "config/config.h"

namespace veille::pipeline {

// Registers one transport per configured channel on `dispatcher` (replacing the previous set).
// A channel whose transport cannot be built (unreadable secret file, ...) is reported in the log
// and left without a transport: its alerts stay pending, never dropped.
void RegisterTransports(const config::Config& config, alert::Dispatcher& dispatcher);

}  // namespace veille::pipeline
