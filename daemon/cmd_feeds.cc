// veille feeds: every configured feed with its fetch state and counts.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/redact.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct FeedsArgs {
  bool json = false;
  bool failing = false;
};

int Run(const GlobalOptions& global, const FeedsArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  auto rows = store->ListFeeds();
  if (!rows) {
    std::cerr << "veille: " << rows.error().message << "\n";
    return 1;
  }
  std::map<std::string, const store::FeedRow*> by_url;
  for (const auto& r : *rows) by_url[r.url] = &r;

  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> table;
  for (const auto& f : config->feeds) {
    auto it = by_url.find(f.url);
    const store::FeedRow* r = it == by_url.end() ? nullptr : it->second;
    // TRANSLATORS: a feed never polled yet (the other states are in the report's table).
    const std::string state =
        !r ? i18n::NC_("feed state", "new")
           : (r->last_fetch_at ? std::string(FeedStateName(r->state)) : "new");
    if (args.failing && (state == "ok" || state == "new")) continue;
    // The current interval: from the last poll to the next one (adaptive, or backed off).
    std::optional<std::int64_t> interval;
    if (r && r->last_fetch_at && r->next_due_at && *r->next_due_at >= *r->last_fetch_at) {
      interval = *r->next_due_at - *r->last_fetch_at;
    }
    auto opt_time = [](std::optional<UnixSeconds> t) -> nlohmann::json {
      if (t) return FormatIso8601(*t);
      return nullptr;
    };
    if (args.json) {
      out.push_back({
          {"name", f.name},
          {"url", RedactUrl(f.url)},
          {"source",
           f.search_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.search_source)},
          {"state", state},
          {"last_fetch", r ? opt_time(r->last_fetch_at) : nullptr},
          {"last_outcome", r && r->last_outcome ? nlohmann::json(*r->last_outcome) : nullptr},
          {"last_status", r && r->last_status ? nlohmann::json(*r->last_status) : nullptr},
          {"last_error", r && r->last_error ? nlohmann::json(*r->last_error) : nullptr},
          {"consecutive_failures", r ? r->consecutive_failures : 0},
          {"next_poll", r ? opt_time(r->next_due_at) : nullptr},
          {"interval_s", interval ? nlohmann::json(*interval) : nullptr},
          {"last_new_entry", r ? opt_time(r->last_new_entry_at) : nullptr},
          {"entries", r ? r->entry_count : 0},
          {"mentions", r ? r->mention_count : 0},
          {"encoding_suspect",
           r && r->encoding_suspect ? nlohmann::json(*r->encoding_suspect) : nullptr},
      });
    } else {
      // The outcome in words of the language; the error after it as the fetcher wrote it.
      const std::string raw = r && r->last_outcome ? *r->last_outcome : "-";
      std::string outcome = r && r->last_outcome ? OutcomeLabel(raw) : "-";
      if (r && r->last_error && !r->last_error->empty()) {
        // Errors often start with their class already ("dns: could not resolve ..."): once.
        std::string_view error = *r->last_error;
        if (error.starts_with(raw + ":")) {
          error.remove_prefix(raw.size() + 1);
          while (error.starts_with(' ')) error.remove_prefix(1);
        }
        outcome = i18n::Format(i18n::TrP("outcome and error", "{outcome}: {error}"),
                               {{"outcome", outcome}, {"error", error}});
      }
      const auto& tr = i18n::ProcessTranslator();
      std::string shown_state = tr.TrP("feed state", state);
      if (r && r->encoding_suspect) {
        // TRANSLATORS: a feed state, then a mark: the last document's bytes were not in the
        // encoding it declared and were read as another one (`veille feeds --json` says why).
        shown_state = i18n::Format(i18n::TrP("feed state", "{state}, encoding suspect"),
                                   {{"state", shown_state}});
      }
      table.push_back({TerminalSafe(f.name), shown_state, r ? ShortTime(r->last_fetch_at) : "-",
                       tr.Integer(r ? r->entry_count : 0), tr.Integer(r ? r->mention_count : 0),
                       r ? ShortTime(r->next_due_at) : "-",
                       interval ? ShortDuration(*interval) : "-",
                       r && r->consecutive_failures ? std::to_string(r->consecutive_failures) : "0",
                       TerminalSafe(outcome)});
    }
  }
  if (args.json) {
    std::cout << DumpJson(out) << "\n";
  } else if (table.empty()) {
    std::cout << (args.failing ? i18n::Tr("No failing feeds.") : i18n::Tr("No feeds configured."))
              << "\n";
  } else {
    PrintTable({i18n::TrP("column", "FEED"), i18n::TrP("column", "STATE"),
                i18n::TrP("column", "LAST FETCH"), i18n::TrP("column", "ENTRIES"),
                i18n::TrP("column", "MENTIONS"), i18n::TrP("column", "NEXT POLL"),
                i18n::TrP("column", "INTERVAL"), i18n::TrP("column", "FAILURES"),
                i18n::TrP("column", "OUTCOME")},
               table, {{8, 20}, {0, 16}}, TerminalWidth());
  }
  return 0;
}

void AddFeedsCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<FeedsArgs>();
  CLI::App* cmd = app.add_subcommand("feeds", "List configured feeds with their fetch state");
  cmd->add_flag("--json", args->json, "Print a JSON array");
  cmd->add_flag("--failing", args->failing, "Only feeds whose last poll failed");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("feeds", AddFeedsCommand);

}  // namespace veille::cli
