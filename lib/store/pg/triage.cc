// Triage on PostgreSQL (repositories.h): triage.cc's statements with PostgreSQL's parameters;
// tags sort by code point (COLLATE "C"), as SQLite's ORDER BY does.
#include <algorithm>

#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {

Result<TriageOutcome> ApplyTriagePg(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                    const TriageChange& change, const std::vector<std::string>& add,
                                    const std::vector<std::string>& remove) {
  auto tx = pg::Transaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error().ToError());
  const std::optional<std::string> status =
      change.status ? std::optional<std::string>(TriageStatusName(*change.status)) : std::nullopt;
  TriageOutcome outcome;
  for (const std::int64_t id : ids) {
    // The INSERT's SELECT makes a missing mention change nothing (no row returned) instead of
    // failing the whole batch on the foreign key.
    auto upserted = Lift(conn.ExecCached(
        "INSERT INTO triage (mention_id, status, note, updated_at, updated_by) "
        "SELECT id, COALESCE($2::text, 'new'), COALESCE($3::text, ''), $4::bigint, $5::text "
        "FROM mentions WHERE id = $1 "
        "ON CONFLICT (mention_id) DO UPDATE SET status = COALESCE($2::text, triage.status), "
        "note = COALESCE($3::text, triage.note), updated_at = $4, updated_by = $5 "
        "RETURNING mention_id",
        {id, status, change.note, change.at, change.by}));
    if (!upserted) return tl::unexpected(upserted.error());
    if (upserted->empty()) {
      outcome.missing.push_back(id);
      continue;
    }
    for (const auto& tag : remove) {
      VEILLE_TRY(Lift(conn.ExecCached("DELETE FROM triage_tags WHERE mention_id = $1 AND tag = $2",
                                      {id, tag})));
    }
    for (const auto& tag : add) {
      VEILLE_TRY(
          Lift(conn.ExecCached("INSERT INTO triage_tags (mention_id, tag) VALUES ($1, $2) "
                               "ON CONFLICT DO NOTHING",
                               {id, tag})));
    }
    if (!add.empty()) {
      auto n =
          Lift(conn.ExecCached("SELECT COUNT(*) FROM triage_tags WHERE mention_id = $1", {id}));
      if (!n) return tl::unexpected(n.error());
      if (n->Int(0, 0) > static_cast<std::int64_t>(kMaxTagsPerMention)) {
        return Fail(ErrorCode::kInvalidArgument, "mention " + std::to_string(id) +
                                                     " would carry more than " +
                                                     std::to_string(kMaxTagsPerMention) + " tags");
      }
    }
    ++outcome.changed;
  }
  VEILLE_TRY(Lift(tx->Commit()));
  return outcome;
}

Result<std::vector<std::int64_t>> MentionsOfStoriesPg(pg::Connection& conn,
                                                      const std::vector<std::int64_t>& story_ids) {
  std::vector<std::int64_t> out;
  for (const std::int64_t story : story_ids) {
    auto rows = Lift(conn.ExecCached(
        "SELECT m.id FROM entries e JOIN mentions m ON m.entry_id = e.id WHERE e.story_id = $1",
        {story}));
    if (!rows) return tl::unexpected(rows.error());
    for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Int(i, 0));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<TriageRecord> GetTriagePg(pg::Connection& conn, std::int64_t mention_id) {
  auto row = Lift(conn.ExecCached(
      "SELECT status, note, updated_at, updated_by FROM triage WHERE mention_id = $1",
      {mention_id}));
  if (!row) return tl::unexpected(row.error());
  auto tags = Lift(conn.ExecCached(
      "SELECT tag FROM triage_tags WHERE mention_id = $1 ORDER BY tag COLLATE \"C\"",
      {mention_id}));
  if (!tags) return tl::unexpected(tags.error());
  TriageRecord out;
  out.mention_id = mention_id;
  if (!row->empty()) {
    out.status = ParseTriageStatus(row->View(0, 0)).value_or(TriageStatus::kNew);
    out.note = row->Text(0, 1);
    out.updated_at = row->Int(0, 2);
    out.updated_by = row->Text(0, 3);
  }
  for (int i = 0; i < tags->size(); ++i) out.tags.push_back(tags->Text(i, 0));
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> TriageTagsPg(pg::Connection& conn,
                                                                       int limit) {
  auto rows =
      Lift(conn.ExecCached("SELECT tag, COUNT(*) AS n FROM triage_tags GROUP BY tag "
                           "ORDER BY n DESC, tag COLLATE \"C\" LIMIT $1::bigint",
                           {limit <= 0 ? std::nullopt : std::optional<std::int64_t>(limit)}));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (int i = 0; i < rows->size(); ++i) out.emplace_back(rows->Text(i, 0), rows->Int(i, 1));
  return out;
}

}  // namespace veille::store
