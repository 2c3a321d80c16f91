// The query language over the stored archive: the full-text index gives a superset of
// candidates, the real matcher confirms them (so `veille search`, `veille mentions --search` and
// the web inbox's search box answer the same). Reads through the store interface only.
#pragma once

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
// `search` is empty): SearchArchive over the entries of the filter's feeds and language, joined
// to Store::ListMentions. filter.offset and filter.limit apply to the result (limit 0 = all). A
// malformed `search` fails with kInvalidArgument as SearchArchive does.
[[nodiscard]] Result<std::vector<store::MentionRow>> ListMatchingMentions(
    store::Store& store, store::MentionFilter filter, const std::string& search);

}  // namespace veille::archive
