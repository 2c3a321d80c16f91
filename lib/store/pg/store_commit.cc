// The PostgreSQL backend's commits (store_backend.h): a batch of documents in one transaction,
// each in its own SAVEPOINT, as store::Store::CommitBatch describes. Ids come from RETURNING.
// Story candidates are looked up with SQL inside the transaction, so a batch's own entries are
// candidates for its later documents without the writer's in-memory StoryKeys (SQLite side).
#include <algorithm>

#include "store/canonical.h"
#include "store/entry_date.h"
#include "store/entry_versions.h"
#include "store/pg/store_backend.h"
#include "store/pg/story_lookup.h"
#include "store/stories.h"

namespace veille::store {
namespace {

// One document's writes inside the open transaction (and its savepoint).
class DocumentWriter {
 public:
  DocumentWriter(PostgresBackend& db, const DocumentCommit& commit) : db_(db), commit_(commit) {}
  Result<CommitStats> Write();

 private:
  Result<void> WriteEntry(const EntryRecord& e, std::int64_t hash);
  Result<void> WriteEdit(const EntryRecord& e, std::int64_t hash);
  // The story of a stored entry with the same canonical link or title key (stories.h), or a new
  // story row; `created` says which.
  Result<std::int64_t> StoryFor(const EntryRecord& e, const std::string& title_key, bool& created);
  Result<void> WriteMentions(std::int64_t entry_id, std::int64_t story_id, const EntryRecord& e);
  Result<void> WriteFeedUpdate(bool had_new_entries);

