// veille db: maintenance of the database file: online backup, vacuum, explicit pruning of old
// mentions, and a summary of what it holds.
#include <iostream>

#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "store/retention.h"
#include "store/schema.h"

namespace veille::cli {
namespace {

struct DbArgs {
  std::string file;
  std::string before;
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
  std::cout << "Backed up " << config->daemon.database << " to " << args.file << "\n";
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
  std::cout << "Vacuumed " << config->daemon.database << "\n";
  return 0;
}

int PruneMentionsCommand(const GlobalOptions& global, const DbArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto before = ParseSinceArgument(args.before, Now());
  if (!before) {
    std::cerr << "veille: --before: expected a duration (365d) or a date (2025-01-01)\n";
    return 2;
  }
  auto store = OpenWritable(*config);
  if (!store) return 1;
  auto n = store::PruneMentions(*store, *before, 500);
  if (!n) {
    std::cerr << "veille db prune-mentions: " << n.error().message << "\n";
    return 1;
  }
  std::cout << "Deleted " << *n << " mentions detected before " << ShortTime(*before) << " UTC\n";
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
  std::cout << config->daemon.database << " is at schema version " << store::SchemaVersion()
            << "\n";
  return 0;
}

int Info(const GlobalOptions& global) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  std::cout << "database  " << config->daemon.database << "\n";
  for (const auto& [label, sql] : std::vector<std::pair<std::string, std::string>>{
           {"schema", "PRAGMA user_version"},
           {"feeds", "SELECT COUNT(*) FROM feeds"},
           {"entries", "SELECT COUNT(*) FROM entries"},
           {"stories", "SELECT COUNT(*) FROM stories"},
           {"mentions", "SELECT COUNT(*) FROM mentions"},
           {"outbox", "SELECT COUNT(*) FROM outbox"},
           {"pages", "PRAGMA page_count"},
           {"free", "PRAGMA freelist_count"}}) {
    auto stmt = store->db().Prepare(sql);
    if (!stmt) {
      std::cerr << "veille: " << stmt.error().message << "\n";
      return 1;
    }
    auto row = stmt->Step();
    if (!row || !*row) return 1;
    std::cout << label << std::string(10 - label.size(), ' ') << stmt->Int(0)
              << (label == "schema"
                      ? " (this veille: " + std::to_string(store::SchemaVersion()) + ")"
                      : "")
              << "\n";
  }
  return 0;
}

void AddDbCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<DbArgs>();
  CLI::App* cmd = app.add_subcommand("db", "Database maintenance: backup, vacuum, prune, migrate, info");
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
  CLI::App* info = cmd->add_subcommand("info", "Row counts, schema version and size");
  info->callback([&global, exit_code] { *exit_code = Info(global); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("db", AddDbCommand);

}  // namespace veille::cli
