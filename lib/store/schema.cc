#include "store/schema.h"

#include <optional>
#include <string>

namespace veille::store {

const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: feeds, entries, mentions, outbox.
      R"sql(
CREATE TABLE feeds (
  id                   INTEGER PRIMARY KEY,
  url                  TEXT NOT NULL UNIQUE,
  name                 TEXT NOT NULL DEFAULT '',
  title                TEXT,
  site_link            TEXT,
  state                TEXT NOT NULL DEFAULT 'active',  -- active | failing | broken | gone
  etag                 TEXT,
  last_modified        TEXT,
  body_fingerprint     TEXT,
  last_fetch_at        INTEGER,
  last_outcome         TEXT,
  last_status          INTEGER,
  last_error           TEXT,
  last_success_at      INTEGER,
  last_new_entry_at    INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_due_at          INTEGER,
  first_polled_at      INTEGER,
  created_at           INTEGER NOT NULL
);
CREATE TABLE entries (
  id             INTEGER PRIMARY KEY,
  feed_id        INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  entry_key      TEXT NOT NULL,
  guid           TEXT,
  link           TEXT,
  canonical_link TEXT,
  title          TEXT,
  author         TEXT,
  published_at   INTEGER,
  updated_at     INTEGER,
  summary        TEXT,
  content        TEXT,
  categories     TEXT NOT NULL DEFAULT '',  -- one category per line
  language       TEXT,
  first_seen_at  INTEGER NOT NULL,
  UNIQUE (feed_id, entry_key)
);
CREATE INDEX entries_first_seen ON entries (first_seen_at);
CREATE INDEX entries_feed_seen ON entries (feed_id, first_seen_at);
CREATE TABLE mentions (
  id         INTEGER PRIMARY KEY,
  entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  rule       TEXT NOT NULL,
  category   TEXT NOT NULL,
  terms      TEXT NOT NULL,  -- one matched term per line
  snippet    TEXT NOT NULL,
  highlights TEXT NOT NULL,  -- "begin-end,begin-end" byte offsets into snippet
  created_at INTEGER NOT NULL,
  UNIQUE (entry_id, rule)
);
CREATE INDEX mentions_created ON mentions (created_at);
CREATE INDEX mentions_rule ON mentions (rule, created_at);
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  mention_id      INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead | suppressed | channel_removed
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  UNIQUE (mention_id, channel)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
)sql",
      // 2: alert delivery state per channel (endpoint disabled by a 410, last digest), the
      // digest an outbox row was delivered in, and the per-channel index of the dispatcher.
      R"sql(
CREATE TABLE channel_state (
  channel         TEXT PRIMARY KEY,
  endpoint        TEXT NOT NULL DEFAULT '',  -- the endpoint that was disabled (webhook URL)
  disabled_at     INTEGER,
  disabled_reason TEXT,
  last_digest_at  INTEGER
);
ALTER TABLE outbox ADD COLUMN digest_key TEXT;
CREATE INDEX outbox_channel_due ON outbox (channel, status, next_attempt_at);
)sql",
      // 3: the archive. Full-text index over title and text (contentless: the text lives in
      // entries; rows are added and deleted with the entries), stories grouping the same story
      // across feeds, the title key that joins them. Entries stored before this migration get
      // their index rows and stories here (grouped by their stored link; no title keys).
      R"sql(
CREATE TABLE stories (
  id             INTEGER PRIMARY KEY,
  canonical_link TEXT,
  title_key      TEXT,
  first_seen_at  INTEGER NOT NULL
);
ALTER TABLE entries ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL;
ALTER TABLE entries ADD COLUMN title_key TEXT;
CREATE INDEX entries_canonical ON entries (canonical_link);
CREATE INDEX entries_title_key ON entries (title_key);
CREATE INDEX entries_story ON entries (story_id);
CREATE INDEX mentions_category ON mentions (category, created_at);
CREATE VIRTUAL TABLE entries_fts USING fts5(
  title, text, content = '', tokenize = "unicode61 remove_diacritics 2");
INSERT INTO entries_fts (rowid, title, text)
  SELECT id, COALESCE(title, ''),
         CASE WHEN content IS NULL OR content = COALESCE(summary, '') THEN COALESCE(summary, '')
              WHEN COALESCE(summary, '') = '' THEN content
              ELSE summary || char(10) || content END
  FROM entries;
