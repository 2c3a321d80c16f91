// The outbox dispatcher: delivers due outbox rows through their channel's transport, records
// every attempt, retries with backoff, holds a channel that is down or rate limited, sends
// digests on schedule, folds bursts, honours quiet hours; never deletes a row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
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
#include "config/entities.h"
#include "store/outbox_repo.h"
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

// Attempts in flight at once: per channel (one until the channel has delivered since its last
// failure, so a channel that is down gets one attempt per backoff step) and in all.
inline constexpr int kPerChannelTransfers = 4;
inline constexpr int kTotalTransfers = 16;

class DeliveryWorker;
class Outcomes;

// Threads: every method is called from one thread (the daemon's loop), the only one that touches
// the store. Network attempts run on delivery threads (DeliveryWorker, one per channel that has
// sent something) that never touch it.
class Dispatcher {
 public:
  explicit Dispatcher(store::Store& store) : Dispatcher(store, std::random_device{}()) {}
  Dispatcher(store::Store& store, std::uint64_t seed);
  // Abandons the attempts still in flight (see Stop) without recording them; returns within
  // about two seconds whatever the peers do.
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Registers the transport for a channel name (replaces any previous one). An attempt in
  // flight keeps the transport it started with.
  void SetTransport(const std::string& channel, std::shared_ptr<Transport> transport,
                    ChannelPolicy policy = {});
  void ClearTransports();
  // The channels of the current configuration (with or without a working transport). Pending
  // rows of any other channel become channel_removed at the next Pump or DeliverDue. Not calling
  // it leaves such rows pending.
  void SetConfiguredChannels(std::vector<std::string> channels);
  // Who each configured rule is about (config::EntitiesOf), named in every alert loaded from
  // now on (webhook payload, email); an alert already on its way keeps what it was built with.
  // Not calling it: alerts name no entity.
  void SetRuleEntities(config::RuleEntities entities);

  // One step that never waits on a peer: records the attempts that finished since the last call
  // (delivered, retry, hold, dead), then starts what is due at `now`, at most `limit` alerts
  // per channel. Attempts of transports that can Start() a transfer run on the channel's
  // delivery thread under their own timeout; the others (log, test fakes) run here. A row in flight
  // is never started again before its outcome is recorded. The daemon's loop calls it every second.
  [[nodiscard]] Result<DispatchStats> Pump(UnixSeconds now, int limit = 1000);

  // A whole pass, waiting: Pump, then waits for the attempts in flight and pumps again until
  // nothing more can start. New attempts start only within `budget_ms` (0: no limit), each
  // with the time left. For `veilled --once` and tests.
  [[nodiscard]] Result<DispatchStats> DeliverDue(UnixSeconds now, int limit = 1000,
                                                 std::int64_t budget_ms = 0);

  // At stop: waits up to `grace_ms` for the attempts in flight and records their outcomes; the
  // others are abandoned unrecorded, so their rows stay pending and the next start sends them
  // again under the same key (at least once; RELIABILITY.md D5, E2). `abandoned` counts them.
  [[nodiscard]] Result<DispatchStats> Stop(UnixSeconds now, std::int64_t grace_ms,
                                           int* abandoned = nullptr);

  // Several daemons on one database (PostgreSQL; docs/scaling.md, "Alert delivery"): how long
  // the rows this dispatcher reads stay claimed for it (the store's claims; renewed every third
  // of it while their attempts run). Default 2 minutes, `[daemon] lease_time`'s default.
  void SetLeaseTime(std::int64_t ms) { lease_ms_ = std::max<std::int64_t>(ms, 1); }
  // Whether this dispatcher sends digests and marks the rows of channels no longer configured
  // (default true): on a shared database only the maintenance daemon does, so that a slot's
  // digest goes out once and a daemon missing a channel does not remove the others' rows.
  void SetMaintainer(bool maintainer) { maintainer_ = maintainer; }

  // Attempts started and not yet recorded.
  [[nodiscard]] std::size_t InFlight() const { return in_flight_.size(); }

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

  // One message on its way: what it carries, so that its outcome can be recorded later.
  struct Job {
    enum class Kind { kAlert, kBurst, kDigest, kEvent };
    Kind kind = Kind::kAlert;
    std::string channel;
    std::shared_ptr<Transport> transport;  // alive while its transfer runs
    std::vector<store::OutboxRow> rows;    // every outbox row the message carries
    std::string key;                       // digest and burst summary id
    std::int64_t event_row = 0;            // kEvent: the event outbox row
    int event_attempts = 0;
  };

