// The PostgreSQL backend's mentions and outbox (store_backend.h): the queries of store.cc with
// PostgreSQL's functions (string_agg, strpos, starts_with) and parameters.
#include <algorithm>

#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// The columns of backend.h ReadMention. Tags sort by code point, as SQLite's ORDER BY does.
constexpr const char* kMentionSelect =
    "SELECT m.id, m.created_at, m.rule, m.category, m.terms, m.snippet, m.highlights, f.name, "
    "f.url, e.title, e.link, e.author, e.published_at, e.story_id, e.id, "
    "COALESCE(t.status, 'new'), COALESCE(t.note, ''), "
    "COALESCE((SELECT string_agg(tag, E'\\n' ORDER BY tag COLLATE \"C\") FROM triage_tags tt "
    "WHERE tt.mention_id = m.id), ''), e.updated_at, "
    "CASE WHEN e.title IS NULL THEN substr(COALESCE(NULLIF(e.summary, ''), e.content), 1, 400) "
    "END, e.canonical_link, e.language, e.language_source FROM mentions m "
    "JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
    "LEFT JOIN triage t ON t.mention_id = m.id ";

}  // namespace

Result<std::vector<MentionRow>> PostgresBackend::ListMentions(const MentionFilter& filter) {
  VEILLE_TRY(Ready());
  std::string sql = kMentionSelect;
  sql +=
      "WHERE ($1::bigint IS NULL OR m.created_at >= $1) "
      "AND ($2::bigint IS NULL OR m.created_at < $2) "
      "AND ($3::text = '' OR m.rule = $3) AND ($4::text = '' OR m.category = $4) "
      "AND ($5::text = '' OR strpos($5, ',' || COALESCE(t.status, 'new') || ',') > 0) "
      "AND ($6::text = '' OR EXISTS (SELECT 1 FROM triage_tags tt WHERE tt.mention_id = m.id "
      "AND tt.tag = $6))";
  sql += IdListCondition("e.feed_id", filter.feed_ids);
  sql += IdListCondition("m.entry_id", filter.entry_ids);
  // LanguageCondition's test (store.h) with PostgreSQL's parameter; "" matches everything.
  sql +=
      " AND ($8::text = '' OR lower(e.language) = $8 OR starts_with(lower(e.language), $8 || "
      "'-'))";
  sql += " ORDER BY m.created_at DESC, m.id DESC LIMIT $7::bigint OFFSET $9::bigint";
  const std::optional<std::int64_t> limit =
      filter.limit <= 0 ? std::nullopt : std::optional<std::int64_t>(filter.limit);
  auto rows = Lift(conn_->Exec(
      sql,
      {filter.since, filter.until, filter.rule, filter.category, StatusList(filter.statuses),
       filter.tag, limit, LanguageKey(filter.language), std::int64_t{std::max(0, filter.offset)}}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<MentionRow> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadMention(PgRow{*rows, i}));
  return out;
}

Result<MentionRow> PostgresBackend::GetMention(std::int64_t mention_id) {
  VEILLE_TRY(Ready());
  auto rows = Query(std::string(kMentionSelect) + "WHERE m.id = $1", {mention_id});
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no mention " + std::to_string(mention_id));
  return ReadMention(PgRow{*rows, 0});
}

Result<std::vector<OutboxRow>> PostgresBackend::DueOutbox(UnixSeconds now, int limit) {
  VEILLE_TRY(Ready());
  auto rows = Query(
      "SELECT id, mention_id, channel, idempotency_key, status, attempts, next_attempt_at, "
      "last_error, created_at, delivered_at FROM outbox "
      "WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
      {now, limit});
  if (!rows) return tl::unexpected(rows.error());
  std::vector<OutboxRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    OutboxRow o;
    o.id = rows->Int(i, 0);
    o.mention_id = rows->Int(i, 1);
    o.channel = rows->Text(i, 2);
    o.idempotency_key = rows->Text(i, 3);
    o.status = ParseOutboxStatus(rows->View(i, 4)).value_or(OutboxStatus::kPending);
    o.attempts = static_cast<int>(rows->Int(i, 5));
    o.next_attempt_at = rows->Int(i, 6);
    o.last_error = rows->OptText(i, 7);
    o.created_at = rows->Int(i, 8);
    o.delivered_at = rows->OptInt(i, 9);
    out.push_back(std::move(o));
  }
  return out;
}

Result<void> PostgresBackend::MarkDelivered(std::int64_t outbox_id, UnixSeconds now) {
  VEILLE_TRY(Ready());
  return Query(
             "UPDATE outbox SET status = 'delivered', delivered_at = $2, attempts = attempts + "
             "1, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $1",
             {outbox_id, now})
      .map([](const pg::Rows&) {});
}

Result<void> PostgresBackend::MarkFailed(std::int64_t outbox_id, const std::string& error,
                                         UnixSeconds next_attempt_at, bool dead) {
  VEILLE_TRY(Ready());
  return Query(kMarkFailedSql, {outbox_id, error, next_attempt_at, dead ? 1 : 0, lease_owner_})
      .map([](const pg::Rows&) {});
}

Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> PostgresBackend::OutboxCounts() {
  VEILLE_TRY(Ready());
  auto rows = Query(
      "SELECT status, COUNT(*) FROM (SELECT status FROM outbox UNION ALL "
      "SELECT status FROM event_outbox) s GROUP BY status ORDER BY status COLLATE \"C\"");
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::pair<OutboxStatus, std::int64_t>> out;
  for (int i = 0; i < rows->size(); ++i) {
    if (auto status = ParseOutboxStatus(rows->View(i, 0)))
      out.emplace_back(*status, rows->Int(i, 1));
  }
  return out;
}

}  // namespace veille::store
