#include "store/store.h"

#include <cctype>
#include <charconv>
#include <utility>

#include "common/entry_text.h"
#include "common/hash.h"
#include "store/canonical.h"
#include "store/entry_date.h"
#include "store/schema.h"
#include "store/stories.h"

namespace veille::store {
namespace {

constexpr const char* kFeedColumns =
    "id, url, name, title, site_link, state, etag, last_modified, body_fingerprint, "
    "last_fetch_at, last_outcome, last_status, last_error, last_success_at, last_new_entry_at, "
    "consecutive_failures, next_due_at, first_polled_at, fetch_url, previous_url, "
    "redirect_target, redirect_count, failing_since, last_unconditional_at";

FeedRow ReadFeed(const Statement& s) {
  FeedRow f;
  f.id = s.Int(0);
  f.url = s.Text(1);
  f.name = s.Text(2);
  f.title = s.OptText(3);
  f.site_link = s.OptText(4);
  f.state = s.Text(5);
  f.etag = s.OptText(6);
  f.last_modified = s.OptText(7);
  f.body_fingerprint = s.OptText(8);
  f.last_fetch_at = s.OptInt(9);
  f.last_outcome = s.OptText(10);
  f.last_status = s.OptInt(11);
  f.last_error = s.OptText(12);
  f.last_success_at = s.OptInt(13);
  f.last_new_entry_at = s.OptInt(14);
  f.consecutive_failures = static_cast<int>(s.Int(15));
  f.next_due_at = s.OptInt(16);
  f.first_polled_at = s.OptInt(17);
  f.fetch_url = s.OptText(18);
  f.previous_url = s.OptText(19);
  f.redirect_target = s.OptText(20);
  f.redirect_count = static_cast<int>(s.Int(21));
  f.failing_since = s.OptInt(22);
  f.last_unconditional_at = s.OptInt(23);
  return f;
}

std::string IdempotencyKey(std::string_view feed_url, std::string_view entry_key,
                           std::string_view rule, std::string_view channel) {
  std::string material;
  material.reserve(feed_url.size() + entry_key.size() + rule.size() + channel.size() + 3);
  material.append(feed_url).append("\n").append(entry_key).append("\n").append(rule);
  material.append("\n").append(channel);
  // Two independent 64-bit FNV streams make a 128-bit key.
  return "v1-" + Hex64(Fnv1a64(material)) + Hex64(Fnv1a64(material, 0x84222325cbf29ce4ULL));
}

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
      "END "
      "WHERE id = ?16");
  if (!cached) return tl::unexpected(cached.error());
  Statement* stmt = *cached;
  stmt->Bind(1, u.fetched_at)
      .Bind(2, OutcomeName(u.outcome))
      .Bind(3, u.http_status)
      .Bind(4, u.error.empty() ? std::optional<std::string>() : u.error)
      .Bind(5, u.state)
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
      .Bind(22, u.answers_request);
  return stmt->Run();
}

MentionRow ReadMention(const Statement& s) {
  MentionRow m;
  m.id = s.Int(0);
  m.created_at = s.Int(1);
  m.rule = s.Text(2);
  m.category = s.Text(3);
  m.terms = SplitLines(s.Text(4));
  m.snippet = s.Text(5);
  m.highlights = DecodeHighlights(s.Text(6));
  m.feed_name = s.Text(7);
  m.feed_url = s.Text(8);
  m.title = s.OptText(9);
  m.link = s.OptText(10);
  m.author = s.OptText(11);
  m.published_at = s.OptInt(12);
  m.story_id = s.OptInt(13).value_or(0);
  m.entry_id = s.Int(14);
  m.status = ParseTriageStatus(s.Text(15)).value_or(TriageStatus::kNew);
  m.note = s.Text(16);
  m.tags = SplitLines(s.Text(17));
  m.updated_at = s.OptInt(18);
  m.canonical_link = s.OptText(20);
  m.language = s.OptText(21);
  m.language_source = s.OptText(22);
  if (!m.title) {
    if (auto text = s.OptText(19)) {
      std::string derived = DerivedTitle(*text);
      if (!derived.empty()) {
        m.title = std::move(derived);
        m.title_derived = true;
      }
    }
  }
  return m;
}

