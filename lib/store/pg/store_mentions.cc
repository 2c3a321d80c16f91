// The PostgreSQL backend's mentions and outbox (store_backend.h): the queries of store.cc with
// PostgreSQL's functions (string_agg, strpos, starts_with) and parameters.
#include <algorithm>

#include "store/outbox_rows.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

// MentionSelect with the tags in code-point order, as SQLite's ORDER BY.
std::string MentionSelectPg() {
  return MentionSelect(
      "(SELECT string_agg(tag, E'\\n' ORDER BY tag COLLATE \"C\") FROM triage_tags tt "
      "WHERE tt.mention_id = m.id)");
}

// The filter's conditions on a query over `mentions m`, joined to `entries e` when `entry` and
// to `triage t` when `triage`: a condition on a table left out is replaced by its test of the
// parameter alone (true when the filter leaves it out), so that every parameter keeps a type.
// `entry_ids`: the condition on filter.entry_ids (false when the FROM clause applies it).
std::string FilterConditions(const MentionFilter& filter, bool entry, bool triage, bool entry_ids) {
  std::string sql =
      "WHERE ($1::bigint IS NULL OR m.created_at >= $1) "
      "AND ($2::bigint IS NULL OR m.created_at < $2) "
      "AND ($3::text = '' OR m.rule = $3) AND ($4::text = '' OR m.category = $4) ";
  sql += triage ? "AND ($5::text = '' OR strpos($5, ',' || COALESCE(t.status, 'new') || ',') > 0) "
                : "AND $5::text = '' ";
  sql +=
      "AND ($6::text = '' OR EXISTS (SELECT 1 FROM triage_tags tt WHERE tt.mention_id = m.id "
      "AND tt.tag = $6))";
  if (entry) sql += IdListCondition("e.feed_id", filter.feed_ids);
  if (entry_ids) sql += IdListCondition("m.entry_id", filter.entry_ids);
  // LanguageCondition's test (store.h) with PostgreSQL's parameter; "" matches everything.
  sql += entry ? " AND ($8::text = '' OR lower(e.language) = $8 OR starts_with(lower(e.language), "
                 "$8 || '-'))"
               : " AND $8::text = ''";
  return sql;
}

// The mentions of filter.entry_ids, found through their entry_id index one entry at a time: an
// array literal (integers only), each id once, and a LATERAL subquery that OFFSET 0 keeps from
// being flattened into a join the planner could turn around.
std::string MentionsOfEntries(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string list;
  for (std::int64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return "unnest('{" + list +
         "}'::bigint[]) AS c(id) CROSS JOIN LATERAL (SELECT * FROM mentions mm WHERE "
         "mm.entry_id = c.id OFFSET 0) m ";
}

}  // namespace

Result<std::vector<MentionRow>> PostgresBackend::ListMentions(const MentionFilter& filter) {
  VEILLE_TRY(Ready());
  std::string sql = MentionSelectPg();
  const bool by_entries = !filter.entry_ids.empty();
  if (filter.offset <= 0 && !by_entries) {
    sql += FilterConditions(filter, true, true, true);
    sql += " ORDER BY m.created_at DESC, m.id DESC LIMIT $7::bigint OFFSET $9::bigint";
  } else {
    // The page's mentions are chosen first, from the tables the filter needs (mentions alone
    // unless it names a feed, a language or a status), then only those are joined to their
    // entries, feeds and triage. A page past the first: joined before the OFFSET, every skipped
    // mention's entry row was read (the inbox's page 100: 4,950 entries from the heap, 150-330
    // ms at 1M entries). An entry id list (the inbox's search: thousands of candidates): the
    // mentions come through their entry_id index, as on SQLite (store.cc); as an IN list the
    // planner walked mentions_created and filtered half the table (77-122 ms against 23-51 for
    // 10,569 ids at 1M entries, docs/performance.md).
    const bool entry = !filter.feed_ids.empty() || !LanguageKey(filter.language).empty();
    const bool triage = !filter.statuses.empty();
    sql += "WHERE m.id IN (SELECT m.id FROM ";
    sql += by_entries ? MentionsOfEntries(filter.entry_ids) : "mentions m ";
    if (entry) sql += "JOIN entries e ON e.id = m.entry_id ";
    if (triage) sql += "LEFT JOIN triage t ON t.mention_id = m.id ";
    sql += FilterConditions(filter, entry, triage, false);
    sql +=
        " ORDER BY m.created_at DESC, m.id DESC LIMIT $7::bigint OFFSET $9::bigint) "
        "ORDER BY m.created_at DESC, m.id DESC";
  }
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
  auto rows = Query(MentionSelectPg() + "WHERE m.id = $1", {mention_id});
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no mention " + std::to_string(mention_id));
  return ReadMention(PgRow{*rows, 0});
}

Result<std::vector<OutboxRow>> PostgresBackend::DueOutbox(UnixSeconds now, int limit) {
  VEILLE_TRY(Ready());
  auto rows = Query(std::string("SELECT ") + kOutboxColumns +
                        " FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= $1 "
                        "ORDER BY o.next_attempt_at, o.id LIMIT $2",
                    {now, limit});
  if (!rows) return tl::unexpected(rows.error());
  std::vector<OutboxRow> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadOutboxRow(PgRow{*rows, i}));
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
