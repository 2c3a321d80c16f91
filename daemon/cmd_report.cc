// veille report: writes the HTML page of daemon/cli_report_html.h for a period, in the language
// of --language, else of the environment (LANG, LC_MESSAGES, ...), else of `[daemon] language`.
#include <fstream>
#include <iostream>

#include "daemon/cli_filters.h"
#include "daemon/cli_report_html.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "report/charts_data.h"
#include "store/stats.h"

namespace veille::cli {
namespace {

struct ReportArgs {
  std::string since = "30d";
  std::string until;
  std::string by;
  std::string by_date = "entry";
  std::string output = "report.html";
  std::string title;  // "" = "Mention report", translated
  std::string language;
  std::string lang;  // --lang: only entries in this language
};

// --language, else the language the environment names, else the config's (docs/cli.md).
std::optional<i18n::Translator> ReportTranslator(const ReportArgs& args,
                                                 const config::Config& config) {
  std::string language = args.language;
  if (language.empty()) language = i18n::LanguageNamedByEnvironment();
  if (language.empty()) language = config.daemon.language;
  if (language == i18n::ProcessTranslator().language()) return i18n::ProcessTranslator();
  auto translator = i18n::LoadTranslator(language);
  if (!translator) {
    std::cerr << "veille: " << translator.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*translator);
}

int Run(const GlobalOptions& global, const ReportArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const auto tr = ReportTranslator(args, *config);
  if (!tr) return 1;
  store::StatsQuery query;
  query.now = Now();
  const auto parsed = ParsePeriod(args.since, args.until, query.now);
  if (!parsed) return ReportError(parsed.error());
  query.since = parsed->since.value_or(query.now - 30 * 86400);
  query.until = parsed->until;
  query.bucket = args.by == "month"  ? store::Bucket::kMonth
                 : args.by == "week" ? store::Bucket::kWeek
                 : args.by == "day"
                     ? store::Bucket::kDay
                     : report::BucketForPeriod(query.since, query.until.value_or(query.now));
  query.count_by =
      args.by_date == "detected" ? store::CountBy::kDetected : store::CountBy::kEntryDate;
  if (!args.lang.empty()) {
    auto lang = ParseLanguageFilter(args.lang);
    if (!lang) return ReportError(lang.error());
    query.language = *lang;
  }

  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  auto charts = report::ReadCharts(*store, query, report::RuleEntities(config->rules));
  auto stories = charts ? store::TopStories(*store, query, 8) : tl::unexpected(charts.error());
  auto feeds = stories ? store->ListFeeds() : tl::unexpected(stories.error());
  if (!feeds) {
    std::cerr << "veille: " << feeds.error().message << "\n";
    return 1;
  }
  ReportData data;
  data.title = args.title;
  data.since = query.since;
  data.until = query.until.value_or(query.now);
  data.generated = query.now;
  data.bucket = query.bucket;
  data.voice = std::move(charts->voice);
  data.volume = std::move(charts->volume);
  data.sources = std::move(charts->sources);
  data.languages = std::move(charts->languages);
  data.language = query.language;
  data.stories = std::move(*stories);
  data.feeds = std::move(*feeds);
  data.story_count = charts->reach.stories;
  data.source_count = charts->reach.sources;

  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << RenderReport(data, *tr);
  out.flush();
  if (!out) {
    std::cerr << "veille: " << i18n::Format(tr->Tr("cannot write {file}"), {{"file", args.output}})
              << "\n";
    return 1;
  }
  std::cout << i18n::Format(tr->TrN("Wrote {file} ({n} mention, {period})",
                                    "Wrote {file} ({n} mentions, {period})",
                                    static_cast<std::uint64_t>(data.volume.total)),
                            {{"file", args.output},
                             {"n", tr->Integer(data.volume.total)},
                             {"period", ReportPeriod(data, *tr)}})
            << "\n";
  return 0;
}

void AddReportCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write a self-contained HTML report: volume, share of voice, sources, languages, "
      "stories");
  cmd->add_option("--since", args->since, "Start of the period (default 30d; or a date)");
  cmd->add_option("--until", args->until, "End of the period (default now)");
  cmd->add_option("--by", args->by, "day, week or month (default: from the period length)")
      ->check(CLI::IsMember({"day", "week", "month"}));
  cmd->add_option("--by-date", args->by_date,
                  "Count mentions by the entry's date (entry, default: published, else "
                  "updated, else first seen) or by detection time (detected)")
      ->check(CLI::IsMember({"entry", "detected"}));
  cmd->add_option("-o,--output", args->output, "The HTML file to write (default report.html)");
  cmd->add_option("--title", args->title,
                  "The page title (default \"Mention report\", in the report's language)");
  cmd->add_option("--lang", args->lang,
                  "Only mentions of entries in this language (fr: fr, fr-FR, fr-CA...), declared "
                  "or detected");
  cmd->add_option("--language", args->language,
                  "The language the report is written in, en or fr (default: LANG / "
                  "LC_MESSAGES, else [daemon] language); --lang filters the entries")
      ->check(CLI::IsMember({"en", "fr"}));
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("report", AddReportCommand);

}  // namespace veille::cli
