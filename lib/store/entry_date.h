// An entry's date as veille shows, sorts and counts it (docs/storage.md, "Dates"): the date
// the feed published it, else the date it was last updated (Atom entries with only <updated>,
// RSS 1.0 dc:date), else the time veille first saw it. Computed when read, from the stored
// published_at, updated_at and first_seen_at: no stored copy to migrate. (first_seen_at comes
// after the texts in an entries row: reading it walks a long content's overflow pages, so the
// SQL form reads it only for entries without a date.)
#pragma once

#include <optional>
#include <string_view>

#include "common/time.h"

namespace veille::store {

enum class DateSource { kPublished, kUpdated, kDetected };

// "published", "updated", "detected" (the JSON field date_source).
std::string_view DateSourceName(DateSource source);

struct EntryDate {
  UnixSeconds at = 0;
  DateSource source = DateSource::kDetected;
};

// `detected`: when veille first saw the entry (entries.first_seen_at; a mention's created_at,
// written in the same commit).
EntryDate DateOf(std::optional<UnixSeconds> published, std::optional<UnixSeconds> updated,
                 UnixSeconds detected);

// The date the feed gave (published, else updated), nullopt when it gave none: what the
// "published" fields of JSON and CSV outputs show.
std::optional<UnixSeconds> FeedDate(std::optional<UnixSeconds> published,
                                    std::optional<UnixSeconds> updated);

// DateOf in SQL, over an `entries` table aliased `e`: for ORDER BY and GROUP BY.
inline constexpr const char* kEntryDateSql =
    "COALESCE(e.published_at, e.updated_at, e.first_seen_at)";

}  // namespace veille::store
