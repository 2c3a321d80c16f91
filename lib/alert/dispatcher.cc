#include "alert/dispatcher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>

#include "alert/delivery_worker.h"
#include "common/hash.h"
#include "store/outbox_repo.h"

namespace veille::alert {
namespace {

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Time left before `deadline_ms` (steady), or 0 for "no deadline"; -1 when it has passed.
std::int64_t Remaining(std::int64_t deadline_ms) {
  if (deadline_ms == 0) return 0;
  const std::int64_t left = deadline_ms - SteadyMs();
  return left > 0 ? left : -1;
}

std::string ChannelKey(const std::string& channel) { return Hex64(Fnv1a64(channel)); }

// How long a waiting pass keeps waiting past its budget for attempts already running (their own
// timeout is at most the budget left when they started; this covers libcurl's last reply wait).
constexpr std::int64_t kPassGraceMs = 2000;

}  // namespace

std::optional<std::int64_t> RetryDelay(int attempt, std::mt19937_64& rng) {
  static constexpr std::array<std::int64_t, 9> kSchedule = {
      5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600};
  if (attempt < 1 || attempt > static_cast<int>(kSchedule.size())) return std::nullopt;
  const std::int64_t base = kSchedule[static_cast<std::size_t>(attempt - 1)];
  std::uniform_int_distribution<std::int64_t> jitter(-base / 5, base / 5);
  return std::max<std::int64_t>(1, base + jitter(rng));
}

Dispatcher::Dispatcher(store::Store& store, std::uint64_t seed)
    : store_(store), rng_(seed), outcomes_(std::make_shared<Outcomes>()) {}

Dispatcher::~Dispatcher() {
  for (auto& [name, worker] : workers_) worker->Abort();  // all at once, then each joins
}

void Dispatcher::SetTransport(const std::string& channel, std::shared_ptr<Transport> transport,
                              ChannelPolicy policy) {
  channels_[channel] = Channel{std::move(transport), std::move(policy)};
}

void Dispatcher::ClearTransports() { channels_.clear(); }

void Dispatcher::SetRuleEntities(config::RuleEntities entities) {
  entities_ = std::make_shared<const config::RuleEntities>(std::move(entities));
}

void Dispatcher::SetConfiguredChannels(std::vector<std::string> channels) {
  configured_ = std::move(channels);
  removal_pending_ = true;
}

std::int64_t Dispatcher::Offset(const Channel& channel, UnixSeconds t) const {
  return channel.policy.offset ? channel.policy.offset(t) : 0;
}

DeliveryWorker& Dispatcher::Worker(const std::string& channel) {
  std::unique_ptr<DeliveryWorker>& worker = workers_[channel];
  if (!worker) worker = std::make_unique<DeliveryWorker>(outcomes_);
  return *worker;
}

bool Dispatcher::Held(const std::string& name, UnixSeconds now) const {
  auto held = held_until_.find(name);
  return held != held_until_.end() && held->second > now;
}

int Dispatcher::Room(const std::string& name) const {
  int running = 0;
  for (const auto& [id, job] : in_flight_) running += job.channel == name ? 1 : 0;
  const int cap = proven_.count(name) > 0 ? kPerChannelTransfers : 1;
  const int total = kTotalTransfers - static_cast<int>(in_flight_.size());
  return std::max(0, std::min(cap - running, total));
}

Result<Alert> Dispatcher::LoadAlert(const Group& rows, UnixSeconds now) {
  Alert alert;
  for (const store::OutboxRow& row : rows) {
    auto mention = store_.GetMention(row.mention_id);
    if (!mention) return tl::unexpected(mention.error());
    if (&row == &rows.front()) {
      alert.outbox = row;
      alert.mention = std::move(*mention);
    } else {
      alert.more_rows.push_back(row);
      alert.more_mentions.push_back(std::move(*mention));
    }
  }
  auto canonical = store::CanonicalLinkOf(store_, rows.front().mention_id);
  if (!canonical) return tl::unexpected(canonical.error());
  alert.canonical_link = std::move(*canonical);
  alert.entities = entities_;
  alert.now = now;
  return alert;
}

Result<DispatchStats> Dispatcher::Pump(UnixSeconds now, int limit) {
  DispatchStats stats;
  if (auto r = Collect(now, stats); !r) return tl::unexpected(r.error());
  if (auto r = Start(now, limit, 0, stats); !r) return tl::unexpected(r.error());
  return stats;
}

Result<DispatchStats> Dispatcher::DeliverDue(UnixSeconds now, int limit, std::int64_t budget_ms) {
  DispatchStats stats;
  const std::int64_t deadline_ms = budget_ms > 0 ? SteadyMs() + budget_ms : 0;
  if (auto r = Collect(now, stats); !r) return tl::unexpected(r.error());
  if (auto r = Start(now, limit, deadline_ms, stats); !r) return tl::unexpected(r.error());
  while (!in_flight_.empty()) {
    if (deadline_ms != 0 && SteadyMs() > deadline_ms + kPassGraceMs) break;  // recorded later
    if (!outcomes_->Wait(100)) continue;
    if (auto r = Collect(now, stats); !r) return tl::unexpected(r.error());
    // A channel that has just delivered may run more at once: refill as attempts end.
    if (auto r = Start(now, limit, deadline_ms, stats); !r) return tl::unexpected(r.error());
  }
  return stats;
}

Result<DispatchStats> Dispatcher::Stop(UnixSeconds now, std::int64_t grace_ms, int* abandoned) {
  DispatchStats stats;
  const std::int64_t deadline_ms = SteadyMs() + std::max<std::int64_t>(0, grace_ms);
  while (!in_flight_.empty() && SteadyMs() < deadline_ms) {
    outcomes_->Wait(std::min<std::int64_t>(100, deadline_ms - SteadyMs()));
    if (auto r = Collect(now, stats); !r) return tl::unexpected(r.error());
  }
  // Cut the rest: every thread at once, then join them (the transfers are released before
  // their jobs and transports go). An attempt that ended meanwhile is still recorded.
  for (auto& [name, worker] : workers_) worker->Abort();
  workers_.clear();
  if (auto r = Collect(now, stats); !r) return tl::unexpected(r.error());
  if (abandoned) *abandoned = static_cast<int>(in_flight_.size());
  // Their claims end now: another daemon sends them (under the same key) without waiting for
  // the leases to expire.
  (void)store::ReleaseClaims(store_, {busy_rows_.begin(), busy_rows_.end()},
                             {busy_events_.begin(), busy_events_.end()});
  in_flight_.clear();
  busy_rows_.clear();
  busy_events_.clear();
  return stats;
}

Result<void> Dispatcher::Collect(UnixSeconds now, DispatchStats& stats) {
  // Every outcome taken is released from the in-flight set, even when recording one fails (a
  // full disk): its rows keep their stored state and are sent again later (at least once),
  // instead of staying busy until a restart.
  Result<void> first_error;
  for (Outcomes::Done& done : outcomes_->Take()) {
    auto it = in_flight_.find(done.id);
    if (it == in_flight_.end()) continue;
    const Job job = std::move(it->second);
    in_flight_.erase(it);
    for (const auto& row : job.rows) busy_rows_.erase(row.id);
    if (job.kind == Job::Kind::kEvent) busy_events_.erase(job.event_row);
    auto r = Complete(job, done.result, now, stats);
    if (!r && first_error) first_error = tl::unexpected(r.error());
  }
  return first_error;
}

Result<bool> Dispatcher::Launch(Job job, std::unique_ptr<Transfer> transfer,
                                const std::function<Delivery()>& run_here, UnixSeconds now,
                                DispatchStats& stats) {
  if (!transfer) {  // log channel, fakes: the attempt runs here
    auto go_on = Complete(job, run_here(), now, stats);
    if (go_on && !*go_on) stopped_.insert(job.channel);
    return go_on;
  }
  const std::uint64_t id = next_job_++;
  for (const auto& row : job.rows) busy_rows_.insert(row.id);
  if (job.kind == Job::Kind::kEvent) busy_events_.insert(job.event_row);
  const std::string channel = job.channel;
  in_flight_.emplace(id, std::move(job));
  Worker(channel).Submit(id, std::move(transfer));
  return true;
}

void Dispatcher::Release(std::vector<std::int64_t> rows, std::vector<std::int64_t> events) {
  // Rows in flight keep their claims; rows whose outcome was recorded here (log channel, fakes)
  // have none left, and the statement passes over them.
  std::erase_if(rows, [&](std::int64_t id) { return busy_rows_.count(id) > 0; });
  std::erase_if(events, [&](std::int64_t id) { return busy_events_.count(id) > 0; });
  (void)store::ReleaseClaims(store_, rows, events);  // else they expire after lease_ms_
}

Result<void> Dispatcher::RenewInFlight() {
  if (in_flight_.empty() || SteadyMs() < next_renew_ms_) return {};
  next_renew_ms_ = SteadyMs() + std::max<std::int64_t>(lease_ms_ / 3, 100);
  const std::vector<std::int64_t> rows(busy_rows_.begin(), busy_rows_.end());
  const std::vector<std::int64_t> events(busy_events_.begin(), busy_events_.end());
  return store::RenewClaims(store_, rows, events, lease_ms_);
}

Result<void> Dispatcher::Start(UnixSeconds now, int limit, std::int64_t deadline_ms,
                               DispatchStats& stats) {
  if (auto r = RenewInFlight(); !r) return r;
  if (removal_pending_ && configured_ && maintainer_) {
    auto removed = store::MarkChannelsRemoved(store_, *configured_, now);
    if (!removed) return tl::unexpected(removed.error());
    removal_pending_ = false;
    if (*removed > 0) {
      stats.removed = *removed;
      stats.notices.push_back(std::to_string(*removed) +
                              " pending alerts belong to channels no longer in the configuration: "
                              "marked channel_removed (veille outbox retry ID to send them)");
    }
  }
  stopped_.clear();
  // The thread of a channel gone from the configuration ends once its last attempt is recorded.
  std::erase_if(workers_, [&](const auto& w) {
    return channels_.count(w.first) == 0 &&
           std::none_of(in_flight_.begin(), in_flight_.end(),
                        [&](const auto& j) { return j.second.channel == w.first; });
  });
  for (auto& [name, channel] : channels_) {
    if (Remaining(deadline_ms) < 0) break;
    if (auto r = StartChannel(name, channel, now, limit, deadline_ms, stats); !r) return r;
  }
  return {};
}

Result<void> Dispatcher::StartChannel(const std::string& name, Channel& channel, UnixSeconds now,
                                      int limit, std::int64_t deadline_ms, DispatchStats& stats) {
  // An endpoint that answered 410 stays disabled until its URL changes or an operator retries.
  const std::string endpoint = channel.transport->Endpoint();
  if (!endpoint.empty()) {
    auto reason = store::ChannelDisabledReason(store_, name, endpoint);
    if (!reason) return tl::unexpected(reason.error());
    if (*reason) {
      auto moved = store::DisableChannel(store_, name, endpoint, **reason, now);
      if (!moved) return tl::unexpected(moved.error());
      stats.disabled += *moved;
      return {};
    }
  }
  if (Held(name, now)) return {};
  if (channel.policy.quiet) {
    auto offset = [&](UnixSeconds t) { return Offset(channel, t); };
    if (QuietUntil(*channel.policy.quiet, now, offset)) return {};  // held, never dropped
  }
  if (auto r = StartEvents(name, channel, now, deadline_ms, stats); !r) return r;
  if (Held(name, now) || stopped_.count(name) > 0) return {};
  if (channel.policy.digest) {
    return maintainer_ ? StartDigest(name, channel, now, deadline_ms, stats) : Result<void>();
  }
  return StartImmediate(name, channel, now, limit, deadline_ms, stats);
}

Result<void> Dispatcher::StartImmediate(const std::string& name, Channel& channel, UnixSeconds now,
                                        int limit, std::int64_t deadline_ms, DispatchStats& stats) {
  if (Room(name) == 0) return {};  // a channel at its cap reads nothing
  auto due = store::DueAlertGroups(store_, name, now, limit, lease_ms_);
  if (!due) return tl::unexpected(due.error());
  // The claim returns the rows in flight here too (their claims are this store's).
  std::erase_if(*due, [&](const Group& group) {
    return std::any_of(group.begin(), group.end(), [&](const auto& row) { return Busy(row); });
  });
  if (due->empty()) return {};
  // What is not started below is given back (a burst's rows all go in its summary).
  std::vector<std::int64_t> claimed;
  for (const Group& group : *due) {
    for (const auto& row : group) claimed.push_back(row.id);
  }
  auto result = LaunchDue(name, channel, std::move(*due), now, deadline_ms, stats);
  Release(claimed, {});
  return result;
}

Result<void> Dispatcher::LaunchDue(const std::string& name, Channel& channel,
                                   std::vector<Group> due, UnixSeconds now,
                                   std::int64_t deadline_ms, DispatchStats& stats) {
  if (channel.policy.burst_limit > 0) {
    auto sent = store::DeliveredSince(store_, name, now - channel.policy.burst_window_s);
    if (!sent) return tl::unexpected(sent.error());
    // Messages in flight count as sent: they are, or are about to be.
    const int flying =
        static_cast<int>(std::count_if(in_flight_.begin(), in_flight_.end(),
                                       [&](const auto& j) { return j.second.channel == name; }));
    const int allowed = std::max(0, channel.policy.burst_limit - *sent - flying);
    if (static_cast<int>(due.size()) > allowed) {
      // Past the cap, everything left is folded into one summary message.
      const std::int64_t left = Remaining(deadline_ms);
      if (left < 0) return {};
      const auto split = due.begin() + allowed;
      Job job;
      job.kind = Job::Kind::kBurst;
      job.channel = name;
      job.transport = channel.transport;
      Digest summary;
      summary.channel = name;
      summary.now = now;
      summary.budget_ms = left;
      for (auto g = split; g != due.end(); ++g) {
        job.rows.insert(job.rows.end(), g->begin(), g->end());
        auto alert = LoadAlert(*g, now);
        if (!alert) return tl::unexpected(alert.error());
        summary.alerts.push_back(std::move(*alert));
      }
      // The summary's id comes from its first row, so a retry of the same burst keeps it.
      summary.key = "burst-" + job.rows.front().idempotency_key;
      job.key = summary.key;
      due.erase(split, due.end());
      auto transfer = channel.transport->StartDigest(summary);
      auto go_on = Launch(
          std::move(job), std::move(transfer),
          [&] { return channel.transport->DeliverDigest(summary); }, now, stats);
      if (!go_on) return tl::unexpected(go_on.error());
      if (!*go_on) return {};
    }
  }
  for (const Group& group : due) {
    if (Room(name) == 0 || Held(name, now) || stopped_.count(name) > 0) break;
    const std::int64_t left = Remaining(deadline_ms);
    if (left < 0) break;
    auto alert = LoadAlert(group, now);
    if (!alert) return tl::unexpected(alert.error());
    alert->budget_ms = left;
    Job job;
    job.channel = name;
    job.transport = channel.transport;
    job.rows = group;
    auto transfer = channel.transport->Start(*alert);
    auto go_on = Launch(
        std::move(job), std::move(transfer), [&] { return channel.transport->Deliver(*alert); },
        now, stats);
    if (!go_on) return tl::unexpected(go_on.error());
    if (!*go_on) break;
  }
  return {};
}

Result<void> Dispatcher::StartDigest(const std::string& name, Channel& channel, UnixSeconds now,
                                     std::int64_t deadline_ms, DispatchStats& stats) {
  // One digest at a time: its slot is recorded only with its outcome.
  for (const auto& [id, job] : in_flight_) {
    if (job.channel == name) return {};
  }
  auto last = store::LastDigestAt(store_, name);
  if (!last) return tl::unexpected(last.error());
  if (!*last) {
    // A new digest channel starts its schedule now; the first digest goes at the next slot.
    return store::SetLastDigestAt(store_, name, now);
  }
  auto offset = [&](UnixSeconds t) { return Offset(channel, t); };
  const UnixSeconds slot = LatestDigestSlot(channel.policy.digest_schedule, now, offset);
  if (slot <= **last) return {};
  // Claimed (shared database): none while another daemon's digest of the channel is on its way
  // or once this slot's went out.
  auto groups = store::DueDigestGroups(store_, name, now, slot, lease_ms_);
  if (!groups) return tl::unexpected(groups.error());
  Job job;
  job.kind = Job::Kind::kDigest;
  job.channel = name;
  job.transport = channel.transport;
  for (const Group& group : *groups) job.rows.insert(job.rows.end(), group.begin(), group.end());
  if (job.rows.empty()) {
    auto waiting = store::NextPendingAttempt(store_, {name});
    if (!waiting) return tl::unexpected(waiting.error());
    if (*waiting) return {};  // a failed digest waits for its retry time
    if (!channel.policy.digest_when_empty) return store::SetLastDigestAt(store_, name, now);
  }
  const std::int64_t left = Remaining(deadline_ms);
  if (left < 0) {
    std::vector<std::int64_t> rows;
    for (const auto& row : job.rows) rows.push_back(row.id);
    Release(std::move(rows), {});
    return {};
  }
  Digest digest;
  digest.channel = name;
  digest.now = now;
  digest.budget_ms = left;
  digest.key = "digest-" + ChannelKey(name) + "-" + std::to_string(slot);
  job.key = digest.key;
  for (const Group& group : *groups) {
    auto alert = LoadAlert(group, now);
    if (!alert) return tl::unexpected(alert.error());
    digest.alerts.push_back(std::move(*alert));
  }
  auto transfer = channel.transport->StartDigest(digest);
  auto go_on = Launch(
      std::move(job), std::move(transfer), [&] { return channel.transport->DeliverDigest(digest); },
      now, stats);
  if (!go_on) return tl::unexpected(go_on.error());
  return {};
}

Result<void> Dispatcher::StartEvents(const std::string& name, Channel& channel, UnixSeconds now,
                                     std::int64_t deadline_ms, DispatchStats& stats) {
  if (Room(name) == 0) return {};
  auto due = store::DueEvents(store_, name, now, 100, lease_ms_);
  if (!due) return tl::unexpected(due.error());
  std::vector<std::int64_t> claimed;
  for (const store::EventOutboxRow& row : *due) claimed.push_back(row.id);
  auto result = LaunchEvents(name, channel, *due, now, deadline_ms, stats);
  Release({}, std::move(claimed));  // those not started (those in flight keep their claims)
  return result;
}

Result<void> Dispatcher::LaunchEvents(const std::string& name, Channel& channel,
                                      const std::vector<store::EventOutboxRow>& due,
                                      UnixSeconds now, std::int64_t deadline_ms,
                                      DispatchStats& stats) {
  for (const store::EventOutboxRow& row : due) {
    if (busy_events_.count(row.id) > 0) continue;
    if (Room(name) == 0 || Held(name, now) || stopped_.count(name) > 0) break;
    const std::int64_t left = Remaining(deadline_ms);
    if (left < 0) break;
    EventMessage message;
    message.key = row.idempotency_key;
    message.channel = name;
    message.kind = row.event.kind;
    message.title = row.event.title;
    message.text = row.event.text;
    message.payload = row.event.payload;
    message.created_at = row.event.created_at;
    message.now = now;
    message.budget_ms = left;
    Job job;
    job.kind = Job::Kind::kEvent;
    job.channel = name;
    job.transport = channel.transport;
    job.event_row = row.id;
    job.event_attempts = row.attempts;
    auto transfer = channel.transport->StartEvent(message);
    auto go_on = Launch(
        std::move(job), std::move(transfer),
        [&] { return channel.transport->DeliverEvent(message); }, now, stats);
    if (!go_on) return tl::unexpected(go_on.error());
    if (!*go_on) break;
  }
  return {};
}

Result<std::optional<UnixSeconds>> Dispatcher::NextAttempt(UnixSeconds now) {
  std::optional<UnixSeconds> best;
  for (auto& [name, channel] : channels_) {
    if (channel.policy.digest) continue;
    if (channel.policy.quiet) {
      auto offset = [&](UnixSeconds t) { return Offset(channel, t); };
      if (QuietUntil(*channel.policy.quiet, now, offset)) continue;
    }
    const std::string endpoint = channel.transport->Endpoint();
    if (!endpoint.empty()) {
      auto reason = store::ChannelDisabledReason(store_, name, endpoint);
      if (!reason) return tl::unexpected(reason.error());
      if (*reason) continue;
    }
    auto next = store::NextPendingAttempt(store_, {name});
    if (!next) return tl::unexpected(next.error());
    if (!*next) continue;
    UnixSeconds at = **next;
    if (auto held = held_until_.find(name); held != held_until_.end()) {
      at = std::max(at, held->second);
    }
    if (!best || at < *best) best = at;
  }
  return best;
}

}  // namespace veille::alert
