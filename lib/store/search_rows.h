// Private to lib/store: a stored entry's columns and how a row of them reads, shared by the
// SQLite (search.cc) and PostgreSQL (pg/search.cc) sides of search.h.
#pragma once

#include <string>
#include <utility>

#include "common/entry_text.h"
#include "store/search.h"

namespace veille::store {

// The columns ReadStoredEntry reads, in its order, over `entries e JOIN feeds f`.
inline constexpr const char* kEntryColumns =
    "e.id, e.story_id, f.name, f.url, e.link, e.canonical_link, e.title, e.author, "
    "e.published_at, e.first_seen_at, e.summary, e.content, e.categories, e.language, "
    "e.updated_at, e.language_source";

// A stored entry from a row with kEntryColumns first. `Row` reads columns 0-based: Int, OptInt,
// Text, OptText (store::Statement, PgRow).
template <typename Row>
StoredEntry ReadStoredEntry(const Row& s) {
  StoredEntry e;
  e.id = s.Int(0);
  e.story_id = s.OptInt(1).value_or(0);
  e.feed_name = s.Text(2);
  e.feed_url = s.Text(3);
  e.link = s.OptText(4);
  e.canonical_link = s.OptText(5);
  e.title = s.OptText(6);
  e.author = s.OptText(7);
  e.published_at = s.OptInt(8);
  e.first_seen_at = s.Int(9);
  e.summary = s.OptText(10);
  e.content = s.OptText(11);
  e.categories = SplitLines(s.Text(12));
  e.language = s.OptText(13);
  e.updated_at = s.OptInt(14);
  e.language_source = s.OptText(15);
  if (!e.title) {  // Mastodon posts and the like: a title from the first words of the text
    std::string derived =
        DerivedTitle(e.summary && !e.summary->empty() ? *e.summary : e.content.value_or(""));
    if (!derived.empty()) {
      e.title = std::move(derived);
      e.title_derived = true;
    }
  }
  return e;
}

}  // namespace veille::store
