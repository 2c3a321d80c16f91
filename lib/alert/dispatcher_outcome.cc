// What the dispatcher records when an attempt ends: one policy for alerts, burst summaries,
// digests and operator events (delivered, retry with backoff, hold the channel, dead, disable).
#include <algorithm>

#include "alert/dispatcher.h"
#include "store/outbox_repo.h"

namespace veille::alert {
namespace {

std::vector<std::int64_t> Ids(const std::vector<store::OutboxRow>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

}  // namespace

Result<bool> Dispatcher::Complete(const Job& job, const Delivery& result, UnixSeconds now,
                                  DispatchStats& stats) {
  const std::string& name = job.channel;
  if (result.status != Delivery::Status::kDelivered) {
    proven_.erase(name);  // one attempt at a time again until it delivers
    if (job.kind == Job::Kind::kDigest && job.rows.empty()) {
      // An empty digest has no rows to carry the retry: try again at the next pass after a pause.
      held_until_[name] = now + RetryDelay(1, rng_).value_or(60);
      return true;
    }
    return RecordFailure(job, result, now, stats);
  }
  switch (job.kind) {
    case Job::Kind::kAlert:
      if (job.rows.size() == 1) {
        if (auto r = store_.MarkDelivered(job.rows.front().id, now); !r) {
          return tl::unexpected(r.error());
        }
      } else if (auto r = store::MarkDigestDelivered(store_, Ids(job.rows), name,
                                                     job.rows.front().idempotency_key, now, false);
                 !r) {
        // Every row of a merged alert records the message that carried it, in one transaction.
        return tl::unexpected(r.error());
      }
      break;
    case Job::Kind::kBurst:
    case Job::Kind::kDigest:
      if (auto r = store::MarkDigestDelivered(store_, Ids(job.rows), name, job.key, now,
                                              job.kind == Job::Kind::kDigest);
          !r) {
        return tl::unexpected(r.error());
      }
      break;
    case Job::Kind::kEvent:
      if (auto r = store::MarkEventDelivered(store_, job.event_row, now); !r) {
        return tl::unexpected(r.error());
      }
      ++stats.events;
      break;
  }
  stats.delivered += static_cast<int>(job.rows.size());
  ++stats.messages;
  proven_.insert(name);
  if (held_until_.erase(name) > 0) stats.notices.push_back("channel " + name + " recovered");
  return true;
}

Result<bool> Dispatcher::RecordFailure(const Job& job, const Delivery& result, UnixSeconds now,
                                       DispatchStats& stats) {
  const std::string& name = job.channel;
  const bool event = job.kind == Job::Kind::kEvent;
  int attempts = job.event_attempts;
  for (const auto& row : job.rows) attempts = std::max(attempts, row.attempts);
  // Every row of the message (or the event row) gets the same error and next attempt.
  auto mark = [&](UnixSeconds next_attempt_at, bool dead) -> Result<void> {
    if (event)
      return store::MarkEventFailed(store_, job.event_row, result.error, next_attempt_at, dead);
    return store::MarkDigestFailed(store_, Ids(job.rows), result.error, next_attempt_at, dead);
  };
  if (result.status == Delivery::Status::kDisable) {
    // Alert rows stay pending and DisableChannel moves them to 'disabled' with the channel's
    // others; an event row has no such state and ends dead.
    if (auto r = mark(now, event); !r) return tl::unexpected(r.error());
    auto moved = store::DisableChannel(store_, name, job.transport->Endpoint(), result.error, now);
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
  if (auto r = mark(now + delay.value_or(0), !delay.has_value()); !r) {
    return tl::unexpected(r.error());
  }
  if (!delay) {
    stats.dead += static_cast<int>(job.rows.size());
    stats.notices.push_back("channel " + name + ": " + (event ? "event" : "alert") +
                            " dead after " + std::to_string(attempts + 1) +
                            " attempts: " + result.error);
    return true;
  }
  stats.retried += static_cast<int>(job.rows.size());
  if (result.channel_wide || result.retry_after_s) {
    // The server is down or asked to wait: the channel's other messages wait with this one.
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

}  // namespace veille::alert
