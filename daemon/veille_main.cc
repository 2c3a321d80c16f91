// veille: the command-line tool. A table of subcommands over the library (see commands.h).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/file_mode.h"
#include "daemon/commands.h"
#include "daemon/version.h"
#include "i18n/translator.h"

int main(int argc, char** argv) {
  // Backups, exports and reports are 0600 (0640 under a umask that shuts others out), whatever
  // the caller's umask (docs/reliability.md, file modes).
  veille::RestrictFileModes();
  // Messages follow LANG / LC_MESSAGES (LANGUAGE, LC_ALL), read from the environment: no
  // system locale needs to be installed (docs/decisions.md, "Translations").
  const std::string language = veille::i18n::LanguageFromEnvironment();
  if (auto translator = veille::i18n::LoadTranslator(language)) {
    veille::i18n::SetProcessTranslator(std::move(*translator));
  } else {
    std::cerr << "veille: " << translator.error().message << "; messages stay in English\n";
  }

  CLI::App app{"veille: query and manage the veille brand-mention monitor", "veille"};
  app.set_version_flag("--version", std::string("veille ") + veille::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  veille::cli::GlobalOptions global;
  if (const char* env = std::getenv("VEILLE_CONFIG"); env && *env) global.config_path = env;
  app.add_option("-c,--config", global.config_path,
                 "Configuration file (default /etc/veille/veille.toml or $VEILLE_CONFIG)");
  int exit_code = 0;
  veille::cli::AddAllCommands(app, global, &exit_code);
  if (const std::string unknown =
          veille::cli::UnknownSubcommand(app, std::vector<std::string>(argv + 1, argv + argc));
      !unknown.empty()) {
    std::cerr << "veille: " << unknown << "\nRun 'veille --help' for the list of commands.\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as documented in docs/cli.md.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