INSERT INTO stories (id, canonical_link, title_key, first_seen_at)
  SELECT id, canonical_link, NULL, first_seen_at FROM entries
  WHERE canonical_link IS NULL
     OR id = (SELECT MIN(e2.id) FROM entries e2 WHERE e2.canonical_link = entries.canonical_link);
UPDATE entries SET story_id = CASE
  WHEN canonical_link IS NULL THEN id
  ELSE (SELECT MIN(e2.id) FROM entries e2 WHERE e2.canonical_link = entries.canonical_link) END;
)sql",
      // 4: operator events (spike and feed-health alerts) and their own outbox, delivered
      // like mention alerts; one event per (kind, subject, window).
      R"sql(
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,  -- spike | feed_health
  subject    TEXT NOT NULL,  -- the rule name or the feed URL
  window_key TEXT NOT NULL,  -- at most one event per (kind, subject, window)
  title      TEXT NOT NULL,
  text       TEXT NOT NULL,
  payload    TEXT NOT NULL,  -- JSON details for webhooks
  created_at INTEGER NOT NULL,
  UNIQUE (kind, subject, window_key)
);
CREATE TABLE event_outbox (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  UNIQUE (event_id, channel)
);
CREATE INDEX event_outbox_due ON event_outbox (channel, status, next_attempt_at);
)sql",
      // 5: covering indexes for the archive's counts (veille stats, report): per rule and
      // category per day from the mentions index alone, and the feed and story of a mention's
      // entry without reading the entry row.
      R"sql(
CREATE INDEX mentions_created_cover ON mentions (created_at, rule, category, entry_id);
CREATE INDEX entries_id_feed_story ON entries (id, feed_id, story_id);
)sql",
      // 6: polling state that must survive restarts: the URL actually polled after a permanent
      // move (3 identical 301/308 in a row) and the one it replaced, the redirect streak, when
      // the current failure streak began (for "broken"), the last fetch without validators.
      R"sql(
ALTER TABLE feeds ADD COLUMN fetch_url TEXT;
ALTER TABLE feeds ADD COLUMN previous_url TEXT;
ALTER TABLE feeds ADD COLUMN redirect_target TEXT;
ALTER TABLE feeds ADD COLUMN redirect_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN failing_since INTEGER;
ALTER TABLE feeds ADD COLUMN last_unconditional_at INTEGER;
UPDATE feeds SET state = 'ok' WHERE state = 'active';
)sql",
      // 7: the daemon's heartbeat, for `veille status`: one row, rewritten by veilled.
      R"sql(
CREATE TABLE daemon_status (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  pid          INTEGER NOT NULL,
  version      TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at   INTEGER,
  last_error   TEXT
);
)sql",
      // 8: story lookups go through the writer's in-memory keys (store/story_keys.h); the two
      // random-key indexes they used cost about one page write per entry and per index.
      R"sql(
DROP INDEX entries_canonical;
DROP INDEX entries_title_key;
)sql",
      // 9: the full-text index merges its segments 16 at a time instead of 4 (FTS5 automerge):
      // each posting is rewritten about half as often as one-document commits add segments.
      R"sql(
INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 16);
)sql",
      // 10: commits no longer merge the full-text index: the daemon merges it when idle
      // (store::MergeIndexStep, 8 segments of a level at a time: usermerge), and a level is
      // merged at once only when it reaches 32 segments (crisismerge). The covering index of the
      // counts puts entry_id before the rule and category, so the mentions of one second append
      // instead of landing on one page per rule.
      R"sql(
INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 0);
INSERT INTO entries_fts (entries_fts, rank) VALUES ('crisismerge', 32);
INSERT INTO entries_fts (entries_fts, rank) VALUES ('usermerge', 8);
DROP INDEX mentions_created_cover;
CREATE INDEX mentions_created_cover ON mentions (created_at, entry_id, rule, category);
)sql",
      // 11: triage, what the team did with each mention (the web inbox and `veille triage`):
      // its status, a note, who changed it and when, and its tags. A mention without a row is
      // new, so the daemon never writes here; rows go with their mention.
      R"sql(
