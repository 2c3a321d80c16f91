// Private to lib/store: the PostgreSQL implementations of outbox_repo.h (pg/outbox.cc: alert
// rows, channels, digests; pg/outbox_events.cc: operator events and mention counts) and of
// triage.h (pg/triage.cc). The functions of outbox_repo.h and triage.h call them when the store
// runs on PostgreSQL (ReadyPostgres); each has the same contract as its namesake without "Pg".
#pragma once

#include <cstdint>
#include <optional>

#include "store/outbox_repo.h"
#include "store/pg/connection.h"
#include "store/triage.h"

namespace veille::store {

// A `limit` parameter (<= 0: no limit) as LIMIT $n::bigint takes it: NULL is LIMIT ALL.
inline std::optional<std::int64_t> LimitOf(int limit) {
  return limit <= 0 ? std::nullopt : std::optional<std::int64_t>(limit);
}

Result<std::vector<OutboxListRow>> ListOutboxPg(pg::Connection& conn,
                                                std::optional<OutboxStatus> status, int limit);
Result<std::vector<OutboxRow>> OutboxOfMentionsPg(pg::Connection& conn,
                                                  const std::vector<std::int64_t>& mention_ids);
Result<std::map<OutboxStatus, std::int64_t>> CountOutboxPg(pg::Connection& conn);
Result<std::vector<SuppressedGroup>> CountSuppressedPg(pg::Connection& conn);
Result<bool> RetryOutboxPg(pg::Connection& conn, std::int64_t id, UnixSeconds now);
Result<int> RetryAllDeadPg(pg::Connection& conn, UnixSeconds now);
Result<int> RetryAllPendingPg(pg::Connection& conn, UnixSeconds now);
Result<int> MarkChannelsRemovedPg(pg::Connection& conn, const std::vector<std::string>& configured,
                                  UnixSeconds now);
Result<int> DisableChannelPg(pg::Connection& conn, const std::string& channel,
                             const std::string& endpoint, const std::string& reason,
                             UnixSeconds now);
Result<std::optional<std::string>> ChannelDisabledReasonPg(pg::Connection& conn,
                                                           const std::string& channel,
                                                           const std::string& endpoint);
Result<std::vector<OutboxRow>> DueForChannelPg(pg::Connection& conn, const std::string& channel,
                                               UnixSeconds now, int limit);
// The claims of one store on alert and event rows (docs/scaling.md, "Alert delivery"): its lease
// name (PostgresBackend::lease_owner) and how long a claim lasts.
struct OutboxClaim {
  std::string owner;
  std::int64_t lease_ms = 0;
};
// `store`'s claim of `lease_ms` (`store` runs on PostgreSQL).
OutboxClaim ClaimOf(Store& store, std::int64_t lease_ms);

Result<std::vector<std::vector<OutboxRow>>> DueAlertGroupsPg(pg::Connection& conn,
                                                             const std::string& channel,
                                                             UnixSeconds now, int limit,
                                                             const OutboxClaim& claim);
Result<std::vector<std::vector<OutboxRow>>> DueDigestGroupsPg(pg::Connection& conn,
                                                              const std::string& channel,
                                                              UnixSeconds now, UnixSeconds slot,
                                                              const OutboxClaim& claim);
// Renews `owner`'s leases on these rows for `lease_ms`, or ends them (lease_ms <= 0).
Result<void> UpdateClaimsPg(pg::Connection& conn, const std::string& owner,
                            const std::vector<std::int64_t>& outbox_ids,
                            const std::vector<std::int64_t>& event_ids, std::int64_t lease_ms);
Result<int> DeliveredSincePg(pg::Connection& conn, const std::string& channel, UnixSeconds since);
Result<std::optional<UnixSeconds>> LastDigestAtPg(pg::Connection& conn, const std::string& channel);
Result<void> SetLastDigestAtPg(pg::Connection& conn, const std::string& channel, UnixSeconds at);
Result<void> MarkDigestDeliveredPg(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                   const std::string& channel, const std::string& key,
                                   UnixSeconds now, bool record_digest_time);
Result<void> MarkDigestFailedPg(pg::Connection& conn, const std::string& owner,
                                const std::vector<std::int64_t>& ids, const std::string& error,
                                UnixSeconds next_attempt_at, bool dead);
Result<std::optional<UnixSeconds>> NextPendingAttemptPg(pg::Connection& conn,
                                                        const std::vector<std::string>& channels);
Result<std::optional<std::string>> CanonicalLinkOfPg(pg::Connection& conn, std::int64_t mention_id);

// The server's clock in Unix milliseconds, by which every lease is judged.
inline constexpr const char* kServerClockMs =
    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

// A failed attempt on an alert row (PostgresBackend::MarkFailed, MarkDigestFailedPg): $1 the row,
// $2 the error, $3 the next attempt, $4 1 when dead, $5 the store's lease name. It ends the
// store's lease; a lease another store took over (this one's had expired) stays with it.
inline constexpr const char* kMarkFailedSql =
    "UPDATE outbox SET status = CASE WHEN $4 <> 0 THEN 'dead' ELSE status END, "
    "attempts = attempts + 1, last_error = $2, next_attempt_at = $3, "
    "lease_until = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_until END, "
    "lease_owner = CASE WHEN lease_owner = $5 THEN NULL ELSE lease_owner END WHERE id = $1";

// pg/outbox_events.cc. The event row's idempotency key (outbox_events.cc), the same on both.
std::string EventIdempotencyKey(const EventRecord& event, const std::string& channel);
Result<bool> RecordEventPg(pg::Connection& conn, const EventRecord& event,
                           const std::vector<std::string>& channels);
Result<std::vector<EventOutboxRow>> DueEventsPg(pg::Connection& conn, const std::string& channel,
                                                UnixSeconds now, int limit,
                                                const OutboxClaim& claim);
Result<void> MarkEventDeliveredPg(pg::Connection& conn, std::int64_t id, UnixSeconds now);
Result<void> MarkEventFailedPg(pg::Connection& conn, const std::string& owner, std::int64_t id,
                               const std::string& error, UnixSeconds next_attempt_at, bool dead);
Result<std::vector<EventOutboxRow>> ListEventsPg(pg::Connection& conn, int limit);
Result<bool> RetryEventPg(pg::Connection& conn, std::int64_t id, UnixSeconds now);
Result<std::vector<int>> MentionCountsPg(pg::Connection& conn, const std::string& rule,
                                         UnixSeconds from, UnixSeconds to, std::int64_t bucket_s);
Result<std::optional<UnixSeconds>> EarliestMentionPg(pg::Connection& conn);

// pg/triage.cc: `add` and `remove` already normalised (NormalizeTag), the note checked.
Result<TriageOutcome> ApplyTriagePg(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                    const TriageChange& change, const std::vector<std::string>& add,
                                    const std::vector<std::string>& remove);
Result<std::vector<std::int64_t>> MentionsOfStoriesPg(pg::Connection& conn,
                                                      const std::vector<std::int64_t>& story_ids);
Result<TriageRecord> GetTriagePg(pg::Connection& conn, std::int64_t mention_id);
Result<std::vector<std::pair<std::string, std::int64_t>>> TriageTagsPg(pg::Connection& conn,
                                                                       int limit);

}  // namespace veille::store
