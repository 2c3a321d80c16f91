// The writer's commits: documents (group commit: several per transaction, each in its own
// savepoint), feed states alone, the schedule; and the story keys the writer holds for them.
#include <algorithm>
#include <future>

#include "common/entry_text.h"
#include "common/hash.h"
#include "store/canonical.h"
#include "store/checkpointer.h"
#include "store/entry_date.h"
#include "store/entry_versions.h"
#include "store/sqlite_backend.h"
#include "store/stories.h"

namespace veille::store {
std::string IdempotencyKey(std::string_view feed_url, std::string_view entry_key,
                           std::string_view rule, std::string_view channel) {
  std::string material;
  material.reserve(feed_url.size() + entry_key.size() + rule.size() + channel.size() + 3);
  material.append(feed_url).append("\n").append(entry_key).append("\n").append(rule);
  material.append("\n").append(channel);
  // Two independent 64-bit FNV streams make a 128-bit key.
  return "v1-" + Hex64(Fnv1a64(material)) + Hex64(Fnv1a64(material, 0x84222325cbf29ce4ULL));
}

namespace {

Result<void> WriteFeedUpdate(Database& db, const FeedUpdate& u, bool had_new_entries) {
  auto cached = db.Cached(
      "UPDATE feeds SET last_fetch_at = ?1, last_outcome = ?2, last_status = ?3, "
      "last_error = ?4, state = ?5, consecutive_failures = ?6, next_due_at = ?7, "
      "last_success_at = CASE WHEN ?8 THEN ?1 ELSE last_success_at END, "
      "etag = CASE WHEN ?9 THEN ?10 ELSE etag END, "
      "last_modified = CASE WHEN ?9 THEN ?11 ELSE last_modified END, "
      "body_fingerprint = CASE WHEN ?9 THEN ?12 ELSE body_fingerprint END, "
      "title = COALESCE(?13, title), site_link = COALESCE(?14, site_link), "
      "first_polled_at = CASE WHEN ?9 THEN COALESCE(first_polled_at, ?1) ELSE first_polled_at "
      "END, last_new_entry_at = CASE WHEN ?15 THEN ?1 ELSE last_new_entry_at END, "
      "failing_since = ?17, last_unconditional_at = COALESCE(?18, last_unconditional_at), "
      "redirect_target = ?19, redirect_count = ?20, "
      "previous_url = CASE WHEN ?21 IS NULL THEN previous_url ELSE COALESCE(fetch_url, url) END, "
      "fetch_url = COALESCE(?21, fetch_url), "
      "poll_requested_at = CASE WHEN poll_requested_at <= ?22 THEN NULL ELSE poll_requested_at "
      "END, encoding_suspect = NULLIF(COALESCE(?23, encoding_suspect), '') "
      "WHERE id = ?16");
  if (!cached) return tl::unexpected(cached.error());
  Statement* stmt = *cached;
  stmt->Bind(1, u.fetched_at)
      .Bind(2, OutcomeName(u.outcome))
      .Bind(3, u.http_status)
      .Bind(4, u.error.empty() ? std::optional<std::string>() : u.error)
      .Bind(5, FeedStateName(u.state))
      .Bind(6, std::int64_t{u.consecutive_failures})
      .Bind(7, u.next_due_at)
      .Bind(8, std::int64_t{IsSuccess(u.outcome) ? 1 : 0})
      .Bind(9, std::int64_t{u.store_validators ? 1 : 0})
      .Bind(10, u.etag)
      .Bind(11, u.last_modified)
      .Bind(12, u.body_fingerprint)
      .Bind(13, u.title)
      .Bind(14, u.site_link)
      .Bind(15, std::int64_t{had_new_entries ? 1 : 0})
      .Bind(16, u.feed_id)
      .Bind(17, u.failing_since)
      .Bind(18, u.unconditional_at)
      .Bind(19, u.redirect_target.empty() ? std::optional<std::string>() : u.redirect_target)
      .Bind(20, std::int64_t{u.redirect_count})
      .Bind(21, u.moved_to)
      .Bind(22, u.answers_request)
      .Bind(23, u.encoding_suspect);
  return stmt->Run();
}

// An entry stored or edited by a document of the batch, whose full-text row is written after
// the last document's savepoint (see CommitBatch).
struct IndexRow {
  std::int64_t entry_id;
  const EntryRecord* entry;
};

// The statements of a document's write (cached by the connection) and what they share.
struct DocumentWriter {
  Database* db = nullptr;
  const DocumentCommit* commit = nullptr;
  std::string url;  // the feed's, for the idempotency keys
  ArchiveWriter* archive = nullptr;
  std::vector<IndexRow>* index_rows = nullptr;  // the caller writes them (CommitBatch)
  Statement* insert_entry = nullptr;
  Statement* insert_mention = nullptr;
  Statement* insert_outbox = nullptr;
  Statement* rehash = nullptr;
  Statement* find_stored = nullptr;
  Statement* edit_entry = nullptr;
  Statement* delete_fts = nullptr;

