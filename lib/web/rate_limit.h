// Login attempts, rate-limited per client address and for the whole server (token buckets):
// guessing a password costs time, and a flood of logins cannot make the server spend all its
// CPU and memory on argon2 (docs/web.md gives the numbers). Thread-safe; time is an argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/time.h"

namespace veille::web {

struct LoginLimits {
  // One client address: 5 attempts at once, then one every 12 s (5 a minute).
  double per_address_burst = 5;
  double per_address_per_s = 1.0 / 12;
  // Every client together: 30 at once, then one every 2 s (30 a minute).
  double global_burst = 30;
  double global_per_s = 0.5;
  std::size_t max_addresses = 10000;  // addresses remembered; the fullest buckets go first
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {});

  // Takes one attempt for `address` at `now` (milliseconds): 0 when allowed, else how many
  // seconds to wait before the next attempt can succeed (Retry-After). A refused attempt takes
  // nothing.
  std::int64_t Take(const std::string& address, std::int64_t now_ms);

  std::size_t addresses();  // how many addresses are remembered (at most max_addresses)

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  static double Refill(Bucket& bucket, double burst, double per_s, std::int64_t now_ms);

  LoginLimits limits_;
  std::mutex mutex_;
  Bucket global_;
  std::map<std::string, Bucket> addresses_;
};

}  // namespace veille::web
