// veille search QUERY: every stored entry (mentioned or not) matching a query in the rule
// language, newest first (by the entry's date, --sort detected or relevance). The full-text
// index proposes candidates; the matcher decides.
#include <iostream>

#include "daemon/cli_archive.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct SearchArgs {
  std::string query;
  std::string since;
  std::string until;
  std::string feed;
  std::string lang;
  std::string format = "table";
  std::string sort = "date";
  int limit = 50;
  bool json = false;
  bool excel = false;
};

int Run(const GlobalOptions& global, const SearchArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const auto output = ChooseOutput(args.format, args.json, args.excel);
  if (!output) return ReportError(output.error());
  const Format format = output->format;
  const CsvDialect dialect = output->dialect;
  const auto period = ParsePeriod(args.since, args.until, Now());
  if (!period) return ReportError(period.error());
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  store::EntryFilter filter;
  filter.since = period->since;
  filter.until = period->until;
  filter.order = store::ParseEntryOrder(args.sort).value_or(store::EntryOrder::kDate);
  if (!args.feed.empty()) {
    auto ids = ResolveFeed(*store, args.feed);
    if (!ids) return ReportError(ids.error());
    filter.feed_ids = std::move(*ids);
  }
  if (!args.lang.empty()) {
    auto lang = ParseLanguageFilter(args.lang);
    if (!lang) return ReportError(lang.error());
    filter.language = *lang;
  }
  std::vector<SearchHit> hits;
  std::size_t emitted = 0;
  if (format == Format::kCsv) {
    std::cout << CsvPreamble(dialect)
              << CsvRecord({"entry", "story", "first_seen", "published", "feed", "title", "link",
                            "canonical_link", "terms", "snippet", "date_source"},
                           dialect);
  }
  auto stats = SearchArchive(*store, args.query, filter, [&](const SearchHit& hit) {
    switch (format) {
      case Format::kNdjson:
        std::cout << DumpJson(HitJson(hit), -1) << "\n";
        break;
      case Format::kCsv: {
        std::string terms;
        for (const auto& t : hit.mention.terms) terms += (terms.empty() ? "" : "; ") + t;
        const auto& e = hit.entry;
        std::cout << CsvRecord(
            {std::to_string(e.id), std::to_string(e.story_id), FormatIso8601(e.first_seen_at),
             OptIso(store::FeedDate(e.published_at, e.updated_at)), e.feed_name,
             e.title.value_or(""), e.link.value_or(""), e.canonical_link.value_or(""), terms,
             hit.mention.snippet, std::string(store::DateSourceName(EntryDateOf(e).source))},
            dialect);
        break;
      }
      default:
        hits.push_back(hit);
    }
    ++emitted;
    return args.limit == 0 || emitted < static_cast<std::size_t>(args.limit);
  });
  if (!stats) {
    std::cerr << "veille search: " << stats.error().message << "\n";
    return stats.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  if (format == Format::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& h : hits) out.push_back(HitJson(h));
    std::cout << DumpJson(out, 2) << "\n";
    return 0;
  }
  if (format != Format::kTable) return 0;
  if (hits.empty()) {
    std::cout << i18n::Format(i18n::Tr("No stored entry matches{filters}."),
                              {{"filters", TerminalSafe(DescribeFilters({{"feed", args.feed},
                                                                         {"lang", args.lang},
                                                                         {"since", args.since},
                                                                         {"until", args.until}}))}})
              << "\n";
    return 0;
  }
  PrintHitTable(hits);
  return 0;
}

void AddSearchCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "search", "Search every stored entry with a query in the rule language, newest first");
  cmd->add_option("--sort", args->sort,
                  "date (default: newest entry date first), detected (newest first seen "
                  "first) or relevance (best full-text rank first)")
      ->check(CLI::IsMember({"date", "detected", "relevance"}));
  cmd->add_option("query", args->query, "The query, e.g. '\"L'Oréal\" NEAR/5 rachat'")->required();
  cmd->add_option("--since", args->since, "Only entries first seen since (7d, 24h, 2026-11-01)");
  cmd->add_option("--until", args->until, "Only entries first seen before (duration ago or date)");
  cmd->add_option("--feed", args->feed, "Only this feed (name or URL)");
  cmd->add_option("--lang", args->lang,
                  "Only entries in this language (fr: fr, fr-FR, fr-CA...), declared or detected");
  cmd->add_option("--limit", args->limit, "At most N entries (default 50; 0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", args->format, "table (default), json, ndjson or csv")
      ->check(CLI::IsMember({"table", "json", "ndjson", "csv"}));
  cmd->add_flag("--json", args->json, "Same as --format json");
  cmd->add_flag("--excel", args->excel,
                "CSV for spreadsheets (implies --format csv): UTF-8 byte order mark, ';' "
                "separator, CRLF line ends");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("search", AddSearchCommand);

}  // namespace veille::cli
