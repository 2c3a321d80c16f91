// The outbox dispatcher: delivers due outbox rows through their channel's transport, records
// every attempt, retries with backoff; never deletes a row.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>

#include "alert/transport.h"
#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::alert {

struct DispatchStats {
  int delivered = 0;
  int retried = 0;
  int dead = 0;
};

// Seconds to wait before retry number `attempt` (1-based): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 14 h, 20 h, 24 h (Standard Webhooks' schedule, about three days in all), with +-20% jitter.
// nullopt when the schedule is exhausted (the row goes dead).
std::optional<std::int64_t> RetryDelay(int attempt, std::mt19937_64& rng);

class Dispatcher {
 public:
  explicit Dispatcher(store::Store& store) : store_(store), rng_(std::random_device{}()) {}

  // Registers the transport for a channel name (replaces any previous one).
  void SetTransport(const std::string& channel, std::shared_ptr<Transport> transport);
  void ClearTransports() { transports_.clear(); }

  // Delivers every pending row due at `now` (at most `limit`), one at a time.
  [[nodiscard]] Result<DispatchStats> DeliverDue(UnixSeconds now, int limit = 1000);

 private:
  store::Store& store_;
  std::map<std::string, std::shared_ptr<Transport>> transports_;
  std::mt19937_64 rng_;
};

}  // namespace veille::alert
