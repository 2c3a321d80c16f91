// veille export: the mentions of a period (or every stored entry) as CSV or JSON, for
// spreadsheets and scripts.
#include <fstream>
#include <iostream>

#include "common/redact.h"
#include "daemon/cli_archive.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct ExportArgs {
  std::string since = "30d";
  std::string until;
  std::string format = "csv";
  std::string what = "mentions";
  std::string output;
  bool excel = false;
};

std::vector<std::string> EntryCells(const store::StoredEntry& e) {
  std::string categories;
  for (const auto& c : e.categories) categories += (categories.empty() ? "" : "; ") + c;
  return {std::to_string(e.id),
          std::to_string(e.story_id),
          FormatIso8601(e.first_seen_at),
          OptIso(store::FeedDate(e.published_at, e.updated_at)),
          e.feed_name,
          RedactUrl(e.feed_url),
          e.title.value_or(""),
          e.link.value_or(""),
          e.canonical_link.value_or(""),
          e.author.value_or(""),
          e.language.value_or(""),
          categories,
          e.summary.value_or(""),
          std::string(store::DateSourceName(EntryDateOf(e).source))};
}

nlohmann::json EntryJson(const store::StoredEntry& e) {
  const auto cells = EntryCells(e);
  static const char* kKeys[] = {"entry",    "story",      "first_seen", "published",      "feed",
                                "feed_url", "title",      "link",       "canonical_link", "author",
                                "language", "categories", "summary",    "date_source"};
  nlohmann::json out;
  out["entry"] = e.id;
  out["story"] = e.story_id;
  for (std::size_t i = 2; i < cells.size(); ++i) out[kKeys[i]] = cells[i];
  out["categories"] = e.categories;
  out["title_derived"] = e.title_derived;
  out["updated"] = e.updated_at ? nlohmann::json(FormatIso8601(*e.updated_at)) : nullptr;
  out["date"] = FormatIso8601(EntryDateOf(e).at);
  if (!e.published_at && !e.updated_at) out["published"] = nullptr;
  return out;
}

int Run(const GlobalOptions& global, const ExportArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const UnixSeconds now = Now();
  if (args.excel && args.format != "csv") {
    std::cerr << "veille: "
              << i18n::Format(i18n::Tr("--excel writes CSV; it cannot be combined with --format "
                                       "{format}"),
                              {{"format", args.format}})
              << "\n";
    return 2;
  }
  const auto period = ParsePeriod(args.since, args.until, now);
  if (!period) return ReportError(period.error());
  const std::optional<UnixSeconds> since = period->since;
  const std::optional<UnixSeconds> until = period->until;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "veille: "
                << i18n::Format(i18n::Tr("cannot write {file}"), {{"file", args.output}}) << "\n";
      return 1;
    }
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  const bool csv = args.format == "csv";
  const CsvDialect dialect = args.excel ? CsvDialect::kExcel : CsvDialect::kRfc4180;
  if (csv) out << CsvPreamble(dialect);
  if (args.what == "mentions") {
    const RuleEntities entities = EntitiesOf(config->rules);
    store::MentionFilter filter;
    filter.since = since;
    filter.until = until;
    filter.limit = 0;
    auto mentions = store->ListMentions(filter);
    if (!mentions) {
      std::cerr << "veille: " << mentions.error().message << "\n";
      return 1;
    }
    if (csv) {
      out << CsvRecord(MentionCsvHeader(), dialect);
      for (const auto& m : *mentions) out << CsvRecord(MentionCsvCells(m, entities), dialect);
    } else {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& m : *mentions) all.push_back(MentionJson(m, entities));
      out << DumpJson(all, 2) << "\n";
    }
  } else {
    store::EntryFilter filter;
    filter.since = since;
    filter.until = until;
    nlohmann::json all = nlohmann::json::array();
    if (csv) {
      out << CsvRecord(
          {"entry", "story", "first_seen", "published", "feed", "feed_url", "title", "link",
           "canonical_link", "author", "language", "categories", "summary", "date_source"},
          dialect);
    }
    auto scanned = store::ScanEntries(*store, nullptr, filter, [&](const store::StoredEntry& e) {
      if (csv) {
        out << CsvRecord(EntryCells(e), dialect);
      } else {
        all.push_back(EntryJson(e));
      }
      return true;
    });
    if (!scanned) {
      std::cerr << "veille: " << scanned.error().message << "\n";
      return 1;
    }
    if (!csv) out << DumpJson(all, 2) << "\n";
  }
  out.flush();
  if (!out) {
    std::cerr << "veille: " << i18n::Tr("write failed") << "\n";
    return 1;
  }
  return 0;
}

void AddExportCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export mentions or entries as CSV or JSON");
  cmd->add_option("--since", args->since, "Start of the period (default 30d; or a date)");
  cmd->add_option("--until", args->until, "End of the period (default now)");
  cmd->add_option("--format", args->format, "csv (default) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  cmd->add_option("--what", args->what, "mentions (default) or entries (every stored entry)")
      ->check(CLI::IsMember({"mentions", "entries"}));
  cmd->add_option("-o,--output", args->output, "Write to this file instead of stdout");
  cmd->add_flag("--excel", args->excel,
                "CSV for spreadsheets: UTF-8 byte order mark, ';' separator, CRLF line ends");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("export", AddExportCommand);

}  // namespace veille::cli
