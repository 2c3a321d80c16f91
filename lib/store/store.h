// The repositories over one database: feeds and their fetch state, entries, mentions, outbox.
// One writer (the daemon, kMigrate), short writes from the CLI (kWrite) and any number of readers
// (the CLI, the parse workers: kRead).
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/feed_state.h"
#include "common/outcome.h"
#include "common/result.h"
#include "common/time.h"
#include "store/story_keys.h"

namespace veille::store {

struct FeedRow {
  std::int64_t id = 0;
  std::string url;
  std::string name;
  std::optional<std::string> title;
  std::optional<std::string> site_link;
  FeedState state = FeedState::kOk;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> body_fingerprint;
  std::optional<UnixSeconds> last_fetch_at;
  std::optional<std::string> last_outcome;
  std::optional<std::int64_t> last_status;
  std::optional<std::string> last_error;
  std::optional<UnixSeconds> last_success_at;
  std::optional<UnixSeconds> last_new_entry_at;
  int consecutive_failures = 0;
  std::optional<UnixSeconds> next_due_at;
  std::optional<UnixSeconds> first_polled_at;
  std::optional<std::string> fetch_url;     // where the feed moved (permanent redirects)
  std::optional<std::string> previous_url;  // the URL fetch_url replaced
  std::optional<std::string> redirect_target;
  int redirect_count = 0;
  std::optional<UnixSeconds> failing_since;
  std::optional<UnixSeconds> last_unconditional_at;
  // Why the last parsed document did not decode as it declared (RELIABILITY.md B6), or nullopt.
  std::optional<std::string> encoding_suspect;
  std::int64_t entry_count = 0;    // filled by ListFeeds
  std::int64_t mention_count = 0;  // filled by ListFeeds
};

// The state a poll leaves on its feed (written with the document, or alone on failure).
struct FeedUpdate {
  std::int64_t feed_id = 0;
  // The latest `veille poll` request (feeds.poll_requested_at, Unix ms) the daemon had seen when
  // this poll started: a request up to it is answered and cleared with this state.
  std::optional<std::int64_t> answers_request;
  UnixSeconds fetched_at = 0;
  Outcome outcome = Outcome::kOk;
  std::optional<std::int64_t> http_status;
  std::string error;  // empty on success
  FeedState state = FeedState::kOk;
  std::optional<UnixSeconds> failing_since;     // written as is (nullopt clears it)
  std::optional<UnixSeconds> unconditional_at;  // set when this poll sent no validators
  std::string redirect_target;                  // the permanent-redirect streak after this poll
  int redirect_count = 0;
  std::optional<std::string> moved_to;  // adopt this URL as fetch_url (old one kept)
  int consecutive_failures = 0;
  UnixSeconds next_due_at = 0;
  // Validators and fingerprint: written only when `store_validators` (a clean, committed parse).
  bool store_validators = false;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> body_fingerprint;
  std::optional<std::string> title;      // feed title, when parsed
  std::optional<std::string> site_link;  // feed link, when parsed
  // The "encoding suspect" mark (RELIABILITY.md B6): nullopt leaves it as stored (no document),
  // "" clears it (a document decoded as declared), any other text sets it (why).
  std::optional<std::string> encoding_suspect;
};

struct MentionRecord {
  std::string rule;
  std::string category;
  std::vector<std::string> terms;
  std::string snippet;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> highlights;
  std::vector<std::string> channels;  // one outbox row per channel
};

struct EntryRecord {
  std::string key;
  std::optional<std::string> guid;
  std::optional<std::string> link;
  std::optional<std::string> canonical_link;
  std::optional<std::string> title;
  std::optional<std::string> author;
  std::optional<UnixSeconds> published_at;
  std::optional<UnixSeconds> updated_at;
  std::optional<std::string> summary;
  std::optional<std::string> content;
  std::vector<std::string> categories;
  std::optional<std::string> language;         // a language tag ("fr", "en-US"), when known
  std::optional<std::string> language_source;  // "declared" | "detected" (text/language.h)
  std::vector<MentionRecord> mentions;
  // store/entry_versions.h EntryContentHash of the bounded title, summary and content (the
  // commit computes it when unset).
  std::optional<std::int64_t> content_hash;
  // What the record is to the entry stored under its key (RELIABILITY.md C4):
  //   kNew      no entry has the key: inserted (its mentions alert)
  //   kEdited   the stored entry's text differs: its title, summary, content and hash are
  //             rewritten, `edits` counted; a rule it did not match before is a new mention
  //   kRehash   the stored hash is missing or of another version: only the hash is written
  enum class Change { kNew, kEdited, kRehash };
  Change change = Change::kNew;
};

// How long a feed whose document the database refused waits before it is polled again.
inline constexpr std::int64_t kStorageRetrySeconds = 60;

// The reason recorded (outbox last_error) on the alerts a feed's first poll did not send.
inline constexpr const char* kFirstPollReason = "first poll of the feed (backfill_alerts = false)";

// One fetched document: its new entries, their mentions and outbox rows, and the feed state.
struct DocumentCommit {
  FeedUpdate feed;
  std::vector<EntryRecord> entries;
  // When false (first poll of a feed without backfill_alerts), outbox rows are written as
  // 'suppressed' instead of 'pending': recorded, never delivered.
  bool alerts_enabled = true;
};

struct NewMention {
  std::int64_t mention_id = 0;
  std::string rule;
  std::string category;
  std::optional<std::string> title;
  std::optional<std::string> link;
};

// A stored entry whose publisher changed its title or text under the same key (C4).
struct EditedEntry {
  std::int64_t entry_id = 0;
  std::string key;
  std::optional<std::string> title;  // the new one
};

struct CommitStats {
  int new_entries = 0;
  std::vector<EditedEntry> edited;
  int new_mentions = 0;
  int alerts_not_sent = 0;  // outbox rows written 'suppressed' because alerts were not enabled
  std::vector<NewMention> mentions;
};

// What the team did with a mention (docs/web.md, "Triage"); a mention nobody touched is kNew.
enum class TriageStatus { kNew, kRead, kHandled, kIgnored };
std::string_view TriageStatusName(TriageStatus status);  // "new", "read", "handled", "ignored"
std::optional<TriageStatus> ParseTriageStatus(std::string_view name);

struct MentionFilter {
  std::optional<UnixSeconds> since;
  std::optional<UnixSeconds> until;
  std::string rule;                     // "" = any
  std::string category;                 // "" = any
  std::vector<std::int64_t> feed_ids;   // empty = any feed
  std::vector<std::int64_t> entry_ids;  // empty = any entry; else the mentions of these entries
  std::vector<TriageStatus> statuses;   // empty = any
  std::string tag;                      // "" = any; else mentions carrying this triage tag
  std::string language;                 // "" = any; else entries in it ("fr": fr, fr-FR, fr-CA)
  int limit = 50;
  // Mentions skipped first, in the list's order (the inbox's page N skips (N-1) pages): the
  // database steps over them without reading their rows. 0 = none.
  int offset = 0;
};

// " AND (<column> is `language` or starts with `language`-)", case-insensitive, for a
// non-empty tag (as `lang:` reads it; `_` is `-`), else "". `language` is bound at `param`.
std::string LanguageCondition(std::string_view column, int param, std::string_view language);
// The tag as LanguageCondition binds it: lower case, `_` as `-`.
std::string LanguageKey(std::string_view language);

// " AND <column> IN (1,2)" for a non-empty id list, else "" (ids are integers: no binding).
std::string IdListCondition(std::string_view column, const std::vector<std::int64_t>& ids);

struct MentionRow {
  std::int64_t id = 0;
  UnixSeconds created_at = 0;
  std::string rule;
  std::string category;
  std::vector<std::string> terms;
  std::string snippet;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> highlights;
  std::string feed_name;
  std::string feed_url;
  std::optional<std::string> title;  // the entry's, or derived from its text (title_derived)
  bool title_derived = false;        // the feed gave no title: common/entry_text.h DerivedTitle
  std::optional<std::string> link;   // as the feed published it
  std::optional<std::string> canonical_link;  // unwrapped, untracked (store::CanonicalLink)
  std::optional<std::string> author;
  std::optional<UnixSeconds> published_at;
  std::optional<UnixSeconds> updated_at;
  std::int64_t story_id = 0;  // entries of one story across feeds share it (0: none)
  std::int64_t entry_id = 0;
  TriageStatus status = TriageStatus::kNew;  // triage (store/triage.h)
  std::vector<std::string> tags;             // sorted
  std::string note;
  std::optional<std::string> language;         // the entry's language tag, when known
  std::optional<std::string> language_source;  // "declared" | "detected"
};

// Where an alert (an outbox or event outbox row) is in its life (docs/alerts.md). Declared in
// the alphabetical order of the names, the order listings print them in.
enum class OutboxStatus {
  kChannelRemoved,  // its channel left the config before it was sent
  kDead,            // retries exhausted, or refused for good
  kDelivered,
  kDisabled,    // its channel's endpoint asked to be disabled (HTTP 410)
  kPending,     // to be sent at next_attempt_at
  kSuppressed,  // recorded, never to be sent (a feed's first poll, a story already alerted)
};
// "channel_removed", "dead", "delivered", "disabled", "pending", "suppressed": as stored,
// printed and accepted by `veille outbox --status`.
std::string_view OutboxStatusName(OutboxStatus status);
std::optional<OutboxStatus> ParseOutboxStatus(std::string_view name);
inline constexpr OutboxStatus kOutboxStatuses[] = {
    OutboxStatus::kChannelRemoved, OutboxStatus::kDead,    OutboxStatus::kDelivered,
    OutboxStatus::kDisabled,       OutboxStatus::kPending, OutboxStatus::kSuppressed};

struct OutboxRow {
  std::int64_t id = 0;
  std::int64_t mention_id = 0;
  std::string channel;
  std::string idempotency_key;
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;
  UnixSeconds next_attempt_at = 0;
  std::optional<std::string> last_error;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> delivered_at;
};

// The daemon's heartbeat row (`veille status`).
struct DaemonStatus {
  std::int64_t pid = 0;
  std::string version;
  UnixSeconds started_at = 0;
  UnixSeconds heartbeat_at = 0;
  std::optional<UnixSeconds> stopped_at;
  std::optional<std::string> last_error;
};

// A feed this daemon leased (Store::LeaseDueFeeds): its stored state, as another daemon may have
// left it, and the `veille poll` request pending on it (Unix ms), if any.
struct LeasedFeed {
  FeedRow feed;
  std::optional<std::int64_t> poll_requested_at;
};

// The host side of a claim on a shared database (Store::LeaseDueFeeds; docs/scaling.md,
// "Per-host politeness"): one daemon at a time holds a host's lease and fetches from it, so its
// fetcher's per_host and host_spacing hold for all the daemons.
struct HostClaim {
  std::vector<std::string> of_feed;  // of_feed[i]: "host:port" of feed_ids[i] ("": a file)
  std::vector<std::string> busy;     // hosts of the feeds this daemon holds leases on: kept
  std::int64_t spacing_ms = 0;       // a host given back waits this long for its next daemon
  // The most host leases this daemon holds: more hosts than it can keep busy would keep the
  // other daemons from hosts it cannot fetch from now.
  int most = 32;
};

class Backend;  // the database behind a Store: private to lib/store (store/backend.h)

// The schema version this binary creates and migrates to (SQLite: PRAGMA user_version;
// PostgreSQL: the veille_schema table, with the same numbers).
int SchemaVersion();

// What a connection may do. Only kMigrate creates a database or changes its schema: the daemon
// opens with it, and `veille db migrate`. Every other connection requires the schema version
// this binary was built for, and refuses an older or newer one with a message saying what to do.
enum class Access {
  kRead,     // queries only (the CLI, the parse workers)
  kWrite,    // short writes on an existing database (veille outbox retry, db prune-mentions)
  kMigrate,  // creates the database when missing and migrates it to this binary's schema
};

class Store {
 public:
  // Opens the database at `database`: a postgresql:// or postgres:// URL is a PostgreSQL
  // database (docs/storage.md, "PostgreSQL"), anything else the path of an SQLite file.
  // `busy_timeout_ms` bounds how long a statement waits for another connection's lock before
  // failing with kStorageBusy (on PostgreSQL: lock_timeout).
  [[nodiscard]] static Result<std::unique_ptr<Store>> Open(const std::string& database,
                                                           Access access,
                                                           int busy_timeout_ms = 5000);