CREATE TABLE triage (
  mention_id INTEGER PRIMARY KEY REFERENCES mentions(id) ON DELETE CASCADE,
  status     TEXT NOT NULL DEFAULT 'new',  -- new | read | handled | ignored
  note       TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX triage_status ON triage (status, mention_id);
CREATE TABLE triage_tags (
  mention_id INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL,
  PRIMARY KEY (mention_id, tag)
) WITHOUT ROWID;
CREATE INDEX triage_tags_tag ON triage_tags (tag, mention_id);
)sql",
      // 12: `veille poll` asks the daemon to poll a feed now (store/poll_requests.h): the time
      // of the request in Unix milliseconds, cleared with the feed state of the poll answering it.
      R"sql(
ALTER TABLE feeds ADD COLUMN poll_requested_at INTEGER;
)sql",
      // 13: how an entry's language was found (text/language.h): 'declared' by its document or
      // 'detected' in its text by CLD2; NULL when it has none. Until now every stored language
      // was the document's, as written: an empty one is none, "fr_FR" is "fr-FR" (lang: and
      // --lang compare tags with '-').
      R"sql(
ALTER TABLE entries ADD COLUMN language_source TEXT;  -- declared | detected
UPDATE entries SET language = NULL WHERE trim(language) = '';
UPDATE entries SET language = replace(trim(language), '_', '-'), language_source = 'declared'
  WHERE language IS NOT NULL;
)sql",
      // 14: edits and wrong declarations (RELIABILITY.md C4, B6). The hash of an entry's stored
      // text (store/entry_versions.h; NULL for the entries stored before, hashed again quietly
      // when their feed next lists them), read by every poll from the covering index
      // entries_key_hash and never from the row; how often the publisher changed the text under
      // the same key and when it last did. A feed whose last document did not decode as it
      // declared is `encoding_suspect` (why, in words; NULL when it did).
      R"sql(
ALTER TABLE entries ADD COLUMN content_hash INTEGER;
ALTER TABLE entries ADD COLUMN edits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN edited_at INTEGER;
CREATE INDEX entries_key_hash ON entries (feed_id, entry_key, content_hash);
ALTER TABLE feeds ADD COLUMN encoding_suspect TEXT;
)sql",
      // 15: feed leases (docs/scaling.md): on a database several daemons share (PostgreSQL), a
      // due feed is leased by one daemon (lease_owner) until lease_until (Unix ms, the
      // server's clock) or its poll's commit. Unused on SQLite (one daemon), kept for one
      // schema on both backends.
      R"sql(
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until INTEGER;
CREATE INDEX feeds_due ON feeds (next_due_at);
)sql",
      // 16: alert leases (docs/scaling.md, "Alert delivery"): on a shared database each pending
      // alert row and operator event row is claimed by one daemon (lease_owner) until
      // lease_until (Unix ms, the server's clock) or its attempt's outcome. Unused on SQLite (one
      // daemon), kept for one schema on both backends.
      R"sql(
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
ALTER TABLE event_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE event_outbox ADD COLUMN lease_until INTEGER;
)sql",
      // 17: the configuration each daemon runs (store/daemon_configs.h, docs/scaling.md
      // "Configurations that differ"): its fingerprint and a bounded description of its feeds,
      // rules and channels (hashes and names, never a secret), written at start and at each
      // reload. One row on SQLite (one daemon per file).
      R"sql(
CREATE TABLE daemon_configs (
  owner       TEXT PRIMARY KEY,
  hostname    TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  description TEXT NOT NULL,
  written_at  INTEGER NOT NULL,
  seen_at     INTEGER NOT NULL
);
)sql",
      // 18: the dashboard's and the report's period rows (stats.cc) read a mentioned entry's
      // feed, story, dates and language from one covering index instead of the entry row, whose
      // texts come before its dates and language: it replaces entries_id_feed_story, its prefix.
      R"sql(
CREATE INDEX entries_id_cover ON entries (id, feed_id, story_id, published_at, updated_at, language);
DROP INDEX entries_id_feed_story;
)sql",
      // 19: host leases (docs/scaling.md, "Per-host politeness"): on a shared database, the
      // daemon that may fetch from a host ("host:port") until lease_until (Unix ms, the
      // server's clock), and a host's 429 pause (paused_until, Unix seconds). Unused on SQLite
      // (one daemon keeps these in memory), kept for one schema on both backends.
      R"sql(
