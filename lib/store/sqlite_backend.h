// Private to lib/store: the SQLite backend of Store (one file, WAL). Its methods are in
// store.cc (feeds, mentions, outbox, status) and commit.cc (the writer's commits).
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>

#include "store/backend.h"
#include "store/checkpointer.h"
#include "store/sqlite.h"
#include "store/story_keys.h"

namespace veille::store {

class SqliteBackend final : public Backend {
 public:
  SqliteBackend(std::unique_ptr<Database> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}

  std::string_view kind() const override { return "sqlite"; }
  Database& sqlite() override { return *db_; }

  Result<std::vector<std::int64_t>> SyncFeeds(
      const std::vector<std::pair<std::string, std::string>>& url_and_name,
      UnixSeconds now) override;
  Result<std::vector<FeedRow>> ListFeeds() override;
  Result<std::optional<FeedRow>> GetFeed(std::int64_t feed_id) override;
  Result<int> CountEntriesSince(std::int64_t feed_id, UnixSeconds since) override;
  Result<std::vector<Result<CommitStats>>> CommitBatch(
      const std::vector<DocumentCommit>& writes) override;
  void PreloadStoryKeys(UnixSeconds now) override;
  Result<void> StartCheckpointer() override;
  Result<bool> ChangedByOthers() override;
  Result<bool> DatabaseReplaced() const override { return db_->FileHasMoved(); }
  Result<void> WriteSchedule(
      const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) override;
  Result<std::vector<MentionRow>> ListMentions(const MentionFilter& filter) override;
  Result<std::vector<OutboxRow>> DueOutbox(UnixSeconds now, int limit) override;
  Result<MentionRow> GetMention(std::int64_t mention_id) override;
  Result<void> MarkDelivered(std::int64_t outbox_id, UnixSeconds now) override;
  Result<void> MarkFailed(std::int64_t outbox_id, const std::string& error,
                          UnixSeconds next_attempt_at, bool dead) override;
  Result<void> WriteStatus(const DaemonStatus& status) override;
  Result<std::optional<DaemonStatus>> ReadStatus() override;
  Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> OutboxCounts() override;

 private:
  // Loads the story keys of the entries first seen since now - kStoryKeyWindowSeconds (once),
  // and forgets older ones (at most hourly).
  [[nodiscard]] Result<void> RefreshStoryKeys(UnixSeconds now);
  std::unique_ptr<Database> db_;
  std::string path_;
  StoryKeys story_keys_;  // the writer's story candidates (story_keys.h)
  bool story_keys_loaded_ = false;
  std::future<Result<StoryKeys>> story_keys_preload_;  // PreloadStoryKeys
  std::optional<std::int64_t> data_version_;    // PRAGMA data_version at the last ChangedByOthers
  std::unique_ptr<Checkpointer> checkpointer_;  // destroyed before db_, whose hook it holds
  UnixSeconds story_keys_evicted_at_ = 0;
};

}  // namespace veille::store
