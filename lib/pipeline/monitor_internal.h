// Helpers shared by the monitor's source files (monitor.cc, monitor_*.cc); not an API.
#pragma once

#include <cstdint>
#include <memory>

#include "pipeline/monitor.h"

namespace veille::pipeline::detail {

// Adds the counts of `part` to `total` (the alert counts are the delivery pass's own).
void Add(CycleSummary& total, const CycleSummary& part);

// Compiles the rules; errors name the config file and the failing rule's query line
// (monitor_feeds.cc, used at start and at reload).
Result<std::shared_ptr<const match::Matcher>> CompileRules(const config::Config& c);
// Each rule's channels, by rule index, for the parse pool's alerts.
std::shared_ptr<const RuleRouting> RoutingFor(const config::Config& c);

}  // namespace veille::pipeline::detail