  // Ensures one row per configured feed URL (name updated); returns the ids in order.
  [[nodiscard]] Result<std::vector<std::int64_t>> SyncFeeds(
      const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now);

  [[nodiscard]] Result<std::vector<FeedRow>> ListFeeds();
  [[nodiscard]] Result<std::optional<FeedRow>> GetFeed(std::int64_t feed_id);

  // Entries of this feed first seen at or after `since` (the adaptive interval's cadence).
  [[nodiscard]] Result<int> CountEntriesSince(std::int64_t feed_id, UnixSeconds since);

  // Group commit (RELIABILITY.md decision 1): the writes of several polls in one BEGIN
  // IMMEDIATE transaction, each in its own SAVEPOINT, so that a document is stored whole or not
  // at all. A document whose statements fail rolls back alone: its result is the error, and its
  // feed records outcome "storage" and a poll in kStorageRetrySeconds (validators untouched).
  // When the transaction itself fails (BEGIN, COMMIT, or an error after which SQLite rolled
  // everything back: disk full, I/O error), nothing is stored and the error is returned: every
  // poll of the batch is to be retried. A batch of feed states alone (no document) commits
  // without an fsync: a power loss may roll back the last of them, which costs an early poll and
  // never a mention. Results are in the order of `writes`.
  [[nodiscard]] Result<std::vector<Result<CommitStats>>> CommitBatch(
      const std::vector<DocumentCommit>& writes);

