// veille status: the daemon's heartbeat from the database (pid, started, last heartbeat), feed
// health and the outbox, as a short report or JSON. Exit 0 when a daemon is running and
// healthy, 1 when none is (or its heartbeat is stale), 2 on a usage or config error.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "archive/daemon_liveness.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "daemon/version.h"
#include "i18n/translator.h"
#include "pipeline/config_fingerprint.h"
#include "store/daemon_configs.h"
#include "store/info.h"

namespace veille::cli {
namespace {

struct StatusArgs {
  bool json = false;
  std::string database;  // --database: used when the config cannot be read
};

int Run(const GlobalOptions& global, const StatusArgs& args) {
  // Only the database path is needed: a config with an error (the daemon keeps running on the
  // previous one) is reported, not fatal.
  std::string database = args.database;
  std::string config_error;
  std::optional<config::ConfigSummary> summary;  // the config file's, compared with the daemons'
  if (auto config = config::LoadConfig(global.config_path)) {
    if (database.empty()) database = config->daemon.database;
    summary = pipeline::SummarizeForDatabase(*config);
  } else {
    config_error = config.error().message;
    if (database.empty()) {
      auto path = config::ReadDatabasePath(global.config_path);
      if (!path) {
        std::cerr << "veille: " << config_error
                  << "\nveille: the configuration is broken and does not name a database; "
                     "give it with --database PATH\n";
        return 2;
      }
      database = *path;
    }
  }
  auto opened = store::Store::Open(database, store::Access::kRead);
  if (!opened) {
    if (!config_error.empty()) std::cerr << "veille: config broken: " << config_error << "\n";
    std::cerr << "veille: " << opened.error().message << "\n";
    return 1;
  }
  store::Store* store = opened->get();
  auto status = store->ReadStatus();
  auto feeds = store->ListFeeds();
  auto outbox = store->OutboxCounts();
  auto configs = store::ReadDaemonConfigs(*store);
  for (const Error* e :
       {status ? nullptr : &status.error(), feeds ? nullptr : &feeds.error(),
        outbox ? nullptr : &outbox.error(), configs ? nullptr : &configs.error()}) {
    if (e) {
      std::cerr << "veille: " << e->message << "\n";
      return 1;
    }
  }
  const UnixSeconds now = Now();
  // The JSON's "daemon" field; the text output says it in words.
  std::string state;
  switch (archive::LivenessOf(*store, *status, now)) {
    case archive::Liveness::kNeverStarted:
      state = "never started";
      break;
    case archive::Liveness::kStopped:
      state = "stopped";
      break;
    case archive::Liveness::kEnded:
      state = "not running (no clean stop recorded)";
      break;
    case archive::Liveness::kStale:
      state = "stale (no heartbeat for " + FormatDuration(now - (*status)->heartbeat_at) + ")";
      break;
    case archive::Liveness::kRunning:
      state = "running";
      break;
  }
  // Each daemon's configuration against the config file's: "" when the same, else the
  // differences ("feeds: 1 only here (...)": here is the file, the other the daemon).
  // In English for the JSON, in the language of the messages for the report.
  auto differences = [&](const store::DaemonConfigRow& row,
                         const i18n::Translator& tr) -> std::optional<std::string> {
    if (!summary) return std::nullopt;
    if (row.fingerprint == summary->fingerprint) return std::string();
    std::string diff = config::DescribeDifferences(*summary, row.description, 3, tr);
    return diff.empty() ? tr.Tr("(other settings)") : diff;
  };
  std::map<std::string, int> by_state;
  for (const auto& f : *feeds)
    by_state[f.last_fetch_at ? std::string(FeedStateName(f.state)) : "new"]++;
  std::map<std::string, std::int64_t> by_status;
  for (const auto& [s, n] : *outbox) by_status[std::string(store::OutboxStatusName(s))] = n;

  if (args.json) {
    nlohmann::json out = {
        {"daemon", state},
        {"version", kVersion},
        {"config", global.config_path},
        {"config_error", config_error.empty() ? nlohmann::json() : nlohmann::json(config_error)},
        {"database", store::ShownLocation(database)},
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
    // The configurations the daemons stored (docs/scaling.md, "Configurations that differ").
    out["config_fingerprint"] = summary ? nlohmann::json(summary->fingerprint) : nullptr;
    out["daemons"] = nlohmann::json::array();
    for (const auto& row : *configs) {
      const auto diff = differences(row, i18n::Translator());
      out["daemons"].push_back(
          {{"owner", row.owner},
           {"hostname", row.hostname},
           {"pid", row.pid},
           {"fingerprint", row.fingerprint},
           {"written", FormatIso8601(row.written_at)},
           {"seen", FormatIso8601(row.seen_at)},
           {"same_config", diff ? nlohmann::json(diff->empty()) : nullptr},
           {"differences", diff && !diff->empty() ? nlohmann::json(*diff) : nullptr}});
    }
    std::cout << DumpJson(out) << "\n";
  } else {
    // Labels in the language of the messages, values aligned after the longest.
    const auto& tr = i18n::ProcessTranslator();
    const std::string labels[] = {
        tr.TrP("status", "daemon:"),   tr.TrP("status", "started:"), tr.TrP("status", "heartbeat:"),
        tr.TrP("status", "error:"),    tr.TrP("status", "feeds:"),   tr.TrP("status", "outbox:"),
        tr.TrP("status", "database:"), tr.TrP("status", "config:"),  tr.TrP("status", "daemons:")};
    std::size_t width = 0;
    for (const auto& l : labels) width = std::max(width, DisplayWidth(l));
    auto label = [&](int i) {
      return labels[i] + std::string(width + 1 - DisplayWidth(labels[i]), ' ');
    };
    // The states of the JSON's "daemon" field, shown in words.
    static constexpr const char* kStates[] = {i18n::NC_("daemon state", "never started"),
                                              i18n::NC_("daemon state", "stopped"),
                                              i18n::NC_("daemon state", "running")};
    std::string shown_state = state;
    for (const char* s : kStates) {
      if (state == s) shown_state = tr.TrP("daemon state", s);
    }
    if (state.starts_with("not running")) {
      shown_state = tr.Tr("not running (no clean stop recorded)");
    } else if (state.starts_with("stale") && *status) {
      shown_state = i18n::Format(tr.Tr("stale (no heartbeat for {duration})"),
                                 {{"duration", FormatDuration(now - (*status)->heartbeat_at)}});
    }
    std::cout << label(0) << shown_state;
    if (*status)
      std::cout << " (pid " << (*status)->pid << ", veilled " << (*status)->version << ")";
    std::cout << "\n";
    if (*status) {
      std::cout << label(1) << ShortTime((*status)->started_at) << " UTC\n";
      std::cout << label(2) << ShortTime((*status)->heartbeat_at) << " UTC\n";
      if ((*status)->last_error)
        std::cout << label(3) << TerminalSafe(*(*status)->last_error) << "\n";
    }
    std::string states;
    for (const auto& [name, n] : by_state) {
      states += (states.empty() ? "" : ", ") + tr.Integer(n) + " " + tr.TrP("feed state", name);
    }
    std::cout << label(4) << tr.Integer(static_cast<std::int64_t>(feeds->size())) << " (" << states
              << ")\n";
    std::cout << label(5)
              << i18n::Format(tr.Tr("{pending} pending, {dead} dead, {delivered} delivered"),
                              {{"pending", tr.Integer(by_status["pending"])},
                               {"dead", tr.Integer(by_status["dead"])},
                               {"delivered", tr.Integer(by_status["delivered"])}})
              << "\n";
    // A PostgreSQL URL's password is never printed (store::ShownLocation).
    std::cout << label(6)
              << i18n::Format(tr.Tr("{database} (schema {version})"),
                              {{"database", TerminalSafe(store::ShownLocation(database))},
                               {"version", std::to_string(store::SchemaVersion())}})
              << "\n";
    if (config_error.empty()) {
      std::cout << label(7)
                << i18n::Format(tr.Tr("{path} (ok)"), {{"path", TerminalSafe(global.config_path)}})
                << "\n";
    } else {
      std::cout << label(7)
                << i18n::Format(tr.Tr("BROKEN: {error}"), {{"error", TerminalSafe(config_error)}})
                << "\n"
                << std::string(width + 1, ' ')
                << tr.Tr(
                       "(a running daemon keeps its previous configuration; fix the file, "
                       "check it with `veille check-config`, then reload)")
                << "\n";
    }
    // One line per daemon that stored its configuration: name, fingerprint, and whether it is
    // the config file's. Left out when it says nothing: one daemon, stopped (its next start
    // reads the file), running the file's configuration, or a broken file to compare with.
    // What is left on SQLite is the case worth a line: the file was edited and not reloaded.
    std::vector<std::optional<std::string>> diffs;
    for (const auto& row : *configs) diffs.push_back(differences(row, tr));
    const bool nothing_to_say =
        diffs.empty() ||
        (diffs.size() == 1 && (state != "running" || !diffs[0] || diffs[0]->empty()));
    for (std::size_t i = 0; i < configs->size() && !nothing_to_say; ++i) {
      const auto& row = (*configs)[i];
      const std::string time = ShortTime(row.written_at);
      const auto& diff = diffs[i];
      std::string when;
      if (!diff) {
        when = i18n::Format(tr.Tr("written {time} UTC"), {{"time", time}});
      } else if (diff->empty()) {
        when = i18n::Format(tr.Tr("written {time} UTC; the config file's"), {{"time", time}});
      } else {
        when = i18n::Format(tr.Tr("written {time} UTC; differs from the config file: {what}"),
                            {{"time", time}, {"what", TerminalSafe(*diff)}});
      }
      std::cout << (i == 0 ? label(8) : std::string(width + 1, ' ')) << TerminalSafe(row.owner)
                << " " << TerminalSafe(row.fingerprint) << " (" << when << ")\n";
    }
  }
  return state == "running" ? 0 : 1;
}

void AddStatusCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand(
      "status", "The daemon's heartbeat, feed health and outbox (exit 0 when veilled is running)");
  cmd->add_flag("--json", args->json, "Print a JSON object");
  cmd->add_option("--database", args->database,
                  "The database to read (default: the config's; needed when the config file "
                  "is broken and names none)");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("status", AddStatusCommand);

}  // namespace veille::cli
