#include "archive/search.h"

#include <algorithm>
#include <unordered_set>

#include "archive/document.h"
#include "match/query.h"  // ParseQuery; CheckQuery is in match/matcher.h

namespace veille::archive {

Result<SearchStats> SearchArchive(store::Store& store, const std::string& query,
                                  const store::EntryFilter& filter,
                                  const std::function<bool(const SearchHit&)>& visit,
                                  const std::string& exclude) {
  auto parsed = match::ParseQuery(query);
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, parsed.error().ToString());
  if (!exclude.empty()) {
    if (const std::string problem = match::CheckQuery(exclude); !problem.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "exclude: " + problem);
    }
  }
  auto matcher = match::Matcher::Compile({match::RuleSpec{"search", "", query, exclude}});
  if (!matcher) return Fail(matcher.error().code, matcher.error().message);
  SearchStats stats;
  std::string text;
  auto scanned = store::ScanEntries(store, &*parsed, filter, [&](const store::StoredEntry& entry) {
    ++stats.candidates;
    auto mentions = (*matcher)->Match(DocumentOf(entry, text));
    if (mentions.empty()) return true;
    ++stats.matches;
    return visit(SearchHit{entry, std::move(mentions.front())});
  });
  if (!scanned) return tl::unexpected(scanned.error());
  return stats;
}

namespace {

// Up to this many matching entries, the store lists their mentions itself (an id list in the
// statement); beyond, the filter's mentions are read newest first in growing chunks and kept
// when their entry matched, until the page is full.
constexpr std::size_t kEntryIdsInStatement = 4096;

}  // namespace

Result<std::vector<store::MentionRow>> ListMatchingMentions(store::Store& store,
                                                            store::MentionFilter filter,
                                                            const std::string& search) {
  if (search.empty()) return store.ListMentions(filter);
  std::vector<std::int64_t> found;
  store::EntryFilter entries;
  entries.feed_ids = filter.feed_ids;
  entries.language = filter.language;
  if (filter.since) entries.since = *filter.since - 86400;  // an entry precedes its mentions
  auto searched = SearchArchive(store, search, entries, [&](const SearchHit& hit) {
    found.push_back(hit.entry.id);
    return true;
  });
  if (!searched) return tl::unexpected(searched.error());
  if (found.empty()) return std::vector<store::MentionRow>{};
  if (found.size() <= kEntryIdsInStatement) {
    filter.entry_ids = std::move(found);
    return store.ListMentions(filter);
  }
  const std::unordered_set<std::int64_t> matching(found.begin(), found.end());
  const int limit = filter.limit;
  int to_skip = std::max(0, filter.offset);
  std::vector<store::MentionRow> mentions;
  store::MentionFilter chunk = filter;
  chunk.offset = 0;
  chunk.limit = 512;
  for (;;) {
    auto listed = store.ListMentions(chunk);
    if (!listed) return tl::unexpected(listed.error());
    for (auto& m : *listed) {
      if (!matching.count(m.entry_id)) continue;
      if (to_skip > 0) {
        --to_skip;
        continue;
      }
      mentions.push_back(std::move(m));
      if (limit > 0 && mentions.size() >= static_cast<std::size_t>(limit)) return mentions;
    }
    if (listed->size() < static_cast<std::size_t>(chunk.limit)) return mentions;
    chunk.offset += chunk.limit;
    chunk.limit = std::min(chunk.limit * 2, 16384);
  }
}

}  // namespace veille::archive