  // One document in its own transaction (CommitBatch of one): all or nothing.
  [[nodiscard]] Result<CommitStats> CommitDocument(const DocumentCommit& commit);

  // Starts loading the story keys of the last kStoryKeyWindowSeconds (before `now`) on a thread
  // of its own, over a read connection, so that the first commit of a large archive does not
  // wait for them on the writer's thread (about 2.5 s for 1M entries). The first commit takes
  // them (waiting if the load is not over; loading them itself if it failed).
  void PreloadStoryKeys(UnixSeconds now);

  // WAL checkpoints on a thread of their own from now on (checkpointer.h), instead of inside
  // the COMMIT that fills the log: the daemon's writer calls it once, after Open.
  [[nodiscard]] Result<void> StartCheckpointer();

  // A poll that produced no document (failure, 304): the feed state alone (CommitBatch of one).
  [[nodiscard]] Result<void> UpdateFeed(const FeedUpdate& update);

  // True when another process committed to the database since the last call (true on the
  // first): the daemon looks for `veille poll` requests only then, at no cost otherwise.
  [[nodiscard]] Result<bool> ChangedByOthers();

  // True when the database this store opened is no longer the one at its location (SQLite: its
  // file was deleted, renamed or replaced since it was opened; RELIABILITY.md E6).
  [[nodiscard]] Result<bool> DatabaseReplaced() const;

