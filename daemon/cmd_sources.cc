// veille sources: the search engines a [[search]] block can name, their URL templates and what
// each supports (config/search.h). Needs no config and no network.
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/search.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"

namespace veille::cli {
namespace {

struct SourcesArgs {
  bool json = false;
};

int Run(const SourcesArgs& args) {
  const auto& sources = config::SearchSources();
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const config::SearchSource& s : sources) {
      out.push_back({{"name", std::string(s.takes_instance ? std::string(s.name) + ":HOST"
                                                           : std::string(s.name))},
                     {"url_template", s.url_template},
                     {"language", s.language},
                     {"country", s.country},
                     {"notes", s.notes}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const config::SearchSource& s : sources) {
    table.push_back({std::string(s.name) + (s.takes_instance ? ":HOST" : ""),
                     s.language ? "yes" : "-", s.country ? "yes" : "-",
                     std::string(s.url_template)});
  }
  PrintTable({"SOURCE", "LANGUAGE", "COUNTRY", "URL"}, table, {}, TerminalWidth());
  std::cout << "\n";
  for (const config::SearchSource& s : sources) {
    std::cout << s.name << ": " << s.notes << "\n";
  }
  std::cout << "\nGoogle Alerts and YouTube channels give fixed feed URLs: see docs/sources.md.\n";
  return 0;
}

void AddSourcesCommand(CLI::App& app, GlobalOptions& /*global*/, int* exit_code) {
  auto args = std::make_shared<SourcesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sources", "List the search sources a [[search]] block can name, with their URL templates");
  cmd->add_flag("--json", args->json, "Print a JSON array");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("sources", AddSourcesCommand);

}  // namespace veille::cli