  // Records the outcomes the delivery thread has finished since the last call.
  Result<void> Collect(UnixSeconds now, DispatchStats& stats);
  // Removes channels no longer configured, then starts what is due on every channel.
  Result<void> Start(UnixSeconds now, int limit, std::int64_t deadline_ms, DispatchStats& stats);
  Result<void> StartChannel(const std::string& name, Channel& channel, UnixSeconds now, int limit,
                            std::int64_t deadline_ms, DispatchStats& stats);
  Result<void> StartEvents(const std::string& name, Channel& channel, UnixSeconds now,
                           std::int64_t deadline_ms, DispatchStats& stats);
  Result<void> LaunchEvents(const std::string& name, Channel& channel,
                            const std::vector<store::EventOutboxRow>& due, UnixSeconds now,
                            std::int64_t deadline_ms, DispatchStats& stats);
  Result<void> StartDigest(const std::string& name, Channel& channel, UnixSeconds now,
                           std::int64_t deadline_ms, DispatchStats& stats);
  // Claims the due alerts of an immediate channel, launches them (LaunchDue), gives back the
  // rest.
  Result<void> StartImmediate(const std::string& name, Channel& channel, UnixSeconds now, int limit,
                              std::int64_t deadline_ms, DispatchStats& stats);
  // Folds a burst past the channel's cap into one summary; starts the alerts one by one.
  Result<void> LaunchDue(const std::string& name, Channel& channel, std::vector<Group> due,
                         UnixSeconds now, std::int64_t deadline_ms, DispatchStats& stats);
  // Runs `job` here when `transfer` is null (through `run_here`), else hands it to the delivery
  // thread. False when the channel must start nothing more in this step.
  Result<bool> Launch(Job job, std::unique_ptr<Transfer> transfer,
                      const std::function<Delivery()>& run_here, UnixSeconds now,
                      DispatchStats& stats);
  // Records one attempt's outcome for everything the message carried; false when the channel
  // must start nothing more in this step (held, disabled).
  Result<bool> Complete(const Job& job, const Delivery& result, UnixSeconds now,
                        DispatchStats& stats);
  // The one retry, hold and disable policy, for alerts, digests, burst summaries and events.
  Result<bool> RecordFailure(const Job& job, const Delivery& result, UnixSeconds now,
                             DispatchStats& stats);
  // Attempts the channel may start now (per-channel and total caps); 0 when it is held.
  int Room(const std::string& name) const;
  bool Busy(const store::OutboxRow& row) const { return busy_rows_.count(row.id) > 0; }
  bool Held(const std::string& name, UnixSeconds now) const;
  // One alert from the rows of one entry (the first row gives the key).
  Result<Alert> LoadAlert(const Group& rows, UnixSeconds now);
  std::int64_t Offset(const Channel& channel, UnixSeconds t) const;
  // Gives back the claims on rows read but not started in this step (a channel at its cap,
  // held, or out of time): other daemons may send them at once. Errors are left to the
  // leases' expiry.
  void Release(std::vector<std::int64_t> rows, std::vector<std::int64_t> events);
  // Renews the claims on the rows in flight, every third of the lease time.
  Result<void> RenewInFlight();
  // The channel's delivery thread, started at its first network attempt (a dispatcher with only
  // synchronous transports, the log channel and test fakes, starts none).
  DeliveryWorker& Worker(const std::string& channel);

  store::Store& store_;
  std::map<std::string, Channel> channels_;
  std::optional<std::vector<std::string>> configured_;
  std::shared_ptr<const config::RuleEntities> entities_;
  bool removal_pending_ = false;
  std::map<std::string, UnixSeconds> held_until_;  // channel-wide failures and Retry-After
  std::set<std::string> proven_;   // channels that delivered since their last failure
  std::set<std::string> stopped_;  // channels that may start nothing more in this step
  std::mt19937_64 rng_;
  std::map<std::uint64_t, Job> in_flight_;  // by the id given to the delivery thread
  std::set<std::int64_t> busy_rows_;        // outbox rows of in_flight_
  std::set<std::int64_t> busy_events_;      // event outbox rows of in_flight_
  std::uint64_t next_job_ = 1;
  std::int64_t lease_ms_ = 120'000;
  std::int64_t next_renew_ms_ = 0;
  bool maintainer_ = true;
  std::shared_ptr<Outcomes> outcomes_;
  // Last, so that they are destroyed (threads joined, transfers released) before the jobs and
  // transports their transfers refer to.
  std::map<std::string, std::unique_ptr<DeliveryWorker>> workers_;
};

}  // namespace veille::alert
