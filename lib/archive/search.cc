#include "archive/search.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "archive/document.h"
#include "match/query.h"  // ParseQuery; CheckQuery is in match/matcher.h

namespace veille::archive {

namespace {

struct Compiled {
  match::QueryNode query;
  std::shared_ptr<const match::Matcher> matcher;
};

// The parsed query (for the store's prefilter) and the matcher that verifies candidates.
Result<Compiled> Compile(const std::string& query, const std::string& exclude) {
  auto parsed = match::ParseQuery(query);
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, parsed.error().ToString());
  if (!exclude.empty()) {
    if (const std::string problem = match::CheckQuery(exclude); !problem.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "exclude: " + problem);
    }
  }
  auto matcher = match::Matcher::Compile({match::RuleSpec{"search", "", query, exclude}});
  if (!matcher) return Fail(matcher.error().code, matcher.error().message);
  return Compiled{std::move(*parsed), std::move(*matcher)};
}

// The matcher over the entries of `filter` that the full-text index gives (`prefiltered`: all
// of them, when the filter lists candidate ids already).
Result<SearchStats> Verify(store::Store& store, const Compiled& compiled,
                           const store::EntryFilter& filter, bool prefiltered,
                           const std::function<bool(const SearchHit&)>& visit) {
  SearchStats stats;
  std::string text;
  const match::QueryNode* query = prefiltered ? nullptr : &compiled.query;
  auto scanned = store::ScanEntries(store, query, filter, [&](const store::StoredEntry& entry) {
    ++stats.candidates;
    auto mentions = compiled.matcher->Match(DocumentOf(entry, text));
    if (mentions.empty()) return true;
    ++stats.matches;
    return visit(SearchHit{entry, std::move(mentions.front())});
  });
  if (!scanned) return tl::unexpected(scanned.error());
  return stats;
}

}  // namespace

Result<SearchStats> SearchArchive(store::Store& store, const std::string& query,
                                  const store::EntryFilter& filter,
                                  const std::function<bool(const SearchHit&)>& visit,
                                  const std::string& exclude) {
  auto compiled = Compile(query, exclude);
  if (!compiled) return tl::unexpected(compiled.error());
  return Verify(store, *compiled, filter, false, visit);
}

Result<MatchingMentions> FindMatchingMentions(store::Store& store, store::MentionFilter filter,
                                              const std::string& search, std::int64_t count_up_to,
                                              std::size_t ids_in_statement) {
  MatchingMentions out;
  if (search.empty()) {
    auto listed = store.ListMentions(filter);
    if (!listed) return tl::unexpected(listed.error());
    out.rows = std::move(*listed);
    out.count = static_cast<std::int64_t>(out.rows.size());
    return out;
  }
  auto compiled = Compile(search, "");
  if (!compiled) return tl::unexpected(compiled.error());
  store::EntryFilter entries;
  entries.feed_ids = filter.feed_ids;
  entries.language = filter.language;
  if (filter.since) entries.since = *filter.since - 86400;  // an entry precedes its mentions
  auto candidates = store::CandidateIds(store, compiled->query, entries);
  if (!candidates) return tl::unexpected(candidates.error());
  std::unordered_set<std::int64_t> candidate_set;
  if (*candidates && !filter.entry_ids.empty()) {  // the caller's entries, among the candidates
    const std::unordered_set<std::int64_t> asked(filter.entry_ids.begin(), filter.entry_ids.end());
    std::erase_if(**candidates, [&](std::int64_t id) { return !asked.count(id); });
  }
  if (*candidates) {
    if ((*candidates)->empty()) return out;
    if ((*candidates)->size() <= ids_in_statement) {
      filter.entry_ids = std::move(**candidates);
    } else {
      candidate_set.insert((*candidates)->begin(), (*candidates)->end());
    }
  }
  const std::size_t limit = filter.limit > 0 ? static_cast<std::size_t>(filter.limit) : 0;
  std::int64_t to_skip = std::max(0, filter.offset);
  std::unordered_map<std::int64_t, bool> verdicts;  // entry id -> the matcher accepts it
  // The first chunk holds what the page and the count need when every mention read matches:
  // one statement for a common word (each repeats the candidates' id list).
  store::MentionFilter chunk = filter;
  chunk.offset = 0;
  chunk.limit = static_cast<int>(std::clamp<std::int64_t>(
      std::max<std::int64_t>(std::max(0, filter.offset) + filter.limit, count_up_to) + 1, 64,
      16384));
  for (;;) {
    auto listed = store.ListMentions(chunk);
    if (!listed) return tl::unexpected(listed.error());
    // The chunk's candidate entries not verified yet, verified by id (candidates already: the
    // index is not asked again), 512 to a statement.
    std::vector<std::int64_t> unknown;
    for (const auto& m : *listed) {
      if (!candidate_set.empty() && !candidate_set.count(m.entry_id)) continue;
      if (verdicts.emplace(m.entry_id, false).second) unknown.push_back(m.entry_id);
    }
    for (std::size_t at = 0; at < unknown.size(); at += 512) {
      store::EntryFilter batch;
      batch.ids.assign(
          unknown.begin() + static_cast<std::ptrdiff_t>(at),
          unknown.begin() + static_cast<std::ptrdiff_t>(std::min(unknown.size(), at + 512)));
      auto verified = Verify(store, *compiled, batch, true, [&](const SearchHit& hit) {
        verdicts[hit.entry.id] = true;
        return true;
      });
      if (!verified) return tl::unexpected(verified.error());
    }
    for (auto& m : *listed) {
      const auto verdict = verdicts.find(m.entry_id);
      if (verdict == verdicts.end() || !verdict->second) continue;
      const bool page_full = limit > 0 && out.rows.size() >= limit;
      if (page_full && out.count >= count_up_to) {
        out.more = true;  // one more match than counted: "more than count"
        return out;
      }
      ++out.count;
      if (to_skip > 0) {
        --to_skip;
      } else if (!page_full) {
        out.rows.push_back(std::move(m));
      }
    }
    if (listed->size() < static_cast<std::size_t>(chunk.limit)) return out;
    chunk.offset += chunk.limit;
    chunk.limit = std::min(chunk.limit * 4, 16384);
  }
}

Result<std::vector<store::MentionRow>> ListMatchingMentions(store::Store& store,
                                                            store::MentionFilter filter,
                                                            const std::string& search) {
  auto found = FindMatchingMentions(store, std::move(filter), search, 0);
  if (!found) return tl::unexpected(found.error());
  return std::move(found->rows);
}

}  // namespace veille::archive
