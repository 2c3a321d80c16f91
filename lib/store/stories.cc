#include "store/stories.h"

#include "common/entry_text.h"

namespace veille::store {

Result<ArchiveWriter> ArchiveWriter::Prepare(Database& db, const StoryKeys& committed,
                                             const StoryKeys& batch) {
  ArchiveWriter w;
  w.db_ = &db;
  w.committed_ = &committed;
  w.batch_ = &batch;
  struct Item {
    Statement** target;
    const char* sql;
  };
  const Item items[] = {
      // Candidates are checked on their own row, by primary key (story_keys.h).
      {&w.by_link_,
       "SELECT story_id FROM entries WHERE id = ?1 AND canonical_link = ?2 "
       "AND story_id IS NOT NULL"},
      {&w.by_title_,
       "SELECT story_id FROM entries WHERE id = ?1 AND title_key = ?2 AND story_id IS NOT NULL "
       "AND ABS(COALESCE(published_at, updated_at, first_seen_at) - ?3) <= ?4"},
      {&w.insert_story_,
       "INSERT INTO stories (canonical_link, title_key, first_seen_at) VALUES (?1, ?2, ?3)"},
      {&w.drop_story_, "DELETE FROM stories WHERE id = ?1"},
      {&w.alerted_, kStoryAlertedSql},
  };
  for (const Item& item : items) {
    auto stmt = db.Cached(item.sql);
    if (!stmt) return tl::unexpected(stmt.error());
    *item.target = *stmt;
  }
  return w;
}

Result<std::optional<std::int64_t>> ArchiveWriter::FirstStory(
    Statement& stmt, bool links, std::uint64_t hash, const std::string& key,
    std::optional<UnixSeconds> published) {
  for (const StoryKeys* keys : {static_cast<const StoryKeys*>(&pending_), batch_, committed_}) {
    for (const std::int64_t entry_id : links ? keys->Links(hash) : keys->Titles(hash)) {
      stmt.Bind(1, entry_id).Bind(2, key);
      if (published) stmt.Bind(3, *published).Bind(4, kStoryTitleWindowSeconds);
      auto row = stmt.Step();
      if (!row) return tl::unexpected(row.error());
      std::optional<std::int64_t> found;
      if (*row) found = stmt.Int(0);
      stmt.Reset();
      if (found) return found;
    }
  }
  return std::nullopt;
}

Result<ArchiveWriter::Story> ArchiveWriter::StoryFor(
    const std::optional<std::string>& canonical_link, const std::string& title_key,
    UnixSeconds published, UnixSeconds now) {
  // This document's own entries first (newest), then the batch's, then the committed ones.
  if (canonical_link && !canonical_link->empty()) {
    auto found = FirstStory(*by_link_, true, StoryKeys::Hash(*canonical_link), *canonical_link,
                            std::nullopt);
    if (!found) return tl::unexpected(found.error());
    if (*found) return Story{**found, false};
  }
  if (!title_key.empty()) {
    auto found = FirstStory(*by_title_, false, StoryKeys::Hash(title_key), title_key, published);
    if (!found) return tl::unexpected(found.error());
    if (*found) return Story{**found, false};
  }
  insert_story_->Bind(1, canonical_link)
      .Bind(2, title_key.empty() ? std::optional<std::string>() : title_key)
      .Bind(3, now);
  if (auto r = insert_story_->Run(); !r) return tl::unexpected(r.error());
  return Story{db_->LastInsertId(), true};
}

void ArchiveWriter::Remember(std::int64_t entry_id,
                             const std::optional<std::string>& canonical_link,
                             const std::string& title_key, UnixSeconds now) {
  if (canonical_link && !canonical_link->empty()) {
    pending_.AddLink(StoryKeys::Hash(*canonical_link), entry_id, now);
  }
  if (!title_key.empty()) pending_.AddTitle(StoryKeys::Hash(title_key), entry_id, now);
}

Result<void> ArchiveWriter::DropStory(std::int64_t story_id) {
  drop_story_->Bind(1, story_id);
  return drop_story_->Run();
}

Result<FullTextWriter> FullTextWriter::Prepare(Database& db) {
  FullTextWriter w;
  auto stmt = db.Cached("INSERT INTO entries_fts (rowid, title, text) VALUES (?1, ?2, ?3)");
  if (!stmt) return tl::unexpected(stmt.error());
  w.insert_ = *stmt;
  return w;
}

Result<void> FullTextWriter::Add(std::int64_t entry_id, const EntryRecord& entry) {
  insert_->Bind(1, entry_id)
      .Bind(2, entry.title.value_or(""))
      .Bind(3, IndexedEntryText(entry.summary, entry.content));
  return insert_->Run();
}

Result<bool> ArchiveWriter::StoryAlerted(std::int64_t story_id, const std::string& channel,
                                         std::int64_t entry_id) {
  alerted_->Bind(1, story_id).Bind(2, channel).Bind(3, entry_id);
  auto row = alerted_->Step();
  if (!row) return tl::unexpected(row.error());
  const bool found = *row;
  alerted_->Reset();
  return found;
}

}  // namespace veille::store
