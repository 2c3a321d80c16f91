// Private to lib/store: the PostgreSQL writer's new-entry and outbox statements
// (store_commit.cc), named so that tests can check their plans. It finds the entry's story and
// writes the entry in one statement, so that a document's entries need no answer from the server
// before the next is sent (Connection::ExecPipeline). The story lookups are served by the hash
// indexes of migration 15 (entries_canonical, entries_title_key; pg/schema.cc): without them, every
// new entry read the whole entries table twice.
#pragma once

namespace veille::store::pg {

// Parameters: $1 feed id, $2 entry key, $3 guid, $4 link, $5 canonical link, $6 title,
// $7 author, $8 published_at, $9 updated_at, $10 summary, $11 content, $12 categories,
// $13 language, $14 first_seen_at (the fetch time), $15 title key (NULL when empty),
// $16 language source, $17 content hash, $18 the oldest first_seen_at of the story window,
// $19 the entry's feed date, $20 the title window (seconds).
//
// The story: the newest entry of the window with the same non-empty canonical link, else with
// the same title key published within the title window (stories.h), else a new story row.
// A key already stored inserts nothing and creates no story; the one row returned holds the
// new entry's id and story (NULL when nothing was inserted) and the id of the story created
// (NULL when none). A story created for a key that another session stored meanwhile (the
// INSERT's conflict) is left to the caller to delete.
inline constexpr const char* kInsertEntrySql =
    "WITH found AS (SELECT COALESCE("
    "(SELECT story_id FROM entries WHERE canonical_link = NULLIF($5::text, '') "
    "AND story_id IS NOT NULL AND first_seen_at >= $18::bigint ORDER BY id DESC LIMIT 1), "
    "(SELECT story_id FROM entries WHERE title_key = $15::text AND story_id IS NOT NULL "
    "AND first_seen_at >= $18::bigint "
    "AND abs(COALESCE(published_at, updated_at, first_seen_at) - $19::bigint) <= $20::bigint "
    "ORDER BY id DESC LIMIT 1)) AS story_id), "
    "new_story AS (INSERT INTO stories (canonical_link, title_key, first_seen_at) "
    "SELECT $5::text, $15::text, $14::bigint FROM found WHERE found.story_id IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM entries WHERE feed_id = $1::bigint AND entry_key = $2::text) "
    "RETURNING id), "
    "inserted AS (INSERT INTO entries (feed_id, entry_key, guid, link, canonical_link, title, "
    "author, published_at, updated_at, summary, content, categories, language, first_seen_at, "
    "story_id, title_key, language_source, content_hash) "
    "SELECT $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, "
    "$8::bigint, $9::bigint, $10::text, $11::text, $12::text, $13::text, $14::bigint, "
    "COALESCE(found.story_id, (SELECT id FROM new_story)), $15::text, $16::text, $17::bigint "
    "FROM found ON CONFLICT (feed_id, entry_key) DO NOTHING RETURNING id, story_id) "
    "SELECT (SELECT id FROM inserted), (SELECT story_id FROM inserted), "
    "(SELECT id FROM new_story)";

// A mention's outbox row on a channel ($1 mention id, $2 channel, $3 idempotency key, $5 now),
// suppressed with reason $4 (the first poll of the feed) when not NULL, else when another entry
// of the story ($6; $7 this entry) already has a row on the channel: one alert per story and
// channel (store.h, stories.h StoryAlerted). The check reads the story's entries, then their
// mentions, then those mentions' rows on the channel; each EXISTS is kept a subplan (OFFSET 0)
// so that this order holds whatever the statistics. As a join, the generic plan made while the
// tables had no statistics yet (a new database: the first cycle) read every outbox row of the
// channel instead, for every new mention: 7.5 ms each at 2,000 rows, 1.1 ms per entry
// written (docs/performance.md).
inline constexpr const char* kInsertOutboxSql =
    "INSERT INTO outbox (mention_id, channel, idempotency_key, status, next_attempt_at, "
    "created_at, last_error) "
    "SELECT $1, $2, $3, CASE WHEN r.reason IS NULL THEN 'pending' ELSE 'suppressed' END, $5, "
    "$5, r.reason FROM (SELECT COALESCE($4::text, CASE WHEN EXISTS (SELECT 1 FROM entries e "
    "WHERE e.story_id = $6::bigint AND e.id <> $7::bigint AND EXISTS (SELECT 1 FROM mentions m "
    "WHERE m.entry_id = e.id AND EXISTS (SELECT 1 FROM outbox o WHERE o.mention_id = m.id "
    "AND o.channel = $2::text OFFSET 0) OFFSET 0)) "
    "THEN 'same story already alerted' END) AS reason) r "
    "ON CONFLICT (mention_id, channel) DO NOTHING";

}  // namespace veille::store::pg
