// stats.h on PostgreSQL: the grouped rows of a period (stats_rows.h) and the top stories, with
// stats.cc's conditions in PostgreSQL's parameters and functions. The folding is stats.cc's.
#include "store/internal.h"
#include "store/pg/store_backend.h"
#include "store/stats_rows.h"

namespace veille::store {
namespace {

// stats.cc PeriodCondition: $1 = since, $2 = until, $3 = the language key ("" = any).
std::string PeriodCondition(const StatsQuery& query) {
  const std::string date = DateColumn(query);
  return "m.created_at >= $1 AND " + date + " >= $1 AND ($2::bigint IS NULL OR " + date +
         " < $2) AND ($3::text = '' OR lower(e.language) = $3 OR starts_with(lower(e.language), "
         "$3 || '-'))";
}

}  // namespace

Result<std::vector<PeriodRow>> ReadPeriodRowsPg(pg::Connection& conn, const StatsQuery& query) {
  // One row per mention, not grouped as on SQLite: a group is nearly always one mention (one
  // entry, one rule), so PostgreSQL's GROUP BY of seven keys (a partial and a final hash
  // aggregate) returned about as many rows as it read, for 45 % of the statement's time (the
  // 90-day dashboard at 1M entries, docs/performance.md). The folds sum `mentions` and collect
  // sets: ungrouped rows give the same numbers.
  const std::string date = DateColumn(query);
  auto rows = Lift(conn.Exec(
      "SELECT m.rule, m.category, " + date +
          " / 86400, COALESCE(e.story_id, -e.id), (e.story_id IS NOT NULL)::int, e.feed_id, "
          "COALESCE(e.language, '') FROM mentions m JOIN entries e ON e.id = m.entry_id WHERE " +
          PeriodCondition(query),
      {query.since, query.until, LanguageKey(query.language)}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<PeriodRow> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(PeriodRow{rows->Text(i, 0), rows->Text(i, 1), rows->Int(i, 2), rows->Int(i, 3),
                            rows->Int(i, 4) != 0, rows->Int(i, 5), rows->Text(i, 6), 1});
  }
  return out;
}

Result<std::vector<StorySummary>> TopStoriesPg(Store& store, pg::Connection& conn,
                                               const StatsQuery& query, int limit) {
  // As stats.cc TopStories: ranked by the feeds whose copy of the story was mentioned, then
  // every feed that published each chosen story and every rule that matched it.
  auto ranked =
      Lift(conn.Exec("SELECT e.story_id, COUNT(*) AS n, MIN(m.created_at), MAX(m.id), "
                     "COUNT(DISTINCT e.feed_id) AS s, MIN(e.published_at) "
                     "FROM mentions m JOIN entries e ON e.id = m.entry_id "
                     "WHERE " +
                         PeriodCondition(query) +
                         " AND ($4::text = '' OR m.category = $4) AND e.story_id IS NOT NULL "
                         "GROUP BY e.story_id ORDER BY s DESC, n DESC, MAX(m.id) DESC LIMIT $5",
                     {query.since, query.until, LanguageKey(query.language), query.category,
                      std::int64_t{limit}}));
  if (!ranked) return tl::unexpected(ranked.error());
  std::vector<StorySummary> out;
  for (int i = 0; i < ranked->size(); ++i) {
    StorySummary s;
    s.story_id = ranked->Int(i, 0);
    s.mentions = ranked->Int(i, 1);
    s.first_detected = ranked->Int(i, 2);
    s.first_published = ranked->OptInt(i, 5);
    auto latest = store.GetMention(ranked->Int(i, 3));
    if (!latest) return tl::unexpected(latest.error());
    s.latest = std::move(*latest);
    // The feeds in the order of their first entry of the story (SQLite's DISTINCT ... ORDER BY
    // e.id keeps each name at its first row).
    auto feeds = Lift(conn.Exec(
        "SELECT f.name FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.story_id = $1 "
        "GROUP BY f.name ORDER BY MIN(e.id)",
        {s.story_id}));
    if (!feeds) return tl::unexpected(feeds.error());
    for (int j = 0; j < feeds->size(); ++j) s.feeds.push_back(feeds->Text(j, 0));
    auto rules =
        Lift(conn.Exec("SELECT m.rule FROM entries e JOIN mentions m ON m.entry_id = e.id "
                       "WHERE e.story_id = $1 GROUP BY m.rule ORDER BY m.rule COLLATE \"C\"",
                       {s.story_id}));
    if (!rules) return tl::unexpected(rules.error());
    for (int j = 0; j < rules->size(); ++j) s.rules.push_back(rules->Text(j, 0));
    s.sources = static_cast<std::int64_t>(s.feeds.size());
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace veille::store