  PostgresBackend& db_;
  const DocumentCommit& commit_;
  std::string url_;
  CommitStats stats_;
};

Result<CommitStats> DocumentWriter::Write() {
  auto feed = db_.Query("SELECT url FROM feeds WHERE id = $1", {commit_.feed.feed_id});
  if (!feed) return tl::unexpected(feed.error());
  if (feed->empty()) {
    return Fail(ErrorCode::kNotFound, "feed id " + std::to_string(commit_.feed.feed_id));
  }
  url_ = feed->Text(0, 0);
  for (const EntryRecord& e : commit_.entries) {
    const std::int64_t hash = e.content_hash.value_or(
        EntryContentHash(e.title.value_or(""), e.summary.value_or(""), e.content.value_or("")));
    if (e.change == EntryRecord::Change::kRehash) {
      VEILLE_TRY(
          db_.Query("UPDATE entries SET content_hash = $3 WHERE feed_id = $1 AND "
                    "entry_key = $2",
                    {commit_.feed.feed_id, e.key, hash}));
    } else if (e.change == EntryRecord::Change::kEdited) {
      VEILLE_TRY(WriteEdit(e, hash));
    } else {
      VEILLE_TRY(WriteEntry(e, hash));
    }
  }
  VEILLE_TRY(WriteFeedUpdate(stats_.new_entries > 0));
  return std::move(stats_);
}

Result<void> DocumentWriter::WriteEdit(const EntryRecord& e, std::int64_t hash) {
  // No full-text row to delete: entries.fts is a generated column.
  auto stored = db_.Query(
      "UPDATE entries SET title = $3, summary = $4, content = $5, content_hash = $6, "
      "edits = edits + 1, edited_at = $7 WHERE feed_id = $1 AND entry_key = $2 "
      "AND content_hash IS DISTINCT FROM $6 RETURNING id, story_id",
      {commit_.feed.feed_id, e.key, e.title, e.summary, e.content, hash, commit_.feed.fetched_at});
  if (!stored) return tl::unexpected(stored.error());
  if (stored->empty()) return {};  // pruned since the poll read it, or already this text
  const std::int64_t entry_id = stored->Int(0, 0);
  stats_.edited.push_back(EditedEntry{entry_id, e.key, e.title});
  return WriteMentions(entry_id, stored->OptInt(0, 1).value_or(0), e);
}

Result<std::int64_t> DocumentWriter::StoryFor(const EntryRecord& e, const std::string& title_key,
                                              bool& created) {
  const UnixSeconds now = commit_.feed.fetched_at;
  const UnixSeconds since = now - kStoryKeyWindowSeconds;  // the writer's StoryKeys window
  created = false;
  if (e.canonical_link && !e.canonical_link->empty()) {
    auto found = db_.Query(pg::kStoryByCanonicalLinkSql, {*e.canonical_link, since});
    if (!found) return tl::unexpected(found.error());
    if (!found->empty()) return found->Int(0, 0);
  }
  if (!title_key.empty()) {
    const UnixSeconds published = FeedDate(e.published_at, e.updated_at).value_or(now);
    auto found =
        db_.Query(pg::kStoryByTitleKeySql, {title_key, since, published, kStoryTitleWindowSeconds});
    if (!found) return tl::unexpected(found.error());
    if (!found->empty()) return found->Int(0, 0);
  }
  auto story = db_.Query(
      "INSERT INTO stories (canonical_link, title_key, first_seen_at) VALUES ($1, $2, $3) "
      "RETURNING id",
      {e.canonical_link, title_key.empty() ? std::optional<std::string>() : title_key, now});
  if (!story) return tl::unexpected(story.error());
  created = true;
  return story->Int(0, 0);
}

Result<void> DocumentWriter::WriteEntry(const EntryRecord& e, std::int64_t hash) {
  const std::string title_key = StoryTitleKey(e.title.value_or(""));
  bool created = false;
  auto story = StoryFor(e, title_key, created);
  if (!story) return tl::unexpected(story.error());
  const std::string categories = JoinLines(e.categories);
  auto inserted = db_.Query(
      "INSERT INTO entries (feed_id, entry_key, guid, link, canonical_link, title, author, "
      "published_at, updated_at, summary, content, categories, language, first_seen_at, "
      "story_id, title_key, language_source, content_hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) "
      "ON CONFLICT (feed_id, entry_key) DO NOTHING RETURNING id",
      {commit_.feed.feed_id, e.key, e.guid, e.link, e.canonical_link, e.title, e.author,
       e.published_at, e.updated_at, e.summary, e.content, categories, e.language,
       commit_.feed.fetched_at, *story,
       title_key.empty() ? std::optional<std::string>() : title_key,
       e.language ? e.language_source : std::nullopt, hash});
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->empty()) {  // already stored: nothing new to say about it
    if (created) VEILLE_TRY(db_.Query("DELETE FROM stories WHERE id = $1", {*story}));
    return {};
  }
  ++stats_.new_entries;
  return WriteMentions(inserted->Int(0, 0), *story, e);
}

Result<void> DocumentWriter::WriteMentions(std::int64_t entry_id, std::int64_t story_id,
                                           const EntryRecord& e) {
  const UnixSeconds now = commit_.feed.fetched_at;
  for (const MentionRecord& m : e.mentions) {
    auto mention = db_.Query(
        "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (entry_id, rule) DO NOTHING RETURNING id",
        {entry_id, m.rule, m.category, JoinLines(m.terms), m.snippet,
         EncodeHighlights(m.highlights), now});
    if (!mention) return tl::unexpected(mention.error());
    if (mention->empty()) continue;  // this rule matched the entry before: no new mention
    const std::int64_t mention_id = mention->Int(0, 0);
    ++stats_.new_mentions;
    stats_.mentions.push_back(NewMention{mention_id, m.rule, m.category, e.title, e.link});
    for (const std::string& channel : m.channels) {
      // One alert per story and channel (store.h, stories.h StoryAlerted).
      auto alerted = db_.Query(
          "SELECT 1 FROM entries e JOIN mentions m ON m.entry_id = e.id "
          "JOIN outbox o ON o.mention_id = m.id "
          "WHERE e.story_id = $1 AND o.channel = $2 AND e.id <> $3 LIMIT 1",
          {story_id, channel, entry_id});
      if (!alerted) return tl::unexpected(alerted.error());
      std::optional<std::string> reason;
      if (!commit_.alerts_enabled) {
        reason = kFirstPollReason;
        ++stats_.alerts_not_sent;
      } else if (!alerted->empty()) {
        reason = "same story already alerted";
      }
      VEILLE_TRY(db_.Query(
          "INSERT INTO outbox (mention_id, channel, idempotency_key, status, next_attempt_at, "
          "created_at, last_error) VALUES ($1, $2, $3, $4, $5, $5, $6) "
          "ON CONFLICT (mention_id, channel) DO NOTHING",
          {mention_id, channel, IdempotencyKey(url_, e.key, m.rule, channel),
           reason ? "suppressed" : "pending", now, reason}));
    }
  }
  return {};
}

// The SQLite statement of commit.cc WriteFeedUpdate, with PostgreSQL's parameters.
constexpr const char* kFeedUpdateSql =
    "UPDATE feeds SET last_fetch_at = $1, last_outcome = $2, last_status = $3, "
    "last_error = $4, state = $5, consecutive_failures = $6, next_due_at = $7, "
    "last_success_at = CASE WHEN $8 <> 0 THEN $1 ELSE last_success_at END, "
    "etag = CASE WHEN $9 <> 0 THEN $10::text ELSE etag END, "
    "last_modified = CASE WHEN $9 <> 0 THEN $11::text ELSE last_modified END, "
    "body_fingerprint = CASE WHEN $9 <> 0 THEN $12::text ELSE body_fingerprint END, "
    "title = COALESCE($13::text, title), site_link = COALESCE($14::text, site_link), "
    "first_polled_at = CASE WHEN $9 <> 0 THEN COALESCE(first_polled_at, $1) "
    "ELSE first_polled_at END, "
    "last_new_entry_at = CASE WHEN $15 <> 0 THEN $1 ELSE last_new_entry_at END, "
    "failing_since = $17::bigint, "
    "last_unconditional_at = COALESCE($18::bigint, last_unconditional_at), "
    "redirect_target = $19::text, redirect_count = $20, "
    "previous_url = CASE WHEN $21::text IS NULL THEN previous_url "
    "ELSE COALESCE(fetch_url, url) END, "
    "fetch_url = COALESCE($21::text, fetch_url), "
    "poll_requested_at = CASE WHEN poll_requested_at <= $22::bigint THEN NULL "
    "ELSE poll_requested_at END, "
    "encoding_suspect = NULLIF(COALESCE($23::text, encoding_suspect), '') "
    "WHERE id = $16";

Result<void> DocumentWriter::WriteFeedUpdate(bool had_new_entries) {
  const FeedUpdate& u = commit_.feed;
  return db_
      .Query(kFeedUpdateSql,
             {u.fetched_at,
              OutcomeName(u.outcome),
              u.http_status,
              u.error.empty() ? std::optional<std::string>() : u.error,
              FeedStateName(u.state),
              u.consecutive_failures,
              u.next_due_at,
              IsSuccess(u.outcome) ? 1 : 0,
              u.store_validators ? 1 : 0,
              u.etag,
              u.last_modified,
              u.body_fingerprint,
              u.title,
              u.site_link,
              had_new_entries ? 1 : 0,
              u.feed_id,
              u.failing_since,
              u.unconditional_at,
              u.redirect_target.empty() ? std::optional<std::string>() : u.redirect_target,
              u.redirect_count,
              u.moved_to,
              u.answers_request,
              u.encoding_suspect})
      .map([](const pg::Rows&) {});
}

}  // namespace

