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

std::string BacktestSummary(const std::string& since, const Backtest& backtest,
                            const i18n::Translator& tr) {
  const auto candidates = static_cast<std::uint64_t>(backtest.stats.candidates);
  const std::string from_index =
      i18n::Format(tr.TrN("{candidates} candidate from the full-text index",
                          "{candidates} candidates from the full-text index", candidates),
                   {{"candidates", tr.Integer(backtest.stats.candidates)}});
  // TRANSLATORS: the plural follows the number of matches (English writes both forms alike);
  // {from_index} is "5 candidates from the full-text index", translated on its own.
  const std::string pattern = tr.TrN(
      "Backtest since {time} UTC: {matches} of {entries} stored "
      "entries would have matched ({from_index})",
      "Backtest since {time} UTC: {matches} of {entries} stored "
      "entries would have matched ({from_index})",
      static_cast<std::uint64_t>(backtest.stats.matches));
  return i18n::Format(pattern, {{"time", since},
                                {"matches", tr.Integer(backtest.stats.matches)},
                                {"entries", tr.Integer(backtest.entries)},
                                {"from_index", from_index}});
}

}  // namespace veille::archive
