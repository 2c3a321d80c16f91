// Login attempts: 5 at once per address then one every 12 s; 30 at once for everyone then one
// every 2 s (the numbers of docs/web.md).
#include "web/rate_limit.h"

#include <gtest/gtest.h>

namespace veille::web {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;  // ms

TEST(LoginLimiterTest, FiveAttemptsPerAddressThenOneEveryTwelveSeconds) {
  LoginLimiter limiter;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("192.0.2.1", kT0), 0) << i;
  EXPECT_EQ(limiter.Take("192.0.2.1", kT0), 12);
  EXPECT_EQ(limiter.Take("192.0.2.1", kT0 + 6000), 6);
  EXPECT_EQ(limiter.Take("192.0.2.2", kT0), 0) << "another address is not held back";
  EXPECT_EQ(limiter.Take("192.0.2.1", kT0 + 12000), 0);
  EXPECT_GT(limiter.Take("192.0.2.1", kT0 + 12000), 0);
  // A refused attempt takes nothing: waiting the time given is enough.
  EXPECT_EQ(limiter.Take("192.0.2.1", kT0 + 24000), 0);
}

TEST(LoginLimiterTest, ThirtyAttemptsAtOnceForEveryoneThenOneEveryTwoSeconds) {
  LoginLimiter limiter;
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(limiter.Take("198.51.100." + std::to_string(i), kT0), 0) << i;
  }
  EXPECT_EQ(limiter.Take("203.0.113.1", kT0), 2) << "a fresh address waits for the server";
  EXPECT_EQ(limiter.Take("203.0.113.1", kT0 + 2000), 0);
}

TEST(LoginLimiterTest, RemembersABoundedNumberOfAddresses) {
  LoginLimits limits;
  limits.max_addresses = 3;
  limits.global_burst = 1000;
  LoginLimiter limiter(limits);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("a", kT0), 0);
  EXPECT_GT(limiter.Take("a", kT0), 0);
  for (int i = 0; i < 100; ++i) {
    limiter.Take("other" + std::to_string(i), kT0);
    ASSERT_LE(limiter.addresses(), 3u) << i;
  }
}

}  // namespace
}  // namespace veille::web
