// Private to lib/store: the outbox's columns and how a row of them reads, shared by the SQLite
// (outbox_repo.cc, outbox_events.cc) and PostgreSQL (pg/outbox.cc, pg/outbox_events.cc) sides of
// outbox_repo.h. `Row` reads columns 0-based: Int, OptInt, Text, OptText (store::Statement,
// PgRow).
#pragma once

#include <string>
#include <utility>

#include "store/backend.h"
#include "store/outbox_repo.h"

namespace veille::store {

// The columns ReadOutboxRow reads, in its order, over `outbox o`.
inline constexpr const char* kOutboxColumns =
    "o.id, o.mention_id, o.channel, o.idempotency_key, o.status, o.attempts, o.next_attempt_at, "
    "o.last_error, o.created_at, o.delivered_at";

template <typename Row>
OutboxRow ReadOutboxRow(const Row& s) {
  OutboxRow o;
  o.id = s.Int(0);
  o.mention_id = s.Int(1);
  o.channel = s.Text(2);
  o.idempotency_key = s.Text(3);
  o.status = ParseOutboxStatus(s.Text(4)).value_or(OutboxStatus::kPending);
  o.attempts = static_cast<int>(s.Int(5));
  o.next_attempt_at = s.Int(6);
  o.last_error = s.OptText(7);
  o.created_at = s.Int(8);
  o.delivered_at = s.OptInt(9);
  return o;
}

// ListOutbox's statement up to its WHERE (ending with a space): kOutboxColumns, the rule, the
// entry's title, the feed's name, the digest key and the start of the text when there is no
// title, over the outbox, its mentions, their entries and feeds.
inline std::string OutboxListSelect() {
  return std::string("SELECT ") + kOutboxColumns + ", m.rule, e.title, f.name, o.digest_key, " +
         kTextStartSql +
         " FROM outbox o JOIN mentions m ON m.id = o.mention_id "
         "JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id ";
}

template <typename Row>
OutboxListRow ReadOutboxListRow(const Row& s) {
  OutboxListRow r;
  r.row = ReadOutboxRow(s);
  r.rule = s.Text(10);
  r.title = s.OptText(11);
  r.feed_name = s.Text(12);
  r.digest_key = s.OptText(13);
  DeriveMissingTitle(r.title, r.title_derived, s.OptText(14));
  return r;
}

// The columns ReadEventOutboxRow reads, in its order, over `event_outbox x JOIN events e`.
inline constexpr const char* kEventColumns =
    "x.id, x.event_id, x.channel, x.idempotency_key, x.status, x.attempts, x.next_attempt_at, "
    "x.last_error, e.kind, e.subject, e.window_key, e.title, e.text, e.payload, e.created_at";

template <typename Row>
EventOutboxRow ReadEventOutboxRow(const Row& s) {
  EventOutboxRow r;
  r.id = s.Int(0);
  r.event_id = s.Int(1);
  r.channel = s.Text(2);
  r.idempotency_key = s.Text(3);
  r.status = ParseOutboxStatus(s.Text(4)).value_or(OutboxStatus::kPending);
  r.attempts = static_cast<int>(s.Int(5));
  r.next_attempt_at = s.Int(6);
  r.last_error = s.OptText(7);
  r.event.kind = s.Text(8);
  r.event.subject = s.Text(9);
  r.event.window_key = s.Text(10);
  r.event.title = s.Text(11);
  r.event.text = s.Text(12);
  r.event.payload = s.Text(13);
  r.event.created_at = s.Int(14);
  return r;
}

}  // namespace veille::store
