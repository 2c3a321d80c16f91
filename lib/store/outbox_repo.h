// The outbox beyond the dispatcher's basic calls: listing for the CLI, operator retries,
// channels removed from the config or disabled by their endpoint, digests and burst windows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

struct OutboxListRow {
  OutboxRow row;
  std::string rule;
  std::optional<std::string> title;  // the entry's, or derived from its text (title_derived)
  bool title_derived = false;
  std::string feed_name;
  std::optional<std::string> digest_key;
};

// Rows with `status` (nullopt = any), newest first; `limit` <= 0 means no limit.
[[nodiscard]] Result<std::vector<OutboxListRow>> ListOutbox(Store& store,
                                                            std::optional<OutboxStatus> status,
                                                            int limit);

// The alerts of these mentions (the web inbox's story page), oldest first.
[[nodiscard]] Result<std::vector<OutboxRow>> OutboxOfMentions(
    Store& store, const std::vector<std::int64_t>& mention_ids);

// Row counts per status (statuses without rows are absent).
[[nodiscard]] Result<std::map<OutboxStatus, std::int64_t>> CountOutbox(Store& store);

// Suppressed rows grouped by their reason (kFirstPollReason, "same story already alerted"...),
// with the number of feeds they came from, most rows first.
struct SuppressedGroup {
  std::string reason;
  std::int64_t rows = 0;
  std::int64_t feeds = 0;
};
[[nodiscard]] Result<std::vector<SuppressedGroup>> CountSuppressed(Store& store);

// Puts one dead, disabled or channel_removed row back to pending, due now, with a fresh retry
// schedule (attempts 0; the last error stays until the next attempt); a pending row waiting for
// its next attempt becomes due now, also with a fresh schedule. A disabled row also re-enables
// its channel. Returns false when no such row is in one of those states. On a shared database a
// daemon's claim on the row (a send in flight, or a dead daemon's until it expires) is left
// alone: that send's outcome ends it (docs/scaling.md, "Alert delivery").
[[nodiscard]] Result<bool> RetryOutbox(Store& store, std::int64_t id, UnixSeconds now);

// The same for every dead row; returns how many.
[[nodiscard]] Result<int> RetryAllDead(Store& store, UnixSeconds now);

// Every pending row not yet due becomes due now, with a fresh schedule; returns how many.
[[nodiscard]] Result<int> RetryAllPending(Store& store, UnixSeconds now);

// Pending rows of channels not in `configured` become channel_removed (with a reason).
[[nodiscard]] Result<int> MarkChannelsRemoved(Store& store,
                                              const std::vector<std::string>& configured,
                                              UnixSeconds now);

// Records that `endpoint` of `channel` asked to be disabled and moves the channel's pending rows
// to 'disabled' with `reason`. Returns how many rows moved.
[[nodiscard]] Result<int> DisableChannel(Store& store, const std::string& channel,
                                         const std::string& endpoint, const std::string& reason,
                                         UnixSeconds now);

// The reason `channel` is disabled for `endpoint`, or nullopt when it is enabled (a channel
// disabled for another endpoint, for example before its URL changed, is enabled).
[[nodiscard]] Result<std::optional<std::string>> ChannelDisabledReason(Store& store,
                                                                       const std::string& channel,
                                                                       const std::string& endpoint);

// Pending rows of one channel due at `now`, oldest first.
[[nodiscard]] Result<std::vector<OutboxRow>> DueForChannel(Store& store, const std::string& channel,
                                                           UnixSeconds now, int limit);

// The pending rows of one channel grouped into alerts, one group per entry (the rows of every
// rule that matched it, in row order: they were written together by one commit), oldest group
// first. A group is due when one of its rows is (its rows normally share every state change,
// as the dispatcher records them together). At most `limit` groups; <= 0 means no limit.
//
// On a shared database (PostgreSQL, several daemons: docs/scaling.md, "Alert delivery") the
// groups returned are claimed: leased to this store for `lease_ms` of the server's clock, so
// that another store's claim passes over them until the lease expires or an outcome (MarkDelivered,
// MarkFailed, MarkDigestDelivered, MarkDigestFailed) or ReleaseClaims ends it. A claim
// returns this store's own leased rows too (renewing their leases): the caller skips those it
// is sending. SQLite (one daemon) leases nothing and ignores `lease_ms`.
[[nodiscard]] Result<std::vector<std::vector<OutboxRow>>> DueAlertGroups(Store& store,
                                                                         const std::string& channel,
                                                                         UnixSeconds now, int limit,
                                                                         std::int64_t lease_ms);

// Every due group of a digest channel for the digest of `slot`, claimed as DueAlertGroups does;
// on a shared database none at all when the channel's last digest is at or after `slot` (another
// store sent it) or while another store holds a lease on one of the channel's pending rows (its
// digest is on its way): one digest per slot, never two partial ones under the same key.
[[nodiscard]] Result<std::vector<std::vector<OutboxRow>>> DueDigestGroups(
    Store& store, const std::string& channel, UnixSeconds now, UnixSeconds slot,
    std::int64_t lease_ms);

