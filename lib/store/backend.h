// Private to lib/store: the seam between Store (store.h) and the database it runs on. Store
// forwards every method to one Backend, chosen by Store::Open from the location: a
// postgresql:// or postgres:// URL selects PostgreSQL (pg/backend.h), anything else is an SQLite
// file (sqlite_backend.h). Nothing above lib/store includes this header (docs/decisions.md,
// "One store, two backends").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/entry_text.h"
#include "store/store.h"

namespace veille::store {

class Database;
namespace pg {
class Connection;
}

class Backend {
 public:
  virtual ~Backend() = default;

  // "sqlite" or "postgresql" (`veille db info`).
  [[nodiscard]] virtual std::string_view kind() const = 0;
  // The SQLite connection the repositories (search.h, stats.h, outbox_repo.h...) run on. On
  // PostgreSQL a connection that refuses every statement with kStorageUnavailable ("not
  // available on PostgreSQL yet"): a repository not ported yet fails cleanly.
  [[nodiscard]] virtual Database& sqlite() = 0;
  // The PostgreSQL connection, or nullptr on SQLite.
  [[nodiscard]] virtual pg::Connection* postgres() { return nullptr; }

  [[nodiscard]] virtual Result<std::vector<std::int64_t>> SyncFeeds(
      const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now) = 0;
  [[nodiscard]] virtual Result<std::vector<FeedRow>> ListFeeds() = 0;
  [[nodiscard]] virtual Result<std::optional<FeedRow>> GetFeed(std::int64_t feed_id) = 0;
  [[nodiscard]] virtual Result<int> CountEntriesSince(std::int64_t feed_id, UnixSeconds since) = 0;
  [[nodiscard]] virtual Result<std::vector<Result<CommitStats>>> CommitBatch(
      const std::vector<DocumentCommit>& writes) = 0;
  virtual void PreloadStoryKeys(UnixSeconds now) = 0;
  [[nodiscard]] virtual Result<void> StartCheckpointer() = 0;
  [[nodiscard]] virtual Result<bool> ChangedByOthers() = 0;
  [[nodiscard]] virtual Result<bool> DatabaseReplaced() const = 0;
  [[nodiscard]] virtual Result<void> WriteSchedule(
      const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due) = 0;
  [[nodiscard]] virtual Result<std::vector<MentionRow>> ListMentions(
      const MentionFilter& filter) = 0;
  [[nodiscard]] virtual Result<std::vector<OutboxRow>> DueOutbox(UnixSeconds now, int limit) = 0;
  [[nodiscard]] virtual Result<MentionRow> GetMention(std::int64_t mention_id) = 0;
  [[nodiscard]] virtual Result<void> MarkDelivered(std::int64_t outbox_id, UnixSeconds now) = 0;
  [[nodiscard]] virtual Result<void> MarkFailed(std::int64_t outbox_id, const std::string& error,
                                                UnixSeconds next_attempt_at, bool dead) = 0;
  [[nodiscard]] virtual Result<void> WriteStatus(const DaemonStatus& status) = 0;
  [[nodiscard]] virtual Result<std::optional<DaemonStatus>> ReadStatus() = 0;
  [[nodiscard]] virtual Result<std::vector<std::pair<OutboxStatus, std::int64_t>>>
  OutboxCounts() = 0;

