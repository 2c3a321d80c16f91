// veille status: the daemon's heartbeat from the database (pid, started, last heartbeat), feed
// health and the outbox, as a short report or JSON. Exit 0 when a daemon is running and
// healthy, 1 when none is (or its heartbeat is stale), 2 on a usage or config error.
#include <signal.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "daemon/version.h"
#include "store/schema.h"

namespace veille::cli {
namespace {

// A heartbeat older than this means the daemon is hung or gone (it writes one every 30 s).
constexpr std::int64_t kStaleAfterS = 120;

int Run(const GlobalOptions& global, bool json) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  auto status = store->ReadStatus();
  auto feeds = store->ListFeeds();
  auto outbox = store->OutboxCounts();
  for (const Error* e : {status ? nullptr : &status.error(), feeds ? nullptr : &feeds.error(),
                         outbox ? nullptr : &outbox.error()}) {
    if (e) {
      std::cerr << "veille: " << e->message << "\n";
      return 1;
    }
  }
  const UnixSeconds now = Now();
  std::string state = "never started";
  if (*status) {
    const auto& s = **status;
    const bool alive = s.pid > 0 && ::kill(static_cast<pid_t>(s.pid), 0) == 0;
    if (s.stopped_at) {
      state = "stopped";
    } else if (!alive) {
      state = "not running (no clean stop recorded)";
    } else if (now - s.heartbeat_at > kStaleAfterS) {
      state = "stale (no heartbeat for " + FormatDuration(now - s.heartbeat_at) + ")";
    } else {
      state = "running";
    }
  }
  std::map<std::string, int> by_state;
  for (const auto& f : *feeds) by_state[f.last_fetch_at ? f.state : "new"]++;
  std::map<std::string, std::int64_t> by_status(outbox->begin(), outbox->end());

  if (json) {
    nlohmann::json out = {{"daemon", state},
                          {"version", kVersion},
                          {"database", config->daemon.database},
                          {"feeds", by_state},
                          {"outbox", by_status}};
    if (*status) {
      const auto& s = **status;
      out["pid"] = s.pid;
      out["daemon_version"] = s.version;
      out["started"] = FormatIso8601(s.started_at);
      out["heartbeat"] = FormatIso8601(s.heartbeat_at);
      out["stopped"] = s.stopped_at ? nlohmann::json(FormatIso8601(*s.stopped_at)) : nullptr;
      out["last_error"] = s.last_error ? nlohmann::json(*s.last_error) : nullptr;
    }
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << "daemon:    " << state;
    if (*status)
      std::cout << " (pid " << (*status)->pid << ", veilled " << (*status)->version << ")";
    std::cout << "\n";
    if (*status) {
      std::cout << "started:   " << ShortTime((*status)->started_at) << " UTC\n";
      std::cout << "heartbeat: " << ShortTime((*status)->heartbeat_at) << " UTC\n";
      if ((*status)->last_error)
        std::cout << "error:     " << TerminalSafe(*(*status)->last_error) << "\n";
    }
    std::cout << "feeds:     " << feeds->size() << " (";
    bool first = true;
    for (const auto& [name, n] : by_state) {
      std::cout << (first ? "" : ", ") << n << " " << name;
      first = false;
    }
    std::cout << ")\noutbox:    " << by_status["pending"] << " pending, " << by_status["dead"]
              << " dead, " << by_status["delivered"] << " delivered\n";
    std::cout << "database:  " << config->daemon.database << " (schema " << store::SchemaVersion()
              << ")\n";
  }
  return state == "running" ? 0 : 1;
}

void AddStatusCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "status", "The daemon's heartbeat, feed health and outbox (exit 0 when veilled is running)");
  cmd->add_flag("--json", *json, "Print a JSON object");
  cmd->callback([&global, json, exit_code] { *exit_code = Run(global, *json); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("status", AddStatusCommand);

}  // namespace veille::cli