  // The daemon's schedule where it differs from the stored one (after a restart spread the
  // overdue feeds, a reload changed an interval, a host paused): (feed id, next due) pairs,
  // in one transaction, so that `veille feeds` shows when each feed is really polled next.
  [[nodiscard]] Result<void> WriteSchedule(
      const std::vector<std::pair<std::int64_t, UnixSeconds>>& next_due);

  [[nodiscard]] Result<std::vector<MentionRow>> ListMentions(const MentionFilter& filter);

  // Outbox rows with status 'pending' due at `now`, oldest first.
  [[nodiscard]] Result<std::vector<OutboxRow>> DueOutbox(UnixSeconds now, int limit);
  [[nodiscard]] Result<MentionRow> GetMention(std::int64_t mention_id);
  [[nodiscard]] Result<void> MarkDelivered(std::int64_t outbox_id, UnixSeconds now);
  // A failed attempt: `dead` ends retries, otherwise the row is retried at `next_attempt_at`.
  [[nodiscard]] Result<void> MarkFailed(std::int64_t outbox_id, const std::string& error,
                                        UnixSeconds next_attempt_at, bool dead);

  // Rewrites the single heartbeat row (daemon side).
  [[nodiscard]] Result<void> WriteStatus(const DaemonStatus& status);
  // The heartbeat row, or nullopt when no daemon ever ran on this database.
  [[nodiscard]] Result<std::optional<DaemonStatus>> ReadStatus();
  // Outbox rows per status (kPending -> 3, ...), mention alerts and events together.
  [[nodiscard]] Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> OutboxCounts();