// Gives back this store's claims on alert rows `outbox_ids` and event rows `event_ids` that it
// will not attempt now (other daemons may take them at once). Nothing on SQLite.
[[nodiscard]] Result<void> ReleaseClaims(Store& store, const std::vector<std::int64_t>& outbox_ids,
                                         const std::vector<std::int64_t>& event_ids);

// Extends this store's claims on rows it is attempting (sends still in flight) by `lease_ms`
// from now, so that no other daemon takes them over while this one lives. Nothing on SQLite.
[[nodiscard]] Result<void> RenewClaims(Store& store, const std::vector<std::int64_t>& outbox_ids,
                                       const std::vector<std::int64_t>& event_ids,
                                       std::int64_t lease_ms);

// Messages of `channel` delivered at or after `since` (burst windows): an alert, whatever the
// number of rules it listed, a digest or a burst summary each count once.
[[nodiscard]] Result<int> DeliveredSince(Store& store, const std::string& channel,
                                         UnixSeconds since);

// When the channel's last digest went out (nullopt: never).
[[nodiscard]] Result<std::optional<UnixSeconds>> LastDigestAt(Store& store,
                                                              const std::string& channel);
[[nodiscard]] Result<void> SetLastDigestAt(Store& store, const std::string& channel,
                                           UnixSeconds at);

// Marks `ids` delivered as part of digest `key` and records the digest time, in one transaction.
[[nodiscard]] Result<void> MarkDigestDelivered(Store& store, const std::vector<std::int64_t>& ids,
                                               const std::string& channel, const std::string& key,
                                               UnixSeconds now, bool record_digest_time);

// A failed digest attempt: every row gets the same error and next attempt time.
[[nodiscard]] Result<void> MarkDigestFailed(Store& store, const std::vector<std::int64_t>& ids,
                                            const std::string& error, UnixSeconds next_attempt_at,
                                            bool dead);

// The earliest next_attempt_at of pending rows in `channels` (nullopt: none pending).
[[nodiscard]] Result<std::optional<UnixSeconds>> NextPendingAttempt(
    Store& store, const std::vector<std::string>& channels);

// The entry's canonical link for a mention (nullopt when it has none).
[[nodiscard]] Result<std::optional<std::string>> CanonicalLinkOf(Store& store,
                                                                 std::int64_t mention_id);

// --- Operator events: spike and feed-health alerts (their own outbox, same life cycle) ---

struct EventRecord {
  std::string kind;        // "spike" | "feed_health"
  std::string subject;     // rule name or feed URL
  std::string window_key;  // at most one event per (kind, subject, window_key)
  std::string title;       // one line
  std::string text;        // plain text, a few lines
  std::string payload;     // JSON object with the details
  UnixSeconds created_at = 0;
};

struct EventOutboxRow {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string channel;
  std::string idempotency_key;
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;
  UnixSeconds next_attempt_at = 0;
  std::optional<std::string> last_error;
  EventRecord event;
};

// Records `event` and one pending outbox row per channel, in one transaction, unless an event
// with the same (kind, subject, window_key) exists. Returns true when it was new.
[[nodiscard]] Result<bool> RecordEvent(Store& store, const EventRecord& event,
                                       const std::vector<std::string>& channels);

// Pending event rows of `channel` due at `now`, oldest first; claimed on a shared database as
// DueAlertGroups says (MarkEventDelivered, MarkEventFailed or ReleaseClaims end the lease).
[[nodiscard]] Result<std::vector<EventOutboxRow>> DueEvents(Store& store,
                                                            const std::string& channel,
                                                            UnixSeconds now, int limit,
                                                            std::int64_t lease_ms);
[[nodiscard]] Result<void> MarkEventDelivered(Store& store, std::int64_t id, UnixSeconds now);
[[nodiscard]] Result<void> MarkEventFailed(Store& store, std::int64_t id, const std::string& error,
                                           UnixSeconds next_attempt_at, bool dead);

// All event rows, newest first (for the CLI and tests).
[[nodiscard]] Result<std::vector<EventOutboxRow>> ListEvents(Store& store, int limit);

// As RetryOutbox for an event row (the web inbox's /alerts): a dead or pending row becomes
// pending, due now, with a fresh retry schedule. False when no such row is dead or pending.
// Another daemon's claim on the row is left alone, as in RetryOutbox.
[[nodiscard]] Result<bool> RetryEvent(Store& store, std::int64_t id, UnixSeconds now);

// Mentions of `rule` per `bucket_s` bucket over [from, to): element i counts
// [from + i*bucket_s, from + (i+1)*bucket_s).
[[nodiscard]] Result<std::vector<int>> MentionCounts(Store& store, const std::string& rule,
                                                     UnixSeconds from, UnixSeconds to,
                                                     std::int64_t bucket_s);

// When the first mention was stored (nullopt: none yet): how much history a baseline has.
[[nodiscard]] Result<std::optional<UnixSeconds>> EarliestMention(Store& store);

}  // namespace veille::store
