#include "store/stories.h"

namespace veille::store {

std::string EntryText(const std::optional<std::string>& summary,
                      const std::optional<std::string>& content) {
  std::string text = summary.value_or("");
  if (content && *content != text) {
    if (!text.empty()) text += "\n";
    text += *content;
  }
  return text;
}

Result<ArchiveWriter> ArchiveWriter::Prepare(Database& db) {
  ArchiveWriter w;
  w.db_ = &db;
  struct Item {
    Statement* target;
    const char* sql;
  };
  const Item items[] = {
      {&w.by_link_,
       "SELECT story_id FROM entries WHERE canonical_link = ?1 AND story_id IS NOT NULL "
       "ORDER BY id DESC LIMIT 1"},
      {&w.by_title_,
       "SELECT story_id FROM entries WHERE title_key = ?1 AND story_id IS NOT NULL "
       "AND ABS(COALESCE(published_at, first_seen_at) - ?2) <= ?3 ORDER BY id DESC LIMIT 1"},
      {&w.insert_fts_, "INSERT INTO entries_fts (rowid, title, text) VALUES (?1, ?2, ?3)"},
      {&w.insert_story_,
       "INSERT INTO stories (canonical_link, title_key, first_seen_at) VALUES (?1, ?2, ?3)"},
      {&w.set_story_, "UPDATE entries SET story_id = ?2 WHERE id = ?1"},
      {&w.alerted_,
       "SELECT 1 FROM entries e JOIN mentions m ON m.entry_id = e.id "
       "JOIN outbox o ON o.mention_id = m.id "
       "WHERE e.story_id = ?1 AND m.rule = ?2 AND o.channel = ?3 AND m.id <> ?4 LIMIT 1"},
  };
  for (const Item& item : items) {
    auto stmt = db.Prepare(item.sql);
    if (!stmt) return tl::unexpected(stmt.error());
    *item.target = std::move(*stmt);
  }
  return w;
}

Result<std::optional<std::int64_t>> ArchiveWriter::FindStory(
    const std::optional<std::string>& canonical_link, const std::string& title_key,
    UnixSeconds published) {
  if (canonical_link && !canonical_link->empty()) {
    by_link_.Bind(1, *canonical_link);
    auto row = by_link_.Step();
    if (!row) return tl::unexpected(row.error());
    std::optional<std::int64_t> found;
    if (*row) found = by_link_.Int(0);
    by_link_.Reset();
    if (found) return found;
  }
  if (title_key.empty()) return std::optional<std::int64_t>();
  by_title_.Bind(1, title_key).Bind(2, published).Bind(3, kStoryTitleWindowSeconds);
  auto row = by_title_.Step();
  if (!row) return tl::unexpected(row.error());
  std::optional<std::int64_t> found;
  if (*row) found = by_title_.Int(0);
  by_title_.Reset();
  return found;
}

Result<std::int64_t> ArchiveWriter::AddEntry(std::int64_t entry_id,
                                             std::optional<std::int64_t> story,
                                             const EntryRecord& entry, const std::string& title_key,
                                             UnixSeconds now) {
  insert_fts_.Bind(1, entry_id)
      .Bind(2, entry.title.value_or(""))
      .Bind(3, EntryText(entry.summary, entry.content));
  if (auto r = insert_fts_.Run(); !r) return tl::unexpected(r.error());
  if (story) return *story;
  insert_story_.Bind(1, entry.canonical_link)
      .Bind(2, title_key.empty() ? std::optional<std::string>() : title_key)
      .Bind(3, now);
  if (auto r = insert_story_.Run(); !r) return tl::unexpected(r.error());
  const std::int64_t story_id = db_->LastInsertId();
  set_story_.Bind(1, entry_id).Bind(2, story_id);
  if (auto r = set_story_.Run(); !r) return tl::unexpected(r.error());
  return story_id;
}

Result<bool> ArchiveWriter::StoryAlerted(std::int64_t story_id, const std::string& rule,
                                         const std::string& channel, std::int64_t mention_id) {
  alerted_.Bind(1, story_id).Bind(2, rule).Bind(3, channel).Bind(4, mention_id);
  auto row = alerted_.Step();
  if (!row) return tl::unexpected(row.error());
  const bool found = *row;
  alerted_.Reset();
  return found;
}

}  // namespace veille::store
