#include "alert/dispatcher.h"

#include <array>

namespace veille::alert {

std::optional<std::int64_t> RetryDelay(int attempt, std::mt19937_64& rng) {
  static constexpr std::array<std::int64_t, 9> kSchedule = {
      5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600};
  if (attempt < 1 || attempt > static_cast<int>(kSchedule.size())) return std::nullopt;
  const std::int64_t base = kSchedule[static_cast<std::size_t>(attempt - 1)];
  std::uniform_int_distribution<std::int64_t> jitter(-base / 5, base / 5);
  return std::max<std::int64_t>(1, base + jitter(rng));
}

void Dispatcher::SetTransport(const std::string& channel, std::shared_ptr<Transport> transport) {
  transports_[channel] = std::move(transport);
}

Result<DispatchStats> Dispatcher::DeliverDue(UnixSeconds now, int limit) {
  auto due = store_.DueOutbox(now, limit);
  if (!due) return tl::unexpected(due.error());
  DispatchStats stats;
  for (const store::OutboxRow& row : *due) {
    auto transport = transports_.find(row.channel);
    if (transport == transports_.end()) continue;  // channel not configured now: keep pending
    auto mention = store_.GetMention(row.mention_id);
    if (!mention) return tl::unexpected(mention.error());
    const Delivery result = transport->second->Deliver(Alert{row, *mention});
    if (result.status == Delivery::Status::kDelivered) {
      if (auto r = store_.MarkDelivered(row.id, now); !r) return tl::unexpected(r.error());
      ++stats.delivered;
      continue;
    }
    auto delay = result.status == Delivery::Status::kRetry ? RetryDelay(row.attempts + 1, rng_)
                                                            : std::nullopt;
    const bool dead = !delay.has_value();
    if (auto r = store_.MarkFailed(row.id, result.error, now + delay.value_or(0), dead); !r) {
      return tl::unexpected(r.error());
    }
    ++(dead ? stats.dead : stats.retried);
  }
  return stats;
}

}  // namespace veille::alert
