// The archive side of a document commit: full-text rows (entries_fts) and stories, written in
// the same transaction as the entries they describe (Store::CommitDocument).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace veille::store {

// Entries whose titles have the same StoryTitleKey join one story when published within this
// window of each other.
inline constexpr std::int64_t kStoryTitleWindowSeconds = 48 * 3600;

// The text indexed for an entry besides its title: the summary, then the content when it
// differs, separated by a newline (the text the matcher sees, see pipeline/ingest.cc).
std::string EntryText(const std::optional<std::string>& summary,
                      const std::optional<std::string>& content);

// Prepared statements for one commit; valid while the Database lives, used inside its
// transaction.
class ArchiveWriter {
 public:
  [[nodiscard]] static Result<ArchiveWriter> Prepare(Database& db);

  // The story of an already stored entry (any feed) with the same canonical link or, failing
  // that, with the same non-empty title key published within kStoryTitleWindowSeconds of
  // `published`; nullopt when the entry starts a new story.
  [[nodiscard]] Result<std::optional<std::int64_t>> FindStory(
      const std::optional<std::string>& canonical_link, const std::string& title_key,
      UnixSeconds published);

  // After the entry row is inserted: writes its full-text row and, when `story` is empty,
  // creates its story and points the entry at it. Returns the entry's story id.
  [[nodiscard]] Result<std::int64_t> AddEntry(std::int64_t entry_id,
                                              std::optional<std::int64_t> story,
                                              const EntryRecord& entry,
                                              const std::string& title_key, UnixSeconds now);

  // Whether another mention of `rule` in this story already has an outbox row for `channel`.
  [[nodiscard]] Result<bool> StoryAlerted(std::int64_t story_id, const std::string& rule,
                                          const std::string& channel, std::int64_t mention_id);

 private:
  ArchiveWriter() = default;
  Database* db_ = nullptr;
  Statement by_link_;
  Statement by_title_;
  Statement insert_fts_;
  Statement insert_story_;
  Statement set_story_;
  Statement alerted_;
};

}  // namespace veille::store
