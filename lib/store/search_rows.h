// Private to lib/store: what the SQLite (search.cc) and PostgreSQL (pg/search.cc) sides of
// search.h share: a stored entry's columns and how a row of them reads, and the paging of a scan
// (search_rows.cc), each backend giving the statements that read one page.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/backend.h"
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
  // Mastodon posts and the like: a title from the first words of the text.
  DeriveMissingTitle(e.title, e.title_derived,
                     e.summary && !e.summary->empty() ? e.summary : e.content);
  return e;
}

using EntryVisitor = std::function<bool(const StoredEntry&)>;

// kDetected: `read_page(below, page_size)` reads up to `page_size` entries with an id below
// `below`, newest first (INT64_MAX on the first page). Pages grow from 64 to 512 rows (a search
// that stops after its first 50 hits reads little), each read before `visit` sees its rows (no
// statement or snapshot held while `visit` runs), until `visit` returns false or a page is short.
[[nodiscard]] Result<void> VisitByDetection(
    const std::function<Result<std::vector<StoredEntry>>(std::int64_t below,
                                                         std::int64_t page_size)>& read_page,
    const EntryVisitor& visit);

// One candidate of kDate or kRelevance: its sort key (the entry date; the id for kDetected on
// PostgreSQL; a rank, lower better: bm25, or minus ts_rank) and its id.
struct Ranked {
  double key = 0;
  std::int64_t id = 0;
};

// Sorts `ranked` lowest key first when `relevance` (a rank), else highest first (newest); ties:
// newest id first.
void SortRanked(std::vector<Ranked>& ranked, bool relevance);

// Visits the entries of `ranked` in its order: `read_rows(ids)` reads the rows of a page of ids
// (in any order; an id without a row was pruned since the candidates were read and is skipped).
// Pages grow from 64 to 512 ids, until `visit` returns false.
[[nodiscard]] Result<void> VisitRanked(
    const std::vector<Ranked>& ranked,
    const std::function<Result<std::vector<StoredEntry>>(const std::vector<std::int64_t>& ids)>&
        read_rows,
    const EntryVisitor& visit);

}  // namespace veille::store