constexpr const char* kMentionSelect =
    "SELECT m.id, m.created_at, m.rule, m.category, m.terms, m.snippet, m.highlights, f.name, "
    "f.url, e.title, e.link, e.author, e.published_at, e.story_id, e.id, "
    "COALESCE(t.status, 'new'), COALESCE(t.note, ''), "
    "COALESCE((SELECT group_concat(tag, char(10)) FROM (SELECT tag FROM triage_tags tt "
    "WHERE tt.mention_id = m.id ORDER BY tag)), ''), e.updated_at, "
    // The start of the text, for a title derived when the feed gave none (Mastodon posts).
    "CASE WHEN e.title IS NULL THEN substr(COALESCE(NULLIF(e.summary, ''), e.content), 1, 400) "
    "END, e.canonical_link, e.language, e.language_source FROM mentions m "
    "JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
    "LEFT JOIN triage t ON t.mention_id = m.id ";

// ",new,read," for the statuses of a filter ("" = any): one bound parameter.
std::string StatusList(const std::vector<TriageStatus>& statuses) {
  if (statuses.empty()) return "";
  std::string out = ",";
  for (auto s : statuses) out += std::string(TriageStatusName(s)) + ",";
  return out;
}

}  // namespace

std::string LanguageKey(std::string_view language) {
  std::string key;
  for (char c : language) {
    key += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

std::string LanguageCondition(std::string_view column, int param, std::string_view language) {
  if (language.empty()) return "";
  const std::string c(column);
  const std::string p = "?" + std::to_string(param);
  return " AND (lower(" + c + ") = " + p + " OR substr(lower(" + c + "), 1, length(" + p +
         ") + 1) = " + p + " || '-')";
}

std::string IdListCondition(std::string_view column, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return "";
  std::string out = " AND " + std::string(column) + " IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

std::string_view TriageStatusName(TriageStatus status) {
  switch (status) {
    case TriageStatus::kNew:
      return "new";
    case TriageStatus::kRead:
      return "read";
    case TriageStatus::kHandled:
      return "handled";
    case TriageStatus::kIgnored:
      return "ignored";
  }
  return "new";
}

std::optional<TriageStatus> ParseTriageStatus(std::string_view name) {
  for (auto s : {TriageStatus::kNew, TriageStatus::kRead, TriageStatus::kHandled,
                 TriageStatus::kIgnored}) {
    if (TriageStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += '\n';
    for (char c : item) out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string EncodeHighlights(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& h) {
  std::string out;
  for (const auto& [b, e] : h) {
    if (!out.empty()) out += ',';
    out += std::to_string(b) + "-" + std::to_string(e);
  }
  return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> DecodeHighlights(const std::string& text) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    std::uint32_t b = 0, e = 0;
    auto r1 = std::from_chars(p, end, b);
    if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '-') break;
    auto r2 = std::from_chars(r1.ptr + 1, end, e);
    if (r2.ec != std::errc()) break;
    out.emplace_back(b, e);
    p = r2.ptr;
    if (p < end && *p == ',') ++p;
  }
  return out;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& database, Access access,
                                           int busy_timeout_ms) {
  auto db = Database::Open(database,
                           access == Access::kRead ? OpenMode::kReadOnly : OpenMode::kReadWrite,
                           busy_timeout_ms, /*create=*/access == Access::kMigrate);
  if (!db) return tl::unexpected(db.error());
  if (access == Access::kMigrate) {
    VEILLE_TRY(Migrate(**db));
  } else {
    VEILLE_TRY(CheckSchema(**db, database));
  }
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Result<std::vector<std::int64_t>> Store::SyncFeeds(
    const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now) {
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  auto upsert = db_->Prepare(
      "INSERT INTO feeds (url, name, state, created_at) VALUES (?1, ?2, 'ok', ?3) "
      "ON CONFLICT (url) DO UPDATE SET name = excluded.name");
  auto lookup = db_->Prepare("SELECT id FROM feeds WHERE url = ?1");
  if (!upsert) return tl::unexpected(upsert.error());
  if (!lookup) return tl::unexpected(lookup.error());
  std::vector<std::int64_t> ids;
  for (const auto& [url, name] : url_and_name) {
    upsert->Bind(1, url).Bind(2, name).Bind(3, now);
    VEILLE_TRY(upsert->Run());
    lookup->Bind(1, url);
    auto row = lookup->Step();
    if (!row) return tl::unexpected(row.error());
    ids.push_back(lookup->Int(0));
    lookup->Reset();
  }
  VEILLE_TRY(tx->Commit());
  return ids;
}

Result<std::vector<FeedRow>> Store::ListFeeds() {
  auto stmt = db_->Prepare(std::string("SELECT ") + kFeedColumns +
                           ", (SELECT COUNT(*) FROM entries e WHERE e.feed_id = feeds.id), "
                           "(SELECT COUNT(*) FROM mentions m JOIN entries e ON e.id = m.entry_id "
                           "WHERE e.feed_id = feeds.id) FROM feeds ORDER BY id");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<FeedRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    FeedRow f = ReadFeed(*stmt);
    f.entry_count = stmt->Int(24);
    f.mention_count = stmt->Int(25);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::optional<FeedRow>> Store::GetFeed(std::int64_t feed_id) {
  auto stmt = db_->Prepare(std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, feed_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<FeedRow>();
  return std::optional<FeedRow>(ReadFeed(*stmt));
}

Result<std::unordered_set<std::string>> Store::ExistingKeys(std::int64_t feed_id,
                                                            const std::vector<std::string>& keys) {
  auto stmt = db_->Prepare("SELECT 1 FROM entries WHERE feed_id = ?1 AND entry_key = ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  std::unordered_set<std::string> found;
  for (const auto& key : keys) {
    stmt->Bind(1, feed_id).Bind(2, key);
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (*row) found.insert(key);
    stmt->Reset();
  }
  return found;
}

Result<int> Store::CountEntriesSince(std::int64_t feed_id, UnixSeconds since) {
  auto stmt =
      db_->Prepare("SELECT COUNT(*) FROM entries WHERE feed_id = ?1 AND first_seen_at >= ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, feed_id).Bind(2, since);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(stmt->Int(0));
}

Result<void> Store::RefreshStoryKeys(UnixSeconds now) {
  const UnixSeconds since = now - kStoryKeyWindowSeconds;
  if (story_keys_loaded_) {
    if (now - story_keys_evicted_at_ >= 3600) {
      story_keys_.Evict(since);
      story_keys_evicted_at_ = now;
    }
    return {};
  }
  auto stmt = db_->Prepare(
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
  story_keys_ = std::move(keys);
  story_keys_loaded_ = true;
  story_keys_evicted_at_ = now;
  return {};
}

Result<CommitStats> Store::CommitDocument(const DocumentCommit& commit) {
  VEILLE_TRY(RefreshStoryKeys(commit.feed.fetched_at));
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  Statement* feed_url = nullptr;
  Statement* insert_entry = nullptr;
  Statement* insert_mention = nullptr;
  Statement* insert_outbox = nullptr;
  const std::pair<Statement**, const char*> statements[] = {
      {&feed_url, "SELECT url FROM feeds WHERE id = ?1"},
      {&insert_entry,
       "INSERT INTO entries (feed_id, entry_key, guid, link, canonical_link, title, author, "
       "published_at, updated_at, summary, content, categories, language, first_seen_at, "
       "story_id, title_key, language_source) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
       "ON CONFLICT (feed_id, entry_key) DO NOTHING"},
      {&insert_mention,
       "INSERT INTO mentions (entry_id, rule, category, terms, snippet, highlights, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (entry_id, rule) DO NOTHING"},
      {&insert_outbox,
       "INSERT INTO outbox (mention_id, channel, idempotency_key, status, next_attempt_at, "
       "created_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) "
       "ON CONFLICT (mention_id, channel) DO NOTHING"},
  };
  for (const auto& [target, sql] : statements) {
    auto stmt = db_->Cached(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    *target = *stmt;
  }
  feed_url->Bind(1, commit.feed.feed_id);
  auto found = feed_url->Step();
  if (!found) return tl::unexpected(found.error());
  if (!*found) return Fail(ErrorCode::kNotFound, "feed id " + std::to_string(commit.feed.feed_id));
  const std::string url = feed_url->Text(0);
  feed_url->Reset();  // a statement left stepped pins a read snapshot: no WAL checkpoint

  // The archive (migration 3): full-text rows and stories, written with the entries.
  auto archive = ArchiveWriter::Prepare(*db_, story_keys_);
  if (!archive) return tl::unexpected(archive.error());

  const UnixSeconds now = commit.feed.fetched_at;
  CommitStats stats;
  for (const EntryRecord& e : commit.entries) {
    const std::string title_key = StoryTitleKey(e.title.value_or(""));
    auto story = archive->StoryFor(e.canonical_link, title_key,
                                   FeedDate(e.published_at, e.updated_at).value_or(now), now);
    if (!story) return tl::unexpected(story.error());
    insert_entry->Bind(1, commit.feed.feed_id)
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
        .Bind(17, e.language ? e.language_source : std::nullopt);
    VEILLE_TRY(insert_entry->Run());
    if (db_->Changes() == 0) {  // already stored: nothing new to say about it
      if (story->created) VEILLE_TRY(archive->DropStory(story->id));
      continue;
    }
    const std::int64_t entry_id = db_->LastInsertId();
    ++stats.new_entries;
    VEILLE_TRY(archive->IndexEntry(entry_id, e));
    archive->Remember(entry_id, e.canonical_link, title_key, now);
    for (const MentionRecord& m : e.mentions) {
      insert_mention->Bind(1, entry_id)
          .Bind(2, m.rule)
          .Bind(3, m.category)
          .Bind(4, JoinLines(m.terms))
          .Bind(5, m.snippet)
          .Bind(6, EncodeHighlights(m.highlights))
          .Bind(7, now);
      VEILLE_TRY(insert_mention->Run());
      if (db_->Changes() == 0) continue;
      const std::int64_t mention_id = db_->LastInsertId();
      ++stats.new_mentions;
      stats.mentions.push_back(NewMention{mention_id, m.rule, m.category, e.title, e.link});
      for (const std::string& channel : m.channels) {
        // One alert per story and channel: the rules that matched this entry go out together
        // (the dispatcher merges the entry's rows), and a copy of the story from another feed
        // or entry is recorded as suppressed, with the reason in last_error.
        auto story_alerted = archive->StoryAlerted(story->id, channel, entry_id);
        if (!story_alerted) return tl::unexpected(story_alerted.error());
        std::optional<std::string> reason;
        if (!commit.alerts_enabled) {
          reason = kFirstPollReason;
          ++stats.alerts_not_sent;
        } else if (*story_alerted) {
          reason = "same story already alerted";
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
  }
  VEILLE_TRY(WriteFeedUpdate(*db_, commit.feed, stats.new_entries > 0));
  VEILLE_TRY(tx->Commit());
  story_keys_.Merge(archive->pending());  // only what is committed becomes a candidate
  return stats;
}

Result<void> Store::UpdateFeed(const FeedUpdate& update) {
  // The feed's state alone (a 304, a failure): committed without an fsync. A power loss may
  // roll back the last of these updates, which costs an early poll and never a mention; a
  // process crash loses nothing (WAL). The next FULL commit syncs these frames as well.
  VEILLE_TRY(db_->Exec("PRAGMA synchronous=NORMAL"));
  auto written = [&]() -> Result<void> {
    auto tx = Transaction::Begin(*db_);
    if (!tx) return tl::unexpected(tx.error());
    VEILLE_TRY(WriteFeedUpdate(*db_, update, false));
    return tx->Commit();
  }();
  auto restored = db_->Exec("PRAGMA synchronous=FULL");  // documents and delivery marks
  if (!written) return written;
  return restored;
}

Result<bool> Store::ChangedByOthers() {
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

Result<void> Store::WriteSchedule(
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

Result<std::vector<MentionRow>> Store::ListMentions(const MentionFilter& filter) {
  std::string sql = kMentionSelect;
  sql +=
      "WHERE (?1 IS NULL OR m.created_at >= ?1) AND (?2 IS NULL OR m.created_at < ?2) "
      "AND (?3 = '' OR m.rule = ?3) AND (?4 = '' OR m.category = ?4) "
      "AND (?7 = '' OR instr(?7, ',' || COALESCE(t.status, 'new') || ',') > 0) "
      "AND (?8 = '' OR EXISTS (SELECT 1 FROM triage_tags tt WHERE tt.mention_id = m.id "
      "AND tt.tag = ?8))";
  sql += IdListCondition("e.feed_id", filter.feed_ids);
  sql += LanguageCondition("e.language", 9, filter.language);
  sql += " ORDER BY m.created_at DESC, m.id DESC LIMIT ?6";
  auto stmt = db_->Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, filter.since)
      .Bind(2, filter.until)
      .Bind(3, filter.rule)
      .Bind(4, filter.category)
      .Bind(6, std::int64_t{filter.limit <= 0 ? -1 : filter.limit})
      .Bind(7, StatusList(filter.statuses))
      .Bind(8, filter.tag);
  if (!filter.language.empty()) stmt->Bind(9, LanguageKey(filter.language));
  std::vector<MentionRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadMention(*stmt));
  }
  return out;
}

Result<void> Store::WriteStatus(const DaemonStatus& status) {
  auto stmt = db_->Prepare(
      "INSERT INTO daemon_status (id, pid, version, started_at, heartbeat_at, stopped_at, "
      "last_error) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
      "pid = excluded.pid, version = excluded.version, started_at = excluded.started_at, "
      "heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at, "
      "last_error = excluded.last_error");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, status.pid)
      .Bind(2, status.version)
      .Bind(3, status.started_at)
      .Bind(4, status.heartbeat_at)
      .Bind(5, status.stopped_at)
      .Bind(6, status.last_error);
  return stmt->Run();
}

Result<std::optional<DaemonStatus>> Store::ReadStatus() {
  auto stmt = db_->Prepare(
      "SELECT pid, version, started_at, heartbeat_at, stopped_at, last_error FROM daemon_status "
      "WHERE id = 1");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<DaemonStatus>();
  DaemonStatus d;
  d.pid = stmt->Int(0);
  d.version = stmt->Text(1);
  d.started_at = stmt->Int(2);
  d.heartbeat_at = stmt->Int(3);
  d.stopped_at = stmt->OptInt(4);
  d.last_error = stmt->OptText(5);
  return std::optional<DaemonStatus>(d);
}

Result<std::vector<std::pair<std::string, std::int64_t>>> Store::OutboxCounts() {
  auto stmt = db_->Prepare(
      "SELECT status, COUNT(*) FROM (SELECT status FROM outbox UNION ALL "
      "SELECT status FROM event_outbox) GROUP BY status ORDER BY status");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.emplace_back(stmt->Text(0), stmt->Int(1));
  }
  return out;
}

Result<MentionRow> Store::GetMention(std::int64_t mention_id) {
  auto stmt = db_->Prepare(std::string(kMentionSelect) + "WHERE m.id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, mention_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kNotFound, "no mention " + std::to_string(mention_id));
  return ReadMention(*stmt);
}

Result<std::vector<OutboxRow>> Store::DueOutbox(UnixSeconds now, int limit) {
  auto stmt = db_->Prepare(
      "SELECT id, mention_id, channel, idempotency_key, status, attempts, next_attempt_at, "
      "last_error, created_at, delivered_at FROM outbox "
      "WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, now).Bind(2, std::int64_t{limit});
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    OutboxRow o;
    o.id = stmt->Int(0);
    o.mention_id = stmt->Int(1);
    o.channel = stmt->Text(2);
    o.idempotency_key = stmt->Text(3);
    o.status = stmt->Text(4);
    o.attempts = static_cast<int>(stmt->Int(5));
    o.next_attempt_at = stmt->Int(6);
    o.last_error = stmt->OptText(7);
    o.created_at = stmt->Int(8);
    o.delivered_at = stmt->OptInt(9);
    out.push_back(std::move(o));
  }
  return out;
}

Result<void> Store::MarkDelivered(std::int64_t outbox_id, UnixSeconds now) {
  auto stmt = db_->Prepare(
      "UPDATE outbox SET status = 'delivered', delivered_at = ?2, attempts = attempts + 1, "
      "last_error = NULL WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, outbox_id).Bind(2, now);
  return stmt->Run();
}

Result<void> Store::MarkFailed(std::int64_t outbox_id, const std::string& error,
                               UnixSeconds next_attempt_at, bool dead) {
  auto stmt = db_->Prepare(
      "UPDATE outbox SET status = CASE WHEN ?4 THEN 'dead' ELSE status END, "
      "attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, outbox_id).Bind(2, error).Bind(3, next_attempt_at).Bind(4, std::int64_t{dead});
  return stmt->Run();
}

}  // namespace veille::store
