// Private to lib/store: the PostgreSQL writer's new-entry statement (store_commit.cc), named so
// that tests can check its plan. It finds the entry's story and writes the entry in one
// statement, so that a document's entries need no answer from the server before the next is
// sent (Connection::ExecPipeline). The story lookups are served by the hash indexes of
// migration 15 (entries_canonical, entries_title_key; pg/schema.cc): without them, every new
// entry read the whole entries table twice.
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

}  // namespace veille::store::pg