  // Several daemons on one database (Store::Shared...). The defaults are SQLite's: one daemon,
  // nothing shared, nothing leased, maintenance always here.
  [[nodiscard]] virtual bool Shared() const { return false; }
  [[nodiscard]] virtual Result<std::vector<LeasedFeed>> LeaseDueFeeds(
      const std::vector<std::int64_t>& /*feed_ids*/, UnixSeconds /*now*/, int /*limit*/,
      std::int64_t /*lease_ms*/, const HostClaim* /*hosts*/) {
    return std::vector<LeasedFeed>();
  }
  [[nodiscard]] virtual Result<void> RenewLeases(const std::vector<std::int64_t>& /*feed_ids*/,
                                                 std::int64_t /*lease_ms*/,
                                                 const std::vector<std::string>& /*hosts*/) {
    return {};
  }
  [[nodiscard]] virtual Result<void> AddHosts(const std::vector<std::string>& /*hosts*/) {
    return {};
  }
  [[nodiscard]] virtual Result<void> ReleaseHosts(std::int64_t /*spacing_ms*/) { return {}; }
  [[nodiscard]] virtual Result<void> PauseHost(const std::string& /*host*/,
                                               std::int64_t /*seconds*/) {
    return {};
  }
  [[nodiscard]] virtual Result<void> ReleaseLeases(
      const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& /*feeds*/,
      std::int64_t /*hold_ms*/) {
    return {};
  }
  [[nodiscard]] virtual Result<bool> HoldMaintenance() { return true; }
};

// True when `database` names a PostgreSQL database (a postgresql:// or postgres:// URL).
bool IsPostgresLocation(std::string_view database);

// The backends' constructors (sqlite_backend.cc, pg/backend.cc): open, then create/migrate or
// check the schema as `access` says.
[[nodiscard]] Result<std::unique_ptr<Backend>> OpenSqlite(const std::string& path, Access access,
                                                          int busy_timeout_ms);
[[nodiscard]] Result<std::unique_ptr<Backend>> OpenPostgres(const std::string& url, Access access,
                                                            int busy_timeout_ms);

// What both backends share.

// When `title` is missing (the feed gave none: Mastodon posts and the like), a title from the
// first words of `text` (common/entry_text.h DerivedTitle) and `derived` set; nothing when the
// text is missing or gives no title. Mentions, outbox rows and stored entries alike.
inline void DeriveMissingTitle(std::optional<std::string>& title, bool& derived,
                               const std::optional<std::string>& text) {
  if (title || !text) return;
  std::string words = DerivedTitle(*text);
  if (words.empty()) return;
  title = std::move(words);
  derived = true;
}

// The columns ReadFeed reads, in its order.
inline constexpr const char* kFeedColumns =
    "id, url, name, title, site_link, state, etag, last_modified, body_fingerprint, "
    "last_fetch_at, last_outcome, last_status, last_error, last_success_at, last_new_entry_at, "
    "consecutive_failures, next_due_at, first_polled_at, fetch_url, previous_url, "
    "redirect_target, redirect_count, failing_since, last_unconditional_at, encoding_suspect";

// A feed row from a result row `r` with kFeedColumns first. `Row` reads columns 0-based:
// Int, OptInt, Text, OptText (store::Statement, PgRow).
template <typename Row>
FeedRow ReadFeed(const Row& s) {
  FeedRow f;
  f.id = s.Int(0);
  f.url = s.Text(1);
  f.name = s.Text(2);
  f.title = s.OptText(3);
  f.site_link = s.OptText(4);
  f.state = ParseFeedState(s.Text(5)).value_or(FeedState::kOk);
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
  f.encoding_suspect = s.OptText(24);
  return f;
}

// The start of an entry's text when it has none of its own title (at most 400 characters, for
// DeriveMissingTitle's 80), over `entries e`.
inline constexpr const char* kTextStartSql =
    "CASE WHEN e.title IS NULL THEN substr(COALESCE(NULLIF(e.summary, ''), e.content), 1, 400) "
    "END";

// The backends' mention queries up to their WHERE (ending with a space): ReadMention's columns
// over mentions, their entries, feeds and triage, `tags_sql` being the backend's expression of
// the mention's tags joined by newlines in code-point order.
std::string MentionSelect(std::string_view tags_sql);

// A mention row in the column order of MentionSelect: id, created_at, rule, category, terms,
// snippet, highlights, feed name, feed url, title, link, author, published_at, story_id, entry id,
// triage status, note, tags (newline-joined), updated_at, the start of the text when there is no
// title, canonical_link, language, language_source.
template <typename Row>
MentionRow ReadMention(const Row& s) {
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
  DeriveMissingTitle(m.title, m.title_derived, s.OptText(19));
  return m;
}

// The outbox row's idempotency key: the same on both backends, and across a `db copy`.
std::string IdempotencyKey(std::string_view feed_url, std::string_view entry_key,
                           std::string_view rule, std::string_view channel);

// ",new,read," for the statuses of a filter ("" = any): one bound parameter.
std::string StatusList(const std::vector<TriageStatus>& statuses);

// Whether a commit writes a document (entries, or validators of a parse), not a feed state alone.
inline bool IsDocument(const DocumentCommit& c) {
  return c.feed.store_validators || !c.entries.empty();
}

}  // namespace veille::store
