#include "web/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace veille::web {

LoginLimiter::LoginLimiter(LoginLimits limits) : limits_(limits) {
  global_.tokens = limits_.global_burst;
  global_.at_ms = 0;
}

double LoginLimiter::Refill(Bucket& bucket, double burst, double per_s, std::int64_t now_ms) {
  if (now_ms > bucket.at_ms) {
    bucket.tokens = std::min(burst, bucket.tokens + per_s * double(now_ms - bucket.at_ms) / 1000);
    bucket.at_ms = now_ms;
  }
  return bucket.tokens;
}

std::size_t LoginLimiter::addresses() {
  std::lock_guard lock(mutex_);
  return addresses_.size();
}

std::int64_t LoginLimiter::Take(const std::string& address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = addresses_.find(address);
  if (it == addresses_.end()) {
    if (addresses_.size() >= limits_.max_addresses) {
      // Forget the addresses whose buckets have refilled; if none has, the fullest one.
      for (auto& [key, b] : addresses_) {
        Refill(b, limits_.per_address_burst, limits_.per_address_per_s, now_ms);
      }
      std::erase_if(addresses_,
                    [&](const auto& kv) { return kv.second.tokens >= limits_.per_address_burst; });
      if (addresses_.size() >= limits_.max_addresses) {
        addresses_.erase(std::max_element(
            addresses_.begin(), addresses_.end(),
            [](const auto& a, const auto& b) { return a.second.tokens < b.second.tokens; }));
      }
    }
    it = addresses_.emplace(address, Bucket{limits_.per_address_burst, now_ms}).first;
  }
  Bucket& mine = it->second;
  const double own = Refill(mine, limits_.per_address_burst, limits_.per_address_per_s, now_ms);
  const double all = Refill(global_, limits_.global_burst, limits_.global_per_s, now_ms);
  if (own >= 1 && all >= 1) {
    mine.tokens -= 1;
    global_.tokens -= 1;
    return 0;
  }
  const double wait_own = own >= 1 ? 0 : (1 - own) / limits_.per_address_per_s;
  const double wait_all = all >= 1 ? 0 : (1 - all) / limits_.global_per_s;
  return std::max<std::int64_t>(1,
                                static_cast<std::int64_t>(std::ceil(std::max(wait_own, wait_all))));
}

}  // namespace veille::web
