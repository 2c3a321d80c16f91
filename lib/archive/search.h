// The query language over the stored archive: the full-text index gives a superset of
// candidates, the real matcher confirms them (so `veille search`, `veille mentions --search` and
// the web inbox's search box answer the same). Reads through the store interface only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "match/matcher.h"
#include "store/search.h"
#include "store/store.h"

namespace veille::archive {

struct SearchHit {
  store::StoredEntry entry;
  match::Mention mention;  // terms, snippet, highlights
};

struct SearchStats {
  std::int64_t candidates = 0;  // entries the index returned
  std::int64_t matches = 0;     // entries the matcher confirmed
};

// Runs `query` (minus the entries matching `exclude`, when not empty) over the stored entries
// in `filter`, in filter.order, calling `visit` for each confirmed match until it returns false.
// A malformed query fails with kInvalidArgument and a "column N: message" (an exclude's with
// "exclude: column N: ...").
[[nodiscard]] Result<SearchStats> SearchArchive(store::Store& store, const std::string& query,
                                                const store::EntryFilter& filter,
                                                const std::function<bool(const SearchHit&)>& visit,
                                                const std::string& exclude = "");

// The mentions of `filter` (newest first) whose entry `search` matches (every mention when
// `search` is empty), and how many match. The work is bounded by the page, not the archive:
// the full-text index gives the candidate entries (ids only, store::CandidateIds), the
// filter's mentions of those candidates are read newest first in chunks, and the matcher
// verifies only their entries, each once, until the page (filter.offset, then filter.limit;
// limit 0 = all) is full and more than `count_up_to` matching mentions were counted, or the
// candidates are exhausted. So the rows are exactly those of the full search (the same
// mentions as `veille search` finds entries), whatever the cap. A malformed `search` fails
// with kInvalidArgument as SearchArchive does.
struct MatchingMentions {
  std::vector<store::MentionRow> rows;
  std::int64_t count = 0;  // matching mentions counted, the page's and those before it included
  bool more = false;       // the count stopped early: more than `count` mentions match
};
// Up to `ids_in_statement` candidate entries, the store lists the mentions of those entries
// itself (an id list in the statement); beyond (a word in most entries), the filter's mentions
// are read newest first and kept when their entry is a candidate. Both give the same rows; the
// parameter is there for the tests to take the second path on a small archive.
inline constexpr std::size_t kEntryIdsInStatement = 50000;
[[nodiscard]] Result<MatchingMentions> FindMatchingMentions(
    store::Store& store, store::MentionFilter filter, const std::string& search,
    std::int64_t count_up_to, std::size_t ids_in_statement = kEntryIdsInStatement);

// FindMatchingMentions's rows, counting no further than the page.
[[nodiscard]] Result<std::vector<store::MentionRow>> ListMatchingMentions(
    store::Store& store, store::MentionFilter filter, const std::string& search);

}  // namespace veille::archive
