// Private to lib/store: the PostgreSQL writer's story lookups (store_commit.cc StoryFor), named
// so that tests can check their plans. Both are served by the hash indexes of migration 15
// (entries_canonical, entries_title_key; pg/schema.cc): without them, every new entry read the
// whole entries table twice.
#pragma once

namespace veille::store::pg {

// $1 canonical link, $2 the oldest first_seen_at of the story window.
inline constexpr const char* kStoryByCanonicalLinkSql =
    "SELECT story_id FROM entries WHERE canonical_link = $1 AND story_id IS NOT NULL "
    "AND first_seen_at >= $2 ORDER BY id DESC LIMIT 1";

// $1 title key, $2 the oldest first_seen_at, $3 the entry's feed date, $4 the title window.
inline constexpr const char* kStoryByTitleKeySql =
    "SELECT story_id FROM entries WHERE title_key = $1 AND story_id IS NOT NULL "
    "AND first_seen_at >= $2 "
    "AND abs(COALESCE(published_at, updated_at, first_seen_at) - $3::bigint) <= $4 "
    "ORDER BY id DESC LIMIT 1";

}  // namespace veille::store::pg
