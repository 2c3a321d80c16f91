#include "alert/dispatcher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>

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

}  // namespace

std::optional<std::int64_t> RetryDelay(int attempt, std::mt19937_64& rng) {
  static constexpr std::array<std::int64_t, 9> kSchedule = {
      5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600};
  if (attempt < 1 || attempt > static_cast<int>(kSchedule.size())) return std::nullopt;
  const std::int64_t base = kSchedule[static_cast<std::size_t>(attempt - 1)];
  std::uniform_int_distribution<std::int64_t> jitter(-base / 5, base / 5);
  return std::max<std::int64_t>(1, base + jitter(rng));
}

Dispatcher::Dispatcher(store::Store& store, std::uint64_t seed) : store_(store), rng_(seed) {
  static const bool kCurlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (kCurlReady) multi_ = curl_multi_init();
}

Dispatcher::~Dispatcher() {
  if (multi_) curl_multi_cleanup(multi_);
}

void Dispatcher::SetTransport(const std::string& channel, std::shared_ptr<Transport> transport,
                              ChannelPolicy policy) {
  channels_[channel] = Channel{std::move(transport), std::move(policy)};
}

void Dispatcher::ClearTransports() { channels_.clear(); }

void Dispatcher::SetConfiguredChannels(std::vector<std::string> channels) {
  configured_ = std::move(channels);
  removal_pending_ = true;
}

std::int64_t Dispatcher::Offset(const Channel& channel, UnixSeconds t) const {
  return channel.policy.offset ? channel.policy.offset(t) : 0;
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
  alert.now = now;
  return alert;
}

