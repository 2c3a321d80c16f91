#include "schedule/spread.h"

#include <algorithm>
#include <numeric>

namespace veille::schedule {

std::vector<UnixSeconds> SpreadOverdue(const std::vector<UnixSeconds>& due, UnixSeconds now,
                                       std::int64_t window_s) {
  std::vector<UnixSeconds> out = due;
  if (window_s <= 0) return out;
  std::vector<std::size_t> overdue;
  for (std::size_t i = 0; i < due.size(); ++i) {
    if (due[i] <= now) overdue.push_back(i);
  }
  std::stable_sort(overdue.begin(), overdue.end(),
                   [&](std::size_t a, std::size_t b) { return due[a] < due[b]; });
  const auto n = static_cast<std::int64_t>(overdue.size());
  for (std::int64_t k = 0; k < n; ++k) {
    // k * window / n without overflow for any realistic window and feed count.
    out[overdue[static_cast<std::size_t>(k)]] = now + (window_s / n) * k + (window_s % n) * k / n;
  }
  return out;
}

}  // namespace veille::schedule
