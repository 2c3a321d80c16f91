// The outbox dispatcher: delivers due outbox rows through their channel's transport, records
// every attempt, retries with backoff, holds a channel that is down or rate limited, sends
// digests on schedule, folds bursts, honours quiet hours; never deletes a row.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "alert/schedule.h"
#include "alert/transport.h"
#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::alert {

struct DispatchStats {
  int delivered = 0;  // outbox rows delivered (a digest counts each of its rows)
  int retried = 0;
  int dead = 0;
  int disabled = 0;  // rows stopped because their endpoint was disabled (410)
  int removed = 0;   // rows of channels no longer configured
  int messages = 0;  // messages sent (a digest or burst summary is one)
  int events = 0;    // operator events (spike, feed health) delivered
  // State changes for the operator's log, each reported once (channel paused, recovered,
  // endpoint disabled, alert dead, channel removed).
  std::vector<std::string> notices;
};

// Seconds to wait before retry number `attempt` (1-based): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 14 h, 20 h, 24 h (Standard Webhooks' schedule, about three days in all), with +-20% jitter.
// nullopt when the schedule is exhausted (the row goes dead).
std::optional<std::int64_t> RetryDelay(int attempt, std::mt19937_64& rng);

// How a channel sends, beyond its transport. Defaults: immediate, no quiet hours, no burst cap.
struct ChannelPolicy {
  bool digest = false;
  DigestSchedule digest_schedule;
  bool digest_when_empty = false;  // send "no new mentions" digests too
  std::optional<QuietHours> quiet;
  UtcOffsetFn offset;   // the channel's time zone; empty: UTC
  int burst_limit = 0;  // more than this many messages within burst_window_s: fold into one
  std::int64_t burst_window_s = 600;
};

// Attempts in flight at once: per channel (one until the channel has delivered in this pass, so
// a channel that is down gets one attempt per backoff step) and in all.
inline constexpr int kPerChannelTransfers = 4;
inline constexpr int kTotalTransfers = 16;

class Dispatcher {
 public:
  explicit Dispatcher(store::Store& store) : Dispatcher(store, std::random_device{}()) {}
  Dispatcher(store::Store& store, std::uint64_t seed);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Registers the transport for a channel name (replaces any previous one).
  void SetTransport(const std::string& channel, std::shared_ptr<Transport> transport,
                    ChannelPolicy policy = {});
  void ClearTransports();
  // The channels of the current configuration (with or without a working transport). Pending
  // rows of any other channel become channel_removed at the next DeliverDue. Not calling it
  // leaves such rows pending.
  void SetConfiguredChannels(std::vector<std::string> channels);

  // Delivers what is due at `now`: at most `limit` alerts per channel (an alert carries the rows
  // of every rule that matched one entry); stops starting new
  // attempts once `budget_ms` (0: no limit) has elapsed, and gives each attempt the time left.
  [[nodiscard]] Result<DispatchStats> DeliverDue(UnixSeconds now, int limit = 1000,
                                                 std::int64_t budget_ms = 0);

  // The earliest time an immediate channel has something to attempt (pending row due, channel
  // no longer held); nullopt when nothing is pending on those channels. Digest channels and
  // channels in quiet hours are not counted. For `veilled --once`.
  [[nodiscard]] Result<std::optional<UnixSeconds>> NextAttempt(UnixSeconds now);

 private:
  struct Channel {
    std::shared_ptr<Transport> transport;
    ChannelPolicy policy;
  };

  // The rows of one alert: every rule that matched one entry (store::DueAlertGroups).
  using Group = std::vector<store::OutboxRow>;

  // Sends a burst summary if the channel is past its cap; returns the alerts to send one by one.
  Result<std::vector<Group>> PrepareImmediate(const std::string& name, Channel& channel,
                                              UnixSeconds now, int limit, std::int64_t deadline_ms,
                                              DispatchStats& stats);
  // Runs the queued alerts of every immediate channel concurrently on the multi handle.
  Result<void> RunQueues(std::map<std::string, std::vector<Group>>& queues, UnixSeconds now,
                         std::int64_t deadline_ms, DispatchStats& stats);
  // Records one attempt's outcome for every row of the alert; false when the channel must stop
  // for this pass.
  Result<bool> Record(const std::string& name, Channel& channel, const Group& rows,
                      const Delivery& result, UnixSeconds now, DispatchStats& stats);
  Result<void> DeliverDigest(const std::string& name, Channel& channel, UnixSeconds now,
                             std::int64_t deadline_ms, DispatchStats& stats);
  // Records a failed attempt of `rows` (one message); returns false when the channel must stop
  // for this pass.
  Result<bool> RecordFailure(const std::string& name, Channel& channel,
                             const std::vector<store::OutboxRow>& rows, const Delivery& result,
                             UnixSeconds now, DispatchStats& stats);
  // Operator events (spike, feed health) due on `name`, one at a time.
  Result<void> DeliverEvents(const std::string& name, Channel& channel, UnixSeconds now,
                             std::int64_t deadline_ms, DispatchStats& stats);
  // One alert from the rows of one entry (the first row gives the key).
  Result<Alert> LoadAlert(const Group& rows, UnixSeconds now);
  std::int64_t Offset(const Channel& channel, UnixSeconds t) const;

  store::Store& store_;
  std::map<std::string, Channel> channels_;
  std::optional<std::vector<std::string>> configured_;
  bool removal_pending_ = false;
  std::map<std::string, UnixSeconds> held_until_;  // channel-wide failures and Retry-After
  std::mt19937_64 rng_;
  CURLM* multi_ = nullptr;
};

}  // namespace veille::alert
