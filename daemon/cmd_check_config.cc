// veille check-config: validates a configuration file, rules included, without touching anything.
#include <iostream>
#include <set>

#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "match/matcher.h"
#include "match/query.h"

namespace veille::cli {
namespace {

// 'rule "crise": PROBLEM' or 'rule "crise" exclude: PROBLEM': a problem of a rule's query.
std::string RuleProblem(const std::string& name, bool exclude, const std::string& problem) {
  return i18n::Format(exclude ? i18n::Tr("rule \"{rule}\" exclude: {problem}")
                              : i18n::Tr("rule \"{rule}\": {problem}"),
                      {{"rule", name}, {"problem", problem}});
}

int Run(const GlobalOptions& global, const std::string& file) {
  const std::string path = file.empty() ? global.config_path : file;
  auto config = config::LoadConfig(path);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 1;
  }
  // Every rule's query and exclude query, with the rule's file:line.
  int errors = 0;
  for (const auto& rule : config->rules) {
    for (const auto& [exclude, query] :
         {std::pair<bool, const std::string&>{false, rule.query}, {true, rule.exclude}}) {
      if (query.empty()) continue;
      const std::string problem = match::CheckQuery(query);
      if (problem.empty()) continue;
      std::cerr << path << ":" << rule.query_line << ": "
                << RuleProblem(rule.name, exclude, problem) << "\n";
      ++errors;
    }
  }
  if (errors > 0) return 1;
  std::vector<match::RuleSpec> specs;
  for (const auto& r : config->rules) specs.push_back({r.name, r.category, r.query, r.exclude});
  if (auto matcher = match::Matcher::Compile(specs); !matcher) {
    std::cerr << path << ": " << matcher.error().message << "\n";
    return 1;
  }
  // Queries that parse but probably do not say what was meant: warnings, exit 0.
  int warnings = 0;
  for (const auto& rule : config->rules) {
    for (const auto& [exclude, query] :
         {std::pair<bool, const std::string&>{false, rule.query}, {true, rule.exclude}}) {
      for (const match::QueryError& w : match::LintQuery(query)) {
        std::cerr << path << ":" << rule.query_line << ": " << i18n::Tr("warning:") << " "
                  << RuleProblem(rule.name, exclude, w.ToString()) << "\n";
        ++warnings;
      }
    }
  }
  // An entity written on a rule but with no brand or competitor rule has no share of voice.
  std::set<std::string> voiced;
  for (const auto& rule : config->rules) {
    if (rule.category == "brand" || rule.category == "competitor") voiced.insert(rule.entity);
  }
  for (const auto& rule : config->rules) {
    if (rule.entity == rule.name || voiced.count(rule.entity) > 0) continue;
    std::cerr << path << ":" << rule.line << ": " << i18n::Tr("warning:") << " "
              << RuleProblem(rule.name, false,
                             i18n::Format(i18n::Tr("entity \"{entity}\" has no rule of category "
                                                   "brand or competitor, so it is not in the share "
                                                   "of voice"),
                                          {{"entity", rule.entity}}))
              << "\n";
    ++warnings;
  }
  const std::size_t feeds = config->feeds.size();
  const std::size_t rules = config->rules.size();
  const std::size_t channels = config->channels.size();
  std::cout << i18n::Format(
      i18n::Tr("{file}: ok ({feeds}, {rules}, {channels}; database {database})"),
      {{"file", path},
       {"feeds",
        i18n::Format(i18n::TrN("{n} feed", "{n} feeds", feeds), {{"n", std::to_string(feeds)}})},
       {"rules",
        i18n::Format(i18n::TrN("{n} rule", "{n} rules", rules), {{"n", std::to_string(rules)}})},
       {"channels", i18n::Format(i18n::TrN("{n} channel", "{n} channels", channels),
                                 {{"n", std::to_string(channels)}})},
       {"database", config->daemon.database}});
  if (warnings > 0) {
    std::cout << ", "
              << i18n::Format(
                     i18n::TrN("{n} warning", "{n} warnings", static_cast<std::uint64_t>(warnings)),
                     {{"n", std::to_string(warnings)}});
  }
  std::cout << "\n";
  return 0;
}

void AddCheckConfigCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "check-config", "Validate a configuration file (exit 1 with FILE:LINE: message on error)");
  cmd->add_option("file", *file, "File to check (default: --config)");
  cmd->callback([&global, file, exit_code] { *exit_code = Run(global, *file); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("check-config", AddCheckConfigCommand);

}  // namespace veille::cli