  // Several daemons sharing one database (docs/scaling.md). True when the database may be
  // shared (PostgreSQL): the daemon then polls only the feeds it leased, and maintenance runs
  // where HoldMaintenance says. False on SQLite (one daemon, its lock file): the calls below
  // are no-ops there.
  [[nodiscard]] bool Shared() const;
  // Leases up to `limit` feeds among `feed_ids` that are due at `now` (next_due_at <= now or
  // unset, or a `veille poll` request pending and no Retry-After holding), not gone, and not
  // leased by another daemon (or whose lease expired), for `lease_ms` of the server's clock,
  // earliest due first. Concurrent callers get disjoint sets (FOR UPDATE SKIP LOCKED). The
  // commit of a leased feed's poll (CommitBatch) releases its lease. SQLite: nothing leased.
  // With `hosts`, a feed is leased only with its host: the host's lease is taken in the same
  // statement when it is free (or this store's) and not paused, and this store's host leases
  // not in hosts->busy and without a feed leased now are given back (AddHosts first).
  [[nodiscard]] Result<std::vector<LeasedFeed>> LeaseDueFeeds(
      const std::vector<std::int64_t>& feed_ids, UnixSeconds now, int limit, std::int64_t lease_ms,
      const HostClaim* hosts = nullptr);
  // Extends this store's leases on `feed_ids` (polls still under way), and on `hosts`, by
  // `lease_ms` from now.
  [[nodiscard]] Result<void> RenewLeases(const std::vector<std::int64_t>& feed_ids,
                                         std::int64_t lease_ms,
                                         const std::vector<std::string>& hosts = {});
  // Records hosts ("host:port") that feeds may be leased with (once each; a host without its
  // row is never leased).
  [[nodiscard]] Result<void> AddHosts(const std::vector<std::string>& hosts);
  // Gives back every host lease of this store; each host waits `spacing_ms` for its next
  // daemon (at stop).
  [[nodiscard]] Result<void> ReleaseHosts(std::int64_t spacing_ms);
  // No daemon leases a feed of `host` for `seconds` of the server's clock (its 429s).
  [[nodiscard]] Result<void> PauseHost(const std::string& host, std::int64_t seconds);
  // Gives up this store's leases on feeds it will not poll now, writing each one's next due
  // time when given (a host's Retry-After pause), so that another daemon may take them; after
  // `hold_ms` of the server's clock when given (a poll whose outcome could not be stored: not
  // polled again at once, even for a pending `veille poll` request).
  [[nodiscard]] Result<void> ReleaseLeases(
      const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& feeds,
      std::int64_t hold_ms = 0);
  // True when this store holds the maintenance lock (a PostgreSQL session advisory lock, taken
  // here when free): retention, index upkeep, digests, alert delivery and the spike and
  // feed-health checks run on one daemon at a time. Always true on SQLite.
  [[nodiscard]] Result<bool> HoldMaintenance();

  // For a store kept open across uses (`veille serve`'s pool, web/store_pool.h): succeeds when
  // it may serve once more as a new Open would: outside any transaction, its connection
  // answering (PostgreSQL: one round trip, which finds a connection the server closed), its
  // database file still the one at its location (SQLite), and the schema still this binary's
  // version (after a `veille db migrate`, it fails with Open's message). A store that fails is
  // to be closed, not used.
  [[nodiscard]] Result<void> Revalidate();
  // True inside a transaction (one left open, or aborted and not yet rolled back).
  [[nodiscard]] bool InTransaction();

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

 private:
  friend Backend& BackendOf(Store& store);
  explicit Store(std::unique_ptr<Backend> backend);
  std::unique_ptr<Backend> backend_;  // SQLite or PostgreSQL (store/backend.h)
};

// Newline-joined lists and "b-e,b-e" highlight lists, as stored.
std::string JoinLines(const std::vector<std::string>& items);
std::vector<std::string> SplitLines(const std::string& text);
std::string EncodeHighlights(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& h);
std::vector<std::pair<std::uint32_t, std::uint32_t>> DecodeHighlights(const std::string& text);

}  // namespace veille::store
