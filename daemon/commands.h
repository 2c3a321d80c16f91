// The `veille` CLI is a table of subcommands; each cmd_*.cc adds one with its flags and body and
// registers itself with VEILLE_REGISTER_COMMAND, so adding a subcommand touches one file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace veille::cli {

// Options shared by every subcommand (`--config` is accepted before or after the subcommand).
struct GlobalOptions {
  std::string config_path = "/etc/veille/veille.toml";
};

// Adds one subcommand to `app`. Its callback stores the process exit code in `*exit_code`
// (0 success; other values are documented per command in docs/cli.md).
using AddCommandFn = void (*)(CLI::App& app, GlobalOptions& global, int* exit_code);

// Called from static initialisers in the cmd_*.cc files (compiled into the `veille` binary).
bool RegisterCommand(const char* name, AddCommandFn add);

// Adds every registered command, sorted by name.
void AddAllCommands(CLI::App& app, GlobalOptions& global, int* exit_code);

// Before parsing: "" when every subcommand word in `args` (argv without the program) names a
// subcommand, else "unknown subcommand 'mentoins' (did you mean 'mentions'?)". Looks at the first
// word that is not an option (or the value of -c/--config), and at the word after a subcommand
// that itself requires one (db, opml, outbox ...).
std::string UnknownSubcommand(const CLI::App& app, const std::vector<std::string>& args);

}  // namespace veille::cli

#define VEILLE_REGISTER_COMMAND(name, fn) \
  [[maybe_unused]] static const bool kRegistered_##fn = ::veille::cli::RegisterCommand(name, fn)