Result<DispatchStats> Dispatcher::DeliverDue(UnixSeconds now, int limit, std::int64_t budget_ms) {
  DispatchStats stats;
  const std::int64_t deadline_ms = budget_ms > 0 ? SteadyMs() + budget_ms : 0;
  if (removal_pending_ && configured_) {
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
  std::map<std::string, std::vector<Group>> queues;
  for (auto& [name, channel] : channels_) {
    if (Remaining(deadline_ms) < 0) break;
    // An endpoint that answered 410 stays disabled until its URL changes or an operator retries.
    const std::string endpoint = channel.transport->Endpoint();
    if (!endpoint.empty()) {
      auto reason = store::ChannelDisabledReason(store_, name, endpoint);
      if (!reason) return tl::unexpected(reason.error());
      if (*reason) {
        auto moved = store::DisableChannel(store_, name, endpoint, **reason, now);
        if (!moved) return tl::unexpected(moved.error());
        stats.disabled += *moved;
        continue;
      }
    }
    if (auto held = held_until_.find(name); held != held_until_.end() && held->second > now) {
      continue;
    }
    if (channel.policy.quiet) {
      auto offset = [&](UnixSeconds t) { return Offset(channel, t); };
      if (QuietUntil(*channel.policy.quiet, now, offset)) continue;  // held, never dropped
    }
    if (auto r = DeliverEvents(name, channel, now, deadline_ms, stats); !r) {
      return tl::unexpected(r.error());
    }
    if (held_until_.count(name) > 0 && held_until_[name] > now) continue;
    if (channel.policy.digest) {
      if (auto r = DeliverDigest(name, channel, now, deadline_ms, stats); !r) {
        return tl::unexpected(r.error());
      }
      continue;
    }
    auto rows = PrepareImmediate(name, channel, now, limit, deadline_ms, stats);
    if (!rows) return tl::unexpected(rows.error());
    if (!rows->empty()) queues[name] = std::move(*rows);
  }
  if (auto r = RunQueues(queues, now, deadline_ms, stats); !r) return tl::unexpected(r.error());
  return stats;
}

Result<bool> Dispatcher::RecordFailure(const std::string& name, Channel& channel,
                                       const std::vector<store::OutboxRow>& rows,
                                       const Delivery& result, UnixSeconds now,
                                       DispatchStats& stats) {
  std::vector<std::int64_t> ids;
  int attempts = 0;
  for (const auto& row : rows) {
    ids.push_back(row.id);
    attempts = std::max(attempts, row.attempts);
  }
  if (result.status == Delivery::Status::kDisable) {
    const std::string endpoint = channel.transport->Endpoint();
    if (auto r = store::MarkDigestFailed(store_, ids, result.error, now, false); !r) {
      return tl::unexpected(r.error());
    }
    auto moved = store::DisableChannel(store_, name, endpoint, result.error, now);
    if (!moved) return tl::unexpected(moved.error());
    stats.disabled += *moved;
    stats.notices.push_back("channel " + name + " disabled: " + result.error + "; " +
                            std::to_string(*moved) +
                            " alerts kept as 'disabled' (veille outbox retry ID re-enables it)");
    return false;
  }
  std::optional<std::int64_t> delay;
  if (result.status == Delivery::Status::kRetry) delay = RetryDelay(attempts + 1, rng_);
  if (delay && result.retry_after_s) delay = std::max(*delay, *result.retry_after_s);
  const bool dead = !delay.has_value();
  if (auto r = store::MarkDigestFailed(store_, ids, result.error, now + delay.value_or(0), dead);
      !r) {
    return tl::unexpected(r.error());
  }
  if (dead) {
    stats.dead += static_cast<int>(ids.size());
    stats.notices.push_back("channel " + name + ": alert dead after " +
                            std::to_string(attempts + 1) + " attempts: " + result.error);
    return true;
  }
  stats.retried += static_cast<int>(ids.size());
  if (result.channel_wide || result.retry_after_s) {
    const bool was_held = held_until_.count(name) > 0;
    held_until_[name] = now + *delay;
    if (!was_held) {
      stats.notices.push_back("channel " + name + " held for " + std::to_string(*delay) +
                              "s, alerts kept pending: " + result.error);
    }
    return false;
  }
  return true;
}

Result<bool> Dispatcher::Record(const std::string& name, Channel& channel, const Group& rows,
                                const Delivery& result, UnixSeconds now, DispatchStats& stats) {
  if (result.status == Delivery::Status::kDelivered) {
    if (rows.size() == 1) {
      if (auto r = store_.MarkDelivered(rows.front().id, now); !r) {
        return tl::unexpected(r.error());
      }
    } else {
      // Every row of a merged alert records the message that carried it, in one transaction.
      std::vector<std::int64_t> ids;
      for (const auto& row : rows) ids.push_back(row.id);
      if (auto r = store::MarkDigestDelivered(store_, ids, name, rows.front().idempotency_key, now,
                                              false);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    stats.delivered += static_cast<int>(rows.size());
    ++stats.messages;
    if (held_until_.erase(name) > 0) stats.notices.push_back("channel " + name + " recovered");
    return true;
  }
  return RecordFailure(name, channel, rows, result, now, stats);
}

Result<std::vector<Dispatcher::Group>> Dispatcher::PrepareImmediate(const std::string& name,
                                                                    Channel& channel,
                                                                    UnixSeconds now, int limit,
                                                                    std::int64_t deadline_ms,
                                                                    DispatchStats& stats) {
  auto due = store::DueAlertGroups(store_, name, now, limit);
  if (!due) return tl::unexpected(due.error());
  if (due->empty() || channel.policy.burst_limit <= 0) return due;
  auto sent = store::DeliveredSince(store_, name, now - channel.policy.burst_window_s);
  if (!sent) return tl::unexpected(sent.error());
  const int allowed = std::max(0, channel.policy.burst_limit - *sent);
  if (static_cast<int>(due->size()) <= allowed) return due;
  // Past the cap, everything left is folded into one summary message.
  const auto split = due->begin() + allowed;
  std::vector<Group> folded(split, due->end());
  due->erase(split, due->end());
  std::vector<store::OutboxRow> rows;
  for (const Group& group : folded) rows.insert(rows.end(), group.begin(), group.end());
  const std::int64_t left = Remaining(deadline_ms);
  if (left < 0) return due;
  Digest summary;
  summary.channel = name;
  summary.now = now;
  summary.budget_ms = left;
  // The summary's id comes from its first row, so a retry of the same burst keeps it.
  summary.key = "burst-" + rows.front().idempotency_key;
  for (const Group& group : folded) {
    auto alert = LoadAlert(group, now);
    if (!alert) return tl::unexpected(alert.error());
    summary.alerts.push_back(std::move(*alert));
  }
  const Delivery result = channel.transport->DeliverDigest(summary);
  if (result.status == Delivery::Status::kDelivered) {
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) ids.push_back(row.id);
    if (auto r = store::MarkDigestDelivered(store_, ids, name, summary.key, now, false); !r) {
      return tl::unexpected(r.error());
    }
    stats.delivered += static_cast<int>(ids.size());
    ++stats.messages;
    return due;
  }
  auto go_on = RecordFailure(name, channel, rows, result, now, stats);
  if (!go_on) return tl::unexpected(go_on.error());
  if (!*go_on) due->clear();
  return due;
}

Result<void> Dispatcher::RunQueues(std::map<std::string, std::vector<Group>>& queues,
                                   UnixSeconds now, std::int64_t deadline_ms,
                                   DispatchStats& stats) {
  struct Flight {
    std::string channel;
    Group rows;
    std::unique_ptr<Transfer> transfer;
  };
  std::map<CURL*, Flight> flights;
  std::map<std::string, std::size_t> next;  // index of the next row to start, per channel
  std::map<std::string, int> running;
  std::set<std::string> proven;  // channels that delivered in this pass
  std::set<std::string> stopped;
  auto stop_channel = [&](const std::string& name) { stopped.insert(name); };

  for (;;) {
    // Start what the limits allow, oldest rows first.
    for (auto& [name, groups] : queues) {
      Channel& channel = channels_[name];
      std::size_t& i = next[name];
      const int cap = proven.count(name) > 0 ? kPerChannelTransfers : 1;
      while (i < groups.size() && stopped.count(name) == 0 && running[name] < cap &&
             static_cast<int>(flights.size()) < kTotalTransfers) {
        const std::int64_t left = Remaining(deadline_ms);
        if (left < 0) break;
        const Group& group = groups[i++];
        auto alert = LoadAlert(group, now);
        if (!alert) return tl::unexpected(alert.error());
        alert->budget_ms = left;
        std::unique_ptr<Transfer> transfer = multi_ ? channel.transport->Start(*alert) : nullptr;
        if (!transfer) {
          // A synchronous transport (log, fakes): deliver right here.
          auto go_on = Record(name, channel, group, channel.transport->Deliver(*alert), now, stats);
          if (!go_on) return tl::unexpected(go_on.error());
          if (!*go_on) stop_channel(name);
          continue;
        }
        CURL* easy = transfer->easy();
        if (!easy || curl_multi_add_handle(multi_, easy) != CURLM_OK) {
          Delivery failed{
              Delivery::Status::kRetry, "libcurl could not start the transfer", true, {}, false};
          auto go_on = Record(name, channel, group, failed, now, stats);
          if (!go_on) return tl::unexpected(go_on.error());
          stop_channel(name);
          continue;
        }
        ++running[name];
        flights.emplace(easy, Flight{name, group, std::move(transfer)});
      }
    }
    if (flights.empty()) break;  // nothing running and nothing more may start
    int still_running = 0;
    curl_multi_perform(multi_, &still_running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = flights.find(msg->easy_handle);
      if (it == flights.end()) continue;
      const Delivery result = it->second.transfer->Finish(msg->data.result);
      curl_multi_remove_handle(multi_, msg->easy_handle);
      Flight flight = std::move(it->second);
      flights.erase(it);
      --running[flight.channel];
      auto go_on =
          Record(flight.channel, channels_[flight.channel], flight.rows, result, now, stats);
      if (!go_on) return tl::unexpected(go_on.error());
      if (result.status == Delivery::Status::kDelivered) proven.insert(flight.channel);
      if (!*go_on) stop_channel(flight.channel);
    }
    if (!flights.empty()) curl_multi_poll(multi_, nullptr, 0, 100, nullptr);
  }
  return {};
}

Result<void> Dispatcher::DeliverDigest(const std::string& name, Channel& channel, UnixSeconds now,
                                       std::int64_t deadline_ms, DispatchStats& stats) {
  auto last = store::LastDigestAt(store_, name);
  if (!last) return tl::unexpected(last.error());
  if (!*last) {
    // A new digest channel starts its schedule now; the first digest goes at the next slot.
    return store::SetLastDigestAt(store_, name, now);
  }
  auto offset = [&](UnixSeconds t) { return Offset(channel, t); };
  const UnixSeconds slot = LatestDigestSlot(channel.policy.digest_schedule, now, offset);
  if (slot <= **last) return {};
  auto groups = store::DueAlertGroups(store_, name, now, 0);
  if (!groups) return tl::unexpected(groups.error());
  std::vector<store::OutboxRow> due;
  for (const Group& group : *groups) due.insert(due.end(), group.begin(), group.end());
  if (due.empty()) {
    auto waiting = store::NextPendingAttempt(store_, {name});
    if (!waiting) return tl::unexpected(waiting.error());
    if (*waiting) return {};  // a failed digest waits for its retry time
    if (!channel.policy.digest_when_empty) return store::SetLastDigestAt(store_, name, now);
  }
  const std::int64_t left = Remaining(deadline_ms);
  if (left < 0) return {};
  Digest digest;
  digest.channel = name;
  digest.now = now;
  digest.budget_ms = left;
  digest.key = "digest-" + ChannelKey(name) + "-" + std::to_string(slot);
  for (const Group& group : *groups) {
    auto alert = LoadAlert(group, now);
    if (!alert) return tl::unexpected(alert.error());
    digest.alerts.push_back(std::move(*alert));
  }
  const Delivery result = channel.transport->DeliverDigest(digest);
  if (result.status == Delivery::Status::kDelivered) {
    std::vector<std::int64_t> ids;
    for (const auto& row : due) ids.push_back(row.id);
    if (auto r = store::MarkDigestDelivered(store_, ids, name, digest.key, now, true); !r) {
      return tl::unexpected(r.error());
    }
    stats.delivered += static_cast<int>(ids.size());
    ++stats.messages;
    if (held_until_.erase(name) > 0) stats.notices.push_back("channel " + name + " recovered");
    return {};
  }
  if (due.empty()) {
    // An empty digest has no rows to carry the retry: try again at the next pass after a pause.
    held_until_[name] = now + RetryDelay(1, rng_).value_or(60);
    return {};
  }
  auto go_on = RecordFailure(name, channel, due, result, now, stats);
  if (!go_on) return tl::unexpected(go_on.error());
  return {};
}

Result<void> Dispatcher::DeliverEvents(const std::string& name, Channel& channel, UnixSeconds now,
                                       std::int64_t deadline_ms, DispatchStats& stats) {
  auto due = store::DueEvents(store_, name, now, 100);
  if (!due) return tl::unexpected(due.error());
  for (const store::EventOutboxRow& row : *due) {
    const std::int64_t left = Remaining(deadline_ms);
    if (left < 0) return {};
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
    const Delivery result = channel.transport->DeliverEvent(message);
    if (result.status == Delivery::Status::kDelivered) {
      if (auto r = store::MarkEventDelivered(store_, row.id, now); !r) {
        return tl::unexpected(r.error());
      }
      ++stats.events;
      ++stats.messages;
      if (held_until_.erase(name) > 0) stats.notices.push_back("channel " + name + " recovered");
      continue;
    }
    std::optional<std::int64_t> delay;
    if (result.status == Delivery::Status::kRetry) delay = RetryDelay(row.attempts + 1, rng_);
    if (delay && result.retry_after_s) delay = std::max(*delay, *result.retry_after_s);
    if (auto r = store::MarkEventFailed(store_, row.id, result.error, now + delay.value_or(0),
                                        !delay.has_value());
        !r) {
      return tl::unexpected(r.error());
    }
    if (result.status == Delivery::Status::kDisable) {
      // The same 410 handling as for mention alerts: the endpoint is disabled for both.
      auto moved =
          store::DisableChannel(store_, name, channel.transport->Endpoint(), result.error, now);
      if (!moved) return tl::unexpected(moved.error());
      stats.notices.push_back("channel " + name + " disabled: " + result.error);
      return {};
    }
    if (!delay) {
      stats.notices.push_back("channel " + name + ": event dead: " + result.error);
      continue;
    }
    if (result.channel_wide || result.retry_after_s) {
      if (held_until_.count(name) == 0) {
        stats.notices.push_back("channel " + name + " held for " + std::to_string(*delay) +
                                "s, alerts kept pending: " + result.error);
      }
      held_until_[name] = now + *delay;
      return {};
    }
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
