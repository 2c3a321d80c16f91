#include "archive/search.h"

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

Result<std::vector<store::MentionRow>> ListMatchingMentions(store::Store& store,
                                                            store::MentionFilter filter,
                                                            const std::string& search) {
  const int limit = filter.limit;
  std::unordered_set<std::int64_t> matching_entries;
  if (!search.empty()) {
    store::EntryFilter entries;
    entries.feed_ids = filter.feed_ids;
    entries.language = filter.language;
    if (filter.since) entries.since = *filter.since - 86400;  // an entry precedes its mentions
    auto found = SearchArchive(store, search, entries, [&](const SearchHit& hit) {
      matching_entries.insert(hit.entry.id);
      return true;
    });
    if (!found) return tl::unexpected(found.error());
    filter.limit = 0;  // the join decides which mentions count
  }
  auto listed = store.ListMentions(filter);
  if (!listed) return tl::unexpected(listed.error());
  if (search.empty()) return listed;
  std::vector<store::MentionRow> mentions;
  for (auto& m : *listed) {
    if (!matching_entries.count(m.entry_id)) continue;
    if (limit > 0 && mentions.size() >= static_cast<std::size_t>(limit)) break;
    mentions.push_back(std::move(m));
  }
  return mentions;
}

}  // namespace veille::archive
