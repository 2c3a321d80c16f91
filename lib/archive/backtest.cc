#include "archive/backtest.h"

#include "archive/document.h"
#include "archive/json.h"
#include "store/stats.h"

namespace veille::archive {

Result<Backtest> RunBacktest(store::Store& store, const std::string& query,
                             const std::string& exclude, const store::EntryFilter& filter,
                             std::size_t newest, bool explain) {
  Backtest out;
  if (auto count = store::CountEntries(store, filter)) out.entries = *count;
  auto stats = SearchArchive(
      store, query, filter,
      [&](const SearchHit& hit) {
        const UnixSeconds when = EntryDateOf(hit.entry).at;
        ++out.per_day[store::BucketStart(when, store::Bucket::kDay)];
        if (out.newest.size() < newest) out.newest.push_back(hit);
        return true;
      },
      exclude);
  if (!stats) return tl::unexpected(stats.error());
  out.stats = *stats;
  if (explain) {
    // The same rule, explained on each stored entry listed.
    auto matcher = match::Matcher::Compile({match::RuleSpec{"backtest", "", query, exclude}});
    if (!matcher) return Fail(ErrorCode::kInvalidArgument, matcher.error().message);
    std::string text;
    for (const SearchHit& h : out.newest) {
      out.why.push_back((*matcher)->Explain(DocumentOf(h.entry, text), 0));
    }
  }
  return out;
}

}  // namespace veille::archive
