// veille db: maintenance of the database file: online backup, vacuum, explicit pruning of old
// mentions, and a summary of what it holds.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string_view>
#include <vector>

#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "store/copy.h"
#include "store/info.h"
#include "store/retention.h"

namespace veille::cli {
namespace {

struct DbArgs {
  std::string file;
  std::string before;
  std::string from;  // db copy: the source, when not the config's database
  std::string to;
};

std::unique_ptr<store::Store> OpenWritable(const config::Config& config) {
  // The daemon is the usual writer: wait for it (up to 30 s) rather than fail.
  auto store = store::Store::Open(config.daemon.database, store::Access::kWrite, 30000);
  if (!store) {
    std::cerr << "veille: " << store.error().message << "\n";
    return nullptr;
  }
  return std::move(*store);
}

int Backup(const GlobalOptions& global, const DbArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  if (auto r = store::BackupTo(*store, args.file); !r) {
    std::cerr << "veille db backup: " << r.error().message << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::Tr("Backed up {database} to {file}"),
                            {{"database", store::ShownLocation(config->daemon.database)},
                             {"file", args.file}})
            << "\n";
  return 0;
}

int VacuumCommand(const GlobalOptions& global) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenWritable(*config);
  if (!store) return 1;
  if (auto r = store::Vacuum(*store); !r) {
    std::cerr << "veille db vacuum: " << r.error().message << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::Tr("Vacuumed {database}"),
                            {{"database", store::ShownLocation(config->daemon.database)}})
            << "\n";
  return 0;
}

int PruneMentionsCommand(const GlobalOptions& global, const DbArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto before = ParseSinceArgument(args.before, Now());
  if (!before) {
    std::cerr << "veille: --before: "
              << i18n::Tr("expected a duration (365d) or a date (2025-01-01)") << "\n";
    return 2;
  }
  auto store = OpenWritable(*config);
  if (!store) return 1;
  auto n = store::PruneMentions(*store, *before, 500);
  if (!n) {
    std::cerr << "veille db prune-mentions: " << n.error().message << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::TrN("Deleted {n} mention detected before {time} UTC",
                                      "Deleted {n} mentions detected before {time} UTC",
                                      static_cast<std::uint64_t>(*n)),
                            {{"n", std::to_string(*n)}, {"time", ShortTime(*before)}})
            << "\n";
  return 0;
}

int MigrateCommand(const GlobalOptions& global) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  // The same migration veilled runs on start (creating the database when missing), for an
  // upgrade done before the daemon restarts or without it.
  auto store = store::Store::Open(config->daemon.database, store::Access::kMigrate, 30000);
  if (!store) {
    std::cerr << "veille db migrate: " << store.error().message << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::Tr("{database} is at schema version {version}"),
                            {{"database", store::ShownLocation(config->daemon.database)},
                             {"version", std::to_string(store::SchemaVersion())}})
            << "\n";
  return 0;
}

int Info(const GlobalOptions& global) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  auto info = store::ReadDatabaseInfo(*store);
  if (!info) {
    std::cerr << "veille: " << info.error().message << "\n";
    return 1;
  }
  // Labels in the language of the messages, values aligned two columns after the longest.
  std::vector<std::pair<const char*, std::int64_t>> counts = {
      {i18n::NC_("db info", "schema"), info->schema_version},
      {i18n::NC_("db info", "feeds"), info->feeds},
      {i18n::NC_("db info", "entries"), info->entries},
      {i18n::NC_("db info", "stories"), info->stories},
      {i18n::NC_("db info", "mentions"), info->mentions},
      {i18n::NC_("db info", "outbox"), info->outbox}};
  if (info->pages) counts.emplace_back(i18n::NC_("db info", "pages"), *info->pages);
  if (info->free_pages) counts.emplace_back(i18n::NC_("db info", "free"), *info->free_pages);
  std::size_t width = std::max(DisplayWidth(i18n::TrP("db info", "database")),
                               DisplayWidth(i18n::TrP("db info", "backend")));
  for (const auto& [label, value] : counts) {
    width = std::max(width, DisplayWidth(i18n::TrP("db info", label)));
  }
  auto padded = [width](const std::string& label) {
    return label + std::string(width + 2 - DisplayWidth(label), ' ');
  };
  std::cout << padded(i18n::TrP("db info", "database"))
            << store::ShownLocation(config->daemon.database) << "\n";
  std::cout << padded(i18n::TrP("db info", "backend")) << info->backend << "\n";
  for (const auto& [label, value] : counts) {
    std::cout << padded(i18n::TrP("db info", label)) << value
              << (std::string_view(label) == "schema"
                      ? " " + i18n::Format(i18n::Tr("(this veille: {version})"),
                                           {{"version", std::to_string(store::SchemaVersion())}})
                      : "")
              << "\n";
  }
  return 0;
}