Result<std::vector<Result<CommitStats>>> PostgresBackend::CommitBatch(
    const std::vector<DocumentCommit>& writes) {
  std::vector<Result<CommitStats>> results;
  if (writes.empty()) return results;
  VEILLE_TRY(Ready());
  auto tx = pg::Transaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error().ToError());
  if (std::none_of(writes.begin(), writes.end(), IsDocument)) {
    // Feed states alone (304s, failures), like SQLite's synchronous=NORMAL for them: a crash of
    // the server may lose the last of them, which costs an early poll and never a mention.
    VEILLE_TRY(Query("SET LOCAL synchronous_commit = off"));
  }
  // The leases this commit ends: those of the polls it stores. An unstored poll's lease is the
  // daemon's to give back, held a few seconds (Monitor::ReleaseUnstored, docs/scaling.md): ended
  // here, a standing `veille poll` request would have it fetched again at once, in a loop for
  // as long as the store refuses its document.
  std::vector<std::int64_t> stored;
  for (const DocumentCommit& w : writes) {
    auto savepoint = pg::Savepoint::Open(*conn_);
    if (!savepoint) return tl::unexpected(savepoint.error().ToError());
    auto stats = DocumentWriter(*this, w).Write();
    if (!stats && (conn_->Lost() || stats.error().code == ErrorCode::kStorageFull)) {
      // The connection is gone (the server rolled the transaction back), or the disk is full
      // (the other documents would not fit either): every feed of the batch retries.
      return tl::unexpected(stats.error());
    }
    if (!stats) {
      // This document alone rolls back; the others of the batch still commit. Its feed records
      // outcome "storage" and a poll in kStorageRetrySeconds, validators untouched.
      VEILLE_TRY(Lift(savepoint->Rollback()));
      const FeedUpdate& u = w.feed;
      VEILLE_TRY(
          Query("UPDATE feeds SET last_fetch_at = $2, last_outcome = $3, last_status = $4, "
                "last_error = $5, next_due_at = $6 WHERE id = $1",
                {u.feed_id, u.fetched_at, OutcomeName(Outcome::kStorage), u.http_status,
                 stats.error().message, u.fetched_at + kStorageRetrySeconds}));
    } else {
      VEILLE_TRY(Lift(savepoint->Release()));
      stored.push_back(w.feed.feed_id);
    }
    results.push_back(std::move(stats));
  }
  VEILLE_TRY(EndLeases(stored));  // with the feeds' new due times, in the same commit
  VEILLE_TRY(Lift(tx->Commit()));
  return results;
}

}  // namespace veille::store
