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
      {&w.drop_story_, "DELETE FROM stories WHERE id = ?1"},
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

Result<ArchiveWriter::Story> ArchiveWriter::StoryFor(
    const std::optional<std::string>& canonical_link, const std::string& title_key,
    UnixSeconds published, UnixSeconds now) {
  auto lookup = [](Statement& stmt) -> Result<std::optional<std::int64_t>> {
    auto row = stmt.Step();
    if (!row) return tl::unexpected(row.error());
    std::optional<std::int64_t> found;
    if (*row) found = stmt.Int(0);
    stmt.Reset();
    return found;
  };
  if (canonical_link && !canonical_link->empty()) {
    by_link_.Bind(1, *canonical_link);
    auto found = lookup(by_link_);
    if (!found) return tl::unexpected(found.error());
    if (*found) return Story{**found, false};
  }
  if (!title_key.empty()) {
    by_title_.Bind(1, title_key).Bind(2, published).Bind(3, kStoryTitleWindowSeconds);
    auto found = lookup(by_title_);
    if (!found) return tl::unexpected(found.error());
    if (*found) return Story{**found, false};
  }
  insert_story_.Bind(1, canonical_link)
      .Bind(2, title_key.empty() ? std::optional<std::string>() : title_key)
      .Bind(3, now);
  if (auto r = insert_story_.Run(); !r) return tl::unexpected(r.error());
  return Story{db_->LastInsertId(), true};
}

Result<void> ArchiveWriter::DropStory(std::int64_t story_id) {
  drop_story_.Bind(1, story_id);
  return drop_story_.Run();
}

Result<void> ArchiveWriter::IndexEntry(std::int64_t entry_id, const EntryRecord& entry) {
  insert_fts_.Bind(1, entry_id)
      .Bind(2, entry.title.value_or(""))
      .Bind(3, EntryText(entry.summary, entry.content));
  return insert_fts_.Run();
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