  // The entry's mentions not stored yet (all of a new entry's; for an edited one, the rules its
  // old text did not match) and their outbox rows. `new_story`: the story was created for this
  // entry, so no other entry of it can have been alerted.
  Result<void> WriteMentions(std::int64_t entry_id, std::int64_t story_id, bool new_story,
                             const EntryRecord& e, CommitStats& stats);
  // A stored entry edited by its publisher: the text, hash and full-text row rewritten, the edit
  // counted. False when there is nothing to write (the same hash, or the entry is gone).
  Result<bool> Edit(const EntryRecord& e, std::int64_t hash, std::int64_t& entry_id,
                    std::int64_t& story_id);
};

Result<void> DocumentWriter::WriteMentions(std::int64_t entry_id, std::int64_t story_id,
                                           bool new_story, const EntryRecord& e,
                                           CommitStats& stats) {
  const UnixSeconds now = commit->feed.fetched_at;
  for (const MentionRecord& m : e.mentions) {
    insert_mention->Bind(1, entry_id)
        .Bind(2, m.rule)
        .Bind(3, m.category)
        .Bind(4, JoinLines(m.terms))
        .Bind(5, m.snippet)
        .Bind(6, EncodeHighlights(m.highlights))
        .Bind(7, now);
    VEILLE_TRY(insert_mention->Run());
    if (db->Changes() == 0) continue;  // this rule matched the entry before: no new mention
    const std::int64_t mention_id = db->LastInsertId();
    ++stats.new_mentions;
    stats.mentions.push_back(NewMention{mention_id, m.rule, m.category, e.title, e.link});
    for (const std::string& channel : m.channels) {
      // One alert per story and channel: the rules that matched this entry go out together
      // (the dispatcher merges the entry's rows), and a copy of the story from another feed
      // or entry is recorded as suppressed, with the reason in last_error.
      std::optional<std::string> reason;
      if (!commit->alerts_enabled) {
        reason = kFirstPollReason;
        ++stats.alerts_not_sent;
      } else if (!new_story) {
        // A story created for this entry has no other entry yet: no query (most entries of a
        // cold cycle start their own story).
        auto story_alerted = archive->StoryAlerted(story_id, channel, entry_id);
        if (!story_alerted) return tl::unexpected(story_alerted.error());
        if (*story_alerted) reason = "same story already alerted";
      }
      insert_outbox->Bind(1, mention_id)
          .Bind(2, channel)
          .Bind(3, IdempotencyKey(url, e.key, m.rule, channel))
          .Bind(4, reason ? "suppressed" : "pending")
          .Bind(5, now)
          .Bind(6, reason);
      VEILLE_TRY(insert_outbox->Run());
    }
  }
  return {};
}

Result<bool> DocumentWriter::Edit(const EntryRecord& e, std::int64_t hash, std::int64_t& entry_id,
                                  std::int64_t& story_id) {
  // The old text is read here, for an edited entry only: entries_fts is contentless, and its
  // row is deleted by giving the text it was indexed with (as retention does).
  find_stored->Bind(1, commit->feed.feed_id).Bind(2, e.key);
  auto found = find_stored->Step();
  if (!found) {
    find_stored->Reset();
    return tl::unexpected(found.error());
  }
  if (!*found || find_stored->OptInt(5) == hash) {
    find_stored->Reset();  // pruned since the poll read it, or already this text
    return false;
  }
  entry_id = find_stored->Int(0);
  story_id = find_stored->OptInt(1).value_or(0);
  const std::optional<std::string> title = find_stored->OptText(2);
  const std::optional<std::string> summary = find_stored->OptText(3);
  const std::optional<std::string> content = find_stored->OptText(4);
  find_stored->Reset();
  delete_fts->Bind(1, entry_id)
      .Bind(2, title.value_or(""))
      .Bind(3, IndexedEntryText(summary, content));
  VEILLE_TRY(delete_fts->Run());
  index_rows->push_back(IndexRow{entry_id, &e});
  edit_entry->Bind(1, entry_id)
      .Bind(2, e.title)
      .Bind(3, e.summary)
      .Bind(4, e.content)
      .Bind(5, hash)
      .Bind(6, commit->feed.fetched_at);
  VEILLE_TRY(edit_entry->Run());
  return true;
}

// One document's writes inside the open transaction: its entries (with their stories; edits of
// stored ones), mentions, outbox rows and the feed's state. Its story keys go to `doc_keys`, and
// the entries whose full-text rows are to be written (new or edited) to `doc_rows`.
Result<CommitStats> WriteDocument(Database& db, const DocumentCommit& commit,
                                  const StoryKeys& committed, const StoryKeys& batch,
                                  StoryKeys& doc_keys, std::vector<IndexRow>& doc_rows) {
  DocumentWriter w;
  w.db = &db;
  w.commit = &commit;
  w.index_rows = &doc_rows;
  Statement* feed_url = nullptr;
  const std::pair<Statement**, const char*> statements[] = {
      {&feed_url, "SELECT url FROM feeds WHERE id = ?1"},
      {&w.insert_entry,
       "INSERT INTO entries (feed_id, entry_key, guid, link, canonical_link, title, author, "
       "published_at, updated_at, summary, content, categories, language, first_seen_at, "
       "story_id, title_key, language_source, content_hash) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
       "ON CONFLICT (feed_id, entry_key) DO NOTHING"},
      {&w.insert_mention,
       "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (entry_id, rule) DO NOTHING"},
      {&w.insert_outbox,
       "INSERT INTO outbox (mention_id, channel, idempotency_key, status, next_attempt_at, "
       "created_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) "
       "ON CONFLICT (mention_id, channel) DO NOTHING"},
      {&w.rehash, "UPDATE entries SET content_hash = ?3 WHERE feed_id = ?1 AND entry_key = ?2"},
      {&w.find_stored,
       "SELECT id, story_id, title, summary, content, content_hash FROM entries "
       "WHERE feed_id = ?1 AND entry_key = ?2"},
      {&w.edit_entry,
       "UPDATE entries SET title = ?2, summary = ?3, content = ?4, content_hash = ?5, "
       "edits = edits + 1, edited_at = ?6 WHERE id = ?1"},
      {&w.delete_fts,
       "INSERT INTO entries_fts (entries_fts, rowid, title, text) VALUES ('delete', ?1, ?2, ?3)"},
  };
  for (const auto& [target, sql] : statements) {
    auto stmt = db.Cached(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    *target = *stmt;
  }
  feed_url->Bind(1, commit.feed.feed_id);
  auto found = feed_url->Step();
  if (!found) return tl::unexpected(found.error());
  if (!*found) return Fail(ErrorCode::kNotFound, "feed id " + std::to_string(commit.feed.feed_id));
  w.url = feed_url->Text(0);
  feed_url->Reset();  // a statement left stepped pins a read snapshot: no WAL checkpoint

  // The archive (migration 3): stories, written with the entries.
  auto archive = ArchiveWriter::Prepare(db, committed, batch);
  if (!archive) return tl::unexpected(archive.error());
  w.archive = &*archive;

  const UnixSeconds now = commit.feed.fetched_at;
  CommitStats stats;
  for (const EntryRecord& e : commit.entries) {
    const std::int64_t hash = e.content_hash.value_or(
        EntryContentHash(e.title.value_or(""), e.summary.value_or(""), e.content.value_or("")));
    if (e.change == EntryRecord::Change::kRehash) {
      w.rehash->Bind(1, commit.feed.feed_id).Bind(2, e.key).Bind(3, hash);
      VEILLE_TRY(w.rehash->Run());
      continue;
    }
    if (e.change == EntryRecord::Change::kEdited) {
      std::int64_t entry_id = 0;
      std::int64_t story_id = 0;
      auto edited = w.Edit(e, hash, entry_id, story_id);
      if (!edited) return tl::unexpected(edited.error());
      if (!*edited) continue;
      stats.edited.push_back(EditedEntry{entry_id, e.key, e.title});
      VEILLE_TRY(w.WriteMentions(entry_id, story_id, /*new_story=*/false, e, stats));
      continue;
    }
    const std::string title_key = StoryTitleKey(e.title.value_or(""));
    auto story = archive->StoryFor(e.canonical_link, title_key,
                                   FeedDate(e.published_at, e.updated_at).value_or(now), now);
    if (!story) return tl::unexpected(story.error());
    w.insert_entry->Bind(1, commit.feed.feed_id)
        .Bind(2, e.key)
        .Bind(3, e.guid)
        .Bind(4, e.link)
        .Bind(5, e.canonical_link)
        .Bind(6, e.title)
        .Bind(7, e.author)
        .Bind(8, e.published_at)
        .Bind(9, e.updated_at)
        .Bind(10, e.summary)
        .Bind(11, e.content)
        .Bind(12, JoinLines(e.categories))
        .Bind(13, e.language)
        .Bind(14, now)
        .Bind(15, story->id)
        .Bind(16, title_key.empty() ? std::optional<std::string>() : title_key)
        .Bind(17, e.language ? e.language_source : std::nullopt)
        .Bind(18, hash);
    VEILLE_TRY(w.insert_entry->Run());
    if (db.Changes() == 0) {  // already stored: nothing new to say about it
      if (story->created) VEILLE_TRY(archive->DropStory(story->id));
      continue;
    }
    const std::int64_t entry_id = db.LastInsertId();
    ++stats.new_entries;
    doc_rows.push_back(IndexRow{entry_id, &e});
    archive->Remember(entry_id, e.canonical_link, title_key, now);
    VEILLE_TRY(w.WriteMentions(entry_id, story->id, story->created, e, stats));
  }
  VEILLE_TRY(WriteFeedUpdate(db, commit.feed, stats.new_entries > 0));
  doc_keys = archive->pending();
  return stats;
}

// The story keys of the entries first seen at or after `since`.
Result<StoryKeys> LoadStoryKeys(Database& db, UnixSeconds since) {
  auto stmt = db.Prepare(
      "SELECT id, canonical_link, title_key, first_seen_at FROM entries "
      "WHERE first_seen_at >= ?1 AND story_id IS NOT NULL ORDER BY first_seen_at, id");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, since);
  StoryKeys keys;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::int64_t id = stmt->Int(0);
    const UnixSeconds seen = stmt->Int(3);
    if (auto link = stmt->OptText(1); link && !link->empty()) {
      keys.AddLink(StoryKeys::Hash(*link), id, seen);
    }
    if (auto title = stmt->OptText(2); title && !title->empty()) {
      keys.AddTitle(StoryKeys::Hash(*title), id, seen);
    }
  }
  return keys;
}

// A document whose writes failed and were rolled back to its savepoint: its feed says so, and is
// polled again after kStorageRetrySeconds. Validators, fingerprint and failure count stay as
// they were (nothing of the document is stored, so its content must come back).
Result<void> WriteStorageFailure(Database& db, const FeedUpdate& u, const Error& error) {
  auto stmt = db.Cached(
      "UPDATE feeds SET last_fetch_at = ?2, last_outcome = ?3, last_status = ?4, last_error = ?5, "
      "next_due_at = ?6 WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)
      ->Bind(1, u.feed_id)
      .Bind(2, u.fetched_at)
      .Bind(3, OutcomeName(Outcome::kStorage))
      .Bind(4, u.http_status)
      .Bind(5, error.message)
      .Bind(6, u.fetched_at + kStorageRetrySeconds);
  return (*stmt)->Run();
}

}  // namespace

Result<void> SqliteBackend::RefreshStoryKeys(UnixSeconds now) {
  const UnixSeconds since = now - kStoryKeyWindowSeconds;
  if (!story_keys_loaded_ && story_keys_preload_.valid()) {
    // Loaded off the caller's thread since PreloadStoryKeys; on an error, loaded here instead.
    if (auto loaded = story_keys_preload_.get()) {
      story_keys_ = std::move(*loaded);
      story_keys_loaded_ = true;
      story_keys_evicted_at_ = now;
      story_keys_.Evict(since);
    }
  }
  if (story_keys_loaded_) {
    if (now - story_keys_evicted_at_ >= 3600) {
      story_keys_.Evict(since);
      story_keys_evicted_at_ = now;
    }
    return {};
  }
  auto keys = LoadStoryKeys(*db_, since);
  if (!keys) return tl::unexpected(keys.error());
  story_keys_ = std::move(*keys);
  story_keys_loaded_ = true;
  story_keys_evicted_at_ = now;
  return {};
}

void SqliteBackend::PreloadStoryKeys(UnixSeconds now) {
  if (story_keys_loaded_ || story_keys_preload_.valid()) return;
  story_keys_preload_ =
      std::async(std::launch::async,
                 [path = path_, since = now - kStoryKeyWindowSeconds]() -> Result<StoryKeys> {
                   // Its own read connection: the writer's is not shared across threads.
                   auto db = Database::Open(path, OpenMode::kReadOnly, 5000, /*create=*/false);
                   if (!db) return tl::unexpected(db.error());
                   return LoadStoryKeys(**db, since);
                 });
}

Result<void> SqliteBackend::StartCheckpointer() {
  if (checkpointer_) return {};
  auto started = Checkpointer::Start(path_, *db_);
  if (!started) return tl::unexpected(started.error());
  checkpointer_ = std::move(*started);
  return {};
}

Result<std::vector<Result<CommitStats>>> SqliteBackend::CommitBatch(
    const std::vector<DocumentCommit>& writes) {
  std::vector<Result<CommitStats>> results;
  if (writes.empty()) return results;
  const bool documents = std::any_of(writes.begin(), writes.end(), IsDocument);
  if (documents) {
    UnixSeconds now = 0;
    for (const DocumentCommit& w : writes) now = std::max(now, w.feed.fetched_at);
    VEILLE_TRY(RefreshStoryKeys(now));
  } else {
    // Feed states alone (304s, failures): committed without an fsync. A power loss may roll
    // back the last of them, which costs an early poll and never a mention; a process crash
    // loses nothing (WAL). The next FULL commit syncs these frames as well.
    VEILLE_TRY(db_->Exec("PRAGMA synchronous=NORMAL"));
  }
  StoryKeys batch_keys;  // the story keys of the documents written so far in this transaction
  // The full-text rows of the documents that stored entries, written after the last savepoint:
  // FTS5 flushes its pending terms to a new index segment at every SAVEPOINT once the table is
  // in the transaction, so rows written inside each document's savepoint made one segment per
  // document (13 % of a cold cycle's CPU, and the merges of all those segments). Written at the
  // end, a batch makes one segment. They are in the same transaction: a failure rolls back the
  // whole batch, and every feed in it retries.
  std::vector<IndexRow> index_rows;
  auto committed = [&]() -> Result<void> {
    auto tx = Transaction::Begin(*db_);
    if (!tx) return tl::unexpected(tx.error());
    for (const DocumentCommit& w : writes) {
      VEILLE_TRY(db_->Exec("SAVEPOINT document"));
      StoryKeys doc_keys;
      std::vector<IndexRow> doc_rows;
      auto stats = WriteDocument(*db_, w, story_keys_, batch_keys, doc_keys, doc_rows);
      if (!stats && (!db_->InTransaction() || stats.error().code == ErrorCode::kStorageFull)) {
        // SQLite rolled the whole transaction back (an I/O error), or the disk is full (the
        // other documents would not fit either): nothing of the batch is stored, and every
        // feed in it retries.
        return tl::unexpected(stats.error());
      }
      if (!stats) {
        // This document alone rolls back; the others of the batch still commit.
        VEILLE_TRY(db_->Exec("ROLLBACK TO document"));
        VEILLE_TRY(db_->Exec("RELEASE document"));
        VEILLE_TRY(WriteStorageFailure(*db_, w.feed, stats.error()));
      } else {
        VEILLE_TRY(db_->Exec("RELEASE document"));
        batch_keys.Merge(doc_keys);
        index_rows.insert(index_rows.end(), doc_rows.begin(), doc_rows.end());
      }
      results.push_back(std::move(stats));
    }
    if (!index_rows.empty()) {
      auto index = FullTextWriter::Prepare(*db_);
      if (!index) return tl::unexpected(index.error());
      for (const IndexRow& row : index_rows) VEILLE_TRY(index->Add(row.entry_id, *row.entry));
    }
    return tx->Commit();
  }();
  if (!documents) {
    auto restored = db_->Exec("PRAGMA synchronous=FULL");  // documents and delivery marks
    if (committed && !restored) return tl::unexpected(restored.error());
  }
  if (!committed) return tl::unexpected(committed.error());
  story_keys_.Merge(batch_keys);  // only what is committed becomes a candidate
  return results;
}

Result<bool> SqliteBackend::ChangedByOthers() {
  auto stmt = db_->Cached("PRAGMA data_version");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = (*stmt)->Step();
  if (!row) {
    (*stmt)->Reset();
    return tl::unexpected(row.error());
  }
  const std::int64_t version = (*stmt)->Int(0);
  (*stmt)->Reset();
  const bool changed = !data_version_ || *data_version_ != version;
  data_version_ = version;
  return changed;
}

Result<void> SqliteBackend::WriteSchedule(
    const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) {
  if (next_due.empty()) return {};
  // A schedule alone, like a 304's feed state, needs no fsync: lost, it costs an early poll.
  VEILLE_TRY(db_->Exec("PRAGMA synchronous=NORMAL"));
  auto written = [&]() -> Result<void> {
    auto tx = Transaction::Begin(*db_);
    if (!tx) return tl::unexpected(tx.error());
    auto stmt = db_->Cached("UPDATE feeds SET next_due_at = ?2 WHERE id = ?1");
    if (!stmt) return tl::unexpected(stmt.error());
    for (const auto& [id, due] : next_due) {
      (*stmt)->Bind(1, id).Bind(2, due);
      VEILLE_TRY((*stmt)->Run());
    }
    return tx->Commit();
  }();
  auto restored = db_->Exec("PRAGMA synchronous=FULL");
  if (!written) return written;
  return restored;
}

}  // namespace veille::store
