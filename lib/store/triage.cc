#include "store/triage.h"

#include <algorithm>

#include "store/internal.h"
#include "store/pg/repositories.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<void> CheckNote(const std::string& note) {
  if (note.size() > kMaxNoteBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "the note is longer than " + std::to_string(kMaxNoteBytes) + " bytes");
  }
  for (char c : note) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, "the note contains a control character");
    }
  }
  return {};
}

}  // namespace

Result<std::string> NormalizeTag(std::string_view tag) {
  const std::string_view t = Trim(tag);
  if (t.empty()) return Fail(ErrorCode::kInvalidArgument, "a tag cannot be empty");
  if (t.size() > kMaxTagBytes) {
    return Fail(ErrorCode::kInvalidArgument, "tag \"" + std::string(t.substr(0, 20)) +
                                                 "…\" is longer than " +
                                                 std::to_string(kMaxTagBytes) + " bytes");
  }
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ',') {
      return Fail(ErrorCode::kInvalidArgument,
                  "a tag cannot contain a comma or a control character");
    }
  }
  return std::string(t);
}

Result<TriageOutcome> ApplyTriage(Store& store, const std::vector<std::int64_t>& mention_ids,
                                  const TriageChange& change) {
  if (mention_ids.size() > kMaxTriageBatch) {
    return Fail(ErrorCode::kInvalidArgument,
                "at most " + std::to_string(kMaxTriageBatch) + " mentions at a time");
  }
  std::vector<std::string> add;
  std::vector<std::string> remove;
  for (const auto& t : change.add_tags) {
    auto tag = NormalizeTag(t);
    if (!tag) return tl::unexpected(tag.error());
    add.push_back(std::move(*tag));
  }
  for (const auto& t : change.remove_tags) {
    auto tag = NormalizeTag(t);
    if (!tag) return tl::unexpected(tag.error());
    remove.push_back(std::move(*tag));
  }
  if (add.size() > kMaxTagsPerMention) {
    return Fail(ErrorCode::kInvalidArgument,
                "at most " + std::to_string(kMaxTagsPerMention) + " tags per mention");
  }
  if (change.note) VEILLE_TRY(CheckNote(*change.note));
  std::vector<std::int64_t> ids = mention_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ApplyTriagePg(**conn, ids, change, add, remove);
  Database& db = DatabaseOf(store);
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  // The INSERT's SELECT makes a missing mention change nothing (no row returned) instead of
  // failing the whole batch on the foreign key.
  auto upsert = db.Prepare(
      "INSERT INTO triage (mention_id, status, note, updated_at, updated_by) "
      "SELECT id, COALESCE(?2, 'new'), COALESCE(?3, ''), ?4, ?5 FROM mentions WHERE id = ?1 "
      "ON CONFLICT (mention_id) DO UPDATE SET status = COALESCE(?2, status), "
      "note = COALESCE(?3, note), updated_at = ?4, updated_by = ?5 RETURNING mention_id");
  auto tag_add = db.Prepare("INSERT OR IGNORE INTO triage_tags (mention_id, tag) VALUES (?1, ?2)");
  auto tag_remove = db.Prepare("DELETE FROM triage_tags WHERE mention_id = ?1 AND tag = ?2");
  auto tag_count = db.Prepare("SELECT COUNT(*) FROM triage_tags WHERE mention_id = ?1");
  if (!upsert) return tl::unexpected(upsert.error());
  if (!tag_add) return tl::unexpected(tag_add.error());
  if (!tag_remove) return tl::unexpected(tag_remove.error());
  if (!tag_count) return tl::unexpected(tag_count.error());

  TriageOutcome outcome;
  for (const std::int64_t id : ids) {
    upsert->Bind(1, id);
    if (change.status) {
      upsert->Bind(2, TriageStatusName(*change.status));
    } else {
      upsert->BindNull(2);
    }
    upsert->Bind(3, change.note).Bind(4, change.at).Bind(5, change.by);
    auto upserted = upsert->Step();
    if (!upserted) return tl::unexpected(upserted.error());
    upsert->Reset();
    if (!*upserted) {
      outcome.missing.push_back(id);
      continue;
    }
    for (const auto& tag : remove) {
      tag_remove->Bind(1, id).Bind(2, tag);
      VEILLE_TRY(tag_remove->Run());
    }
    for (const auto& tag : add) {
      tag_add->Bind(1, id).Bind(2, tag);
      VEILLE_TRY(tag_add->Run());
    }
    if (!add.empty()) {
      tag_count->Bind(1, id);
      auto row = tag_count->Step();
      if (!row) return tl::unexpected(row.error());
      const std::int64_t n = tag_count->Int(0);
      tag_count->Reset();
      if (n > static_cast<std::int64_t>(kMaxTagsPerMention)) {
        return Fail(ErrorCode::kInvalidArgument, "mention " + std::to_string(id) +
                                                     " would carry more than " +
                                                     std::to_string(kMaxTagsPerMention) + " tags");
      }
    }
    ++outcome.changed;
  }
  VEILLE_TRY(tx->Commit());
  return outcome;
}

Result<std::vector<std::int64_t>> MentionsOfStories(Store& store,
                                                    const std::vector<std::int64_t>& story_ids) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return MentionsOfStoriesPg(**conn, story_ids);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT m.id FROM entries e JOIN mentions m ON m.entry_id = e.id WHERE e.story_id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<std::int64_t> out;
  for (const std::int64_t story : story_ids) {
    stmt->Bind(1, story);
    for (;;) {
      auto row = stmt->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      out.push_back(stmt->Int(0));
    }
    stmt->Reset();
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<TriageRecord> GetTriage(Store& store, std::int64_t mention_id) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return GetTriagePg(**conn, mention_id);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT status, note, updated_at, updated_by FROM triage WHERE mention_id = ?1");
  auto tags =
      DatabaseOf(store).Prepare("SELECT tag FROM triage_tags WHERE mention_id = ?1 ORDER BY tag");
  if (!stmt) return tl::unexpected(stmt.error());
  if (!tags) return tl::unexpected(tags.error());
  TriageRecord out;
  out.mention_id = mention_id;
  stmt->Bind(1, mention_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (*row) {
    out.status = ParseTriageStatus(stmt->Text(0)).value_or(TriageStatus::kNew);
    out.note = stmt->Text(1);
    out.updated_at = stmt->Int(2);
    out.updated_by = stmt->Text(3);
  }
  tags->Bind(1, mention_id);
  for (;;) {
    auto r = tags->Step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) break;
    out.tags.push_back(tags->Text(0));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> TriageTags(Store& store, int limit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return TriageTagsPg(**conn, limit);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT tag, COUNT(*) AS n FROM triage_tags GROUP BY tag ORDER BY n DESC, tag LIMIT ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, std::int64_t{limit <= 0 ? -1 : limit});
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.emplace_back(stmt->Text(0), stmt->Int(1));
  }
  return out;
}

}  // namespace veille::store