// veille db copy: the whole archive into an empty database of either backend (store/copy.h).
int CopyCommand(const GlobalOptions& global, const DbArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const std::string& from = args.from.empty() ? config->daemon.database : args.from;
  if (from == args.to) {
    std::cerr << "veille db copy: " << i18n::Tr("--to names the database to copy from") << "\n";
    return 2;
  }
  auto source = store::Store::Open(from, store::Access::kRead, 30000);
  if (!source) {
    std::cerr << "veille db copy: " << source.error().message << "\n";
    return 1;
  }
  auto target = store::Store::Open(args.to, store::Access::kMigrate, 30000);
  if (!target) {
    std::cerr << "veille db copy: " << target.error().message << "\n";
    return 1;
  }
  // Progress on a terminal only: a line per 100,000 rows of a large table.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  auto progress = [terminal](std::string_view table, std::int64_t rows) {
    if (terminal && rows % 100000 == 0) std::cerr << table << ": " << rows << "\n";
  };
  auto report = store::CopyArchive(**source, **target, progress);
  if (!report) {
    std::cerr << "veille db copy: " << report.error().message << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::Tr("Copied {source} to {target}, and checked the row counts:"),
                            {{"source", store::ShownLocation(from)},
                             {"target", store::ShownLocation(args.to)}})
            << "\n";
  std::size_t width = 0;
  for (const auto& t : report->tables) width = std::max(width, t.table.size());
  for (const auto& t : report->tables) {
    std::cout << "  " << t.table << std::string(width + 2 - t.table.size(), ' ') << t.rows << "\n";
  }
  return 0;
}

void AddDbCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<DbArgs>();
  CLI::App* cmd =
      app.add_subcommand("db", "Database maintenance: backup, vacuum, prune, migrate, copy, info");
  cmd->require_subcommand(1);
  CLI::App* backup = cmd->add_subcommand(
      "backup", "Copy the database to FILE with SQLite's online backup API (daemon may run)");
  backup->add_option("file", args->file, "The new file (must not exist)")->required();
  backup->callback([&global, args, exit_code] { *exit_code = Backup(global, *args); });
  CLI::App* vacuum = cmd->add_subcommand(
      "vacuum", "Rebuild the file to reclaim free pages (the daemon's writes wait meanwhile)");
  vacuum->callback([&global, exit_code] { *exit_code = VacuumCommand(global); });
  CLI::App* prune = cmd->add_subcommand(
      "prune-mentions", "Delete mentions detected before a date (kept until you do)");
  prune->add_option("--before", args->before, "e.g. 365d or 2025-01-01")->required();
  prune->callback([&global, args, exit_code] { *exit_code = PruneMentionsCommand(global, *args); });
  CLI::App* migrate = cmd->add_subcommand(
      "migrate", "Create the database or migrate it to this veille's schema (as veilled does)");
  migrate->callback([&global, exit_code] { *exit_code = MigrateCommand(global); });
  CLI::App* copy = cmd->add_subcommand(
      "copy", "Copy the whole archive into an empty database: SQLite to PostgreSQL or back");
  copy->add_option("--to", args->to, "The target: a postgresql:// URL or an SQLite file")
      ->required();
  copy->add_option("--from", args->from, "The source (default: the config's database)");
  copy->callback([&global, args, exit_code] { *exit_code = CopyCommand(global, *args); });
  CLI::App* info = cmd->add_subcommand("info", "Row counts, schema version and size");
  info->callback([&global, exit_code] { *exit_code = Info(global); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("db", AddDbCommand);

}  // namespace veille::cli
