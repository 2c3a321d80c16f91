// Helpers shared by the monitor's source files (monitor.cc, monitor_commit.cc); not an API.
#pragma once

#include <chrono>
#include <cstdint>

#include "pipeline/monitor.h"

namespace veille::pipeline::detail {

inline std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Adds the counts of `part` to `total` (the alert counts are the delivery pass's own).
void Add(CycleSummary& total, const CycleSummary& part);

}  // namespace veille::pipeline::detail
