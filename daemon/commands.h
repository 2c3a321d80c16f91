// The `veille` CLI is a table of subcommands; each cmd_*.cc adds one with its flags and body.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace veille::cli {

// Options shared by every subcommand (`--config` is accepted before or after the subcommand).
struct GlobalOptions {
  std::string config_path = "/etc/veille/veille.toml";
  bool config_given = false;  // true when --config was passed explicitly
};

// Each Add*Command registers a subcommand on `app`; its callback sets the process exit code
// through `*exit_code` (0 success; non-zero documented per command in docs/cli.md).
void AddMentionsCommand(CLI::App& app, GlobalOptions& global, int* exit_code);
void AddFeedsCommand(CLI::App& app, GlobalOptions& global, int* exit_code);
void AddCheckConfigCommand(CLI::App& app, GlobalOptions& global, int* exit_code);
void AddParseCommand(CLI::App& app, GlobalOptions& global, int* exit_code);      // cmd_parse.cc
void AddTestRuleCommand(CLI::App& app, GlobalOptions& global, int* exit_code);   // cmd_test_rule.cc
void AddFetchCommand(CLI::App& app, GlobalOptions& global, int* exit_code);      // cmd_fetch.cc

}  // namespace veille::cli
