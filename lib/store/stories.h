// The archive side of a document commit: stories and full-text rows (entries_fts), written in
// the same transaction as the entries they describe (Store::CommitBatch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "store/story_keys.h"

namespace veille::store {

// Entries whose titles have the same StoryTitleKey join one story when published within this
// window of each other.
inline constexpr std::int64_t kStoryTitleWindowSeconds = 48 * 3600;

// StoryAlerted's statement. CROSS JOIN fixes the loop order (SQLite's documented way): from the
// story's few entries (entries_story) to their mentions and outbox rows, all by covering
// indexes. Left to the planner, an unanalysed database starts from outbox_channel_due and reads
// every outbox row of the channel for each new mention: quadratic in the history (a commit of
// 40 entries over 6,000 stored ones took 0.2 s instead of a few ms).
inline constexpr const char* kStoryAlertedSql =
    "SELECT 1 FROM entries e CROSS JOIN mentions m ON m.entry_id = e.id "
    "CROSS JOIN outbox o ON o.mention_id = m.id "
    "WHERE e.story_id = ?1 AND o.channel = ?2 AND e.id <> ?3 LIMIT 1";

// The statements of one document's write (cached by the Database), used inside its savepoint.
// Story candidates come from the entries of this document (remembered in pending()), then from
// `batch` (the documents written earlier in the same transaction), then from `committed` (the
// writer's StoryKeys). The caller merges pending() into `batch` once the document's savepoint is
// released, and `batch` into `committed` once the transaction commits.
class ArchiveWriter {
 public:
  [[nodiscard]] static Result<ArchiveWriter> Prepare(Database& db, const StoryKeys& committed,
                                                     const StoryKeys& batch);

  struct Story {
    std::int64_t id = 0;
    bool created = false;  // a new story row, to drop if the entry turns out to be stored
  };

  // The story of an already stored entry (any feed) with the same canonical link or, failing
  // that, with the same non-empty title key published within kStoryTitleWindowSeconds of
  // `published`; otherwise a new story row (first seen `now`). Creating the story before the
  // entry lets the entry row be written once, with its story.
  [[nodiscard]] Result<Story> StoryFor(const std::optional<std::string>& canonical_link,
                                       const std::string& title_key, UnixSeconds published,
                                       UnixSeconds now);

  // After the entry row is inserted: its keys become story candidates for the next entries.
  void Remember(std::int64_t entry_id, const std::optional<std::string>& canonical_link,
                const std::string& title_key, UnixSeconds now);
  [[nodiscard]] const StoryKeys& pending() const { return pending_; }

  // Deletes a story created by StoryFor for an entry that was not inserted.
  [[nodiscard]] Result<void> DropStory(std::int64_t story_id);

  // Whether another entry of this story already has an outbox row for `channel` (whatever its
  // rule): one alert per story and channel.
  [[nodiscard]] Result<bool> StoryAlerted(std::int64_t story_id, const std::string& channel,
                                          std::int64_t entry_id);

 private:
  ArchiveWriter() = default;
  // The story of the first candidate (this document's, the batch's, then the committed ones,
  // each newest first) whose entry row still carries `key` (and passes the extra bindings of
  // `stmt`). `links` picks the link table, else the title table.
  [[nodiscard]] Result<std::optional<std::int64_t>> FirstStory(
      Statement& stmt, bool links, std::uint64_t hash, const std::string& key,
      std::optional<UnixSeconds> published);
  Database* db_ = nullptr;
  const StoryKeys* committed_ = nullptr;
  const StoryKeys* batch_ = nullptr;
  StoryKeys pending_;
  Statement* by_link_ = nullptr;
  Statement* by_title_ = nullptr;
  Statement* insert_story_ = nullptr;
  Statement* drop_story_ = nullptr;
  Statement* alerted_ = nullptr;
};

// The full-text rows (entries_fts) of stored entries. Store::CommitBatch writes a batch's rows
// after its documents' savepoints, so that FTS5 makes one index segment per batch.
class FullTextWriter {
 public:
  [[nodiscard]] static Result<FullTextWriter> Prepare(Database& db);
  [[nodiscard]] Result<void> Add(std::int64_t entry_id, const EntryRecord& entry);

 private:
  FullTextWriter() = default;
  Statement* insert_ = nullptr;
};

}  // namespace veille::store
