// The PostgreSQL backend's commits (store_backend.h): a batch of documents in one transaction,
// each in its own SAVEPOINT, as store::Store::CommitBatch describes. Ids come from RETURNING.
// Story candidates are looked up with SQL inside the transaction, so a batch's own entries are
// candidates for its later documents without the writer's in-memory StoryKeys (SQLite side).
//
// A document's statements go in three pipelines (Connection::ExecPipeline: one round trip
// each, not one per statement; docs/decisions.md): its entries (each written with its story
// by one statement), then its new mentions and the feed's state, then the mentions' outbox
// rows. Each pipeline holds what the answers of the one before decide; the server runs the
// statements in the order a statement-by-statement writer would, and a failure stops the
// document there, inside its savepoint.
#include <algorithm>
#include <deque>

#include "store/canonical.h"
#include "store/entry_date.h"
#include "store/entry_versions.h"
#include "store/pg/store_backend.h"
#include "store/pg/story_lookup.h"
#include "store/stories.h"

namespace veille::store {
namespace {

constexpr const char* kRehashSql =
    "UPDATE entries SET content_hash = $3 WHERE feed_id = $1 AND entry_key = $2";
// No full-text row to delete: entries.fts is a generated column.
constexpr const char* kEditSql =
    "UPDATE entries SET title = $3, summary = $4, content = $5, content_hash = $6, "
    "edits = edits + 1, edited_at = $7 WHERE feed_id = $1 AND entry_key = $2 "
    "AND content_hash IS DISTINCT FROM $6 RETURNING id, story_id";
constexpr const char* kMentionSql =
    "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (entry_id, rule) DO NOTHING RETURNING id";
// One document's writes inside the open transaction (and its savepoint).
class DocumentWriter {
 public:
  DocumentWriter(PostgresBackend& db, const DocumentCommit& commit) : db_(db), commit_(commit) {}
  Result<CommitStats> Write();

 private:
  // An entry written (new or edited) whose mentions come next.
  struct Written {
    const EntryRecord* entry;
    std::int64_t id;
    std::int64_t story_id;
  };
  // A mention written, whose outbox rows come next.
  struct NewRow {
    const Written* written;
    const MentionRecord* mention;
    std::int64_t id;
  };
  Result<void> WriteEntries(std::vector<Written>& written);
  Result<void> WriteMentions(const std::vector<Written>& written, std::vector<NewRow>& rows);
  Result<void> WriteOutbox(const std::vector<NewRow>& rows);
  void AddFeedUpdate(std::vector<pg::Statement>& statements, bool had_new_entries);
  Result<std::vector<pg::Rows>> Run(const std::vector<pg::Statement>& statements) {
    return Lift(db_.postgres()->ExecPipeline(statements));
  }
  // Keeps a computed text for as long as the writer: parameters are views.
  std::string_view Keep(std::string text) { return kept_.emplace_back(std::move(text)); }