CREATE TABLE hosts (
  host         TEXT PRIMARY KEY,
  owner        TEXT,
  lease_until  INTEGER,
  paused_until INTEGER
);
)sql",
      // 20: `veilled --once` runs on a shared database (docs/scaling.md, "veilled --once"): when
      // a feed's last poll was stored (poll_stored_at, Unix ms, the server's clock) and when a
      // --once run started (daemon_configs.once_started_at, the same clock), so that runs that
      // overlap poll each feed once between them. Unused on SQLite (one daemon), kept for one
      // schema on both backends.
      R"sql(
ALTER TABLE feeds ADD COLUMN poll_stored_at INTEGER;
ALTER TABLE daemon_configs ADD COLUMN once_started_at INTEGER;
)sql",
      // 21: FTS5 writes its pending terms to a new segment whenever they outgrow `hashsize`
      // (1 MiB by default, about 3,200 short entries), even inside a transaction. 8 MiB holds a
      // 64-document batch's terms and bounds what the writer holds for them. Measured in
      // archive_bench: the merging that commits leave for idle time fell, and insertion went
      // 1.07-1.70x (docs/performance.md).
      R"sql(
INSERT INTO entries_fts (entries_fts, rank) VALUES ('hashsize', 8388608);
)sql",
  };
  return kMigrations;
}

int SchemaVersion() { return static_cast<int>(Migrations().size()); }

namespace {

Result<int> UserVersion(Database& db) {
  auto stmt = db.Prepare("PRAGMA user_version");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(stmt->Int(0));
}

}  // namespace

Result<void> CheckSchema(Database& db, const std::string& location) {
  auto version = UserVersion(db);
  if (!version) return tl::unexpected(version.error());
  if (*version == 0) {
    return Fail(ErrorCode::kNotFound,
                location +
                    " is not a veille database (has veilled run yet? `veille db migrate` "
                    "creates it)");
  }
  if (*version > SchemaVersion()) {
    return Fail(ErrorCode::kStorage, location + " has schema version " + std::to_string(*version) +
                                         ", newer than this veille (" +
                                         std::to_string(SchemaVersion()) + "): upgrade veille");
  }
  if (*version < SchemaVersion()) {
    // Only the daemon and `veille db migrate` migrate: a CLI command never changes the schema
    // under a running daemon of another version.
    return Fail(ErrorCode::kStorage,
                location + " has schema version " + std::to_string(*version) +
                    " and this veille needs " + std::to_string(SchemaVersion()) +
                    ": run `veille db migrate`, or restart veilled, which migrates it on start");
  }
  return {};
}

Result<void> Migrate(Database& db) {
  auto stored = UserVersion(db);  // its statement is finalized: DROP would fail on a stepped one
  if (!stored) return tl::unexpected(stored.error());
  const int current = *stored;
  if (current > SchemaVersion()) {
    return Fail(ErrorCode::kStorage, "database schema version " + std::to_string(current) +
                                         " is newer than this veille (" +
                                         std::to_string(SchemaVersion()) + "); upgrade veille");
  }
  // A fresh database is created in one transaction (one commit and one fsync instead of one per
  // migration, on the start-up of a first `veilled --once`); it is empty, so nothing is lost
  // when one fails. An existing database moves one migration per transaction, so that a long
  // one that fails leaves the ones before it done.
  const bool fresh = current == 0;
  std::optional<Transaction> tx;
  for (int version = current + 1; version <= SchemaVersion(); ++version) {
    if (!tx) {
      auto begun = Transaction::Begin(db);
      if (!begun) return tl::unexpected(begun.error());
      tx.emplace(std::move(*begun));
    }
    if (auto r = db.Exec(Migrations()[static_cast<std::size_t>(version - 1)]); !r) {
      return Fail(r.error().code,
                  "migration " + std::to_string(version) + " failed: " + r.error().message);
    }
    if (auto r = db.Exec("PRAGMA user_version = " + std::to_string(version)); !r) return r;
    if (fresh && version < SchemaVersion()) continue;
    if (auto r = tx->Commit(); !r) return r;
    tx.reset();
  }
  return {};
}

}  // namespace veille::store