  PostgresBackend& db_;
  const DocumentCommit& commit_;
  std::string url_;
  CommitStats stats_;
  std::deque<std::string> kept_;
};

Result<CommitStats> DocumentWriter::Write() {
  auto feed = db_.Query("SELECT url FROM feeds WHERE id = $1", {commit_.feed.feed_id});
  if (!feed) return tl::unexpected(feed.error());
  if (feed->empty()) {
    return Fail(ErrorCode::kNotFound, "feed id " + std::to_string(commit_.feed.feed_id));
  }
  url_ = feed->Text(0, 0);
  std::vector<Written> written;
  VEILLE_TRY(WriteEntries(written));
  std::vector<NewRow> rows;
  VEILLE_TRY(WriteMentions(written, rows));
  VEILLE_TRY(WriteOutbox(rows));
  return std::move(stats_);
}

Result<void> DocumentWriter::WriteEntries(std::vector<Written>& written) {
  const FeedUpdate& u = commit_.feed;
  const UnixSeconds since = u.fetched_at - kStoryKeyWindowSeconds;  // StoryKeys' window
  std::vector<pg::Statement> statements;
  statements.reserve(commit_.entries.size());
  for (const EntryRecord& e : commit_.entries) {
    const std::int64_t hash = e.content_hash.value_or(
        EntryContentHash(e.title.value_or(""), e.summary.value_or(""), e.content.value_or("")));
    if (e.change == EntryRecord::Change::kRehash) {
      statements.push_back({kRehashSql, {u.feed_id, e.key, hash}});
    } else if (e.change == EntryRecord::Change::kEdited) {
      statements.push_back(
          {kEditSql, {u.feed_id, e.key, e.title, e.summary, e.content, hash, u.fetched_at}});
    } else {
      const std::string title_key = StoryTitleKey(e.title.value_or(""));
      statements.push_back({pg::kInsertEntrySql,
                            {u.feed_id,
                             e.key,
                             e.guid,
                             e.link,
                             e.canonical_link,
                             e.title,
                             e.author,
                             e.published_at,
                             e.updated_at,
                             e.summary,
                             e.content,
                             Keep(JoinLines(e.categories)),
                             e.language,
                             u.fetched_at,
                             title_key.empty() ? pg::Param(nullptr) : pg::Param(Keep(title_key)),
                             e.language ? pg::Param(e.language_source) : pg::Param(nullptr),
                             hash,
                             since,
                             FeedDate(e.published_at, e.updated_at).value_or(u.fetched_at),
                             kStoryTitleWindowSeconds}});
    }
  }
  auto results = Run(statements);
  if (!results) return tl::unexpected(results.error());
  std::vector<pg::Statement> orphans;
  for (std::size_t i = 0; i < commit_.entries.size(); ++i) {
    const EntryRecord& e = commit_.entries[i];
    const pg::Rows& r = (*results)[i];
    if (e.change == EntryRecord::Change::kRehash) continue;
    if (e.change == EntryRecord::Change::kEdited) {
      if (r.empty()) continue;  // pruned since the poll read it, or already this text
      stats_.edited.push_back(EditedEntry{r.Int(0, 0), e.key, e.title});
      written.push_back(Written{&e, r.Int(0, 0), r.OptInt(0, 1).value_or(0)});
      continue;
    }
    if (r.IsNull(0, 0)) {  // already stored: nothing new to say about it
      if (!r.IsNull(0, 2)) orphans.push_back({"DELETE FROM stories WHERE id = $1", {r.Int(0, 2)}});
      continue;
    }
    ++stats_.new_entries;
    written.push_back(Written{&e, r.Int(0, 0), r.Int(0, 1)});
  }
  return Run(orphans).map([](const std::vector<pg::Rows>&) {});
}

Result<void> DocumentWriter::WriteMentions(const std::vector<Written>& written,
                                           std::vector<NewRow>& rows) {
  const UnixSeconds now = commit_.feed.fetched_at;
  std::vector<pg::Statement> statements;
  std::vector<NewRow> candidates;
  for (const Written& w : written) {
    for (const MentionRecord& m : w.entry->mentions) {
      statements.push_back({kMentionSql,
                            {w.id, m.rule, m.category, Keep(JoinLines(m.terms)), m.snippet,
                             Keep(EncodeHighlights(m.highlights)), now}});
      candidates.push_back(NewRow{&w, &m, 0});
    }
  }
  AddFeedUpdate(statements, stats_.new_entries > 0);  // the last statement: its rows unread
  auto results = Run(statements);
  if (!results) return tl::unexpected(results.error());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const pg::Rows& r = (*results)[i];
    if (r.empty()) continue;  // this rule matched the entry before: no new mention
    NewRow row = candidates[i];
    row.id = r.Int(0, 0);
    ++stats_.new_mentions;
    const EntryRecord& e = *row.written->entry;
    stats_.mentions.push_back(
        NewMention{row.id, row.mention->rule, row.mention->category, e.title, e.link});
    rows.push_back(row);
  }
  return {};
}

Result<void> DocumentWriter::WriteOutbox(const std::vector<NewRow>& rows) {
  const UnixSeconds now = commit_.feed.fetched_at;
  std::vector<pg::Statement> statements;
  for (const NewRow& row : rows) {
    for (const std::string& channel : row.mention->channels) {
      if (!commit_.alerts_enabled) ++stats_.alerts_not_sent;
      statements.push_back(
          {pg::kInsertOutboxSql,
           {row.id, channel,
            Keep(IdempotencyKey(url_, row.written->entry->key, row.mention->rule, channel)),
            commit_.alerts_enabled ? pg::Param(nullptr) : pg::Param(kFirstPollReason), now,
            row.written->story_id, row.written->id}});
    }
  }
  return Run(statements).map([](const std::vector<pg::Rows>&) {});
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

void DocumentWriter::AddFeedUpdate(std::vector<pg::Statement>& statements, bool had_new_entries) {
  const FeedUpdate& u = commit_.feed;
  statements.push_back(
      {kFeedUpdateSql,
       {u.fetched_at,
        OutcomeName(u.outcome),
        u.http_status,
        u.error.empty() ? pg::Param(nullptr) : pg::Param(u.error),
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
        u.redirect_target.empty() ? pg::Param(nullptr) : pg::Param(u.redirect_target),
        u.redirect_count,
        u.moved_to,
        u.answers_request,
        u.encoding_suspect}});
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
